//! The `map` transformation.

use super::transform::{ChunkCtx, Transform};
use std::fmt;
use std::ops::ControlFlow;

/// Applies a function to every item (see [`super::Pipeline::map`]).
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let p = Range::new(3).iterate().map(|x| x + 1); // a Pipeline<_, Map<Identity, _>>
/// assert_eq!(p.collect().run(false).unwrap(), vec![1, 2, 3]);
/// ```
#[derive(Clone)]
#[must_use = "pipelines are lazy and do nothing unless run"]
pub struct Map<T, F> {
    prev: T,
    f: F,
}

impl<T, F> Map<T, F> {
    pub(super) fn new(prev: T, f: F) -> Self {
        Map { prev, f }
    }
}

impl<T: fmt::Debug, F> fmt::Debug for Map<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Map")
            .field("prev", &self.prev)
            .finish_non_exhaustive()
    }
}

impl<In, T, F, O> Transform<In> for Map<T, F>
where
    T: Transform<In>,
    F: Fn(T::Out) -> O + Send + Sync,
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
        self.prev.wrap(ctx, move |x| down(f(x)))
    }

    fn take_limits(&self, out: &mut Vec<u64>) {
        self.prev.take_limits(out)
    }

    fn keeps_positions(&self) -> bool {
        self.prev.keeps_positions()
    }
}
