//! `product`: multiply the items.

use super::Action;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::iter::{Product, once};
use std::marker::PhantomData;

/// Multiplies the items, starting from the empty product (one for numbers), with `std`'s
/// [`Product`] trait, so every type `Iterator::product` accepts works. Integer overflow
/// behaves as in `Iterator::product`: a panic in debug builds (reported as
/// `Error::Panicked` naming the chunk), wrapping in release builds; multiply `u128`, floats or
/// checked values when that matters.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let p = Range::new(6).iterate().map(|x| x + 1).product().run(true).unwrap();
/// assert_eq!(p, 720);
/// ```
#[derive(Debug)]
pub struct Multiply<T>(PhantomData<fn(T)>);

impl<T> Default for Multiply<T> {
    fn default() -> Self {
        Multiply(PhantomData)
    }
}

impl<T> Action<T> for Multiply<T>
where
    T: Product + Send + Serialize + DeserializeOwned + 'static,
{
    type Partial = T;
    type Output = T;

    fn empty(&self) -> T {
        std::iter::empty::<T>().product()
    }
    #[inline]
    fn push(&self, acc: &mut T, item: T) {
        let left = std::mem::replace(acc, self.empty());
        *acc = once(left).chain(once(item)).product();
    }
    fn merge(&self, left: &mut T, right: T) {
        self.push(left, right)
    }
    fn finish(&self, acc: T) -> T {
        acc
    }
}
