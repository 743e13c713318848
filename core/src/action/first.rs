//! `first`: the first item in serial order.

use super::Action;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;

/// The first item, or `None` for an empty stream. Used behind a `take(1)`, so parallel runs stop
/// handing out work once the first item is known.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// assert_eq!(Range::new(100).filter(|x| *x == 50).first().run(false).unwrap(), Some(50));
/// assert_eq!(Range::new(100).filter(|x| *x >= 100).first().run(false).unwrap(), None);
/// ```
#[derive(Debug)]
pub struct First<T>(PhantomData<fn(T)>);

impl<T> Default for First<T> {
    fn default() -> Self {
        First(PhantomData)
    }
}

impl<T> Action<T> for First<T>
where
    T: Send + Serialize + DeserializeOwned + 'static,
{
    type Partial = Option<T>;
    type Output = Option<T>;

    fn empty(&self) -> Option<T> {
        None
    }
    #[inline]
    fn push(&self, acc: &mut Option<T>, item: T) {
        if acc.is_none() {
            *acc = Some(item);
        }
    }
    fn merge(&self, left: &mut Option<T>, right: Option<T>) {
        if left.is_none() {
            *left = right;
        }
    }
    fn finish(&self, acc: Option<T>) -> Option<T> {
        acc
    }
}
