//! The `filter_map` transformation.

use super::transform::{ChunkCtx, Transform};
use std::fmt;
use std::ops::ControlFlow;

/// Maps every item to an `Option` and keeps the `Some` values (see
/// [`super::IntoPipeline::filter_map`]).
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let p = Range::new(6).filter_map(|x| u8::try_from(x - 4).ok());
/// assert_eq!(p.collect().run(false).unwrap(), vec![0, 1]);
/// ```
#[derive(Clone)]
#[must_use = "pipelines are lazy and do nothing unless run"]
pub struct FilterMap<T, F> {
    prev: T,
    f: F,
}

impl<T, F> FilterMap<T, F> {
    pub(super) fn new(prev: T, f: F) -> Self {
        FilterMap { prev, f }
    }
}

impl<T: fmt::Debug, F> fmt::Debug for FilterMap<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilterMap")
            .field("prev", &self.prev)
            .finish_non_exhaustive()
    }
}

impl<In, T, F, O> Transform<In> for FilterMap<T, F>
where
    T: Transform<In>,
    F: Fn(T::Out) -> Option<O> + Send + Sync,
{
    type Out = O;

    #[inline]
    fn wrap<'a, D>(
        &'a self,
        ctx: &'a ChunkCtx,
        mut down: D,
    ) -> impl FnMut(In) -> ControlFlow<()> + 'a
    where
        D: FnMut(O) -> ControlFlow<()> + 'a,
        In: 'a,
    {
        let f = &self.f;
        self.prev.wrap(ctx, move |x| match f(x) {
            Some(y) => down(y),
            None => ControlFlow::Continue(()),
        })
    }

    fn take_limits(&self, out: &mut Vec<u64>) {
        self.prev.take_limits(out)
    }
}
