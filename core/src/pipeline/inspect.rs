//! The `inspect` transformation.

use super::transform::{ChunkCtx, Transform};
use std::fmt;
use std::ops::ControlFlow;

/// Calls a function on a reference to every item and passes the item on unchanged (see
/// [`super::IntoPipeline::inspect`]).
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let p = Range::new(3).inspect(|x| assert!(*x < 3));
/// assert_eq!(p.count().run(true).unwrap(), 3);
/// ```
#[derive(Clone)]
#[must_use = "pipelines are lazy and do nothing unless run"]
pub struct Inspect<T, F> {
    prev: T,
    f: F,
}

impl<T, F> Inspect<T, F> {
    pub(super) fn new(prev: T, f: F) -> Self {
        Inspect { prev, f }
    }
}

impl<T: fmt::Debug, F> fmt::Debug for Inspect<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inspect")
            .field("prev", &self.prev)
            .finish_non_exhaustive()
    }
}

impl<In, T, F> Transform<In> for Inspect<T, F>
where
    T: Transform<In>,
    F: Fn(&T::Out) + Send + Sync,
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
        let f = &self.f;
        self.prev.wrap(ctx, move |x| {
            f(&x);
            down(x)
        })
    }

    fn take_limits(&self, out: &mut Vec<u64>) {
        self.prev.take_limits(out)
    }

    fn keeps_positions(&self) -> bool {
        self.prev.keeps_positions()
    }
}
