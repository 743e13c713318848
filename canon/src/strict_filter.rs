//! [`StrictFiltered`]: a filter whose predicate is invariant under renaming atoms, so that the
//! filtered domain stays strict and has canonical forms.

use crate::shape::{RENAMING_GENERATORS, Shape, rename_by_generator};
use crate::value::{Canonical, Value};
use crate::{Atom, StrictShape, UsetId, decode};
use haydi_core::domain::{Filtered, describe};
use haydi_core::{Domain, Error, Result, Size};
use rand::RngCore;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

/// How many items (spread over the index space) the debug-build check of
/// [`StrictFilterExt::filter_strict`] renames.
///
/// ```
/// assert_eq!(haydi_canon::STRICT_FILTER_SAMPLE, 64);
/// ```
pub const STRICT_FILTER_SAMPLE: u128 = 64;

/// Whether [`StrictFilterExt::filter_strict`] checks its contract on a sample: in a debug
/// build of haydi-canon (the check is skipped in release builds). A doctest or a user's test
/// is built with its own profile, so it asks this, not its own `cfg!(debug_assertions)`.
///
/// ```
/// assert_eq!(haydi_canon::STRICT_FILTER_CHECKED, cfg!(debug_assertions));
/// ```
pub const STRICT_FILTER_CHECKED: bool = cfg!(debug_assertions);

/// A predicate on the canonical forms ([`Value`]s) of a domain: what [`StrictShape::cnf_plan`]
/// adds to a shape. `Err` stops the run.
///
/// ```
/// use haydi_canon::{Value, ValueFilter};
/// use std::sync::Arc;
/// let small: ValueFilter = Arc::new(|v: &Value| Ok(matches!(v, Value::Int(i) if *i < 3)));
/// assert!(small(&Value::Int(2))? && !small(&Value::Int(5))?);
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub type ValueFilter = Arc<dyn Fn(&Value) -> Result<bool> + Send + Sync>;

/// The items of a strict domain satisfying a predicate that is invariant under renaming atoms
/// (the Python haydi's `filter(fn, strict=True)`); built by [`StrictFilterExt::filter_strict`].
///
/// It is a domain like [`haydi_core::domain::Filtered`] (the size becomes an upper bound, a
/// rejected index yields nothing), and it stays strict: `cnfs()` of it is the canonical forms of
/// the inner domain that satisfy the predicate, and it can be a part of a product, subsets, ...
/// whose canonical forms are enumerated (there its surviving items are materialized, at most
/// [`crate::shape::MAX_COMPONENT`], and checked to be closed under renaming).
///
/// ```
/// use haydi_canon::{CnfsExt, StrictFilterExt, USet};
/// use haydi_core::prelude::*;
/// use haydi_domains::{Product, Range};
/// let a = USet::new(3, "a");
/// // The Python docs: (U(3) * Range(4)).filter(x[1] != 2, strict=True).cnfs()
/// let d = Product::new((a.clone(), Range::new(4))).filter_strict(|(_, i)| *i != 2)?;
/// let c = d.cnfs()?.collect().run(false)?;
/// assert_eq!(c, vec![(a.atom(0), 0), (a.atom(0), 1), (a.atom(0), 3)]);
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub struct StrictFiltered<D, F> {
    /// The plain filter, which does the filtering; this type adds strictness and canonical
    /// forms on top.
    filtered: Filtered<D, F>,
}

impl<D: Clone, F> Clone for StrictFiltered<D, F> {
    fn clone(&self) -> Self {
        StrictFiltered {
            filtered: self.filtered.clone(),
        }
    }
}

impl<D: fmt::Debug, F> fmt::Debug for StrictFiltered<D, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StrictFiltered")
            .field("inner", self.filtered.inner())
            .finish_non_exhaustive()
    }
}

impl<D, F> StrictFiltered<D, F> {
    /// The unfiltered domain.
    ///
    /// ```
    /// use haydi_canon::{StrictFilterExt, USet};
    /// let u = USet::new(3, "u");
    /// let d = u.clone().filter_strict(|_| true)?;
    /// assert_eq!(d.inner(), &u);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn inner(&self) -> &D {
        self.filtered.inner()
    }
}

impl<D, F> Domain for StrictFiltered<D, F>
where
    D: Domain,
    F: Fn(&D::Item) -> bool + Send + Sync,
{
    type Item = D::Item;

    fn size(&self) -> Size {
        self.filtered.size()
    }

    fn item_at(&self, index: u128) -> Option<D::Item> {
        self.filtered.item_at(index)
    }

    #[inline]
    fn visit_range<G>(&self, start: u128, end: u128, g: &mut G) -> ControlFlow<()>
    where
        G: FnMut(D::Item) -> ControlFlow<()>,
    {
        self.filtered.visit_range(start, end, g)
    }

    fn visit_from<G>(&self, start: u128, g: &mut G) -> ControlFlow<()>
    where
        G: FnMut(D::Item) -> ControlFlow<()>,
    {
        self.filtered.visit_from(start, g)
    }

    fn visits_past_u128(&self) -> bool {
        self.filtered.visits_past_u128()
    }

    fn generate_one(&self, rng: &mut dyn RngCore) -> Result<D::Item> {
        // The plain filter's retries, with this domain's name in the error.
        self.filtered.generate_one(rng).map_err(|e| match e {
            Error::GenerateRejected { tries, .. } => Error::GenerateRejected {
                domain: self.name(),
                tries,
            },
            other => other,
        })
    }

    fn name(&self) -> String {
        format!("FilterStrict({})", self.inner().name())
    }

    fn is_strict(&self) -> bool {
        self.inner().is_strict()
    }
}

impl<D, F> fmt::Display for StrictFiltered<D, F>
where
    D: Domain,
    D::Item: fmt::Debug,
    F: Fn(&D::Item) -> bool + Send + Sync,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(self))
    }
}

impl<D, F> StrictShape for StrictFiltered<D, F>
where
    D: Domain + StrictShape,
    D::Item: Canonical,
    F: Fn(&D::Item) -> bool + Send + Sync + 'static,
{
    /// The surviving items, materialized (at most [`crate::shape::MAX_COMPONENT`]) and checked
    /// to be closed under renaming: the shape of a strict filter nested in a larger domain.
    fn shape(&self) -> Result<Shape> {
        let n = match self.inner().size().bound() {
            Some(n) if n <= crate::shape::MAX_COMPONENT as u128 => n,
            _ => {
                return Err(Error::InvalidDomain(format!(
                    "{} is materialized for canonical forms when nested, and it has more than {} items; apply filter_strict to the outermost domain instead",
                    self.name(),
                    crate::shape::MAX_COMPONENT
                )));
            }
        };
        let mut vs = Vec::new();
        let _ = self.visit_range(0, n, &mut |x| {
            vs.push(x.to_value());
            ControlFlow::Continue(())
        });
        let s = if vs.iter().all(Value::is_plain) {
            Shape::Values(vs)
        } else {
            Shape::Items(vs)
        };
        s.validate().map_err(|e| match e {
            Error::NotStrict(why) => Error::NotStrict(format!(
                "{}: the filter_strict predicate is not invariant under renaming atoms ({why})",
                self.name()
            )),
            e => e,
        })?;
        Ok(s)
    }

    /// The inner domain's plan, with the predicate added to its filter: the canonical forms of
    /// the inner domain that satisfy the predicate (one per class, as the predicate agrees on a
    /// whole class).
    fn cnf_plan(&self) -> Result<(Shape, Option<ValueFilter>)> {
        let (shape, keep) = self.inner().cnf_plan()?;
        let pred = Arc::clone(self.filtered.predicate());
        let mine: ValueFilter = Arc::new(move |v: &Value| {
            if let Some(k) = &keep {
                if !k(v)? {
                    return Ok(false);
                }
            }
            Ok(pred(&decode::<D::Item>(v)?))
        });
        Ok((shape, Some(mine)))
    }
}

/// `filter_strict` on every domain whose items are [`Canonical`].
pub trait StrictFilterExt: Domain + Sized
where
    Self::Item: Canonical,
{
    /// The items for which `pred` holds, where `pred` must be **invariant under renaming
    /// atoms**: for every item `x` and every bijection of the atoms of each USet, `pred(x)`
    /// equals `pred` of the renamed `x`. Then the result is strict, and `cnfs()` runs on it
    /// (and on domains built from it).
    ///
    /// In debug builds the contract is checked on a sample of up to
    /// [`STRICT_FILTER_SAMPLE`] items spread over the index space: each is renamed by the
    /// transposition of atoms 0 and 1 and by the cycle `i -> i + 1` of each of its USets, and a
    /// disagreement of `pred` is [`Error::NotStrict`], naming both items. A nested strict filter
    /// is checked completely when canonical forms are enumerated (its items must be closed
    /// under renaming). Release builds skip the sample check; a predicate that breaks the
    /// contract then gives canonical forms of classes that are only partly in the domain.
    ///
    /// ```
    /// use haydi_canon::{CnfsExt, StrictFilterExt, USet};
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Product;
    /// let u = USet::new(3, "u");
    /// let pairs = Product::new((u.clone(), u.clone()));
    /// let distinct = pairs.clone().filter_strict(|(a, b)| a != b)?;
    /// assert_eq!(distinct.cnfs()?.collect().run(false)?, vec![(u.atom(0), u.atom(1))]);
    /// // "the first atom is u0" depends on the labels: refused (in debug builds)
    /// let bad = pairs.filter_strict(|(a, _)| a.index() == 0);
    /// assert!(!haydi_canon::STRICT_FILTER_CHECKED || matches!(bad, Err(Error::NotStrict(_))));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    fn filter_strict<F>(self, pred: F) -> Result<StrictFiltered<Self, F>>
    where
        F: Fn(&Self::Item) -> bool + Send + Sync,
    {
        if STRICT_FILTER_CHECKED {
            check_invariant(&self, &pred)?;
        }
        Ok(StrictFiltered {
            filtered: self.filter(pred),
        })
    }
}

impl<D: Domain> StrictFilterExt for D where D::Item: Canonical {}

/// The renamings of `v` by the generators of the symmetric group of each of its USets.
fn renamings(v: &Value) -> Vec<Value> {
    let mut usets: Vec<UsetId> = v.atoms().iter().map(Atom::uset).collect();
    usets.sort_unstable();
    usets.dedup();
    let mut out = Vec::new();
    for u in usets {
        let n = u.size();
        if n < 2 {
            continue;
        }
        for which in 0..RENAMING_GENERATORS {
            out.push(rename_by_generator(v, u, which));
        }
    }
    out
}

/// The debug-build sample check of [`StrictFilterExt::filter_strict`].
fn check_invariant<D, F>(d: &D, pred: &F) -> Result<()>
where
    D: Domain,
    D::Item: Canonical,
    F: Fn(&D::Item) -> bool,
{
    let Some(n) = d.size().bound() else {
        return Ok(());
    };
    let k = n.min(STRICT_FILTER_SAMPLE);
    for j in 0..k {
        // spread evenly: j * n / k, without overflowing u128
        let i = (n / k) * j + (n % k) * j / k;
        let Some(x) = d.item_at(i) else { continue };
        let p = pred(&x);
        let v = x.to_value();
        for w in renamings(&v) {
            let y: D::Item = decode(&w)?;
            if pred(&y) != p {
                return Err(Error::NotStrict(format!(
                    "filter_strict: the predicate is not invariant under renaming atoms: it is {p} on {v:?} but {} on its renaming {w:?}; use filter (not strict) instead",
                    !p
                )));
            }
        }
    }
    Ok(())
}
