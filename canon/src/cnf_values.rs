//! [`CnfValues`]: a domain given by canonical representatives, iterated as all their copies.

use crate::value::Canonical;
use crate::{canonize, decode, search};
use haydi_core::domain::describe;
use haydi_core::{Domain, Error, Result, Size};
use haydi_domains::Values;
use rand::RngCore;
use std::collections::HashSet;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

/// A strict domain given by one canonical representative per isomorphism class (the Python
/// haydi's `CnfValues`).
///
/// Iteration yields, for each representative in the given order, all its isomorphic copies
/// (every renaming of its atoms into the atoms of their USets, see [`crate::expand`]) sorted in
/// the [`Value`](crate::Value) order and each listed once; the copies of different
/// representatives never coincide, because the representatives are checked to be pairwise
/// non-isomorphic. The copies are computed once, at construction, so the domain has an exact
/// size and unranks in constant time; [`crate::CnfsExt::cnfs`] on it yields the
/// representatives again (one per class). All copies are kept in memory: a representative
/// using `k` atoms of a USet of `n` has up to `n! / (n - k)!` copies.
///
/// ```
/// use haydi_canon::{CnfValues, USet, Value};
/// use haydi_core::Domain;
/// let a = USet::new(3, "a");
/// let (a0, a1) = (Value::Atom(a.atom(0)), Value::Atom(a.atom(1)));
/// let d = CnfValues::new(vec![
///     a0.clone(),
///     Value::Seq(vec![a0.clone(), a1.clone()]),
///     Value::Str("x".into()),
/// ])?;
/// let shown: Vec<String> = d.iter().map(|v| format!("{v:?}")).collect();
/// assert_eq!(shown, ["a0", "a1", "a2", "(a0, a1)", "(a0, a2)", "(a1, a0)", "(a1, a2)",
///                    "(a2, a0)", "(a2, a1)", "\"x\""]);
/// assert!(CnfValues::new(vec![Value::Seq(vec![a1, a0])]).is_err()); // (a1, a0) is not canonical
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Clone, Debug)]
#[must_use = "domains are lazy and do nothing unless iterated"]
pub struct CnfValues<T> {
    reps: Arc<[T]>,
    /// The expanded copies, in iteration order: a plain `Values`, which does the indexing.
    items: Values<T>,
}

impl<T: Canonical + Clone + Send + Sync> CnfValues<T> {
    /// The domain of all isomorphic copies of `reps`.
    ///
    /// Fails with [`Error::NotCanonical`] when a value is not its own canonical form, or when
    /// two values are equal (the second one is reported), and with [`Error::NotDecodable`] when
    /// `T`'s [`Canonical`] impl does not round-trip.
    ///
    /// ```
    /// use haydi_canon::{CnfValues, USet};
    /// use haydi_core::{Domain, Size};
    /// let u = USet::new(3, "u");
    /// let d = CnfValues::new(vec![(u.atom(0), u.atom(0)), (u.atom(0), u.atom(1))])?;
    /// assert_eq!(d.size(), Size::Exact(9)); // all pairs of atoms of u
    /// assert!(CnfValues::new(vec![(u.atom(0), u.atom(1)), (u.atom(0), u.atom(1))]).is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn new(reps: Vec<T>) -> Result<Self> {
        let mut seen = HashSet::new();
        let mut items = Vec::new();
        for r in &reps {
            let v = r.to_value();
            if !search::is_canonical_value(&v) {
                return Err(Error::NotCanonical {
                    value: format!("{v:?}"),
                    canonical: format!("{:?}", search::canonize_value(&v)),
                });
            }
            if !seen.insert(v.clone()) {
                return Err(Error::NotCanonical {
                    value: format!("{v:?}"),
                    canonical: format!("{v:?}, given twice"),
                });
            }
            for w in search::expand_value(&v) {
                items.push(decode::<T>(&w)?);
            }
        }
        Ok(CnfValues {
            reps: reps.into(),
            items: Values::new(items),
        })
    }

    /// The domain of all isomorphic copies of arbitrary values: each value is replaced by its
    /// canonical form and repeated classes are dropped (first occurrence kept).
    ///
    /// ```
    /// use haydi_canon::{CnfValues, USet};
    /// use haydi_core::{Domain, Size};
    /// let u = USet::new(3, "u");
    /// let d = CnfValues::canonized(vec![(u.atom(2), u.atom(1)), (u.atom(1), u.atom(0))])?;
    /// assert_eq!(d.representatives(), &[(u.atom(0), u.atom(1))]);
    /// assert_eq!(d.size(), Size::Exact(6));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn canonized(values: Vec<T>) -> Result<Self> {
        let mut seen = HashSet::new();
        let mut reps = Vec::new();
        for x in &values {
            let c = canonize(x)?;
            if seen.insert(c.to_value()) {
                reps.push(c);
            }
        }
        CnfValues::new(reps)
    }

    /// The canonical representatives, in the given order.
    ///
    /// ```
    /// use haydi_canon::{CnfValues, USet};
    /// let u = USet::new(2, "u");
    /// let d = CnfValues::new(vec![u.atom(0)])?;
    /// assert_eq!(d.representatives(), &[u.atom(0)]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn representatives(&self) -> &[T] {
        &self.reps
    }

    /// All items (the expanded copies), in iteration order.
    ///
    /// ```
    /// use haydi_canon::{CnfValues, USet};
    /// let u = USet::new(2, "u");
    /// let d = CnfValues::new(vec![u.atom(0)])?;
    /// assert_eq!(d.as_slice(), &[u.atom(0), u.atom(1)]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn as_slice(&self) -> &[T] {
        self.items.as_slice()
    }
}

impl<T: Canonical + Clone + Send + Sync> Domain for CnfValues<T> {
    type Item = T;

    fn size(&self) -> Size {
        self.items.size()
    }

    fn item_at(&self, index: u128) -> Option<T> {
        self.items.item_at(index)
    }

    #[inline]
    fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(T) -> ControlFlow<()>,
    {
        self.items.visit_range(start, end, f)
    }

    fn generate_one(&self, rng: &mut dyn RngCore) -> Result<T> {
        self.items.generate_one(rng).map_err(|e| match e {
            Error::EmptyDomain { .. } => Error::EmptyDomain {
                domain: self.name(),
            },
            other => other,
        })
    }

    fn name(&self) -> String {
        "CnfValues".into()
    }

    fn is_strict(&self) -> bool {
        true
    }
}

impl<T: Canonical + Clone + Send + Sync + fmt::Debug> fmt::Display for CnfValues<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(self))
    }
}
