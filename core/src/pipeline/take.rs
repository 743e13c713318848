//! The `take` transformation.

use super::transform::{ChunkCtx, Transform};
use std::ops::ControlFlow;

/// Lets through the first `n` items that reach it, in index order (see
/// [`super::IntoPipeline::take`]). Unlike the Python haydi, `take` acts where it stands in the chain:
/// `filter(f).take(3)` gives the first three items that pass `f`.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let p = Range::new(1_000_000).filter(|x| x % 1000 == 999).take(2);
/// assert_eq!(p.collect().run(true).unwrap(), vec![999, 1999]);
/// ```
#[derive(Debug, Clone)]
#[must_use = "pipelines are lazy and do nothing unless run"]
pub struct Take<T> {
    prev: T,
    limit: u64,
    slot: usize,
}

impl<T> Take<T> {
    pub(super) fn new(prev: T, limit: u64, slot: usize) -> Self {
        Take { prev, limit, slot }
    }
}

impl<In, T> Transform<In> for Take<T>
where
    T: Transform<In>,
{
    type Out = T::Out;

    #[inline]
    fn wrap<'a, D>(
        &'a self,
        ctx: &'a ChunkCtx,
        mut down: D,
    ) -> impl FnMut(In) -> ControlFlow<()> + 'a
    where
        D: FnMut(T::Out) -> ControlFlow<()> + 'a,
        In: 'a,
    {
        let slot = self.slot;
        self.prev.wrap(ctx, move |x| match ctx.pass(slot) {
            None => ControlFlow::Break(()),
            Some(after) => {
                down(x)?;
                after
            }
        })
    }

    fn take_limits(&self, out: &mut Vec<u64>) {
        self.prev.take_limits(out);
        debug_assert_eq!(out.len(), self.slot);
        out.push(self.limit);
    }

    fn keeps_positions(&self) -> bool {
        self.prev.keeps_positions()
    }
}
