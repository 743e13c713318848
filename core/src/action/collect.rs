//! `collect`: every item, in serial order.

use super::Action;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;

/// Collects all items into a `Vec`, in the order a serial run produces them.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// assert_eq!(Range::new(4).collect().run(false).unwrap(), vec![0, 1, 2, 3]);
/// ```
#[derive(Debug)]
pub struct Collect<T>(PhantomData<fn(T)>);

impl<T> Default for Collect<T> {
    fn default() -> Self {
        Collect(PhantomData)
    }
}

/// The most items a chunk's vector reserves before its first push.
const RESERVE_MAX: u128 = 1 << 16;

impl<T> Action<T> for Collect<T>
where
    T: Send + Serialize + DeserializeOwned + 'static,
{
    type Partial = Vec<T>;
    type Output = Vec<T>;

    fn empty(&self) -> Vec<T> {
        Vec::new()
    }
    /// Room for the chunk's items (at most 2^16 up front: a filter may keep few), so that
    /// pushing does not grow the vector step by step.
    fn empty_for(&self, indices: u128) -> Vec<T> {
        Vec::with_capacity(indices.min(RESERVE_MAX) as usize)
    }
    fn end_chunk(&self, acc: &mut Vec<T>) {
        // Room a filter left unused would count against the result budget.
        if acc.capacity() > 2 * acc.len() + 16 {
            acc.shrink_to_fit();
        }
    }
    #[inline]
    fn push(&self, acc: &mut Vec<T>, item: T) {
        acc.push(item)
    }
    fn merge(&self, left: &mut Vec<T>, mut right: Vec<T>) {
        if left.is_empty() {
            *left = right;
        } else if left.len() < right.len() && right.capacity() - right.len() >= left.len() {
            // The later chunk is the larger one (chunks grow) and has room: move the few
            // items in front of it instead of copying it into a new allocation.
            right.splice(0..0, left.drain(..));
            *left = right;
        } else {
            left.append(&mut right);
        }
    }
    fn finish(&self, acc: Vec<T>) -> Vec<T> {
        acc
    }
    fn partial_bytes(&self, acc: &Vec<T>) -> u64 {
        super::bytes_of::<Vec<T>>(1).saturating_add(super::bytes_of::<T>(acc.capacity()))
    }
}
