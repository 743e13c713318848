//! The dynamic [`Value`] every canonical-form computation works on, its total order, and the
//! [`Canonical`] trait that connects typed values to it.

use crate::atom::{Atom, UsetId};
use haydi_core::{Mapping, Set};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A plain value: what strict domains produce.
///
/// # The total order
///
/// `Value` derives `Ord`; variants compare in declaration order
/// (`Bool < Int < Str < Atom < None < Some < Seq < Set < Mapping`), and within a variant:
/// booleans `false < true`; integers numerically; strings bytewise; atoms by `(USet id, index)`;
/// `Some(x)` by `x`; sequences (tuples and vectors alike) lexicographically, a proper prefix
/// being smaller; sets as the lexicographic comparison of their elements sorted ascending; maps
/// as the lexicographic comparison of their `(key, value)` pairs sorted by key.
///
/// This is exactly the derived `Ord` of the typed values (`i64`, `Atom`, tuples, `Vec`,
/// `haydi_core::Set`, `haydi_core::Mapping`, ...) whose elements are stored ascending, so a set or a
/// map produced by a domain is already sorted in the value order. Unlike the Python original,
/// length does not come first.
///
/// Invariant: `Set` holds distinct elements sorted ascending and `Mapping` holds pairs with
/// distinct keys sorted by key; build them with [`Value::set`] and [`Value::map`].
///
/// ```
/// use haydi_canon::Value;
/// let s = Value::set([Value::Int(3), Value::Int(1), Value::Int(3)]);
/// assert_eq!(s, Value::Set(vec![Value::Int(1), Value::Int(3)]));
/// assert!(Value::Seq(vec![Value::Int(1)]) < Value::Seq(vec![Value::Int(1), Value::Int(0)]));
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Value {
    /// A boolean.
    Bool(bool),
    /// An integer (every primitive integer type maps here).
    Int(i128),
    /// A string.
    Str(String),
    /// An unlabelled atom.
    Atom(Atom),
    /// `Option::None`.
    None,
    /// `Option::Some`.
    Some(Box<Value>),
    /// A tuple or a vector.
    Seq(Vec<Value>),
    /// A set: distinct elements sorted ascending.
    Set(Vec<Value>),
    /// A map: pairs with distinct keys, sorted by key.
    Mapping(Vec<(Value, Value)>),
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Atom(a) => write!(f, "{a:?}"),
            Value::None => write!(f, "None"),
            Value::Some(x) => write!(f, "Some({x:?})"),
            Value::Seq(xs) => {
                let mut t = f.debug_tuple("");
                for x in xs {
                    t.field(x);
                }
                t.finish()
            }
            Value::Set(xs) => f.debug_set().entries(xs).finish(),
            Value::Mapping(xs) => f
                .debug_map()
                .entries(xs.iter().map(|(k, v)| (k, v)))
                .finish(),
        }
    }
}

impl Value {
    /// A set value: sorts and deduplicates.
    pub fn set(items: impl IntoIterator<Item = Value>) -> Value {
        let mut v: Vec<Value> = items.into_iter().collect();
        v.sort();
        v.dedup();
        Value::Set(v)
    }

    /// A map value: sorts the pairs by key (keeping the last pair of a repeated key).
    pub fn map(pairs: impl IntoIterator<Item = (Value, Value)>) -> Value {
        let mut v: Vec<(Value, Value)> = pairs.into_iter().collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(Value, Value)> = Vec::with_capacity(v.len());
        for p in v {
            match out.last_mut() {
                Some(last) if last.0 == p.0 => *last = p,
                _ => out.push(p),
            }
        }
        Value::Mapping(out)
    }

    /// The value with every atom replaced by `f(atom)`; sets and maps are re-sorted.
    ///
    /// `f` should be injective on the atoms of the value (a renaming), otherwise sets may merge.
    ///
    /// ```
    /// use haydi_canon::{USet, Value};
    /// let u = USet::new(3, "u");
    /// let s = Value::set([Value::Atom(u.atom(0)), Value::Atom(u.atom(2))]);
    /// let t = s.map_atoms(&mut |a| u.atom(2 - a.index()));
    /// assert_eq!(t, s);
    /// ```
    pub fn map_atoms(&self, f: &mut impl FnMut(Atom) -> Atom) -> Value {
        match self {
            Value::Atom(a) => Value::Atom(f(*a)),
            Value::Some(x) => Value::Some(Box::new(x.map_atoms(f))),
            Value::Seq(xs) => Value::Seq(xs.iter().map(|x| x.map_atoms(f)).collect()),
            Value::Set(xs) => {
                let mut v: Vec<Value> = xs.iter().map(|x| x.map_atoms(f)).collect();
                v.sort_unstable();
                v.dedup();
                Value::Set(v)
            }
            Value::Mapping(xs) => {
                let mut v: Vec<(Value, Value)> = xs
                    .iter()
                    .map(|(k, x)| (k.map_atoms(f), x.map_atoms(f)))
                    .collect();
                v.sort_unstable();
                Value::Mapping(v)
            }
            other => other.clone(),
        }
    }

    /// Calls `f` on every atom occurrence.
    pub fn for_each_atom(&self, f: &mut impl FnMut(Atom)) {
        match self {
            Value::Atom(a) => f(*a),
            Value::Some(x) => x.for_each_atom(f),
            Value::Seq(xs) | Value::Set(xs) => xs.iter().for_each(|x| x.for_each_atom(f)),
            Value::Mapping(xs) => xs.iter().for_each(|(k, v)| {
                k.for_each_atom(f);
                v.for_each_atom(f)
            }),
            _ => {}
        }
    }

    /// The distinct atoms of the value, sorted.
    ///
    /// ```
    /// use haydi_canon::{USet, Value};
    /// let u = USet::new(3, "u");
    /// let v = Value::Seq(vec![Value::Atom(u.atom(2)), Value::Atom(u.atom(0)), Value::Atom(u.atom(2))]);
    /// assert_eq!(v.atoms(), vec![u.atom(0), u.atom(2)]);
    /// ```
    pub fn atoms(&self) -> Vec<Atom> {
        let mut v = Vec::new();
        self.for_each_atom(&mut |a| v.push(a));
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Whether the value contains no atom.
    pub fn is_plain(&self) -> bool {
        let mut plain = true;
        self.for_each_atom(&mut |_| plain = false);
        plain
    }

    /// Per USet, how many distinct atoms are used, when the used atoms of every USet are exactly
    /// its first atoms (indices `0..k`); `None` when some USet has a gap.
    pub fn compact_counts(&self) -> Option<Vec<(UsetId, u32)>> {
        let mut out: Vec<(UsetId, u32)> = Vec::new();
        for a in self.atoms() {
            match out.last_mut() {
                Some((u, k)) if *u == a.uset() => {
                    if a.index() != *k {
                        return None;
                    }
                    *k += 1;
                }
                _ => {
                    if a.index() != 0 {
                        return None;
                    }
                    out.push((a.uset(), 1));
                }
            }
        }
        Some(out)
    }
}

/// Typed values that take part in canonical forms.
///
/// `to_value` must be injective and order-embedding: `a < b` exactly when
/// `a.to_value() < b.to_value()`; `from_value` inverts it. The implementations for atoms,
/// integers, `bool`, `String`, `()`, tuples (up to 8), `Vec`, `Option`, [`Set`], [`Mapping`] and
/// [`Value`] itself satisfy this because [`Value`]'s order mirrors their derived `Ord`.
///
/// ```
/// use haydi_canon::{Canonical, USet, Value};
/// let u = USet::new(2, "u");
/// let x = (u.atom(1), 7i64, vec![true]);
/// let v = x.to_value();
/// assert_eq!(<(haydi_canon::Atom, i64, Vec<bool>)>::from_value(&v), Some(x));
/// ```
pub trait Canonical: Clone + Ord + Sized {
    /// The value form.
    fn to_value(&self) -> Value;
    /// Back from the value form; `None` when `v` does not have this type's shape.
    fn from_value(v: &Value) -> Option<Self>;
}

impl Canonical for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
    fn from_value(v: &Value) -> Option<Self> {
        Some(v.clone())
    }
}

impl Canonical for Atom {
    fn to_value(&self) -> Value {
        Value::Atom(*self)
    }
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Atom(a) => Some(*a),
            _ => None,
        }
    }
}

impl Canonical for bool {
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl Canonical for String {
    fn to_value(&self) -> Value {
        Value::Str(self.clone())
    }
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Str(s) => Some(s.clone()),
            _ => None,
        }
    }
}

macro_rules! int_impl {
    ($($t:ty),*) => {$(
        impl Canonical for $t {
            fn to_value(&self) -> Value {
                Value::Int(*self as i128)
            }
            fn from_value(v: &Value) -> Option<Self> {
                match v {
                    Value::Int(i) => <$t>::try_from(*i).ok(),
                    _ => None,
                }
            }
        }
    )*};
}
int_impl!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, usize);

impl<T: Canonical> Canonical for Option<T> {
    fn to_value(&self) -> Value {
        match self {
            None => Value::None,
            Some(x) => Value::Some(Box::new(x.to_value())),
        }
    }
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::None => Some(None),
            Value::Some(x) => T::from_value(x).map(Some),
            _ => None,
        }
    }
}

impl<T: Canonical> Canonical for Vec<T> {
    fn to_value(&self) -> Value {
        Value::Seq(self.iter().map(|x| x.to_value()).collect())
    }
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Seq(xs) => xs.iter().map(T::from_value).collect(),
            _ => None,
        }
    }
}

impl<T: Canonical> Canonical for Set<T> {
    fn to_value(&self) -> Value {
        Value::set(self.iter().map(|x| x.to_value()))
    }
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Set(xs) => Some(Set::from_sorted_vec(
                xs.iter().map(T::from_value).collect::<Option<Vec<T>>>()?,
            )),
            _ => None,
        }
    }
}

impl<K: Canonical, V: Canonical> Canonical for Mapping<K, V> {
    fn to_value(&self) -> Value {
        Value::map(self.iter().map(|(k, v)| (k.to_value(), v.to_value())))
    }
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Mapping(xs) => Some(Mapping::from_sorted_pairs(
                xs.iter()
                    .map(|(k, v)| Some((K::from_value(k)?, V::from_value(v)?)))
                    .collect::<Option<Vec<(K, V)>>>()?,
            )),
            _ => None,
        }
    }
}

impl Canonical for () {
    fn to_value(&self) -> Value {
        Value::Seq(Vec::new())
    }
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Seq(xs) if xs.is_empty() => Some(()),
            _ => None,
        }
    }
}

macro_rules! tuple_impl {
    ($n:expr; $($t:ident $i:tt),*) => {
        impl<$($t: Canonical),*> Canonical for ($($t,)*) {
            fn to_value(&self) -> Value {
                Value::Seq(vec![$(self.$i.to_value()),*])
            }
            fn from_value(v: &Value) -> Option<Self> {
                match v {
                    Value::Seq(xs) if xs.len() == $n => Some(($($t::from_value(&xs[$i])?,)*)),
                    _ => None,
                }
            }
        }
    };
}
tuple_impl!(1; A 0);
tuple_impl!(2; A 0, B 1);
tuple_impl!(3; A 0, B 1, C 2);
tuple_impl!(4; A 0, B 1, C 2, D 3);
tuple_impl!(5; A 0, B 1, C 2, D 3, E 4);
tuple_impl!(6; A 0, B 1, C 2, D 3, E 4, F 5);
tuple_impl!(7; A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_impl!(8; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
