//! A window onto a job's index space: indices `[start, start + len)` of a job seen as a job of
//! its own whose index space is `0..len`, so that any context can run one index range of a
//! job, in parallel, with nothing of its own to learn.

use super::erased::{ChunkOutput, ErasedJob, ErasedPartial, JobSignature};
use crate::error::Result;
use crate::pipeline::Extent;

/// The indices `[start, start + len)` of `inner`, as the index space `0..len`: chunk `[a, b)`
/// of the window runs chunk `[start + a, start + b)` of `inner`. Everything else (merging,
/// encoding, `take` limits, signature) is `inner`'s; a `take` counts from `start`.
///
/// [`crate::Job::run_range_in_with`] runs a job's range this way and maps
/// [`Outcome::covered`](crate::Outcome::covered) back to the job's indices.
///
/// ```
/// use haydi_core::plumbing::{ErasedJob, Window};
/// use haydi_core::pipeline::Extent;
/// # struct Nothing;
/// # impl ErasedJob for Nothing {
/// #   fn extent(&self) -> haydi_core::Result<Extent> { Ok(Extent::Finite(100)) }
/// #   fn alignment(&self) -> u128 { 4 }
/// #   fn take_limits(&self) -> &[u64] { &[] }
/// #   fn run_chunk(&self, s: u128, e: u128, _: &[u64]) -> haydi_core::Result<haydi_core::plumbing::ChunkOutput> {
/// #     Ok(haydi_core::plumbing::ChunkOutput { partial: Box::new((s, e)), take_counts: vec![], items: 0 }) }
/// #   fn empty_partial(&self) -> haydi_core::plumbing::ErasedPartial { Box::new(()) }
/// #   fn merge(&self, _: &mut haydi_core::plumbing::ErasedPartial, _: haydi_core::plumbing::ErasedPartial) -> haydi_core::Result<()> { Ok(()) }
/// #   fn encode_partial(&self, _: &haydi_core::plumbing::ErasedPartial) -> haydi_core::Result<Vec<u8>> { Ok(vec![]) }
/// #   fn decode_partial(&self, _: &[u8]) -> haydi_core::Result<haydi_core::plumbing::ErasedPartial> { Ok(Box::new(())) }
/// #   fn signature(&self) -> haydi_core::plumbing::JobSignature {
/// #     haydi_core::plumbing::JobSignature { call_site: std::panic::Location::caller(), type_name: "nothing" } }
/// #   fn partial_bytes(&self, _: &haydi_core::plumbing::ErasedPartial) -> u64 { 0 }
/// # }
/// let w = Window::new(&Nothing, 10, 20);
/// assert_eq!(w.extent().unwrap(), Extent::Finite(20));
/// assert_eq!(w.alignment(), 1); // 10 is not a multiple of 4
/// let out = w.run_chunk(0, 5, &[]).unwrap();
/// assert_eq!(out.partial.downcast_ref::<(u128, u128)>(), Some(&(10, 15)));
/// ```
pub struct Window<'a> {
    inner: &'a dyn ErasedJob,
    start: u128,
    len: u128,
}

impl<'a> Window<'a> {
    /// The indices `[start, start + len)` of `inner`.
    pub fn new(inner: &'a dyn ErasedJob, start: u128, len: u128) -> Self {
        Window { inner, start, len }
    }
}

impl ErasedJob for Window<'_> {
    fn extent(&self) -> Result<Extent> {
        Ok(Extent::Finite(self.len))
    }

    fn alignment(&self) -> u128 {
        // Chunks of the window are aligned in the job's indices only when the window is.
        let a = self.inner.alignment().max(1);
        if self.start % a == 0 {
            a
        } else {
            1
        }
    }

    fn take_limits(&self) -> &[u64] {
        self.inner.take_limits()
    }

    fn run_chunk(&self, start: u128, end: u128, budgets: &[u64]) -> Result<ChunkOutput> {
        let end = end.min(self.len);
        let start = start.min(end);
        self.inner
            .run_chunk(self.start + start, self.start + end, budgets)
    }

    fn empty_partial(&self) -> ErasedPartial {
        self.inner.empty_partial()
    }

    fn merge(&self, left: &mut ErasedPartial, right: ErasedPartial) -> Result<()> {
        self.inner.merge(left, right)
    }

    fn encode_partial(&self, partial: &ErasedPartial) -> Result<Vec<u8>> {
        self.inner.encode_partial(partial)
    }

    fn decode_partial(&self, bytes: &[u8]) -> Result<ErasedPartial> {
        self.inner.decode_partial(bytes)
    }

    fn signature(&self) -> JobSignature {
        self.inner.signature()
    }

    fn fingerprint(&self) -> String {
        self.inner.fingerprint()
    }

    fn partial_bytes(&self, partial: &ErasedPartial) -> u64 {
        self.inner.partial_bytes(partial)
    }
}
