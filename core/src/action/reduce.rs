//! `reduce`: fold the items with an associative function.

use super::Action;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;

/// Folds the items with `f`, which must be associative (it need not be commutative: items are
/// combined in serial order). `None` for an empty stream.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// assert_eq!(Range::new(10).reduce(|a, b| a.max(b)).run(false).unwrap(), Some(9));
/// ```
#[derive(Clone)]
pub struct Reduce<F> {
    f: F,
}

impl<F> Reduce<F> {
    pub(crate) fn new(f: F) -> Self {
        Reduce { f }
    }
}

impl<F> fmt::Debug for Reduce<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reduce").finish_non_exhaustive()
    }
}

impl<T, F> Action<T> for Reduce<F>
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
            Some(a) => (self.f)(a, item),
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

/// Folds the items with an associative `f`, starting from `init`: the result equals
/// `f(...f(f(init, x0), x1)..., xn)`. Chunks fold without `init`; it is applied once at the end,
/// which gives the same value when `f` is associative. An empty stream gives `init`.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// assert_eq!(Range::new(101).reduce_with(100, |a, b| a + b).run(false).unwrap(), 5150);
/// assert_eq!(Range::new(0).reduce_with(7, |a, b| a + b).run(false).unwrap(), 7);
/// ```
#[derive(Clone)]
pub struct ReduceWith<T, F> {
    init: T,
    inner: Reduce<F>,
}

impl<T, F> ReduceWith<T, F> {
    pub(crate) fn new(init: T, f: F) -> Self {
        ReduceWith {
            init,
            inner: Reduce::new(f),
        }
    }
}

impl<T: fmt::Debug, F> fmt::Debug for ReduceWith<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReduceWith")
            .field("init", &self.init)
            .finish_non_exhaustive()
    }
}

impl<T, F> Action<T> for ReduceWith<T, F>
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
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
            None => self.init.clone(),
            Some(v) => (self.inner.f)(self.init.clone(), v),
        }
    }
}
