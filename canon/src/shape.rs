//! A structural description of strict domains ([`Shape`]) and builder functions.
//!
//! A `Shape` says how a strict domain is built (USet, Range, Boolean, Values, Product,
//! Sequences, Subsets, Mappings, Join) so that canonical forms can be enumerated without knowing
//! the concrete domain types; a concrete domain plugs in by implementing
//! [`StrictShape`](crate::StrictShape).
//!
//! ```
//! use haydi_canon::{shape, USet};
//! let u = USet::new(4, "v");
//! let graphs = shape::subsets(shape::subsets_sized(shape::uset(&u), 2, 2));
//! assert!(graphs.validate().is_ok());
//! assert!(shape::not_strict("map").validate().is_err());
//! ```

use crate::atom::USet;
use crate::value::Value;
use haydi_core::{Error, Result};

/// How a strict domain is built; the values it produces are [`Value`]s.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// Unlabelled atoms: `Value::Atom`.
    USet(USet),
    /// The integers `start, start+step, ...` below `end` (above it when `step < 0`): `Value::Int`.
    Range {
        /// First integer.
        start: i64,
        /// Excluded bound.
        end: i64,
        /// Step, not zero.
        step: i64,
    },
    /// `false, true`: `Value::Bool`.
    Boolean,
    /// Given plain values (no atoms), in the given order.
    Values(Vec<Value>),
    /// The materialized items of a strict domain whose structure is not visible (a boxed
    /// domain, the keys of a `Mappings`), in the given order. They may hold atoms, but the
    /// list must be closed under renaming the atoms of each USet ([`Shape::validate`] checks
    /// it); this is what makes it a strict domain.
    Items(Vec<Value>),
    /// Tuples: `Value::Seq` of one value per component.
    Product(Vec<Shape>),
    /// Sequences of `min..=max` items: `Value::Seq`.
    Sequences {
        /// The items.
        item: Box<Shape>,
        /// Shortest length.
        min: usize,
        /// Longest length.
        max: usize,
    },
    /// Sets of `min..=max` distinct items: `Value::Set`.
    Subsets {
        /// The items.
        item: Box<Shape>,
        /// Smallest size.
        min: usize,
        /// Largest size.
        max: usize,
    },
    /// Total functions from keys to values: `Value::Mapping`.
    Mappings {
        /// The keys.
        keys: Box<Shape>,
        /// The values.
        values: Box<Shape>,
    },
    /// The items of each part, one part after the other.
    Join(Vec<Shape>),
    /// A domain that is not strict (a user `map`, an unlabelled filter, ...); canonical forms
    /// are refused with [`Error::NotStrict`] naming it.
    NotStrict(String),
}

/// The atoms of `u`.
pub fn uset(u: &USet) -> Shape {
    Shape::USet(u.clone())
}
/// The integers `0..n`.
pub fn range(n: i64) -> Shape {
    Shape::Range {
        start: 0,
        end: n,
        step: 1,
    }
}
/// The integers `start..end` by `step`.
pub fn range_step(start: i64, end: i64, step: i64) -> Shape {
    Shape::Range { start, end, step }
}
/// `false, true`.
pub fn boolean() -> Shape {
    Shape::Boolean
}
/// Given plain values.
pub fn values(vs: impl IntoIterator<Item = Value>) -> Shape {
    Shape::Values(vs.into_iter().collect())
}
/// The materialized items of a strict domain (atoms allowed; the list must be closed under
/// renaming, see [`Shape::Items`]).
///
/// ```
/// use haydi_canon::{shape, USet, Value};
/// let u = USet::new(2, "u");
/// let all = shape::items([Value::Atom(u.atom(0)), Value::Atom(u.atom(1))]);
/// assert!(all.validate().is_ok());
/// assert!(shape::items([Value::Atom(u.atom(1))]).validate().is_err());
/// ```
pub fn items(vs: impl IntoIterator<Item = Value>) -> Shape {
    Shape::Items(vs.into_iter().collect())
}
/// Tuples of the parts.
pub fn product(parts: Vec<Shape>) -> Shape {
    Shape::Product(parts)
}
/// Sequences of `min..=max` items.
pub fn sequences(item: Shape, min: usize, max: usize) -> Shape {
    Shape::Sequences {
        item: Box::new(item),
        min,
        max,
    }
}
/// All subsets.
pub fn subsets(item: Shape) -> Shape {
    Shape::Subsets {
        item: Box::new(item),
        min: 0,
        max: usize::MAX,
    }
}
/// Subsets with `min..=max` elements.
pub fn subsets_sized(item: Shape, min: usize, max: usize) -> Shape {
    Shape::Subsets {
        item: Box::new(item),
        min,
        max,
    }
}
/// Total functions from `keys` to `values`.
pub fn mappings(keys: Shape, values: Shape) -> Shape {
    Shape::Mappings {
        keys: Box::new(keys),
        values: Box::new(values),
    }
}
/// The parts one after the other.
pub fn join(parts: Vec<Shape>) -> Shape {
    Shape::Join(parts)
}
/// A non-strict domain called `name`.
pub fn not_strict(name: &str) -> Shape {
    Shape::NotStrict(name.into())
}

/// Above this many elements a component domain is refused (its elements are materialized).
pub const MAX_COMPONENT: usize = 1 << 22;

impl Shape {
    /// Fails with [`Error::InvalidDomain`] when two USets of the shape have the same name and
    /// size but come from different `USet::new` calls: they have one identity, so they would
    /// silently act as one set.
    ///
    /// ```
    /// use haydi_canon::{shape, USet};
    /// let a = USet::new(2, "a");
    /// assert!(shape::product(vec![shape::uset(&a), shape::uset(&a.clone())]).check_declarations().is_ok());
    /// let again = USet::new(2, "a");
    /// assert!(shape::product(vec![shape::uset(&a), shape::uset(&again)]).check_declarations().is_err());
    /// ```
    pub fn check_declarations(&self) -> Result<()> {
        fn walk<'a>(s: &'a Shape, seen: &mut Vec<&'a USet>) -> Result<()> {
            match s {
                Shape::USet(u) => {
                    if let Some(o) = seen.iter().find(|o| **o == u && !o.same_declaration(u)) {
                        return Err(Error::InvalidDomain(format!(
                            "two USets named {:?} with {} atoms were declared separately in one domain; they have one identity and would act as one set: declare the USet once and clone it, or give the two sets distinct names",
                            o.label(),
                            o.len()
                        )));
                    }
                    seen.push(u);
                    Ok(())
                }
                Shape::Product(ps) | Shape::Join(ps) => ps.iter().try_for_each(|p| walk(p, seen)),
                Shape::Sequences { item, .. } | Shape::Subsets { item, .. } => walk(item, seen),
                Shape::Mappings { keys, values } => {
                    walk(keys, seen)?;
                    walk(values, seen)
                }
                _ => Ok(()),
            }
        }
        walk(self, &mut Vec::new())
    }

    /// Checks that canonical forms can be enumerated: fails with [`Error::NotStrict`] on a
    /// non-strict part, on `Values` holding atoms or on `Items` not closed under renaming, and with [`Error::InvalidDomain`] on a
    /// zero step or `min > max`.
    pub fn validate(&self) -> Result<()> {
        match self {
            Shape::NotStrict(n) => Err(Error::NotStrict(format!(
                "{n} is not strict (a user map or an unlabelled filter); canonical forms need a domain built only from USet, Range, Boolean, Values, Product, Sequences, Subsets, Mappings and Join"
            ))),
            Shape::Values(vs) => {
                if vs.iter().all(Value::is_plain) {
                    Ok(())
                } else {
                    Err(Error::NotStrict(
                        "Values holding atoms is not closed under renaming".into(),
                    ))
                }
            }
            Shape::Items(vs) => closed_under_renaming(vs),
            Shape::Range { step: 0, .. } => {
                Err(Error::InvalidDomain("Range step must not be 0".into()))
            }
            Shape::Sequences { item, min, max } | Shape::Subsets { item, min, max } => {
                if min > max {
                    return Err(Error::InvalidDomain(format!("min {min} > max {max}")));
                }
                item.validate()
            }
            Shape::Product(ps) | Shape::Join(ps) => ps.iter().try_for_each(Shape::validate),
            Shape::Mappings { keys, values } => {
                keys.validate()?;
                values.validate()
            }
            _ => Ok(()),
        }
    }

    /// Every value of the domain, in domain order (products and sequences lexicographic,
    /// subsets by size then lexicographic, mappings lexicographic over the sorted keys). Fails
    /// beyond [`MAX_COMPONENT`] values.
    ///
    /// ```
    /// use haydi_canon::{shape, Value};
    /// let e = shape::subsets_sized(shape::range(3), 0, 1).elements().unwrap();
    /// assert_eq!(e.len(), 4);
    /// assert_eq!(e[0], Value::Set(vec![]));
    /// ```
    pub fn elements(&self) -> Result<Vec<Value>> {
        self.validate()?;
        let too_big = || {
            Error::InvalidDomain(format!(
                "a component has more than {MAX_COMPONENT} elements"
            ))
        };
        Ok(match self {
            Shape::USet(u) => (0..u.len()).map(|i| Value::Atom(u.atom(i))).collect(),
            Shape::Range { start, end, step } => {
                let mut v = Vec::new();
                let mut x = *start;
                while (*step > 0 && x < *end) || (*step < 0 && x > *end) {
                    v.push(Value::Int(x as i128));
                    if v.len() > MAX_COMPONENT {
                        return Err(too_big());
                    }
                    x = match x.checked_add(*step) {
                        Some(y) => y,
                        None => break,
                    };
                }
                v
            }
            Shape::Boolean => vec![Value::Bool(false), Value::Bool(true)],
            Shape::Values(vs) | Shape::Items(vs) => vs.clone(),
            Shape::Join(ps) => {
                let mut v = Vec::new();
                for p in ps {
                    v.extend(p.elements()?);
                    if v.len() > MAX_COMPONENT {
                        return Err(too_big());
                    }
                }
                v
            }
            Shape::Product(ps) => {
                let parts: Vec<Vec<Value>> =
                    ps.iter().map(Shape::elements).collect::<Result<_>>()?;
                let mut out: Vec<Vec<Value>> = vec![Vec::new()];
                for p in &parts {
                    if out.len().saturating_mul(p.len()) > MAX_COMPONENT {
                        return Err(too_big());
                    }
                    out = out
                        .into_iter()
                        .flat_map(|pre| {
                            p.iter().map(move |x| {
                                let mut t = pre.clone();
                                t.push(x.clone());
                                t
                            })
                        })
                        .collect();
                }
                out.into_iter().map(Value::Seq).collect()
            }
            Shape::Sequences { item, min, max } => {
                let items = item.elements()?;
                let mut out = Vec::new();
                let mut layer: Vec<Vec<Value>> = vec![Vec::new()];
                for len in 0..=*max {
                    if len >= *min {
                        out.extend(layer.iter().cloned().map(Value::Seq));
                    }
                    if len == *max || (items.is_empty() && len >= *min) {
                        break;
                    }
                    if layer.len().saturating_mul(items.len()) + out.len() > MAX_COMPONENT {
                        return Err(too_big());
                    }
                    layer = layer
                        .into_iter()
                        .flat_map(|pre| {
                            items.iter().map(move |x| {
                                let mut t = pre.clone();
                                t.push(x.clone());
                                t
                            })
                        })
                        .collect();
                    if layer.is_empty() {
                        break;
                    }
                }
                out
            }
            Shape::Subsets { item, min, max } => {
                let mut items = item.elements()?;
                items.sort();
                items.dedup();
                if items.len() >= 63 {
                    return Err(too_big());
                }
                let n = items.len();
                let mut out: Vec<Vec<usize>> = Vec::new();
                for size in *min..=(*max).min(n) {
                    // lexicographic combinations of `size` indices
                    let mut c: Vec<usize> = (0..size).collect();
                    loop {
                        out.push(c.clone());
                        if out.len() > MAX_COMPONENT {
                            return Err(too_big());
                        }
                        let mut i = size;
                        while i > 0 && c[i - 1] == n - size + i - 1 {
                            i -= 1;
                        }
                        if i == 0 {
                            break;
                        }
                        c[i - 1] += 1;
                        for j in i..size {
                            c[j] = c[j - 1] + 1;
                        }
                    }
                }
                out.into_iter()
                    .map(|c| Value::Set(c.into_iter().map(|i| items[i].clone()).collect()))
                    .collect()
            }
            Shape::Mappings { keys, values } => {
                let mut ks = keys.elements()?;
                ks.sort();
                ks.dedup();
                let vs = values.elements()?;
                let mut out: Vec<Vec<(Value, Value)>> = vec![Vec::new()];
                for k in &ks {
                    if out.len().saturating_mul(vs.len()) > MAX_COMPONENT {
                        return Err(too_big());
                    }
                    out = out
                        .into_iter()
                        .flat_map(|pre| {
                            vs.iter().map(move |x| {
                                let mut t = pre.clone();
                                t.push((k.clone(), x.clone()));
                                t
                            })
                        })
                        .collect();
                }
                out.into_iter().map(Value::Mapping).collect()
            }
            Shape::NotStrict(_) => unreachable!("validated"),
        })
    }
}

/// How many generators of a symmetric group [`rename_by_generator`] knows: the transposition of
/// atoms 0 and 1, and the cycle `i -> i + 1 mod n`.
pub(crate) const RENAMING_GENERATORS: usize = 2;

/// `v` with the atoms of USet `u` renamed by generator `which` (`0`: swap atoms 0 and 1, `1`:
/// the cycle `i -> i + 1 mod n`) of `u`'s symmetric group; atoms of other USets stay. For a USet
/// of fewer than two atoms both are the identity.
pub(crate) fn rename_by_generator(v: &Value, u: crate::atom::UsetId, which: usize) -> Value {
    use crate::atom::Atom;
    let n = u.size();
    let g = |i: u32| match which {
        0 if n >= 2 => match i {
            0 => 1,
            1 => 0,
            i => i,
        },
        1 if n >= 2 => (i + 1) % n,
        _ => i,
    };
    v.map_atoms(&mut |a: Atom| {
        if a.uset() == u {
            Atom::new(u, g(a.index()))
        } else {
            a
        }
    })
}

/// `Ok` when renaming the atoms of any USet (each permutation of its atoms) maps every value of
/// `vs` into `vs`. Checked on generators of each symmetric group: the transposition of atoms 0
/// and 1 and the cycle `i -> i + 1 mod n`.
fn closed_under_renaming(vs: &[Value]) -> Result<()> {
    use crate::atom::UsetId;
    use std::collections::HashSet;
    let mut usets: Vec<UsetId> = vs
        .iter()
        .flat_map(|v| v.atoms())
        .map(|a| a.uset())
        .collect();
    usets.sort_unstable();
    usets.dedup();
    if usets.is_empty() {
        return Ok(());
    }
    let set: HashSet<&Value> = vs.iter().collect();
    for u in usets {
        let n = u.size();
        if n < 2 {
            continue;
        }
        for which in 0..RENAMING_GENERATORS {
            for v in vs {
                let w = rename_by_generator(v, u, which);
                if !set.contains(&w) {
                    return Err(Error::NotStrict(format!(
                        "the items are not closed under renaming atoms: {v:?} is present but its renaming {w:?} is not"
                    )));
                }
            }
        }
    }
    Ok(())
}
