//! The `filter` transformation.

use super::transform::{ChunkCtx, Transform};
use std::fmt;
use std::ops::ControlFlow;

/// Keeps the items for which a predicate holds (see [`super::Pipeline::filter`]); with
/// `KEEP == false`, the items for which it fails (how [`super::IntoPipeline::all`] looks for a
/// counterexample).
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let p = Range::new(6).iterate().filter(|x| x % 2 == 0);
/// assert_eq!(p.collect().run(false).unwrap(), vec![0, 2, 4]);
/// ```
#[derive(Clone)]
#[must_use = "pipelines are lazy and do nothing unless run"]
pub struct Filter<T, F, const KEEP: bool = true> {
    prev: T,
    pred: F,
}

impl<T, F, const KEEP: bool> Filter<T, F, KEEP> {
    pub(super) fn new(prev: T, pred: F) -> Self {
        Filter { prev, pred }
    }
}

impl<T: fmt::Debug, F, const KEEP: bool> fmt::Debug for Filter<T, F, KEEP> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Filter")
            .field("prev", &self.prev)
            .field("keep", &KEEP)
            .finish_non_exhaustive()
    }
}

impl<In, T, F, const KEEP: bool> Transform<In> for Filter<T, F, KEEP>
where
    T: Transform<In>,
    F: Fn(&T::Out) -> bool + Send + Sync,
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
        let pred = &self.pred;
        self.prev.wrap(ctx, move |x| {
            if pred(&x) == KEEP {
                down(x)
            } else {
                ControlFlow::Continue(())
            }
        })
    }

    fn take_limits(&self, out: &mut Vec<u64>) {
        self.prev.take_limits(out)
    }
}
