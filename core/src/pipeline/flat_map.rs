//! The `flat_map` transformation.

use super::transform::{ChunkCtx, Transform};
use std::fmt;
use std::ops::ControlFlow;

/// Replaces every item by the items of the iterable a function returns, in that iterable's
/// order (see [`super::IntoPipeline::flat_map`]).
///
/// The produced items belong to the chunk of the item they came from, so a chunk is never split
/// inside one item's expansion and the serial order is kept: all of item `i`'s outputs come
/// before item `i + 1`'s.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let p = Range::new(3).flat_map(|x| vec![x; x as usize]);
/// assert_eq!(p.collect().run(true).unwrap(), vec![1, 2, 2]);
/// ```
#[derive(Clone)]
#[must_use = "pipelines are lazy and do nothing unless run"]
pub struct FlatMap<T, F> {
    prev: T,
    f: F,
}

impl<T, F> FlatMap<T, F> {
    pub(super) fn new(prev: T, f: F) -> Self {
        FlatMap { prev, f }
    }
}

impl<T: fmt::Debug, F> fmt::Debug for FlatMap<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlatMap")
            .field("prev", &self.prev)
            .finish_non_exhaustive()
    }
}

impl<In, T, F, I> Transform<In> for FlatMap<T, F>
where
    T: Transform<In>,
    F: Fn(T::Out) -> I + Send + Sync,
    I: IntoIterator,
{
    type Out = I::Item;

    #[inline]
    fn wrap<'a, D>(
        &'a self,
        ctx: &'a ChunkCtx,
        mut down: D,
    ) -> impl FnMut(In) -> ControlFlow<()> + 'a
    where
        D: FnMut(I::Item) -> ControlFlow<()> + 'a,
        In: 'a,
    {
        let f = &self.f;
        // A `take` below breaks in the middle of one item's outputs: the rest are dropped, and
        // the break travels up so the source stops too.
        self.prev
            .wrap(ctx, move |x| f(x).into_iter().try_for_each(&mut down))
    }

    fn take_limits(&self, out: &mut Vec<u64>) {
        self.prev.take_limits(out)
    }
}
