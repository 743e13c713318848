//! A window onto a job's index space: indices `[start, start + len)` of a job seen as a job of
//! its own whose index space is `0..len`, so that any context can run one index range of a
//! job, in parallel, with nothing of its own to learn.

use super::erased::{ChunkOutput, JobSignature};
use super::pass::Pass;
use crate::error::Result;
use crate::pipeline::Extent;
use std::any::{Any, TypeId};

/// The indices `[start, start + len)` of `inner`, as the index space `0..len`: chunk `[a, b)`
/// of the window runs chunk `[start + a, start + b)` of `inner`. Everything else (merging,
/// encoding, `take` limits, signature) is `inner`'s; a `take` counts from `start`.
///
/// [`crate::Job::run_range_in_with`] runs a job's range this way and maps
/// [`Outcome::covered`](crate::Outcome::covered) back to the job's indices.
///
/// ```
/// use haydi_core::plumbing::{ChunkOutput, ErasedJob, JobSignature, Pass, Window};
/// use haydi_core::pipeline::Extent;
/// /// Each chunk's partial is its own range.
/// struct Ranges;
/// impl Pass for Ranges {
///     type Partial = Vec<(u128, u128)>;
///     fn extent(&self) -> haydi_core::Result<Extent> { Ok(Extent::Finite(100)) }
///     fn alignment(&self) -> u128 { 4 }
///     fn run(&self, s: u128, e: u128, _: &[u64]) -> haydi_core::Result<ChunkOutput<Self::Partial>> {
///         Ok(ChunkOutput::new(vec![(s, e)]))
///     }
///     fn empty(&self) -> Self::Partial { Vec::new() }
///     fn merge(&self, l: &mut Self::Partial, r: Self::Partial) -> haydi_core::Result<()> { l.extend(r); Ok(()) }
///     fn partial_bytes(&self, p: &Self::Partial) -> u64 { 32 * p.len() as u64 }
///     fn signature(&self) -> JobSignature {
///         JobSignature { call_site: std::panic::Location::caller(), type_name: "ranges" }
///     }
/// }
/// let w = Window::new(&Ranges, 10, 20);
/// assert_eq!(Pass::extent(&w).unwrap(), Extent::Finite(20));
/// assert_eq!(Pass::alignment(&w), 1); // 10 is not a multiple of 4
/// let out = w.run_chunk(0, 5, &[]).unwrap();
/// assert_eq!(out.partial.downcast_ref::<Vec<(u128, u128)>>(), Some(&vec![(10, 15)]));
/// ```
pub struct Window<'a, P> {
    inner: &'a P,
    start: u128,
    len: u128,
}

impl<'a, P: Pass> Window<'a, P> {
    /// The indices `[start, start + len)` of `inner`.
    pub fn new(inner: &'a P, start: u128, len: u128) -> Self {
        Window { inner, start, len }
    }
}

impl<P: Pass> Pass for Window<'_, P> {
    type Partial = P::Partial;

    fn extent(&self) -> Result<Extent> {
        Ok(Extent::Finite(self.len))
    }

    fn alignment(&self) -> u128 {
        // Chunks of the window are aligned in the job's indices only when the window is.
        let a = self.inner.alignment().max(1);
        if self.start % a == 0 { a } else { 1 }
    }

    fn take_limits(&self) -> &[u64] {
        self.inner.take_limits()
    }

    fn run(&self, start: u128, end: u128, budgets: &[u64]) -> Result<ChunkOutput<P::Partial>> {
        let end = end.min(self.len);
        let start = start.min(end);
        self.inner
            .run(self.start + start, self.start + end, budgets)
    }

    fn empty(&self) -> P::Partial {
        self.inner.empty()
    }

    fn merge(&self, left: &mut P::Partial, right: P::Partial) -> Result<()> {
        self.inner.merge(left, right)
    }

    fn partial_bytes(&self, partial: &P::Partial) -> u64 {
        self.inner.partial_bytes(partial)
    }

    fn signature(&self) -> JobSignature {
        self.inner.signature()
    }

    fn fingerprint(&self) -> String {
        self.inner.fingerprint()
    }

    fn extension(&self, of: TypeId) -> Option<&(dyn Any + Send + Sync)> {
        // A window runs other indices than the job: no form of the whole job applies to it.
        let _ = of;
        None
    }

    fn panic_prefix(&self) -> &'static str {
        self.inner.panic_prefix()
    }
}
