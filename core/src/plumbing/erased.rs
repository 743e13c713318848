//! The object-safe view of a job that contexts execute.

use crate::error::Result;
use crate::pipeline::Extent;
use std::any::Any;
use std::panic::Location;

/// A partial result of some action, type-erased so contexts need not know the action's type.
pub type ErasedPartial = Box<dyn Any + Send>;

/// What one chunk produced.
#[derive(Debug)]
pub struct ChunkOutput {
    /// The action's partial over the chunk's items.
    pub partial: ErasedPartial,
    /// How many items passed each `take` of the pipeline.
    pub take_counts: Vec<u64>,
    /// How many items reached the action (counted only when the run reports progress or writes
    /// a chunk trace; 0 otherwise).
    pub items: u64,
}

/// Identifies a run: where it was started and what pipeline it is. Distributed contexts compare
/// signatures between processes, so a divergent program fails at once instead of mixing results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobSignature {
    /// The source location of the `run` call.
    pub call_site: &'static Location<'static>,
    /// The full type name of the pipeline and its action.
    pub type_name: &'static str,
}

/// A pipeline with its action, as seen by a context: it can run any index range and merge,
/// encode and decode the partial results.
pub trait ErasedJob: Sync {
    /// Length of the index space.
    fn extent(&self) -> Result<Extent>;
    /// Chunk boundaries must be multiples of this.
    fn alignment(&self) -> u128;
    /// The limits of the pipeline's `take`s, in chain order.
    fn take_limits(&self) -> &[u64];
    /// Runs the items with index in `[start, end)`; `budgets[j]` is how many items `take` number
    /// `j` may let through. A panic in a user closure becomes [`crate::Error::Panicked`].
    fn run_chunk(&self, start: u128, end: u128, budgets: &[u64]) -> Result<ChunkOutput>;
    /// The partial of no items.
    fn empty_partial(&self) -> ErasedPartial;
    /// Appends `right`, the partial of a later chunk, to `left`.
    fn merge(&self, left: &mut ErasedPartial, right: ErasedPartial) -> Result<()>;
    /// Serializes a partial (bincode 2).
    fn encode_partial(&self, partial: &ErasedPartial) -> Result<Vec<u8>>;
    /// Deserializes a partial written by [`ErasedJob::encode_partial`].
    fn decode_partial(&self, bytes: &[u8]) -> Result<ErasedPartial>;
    /// Where the run was started and what it is.
    fn signature(&self) -> JobSignature;
    /// A stable description of what the job's source yields (its domain's
    /// [`fingerprint`](crate::Domain::fingerprint)), which checkpoints record. The default
    /// describes nothing beyond the job's type, and says so.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_core::plumbing::ErasedJob;
    /// use haydi_domains::Range;
    /// let seen = std::sync::Mutex::new(String::new());
    /// #[derive(Debug)]
    /// struct Probe<'a>(&'a std::sync::Mutex<String>);
    /// impl ParallelContext for Probe<'_> {
    ///     fn execute(&self, job: &dyn ErasedJob, o: &RunOptions) -> haydi_core::Result<haydi_core::context::RunReport> {
    ///         *self.0.lock().unwrap() = job.fingerprint();
    ///         SerialContext.execute(job, o)
    ///     }
    ///     fn workers(&self) -> usize { 1 }
    ///     fn name(&self) -> String { "probe".into() }
    /// }
    /// Range::span(5, 15, 1)?.count().run_in(&Probe(&seen))?;
    /// assert_eq!(*seen.lock().unwrap(), "Range(start 5, step 1, len 10)");
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    fn fingerprint(&self) -> String {
        format!("{} (source not described)", self.signature().type_name)
    }
    /// An estimate of the memory `partial` takes, in bytes ([`crate::action::Action::partial_bytes`]),
    /// checked by the scheduler against the run's result budget. A partial of another type
    /// counts as 0.
    fn partial_bytes(&self, partial: &ErasedPartial) -> u64;
    /// A form of this job that runs chunks on an accelerator, for contexts that have devices:
    /// `haydi-gpu`'s kernel jobs return theirs and its `AcceleratorContext` downcasts it; every
    /// other job returns `None` (the default), and its chunks run on CPU workers only.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_core::plumbing::ErasedJob;
    /// use haydi_domains::Range;
    /// // A plain pipeline has no device form.
    /// let seen = std::sync::Mutex::new(None);
    /// #[derive(Debug)]
    /// struct Probe<'a>(&'a std::sync::Mutex<Option<bool>>);
    /// impl ParallelContext for Probe<'_> {
    ///     fn execute(&self, job: &dyn ErasedJob, o: &RunOptions) -> haydi_core::Result<haydi_core::context::RunReport> {
    ///         *self.0.lock().unwrap() = Some(job.device_form().is_some());
    ///         SerialContext.execute(job, o)
    ///     }
    ///     fn workers(&self) -> usize { 1 }
    ///     fn name(&self) -> String { "probe".into() }
    /// }
    /// assert_eq!(Range::new(10).count().run_in(&Probe(&seen))?, 10);
    /// assert_eq!(*seen.lock().unwrap(), Some(false));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    fn device_form(&self) -> Option<&(dyn std::any::Any + Send + Sync)> {
        None
    }
}
