//! `sum`: add the items up.

use super::Action;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;
use std::ops::Add;

/// Adds the items with `+`, starting from `T::default()` (zero for numbers).
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// assert_eq!(Range::new(101).sum().run(false).unwrap(), 5050);
/// ```
#[derive(Debug)]
pub struct Sum<T>(PhantomData<fn(T)>);

impl<T> Default for Sum<T> {
    fn default() -> Self {
        Sum(PhantomData)
    }
}

impl<T> Action<T> for Sum<T>
where
    T: Add<Output = T> + Default + Send + Serialize + DeserializeOwned + 'static,
{
    type Partial = T;
    type Output = T;

    fn empty(&self) -> T {
        T::default()
    }
    #[inline]
    fn push(&self, acc: &mut T, item: T) {
        *acc = std::mem::take(acc) + item;
    }
    fn merge(&self, left: &mut T, right: T) {
        self.push(left, right)
    }
    fn finish(&self, acc: T) -> T {
        acc
    }
}
