//! `for_each`: a side effect per item, nothing collected.

use super::Action;
use std::fmt;

/// Calls a function on every item, for its side effects; the run returns `()`.
///
/// The function runs on whichever worker runs the item's chunk: on a thread of a
/// `ThreadContext`, or in another *process* under a distributed context, where a counter or a
/// file of the driver is out of reach. Items reach it in serial order within a chunk, but chunks
/// run concurrently: use it for effects that commute (atomic counters, per-item files).
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// use std::sync::atomic::{AtomicU64, Ordering};
/// let total = AtomicU64::new(0);
/// Range::new(5).for_each(|x| { total.fetch_add(x as u64, Ordering::Relaxed); }).run(true).unwrap();
/// assert_eq!(total.into_inner(), 10);
/// ```
#[derive(Clone)]
pub struct ForEach<F> {
    f: F,
}

impl<F> ForEach<F> {
    pub(crate) fn new(f: F) -> Self {
        ForEach { f }
    }
}

impl<F> fmt::Debug for ForEach<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForEach").finish_non_exhaustive()
    }
}

impl<T, F> Action<T> for ForEach<F>
where
    F: Fn(T) + Send + Sync,
{
    type Partial = ();
    type Output = ();

    fn empty(&self) {}
    #[inline]
    fn push(&self, _acc: &mut (), item: T) {
        (self.f)(item)
    }
    fn merge(&self, _left: &mut (), _right: ()) {}
    fn finish(&self, _acc: ()) {}
}
