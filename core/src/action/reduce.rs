//! `reduce` and `reduce_with` (rayon's names and meanings): fold the items with an
//! associative function, from an identity or to an `Option`.

use super::Action;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;

/// Folds the items with `op`, which must be associative (it need not be commutative: items are
/// combined in serial order). `None` for an empty stream. Made by
/// [`crate::IntoPipeline::reduce_with`] (rayon's `reduce_with`; std's `Iterator::reduce`).
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// assert_eq!(Range::new(10).reduce_with(|a, b| a.max(b)).run(false).unwrap(), Some(9));
/// ```
#[derive(Clone)]
pub struct ReduceWith<F> {
    op: F,
}

impl<F> ReduceWith<F> {
    pub(crate) fn new(op: F) -> Self {
        ReduceWith { op }
    }
}

impl<F> fmt::Debug for ReduceWith<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReduceWith").finish_non_exhaustive()
    }
}

impl<T, F> Action<T> for ReduceWith<F>
where
    T: Send + Serialize + DeserializeOwned + 'static,
    F: Fn(T, T) -> T + Send + Sync,
{
    type Partial = Option<T>;
    type Output = Option<T>;

    fn empty(&self) -> Option<T> {
        None
    }
    #[inline]
    fn push(&self, acc: &mut Option<T>, item: T) {
        *acc = Some(match acc.take() {
            None => item,
            Some(a) => (self.op)(a, item),
        });
    }
    fn merge(&self, left: &mut Option<T>, right: Option<T>) {
        if let Some(r) = right {
            self.push(left, r);
        }
    }
    fn finish(&self, acc: Option<T>) -> Option<T> {
        acc
    }
}

/// Folds the items with an associative `op` from `identity()`: the result equals
/// `op(identity(), x0 ⊕ x1 ⊕ ... ⊕ xn)`, and `identity()` for an empty stream. Made by
/// [`crate::IntoPipeline::reduce`] (rayon's `reduce`). Rayon asks for a neutral identity (it
/// starts every split from it); here chunks fold without it and it is applied once at the end,
/// so a neutral identity gives rayon's value and any other start value the serial fold's.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// assert_eq!(Range::new(101).reduce(|| 0, |a, b| a + b).run(false).unwrap(), 5050);
/// assert_eq!(Range::new(101).reduce(|| 100, |a, b| a + b).run(false).unwrap(), 5150);
/// assert_eq!(Range::new(0).reduce(|| 7, |a, b| a + b).run(false).unwrap(), 7);
/// ```
#[derive(Clone)]
pub struct Reduce<ID, F> {
    identity: ID,
    inner: ReduceWith<F>,
}

impl<ID, F> Reduce<ID, F> {
    pub(crate) fn new(identity: ID, op: F) -> Self {
        Reduce {
            identity,
            inner: ReduceWith::new(op),
        }
    }
}

impl<ID, F> fmt::Debug for Reduce<ID, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reduce").finish_non_exhaustive()
    }
}

impl<T, ID, F> Action<T> for Reduce<ID, F>
where
    T: Send + Serialize + DeserializeOwned + 'static,
    ID: Fn() -> T + Send + Sync,
    F: Fn(T, T) -> T + Send + Sync,
{
    type Partial = Option<T>;
    type Output = T;

    fn empty(&self) -> Option<T> {
        None
    }
    #[inline]
    fn push(&self, acc: &mut Option<T>, item: T) {
        self.inner.push(acc, item)
    }
    fn merge(&self, left: &mut Option<T>, right: Option<T>) {
        self.inner.merge(left, right)
    }
    fn finish(&self, acc: Option<T>) -> T {
        match acc {
            None => (self.identity)(),
            Some(v) => (self.inner.op)((self.identity)(), v),
        }
    }
}
