//! The object-safe view of a job that contexts execute.

use crate::error::Result;
use crate::pipeline::Extent;
use std::any::{Any, TypeId};
use std::panic::Location;

/// A partial result of some action, type-erased so contexts need not know the action's type.
pub type ErasedPartial = Box<dyn Any + Send>;

/// What one chunk produced: its partial (erased by default; typed in a [`super::Pass`]), what
/// passed its `take`s, and how many items reached the action.
///
/// ```
/// use haydi_core::plumbing::ChunkOutput;
/// let typed = ChunkOutput { partial: 3u64, take_counts: vec![2], items: 3 };
/// let erased: ChunkOutput = typed.erase();
/// assert_eq!(erased.partial.downcast_ref::<u64>(), Some(&3));
/// assert_eq!(ChunkOutput::new(5u8).take_counts, Vec::<u64>::new());
/// ```
#[derive(Debug)]
pub struct ChunkOutput<P = ErasedPartial> {
    /// The action's partial over the chunk's items.
    pub partial: P,
    /// How many items passed each `take` of the pipeline.
    pub take_counts: Vec<u64>,
    /// How many items reached the action (counted only when the run reports progress or writes
    /// a chunk trace; 0 otherwise).
    pub items: u64,
}

impl<P> ChunkOutput<P> {
    /// The output of a chunk of a pass with no `take` that counts no items.
    pub fn new(partial: P) -> Self {
        ChunkOutput {
            partial,
            take_counts: Vec::new(),
            items: 0,
        }
    }
}

impl<P: Send + 'static> ChunkOutput<P> {
    /// The same output with its partial erased.
    pub fn erase(self) -> ChunkOutput {
        ChunkOutput {
            partial: Box::new(self.partial),
            take_counts: self.take_counts,
            items: self.items,
        }
    }
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
    /// A value of type `of` that this job offers to contexts that know the type (an
    /// extension, see [`super::Extensions`]): another form of the job, say, that only some
    /// contexts can run (`haydi-gpu`'s kernel jobs offer the form its accelerators run).
    /// `None` by default; find one with `extension_of::<T>()` on a `dyn ErasedJob`.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_core::plumbing::ErasedJob;
    /// use haydi_domains::Range;
    /// // A plain pipeline offers nothing.
    /// let seen = std::sync::Mutex::new(None);
    /// #[derive(Debug)]
    /// struct Probe<'a>(&'a std::sync::Mutex<Option<bool>>);
    /// impl ParallelContext for Probe<'_> {
    ///     fn execute(&self, job: &dyn ErasedJob, o: &RunOptions) -> haydi_core::Result<haydi_core::context::RunReport> {
    ///         *self.0.lock().unwrap() = Some(job.extension_of::<String>().is_some());
    ///         SerialContext.execute(job, o)
    ///     }
    ///     fn workers(&self) -> usize { 1 }
    ///     fn name(&self) -> String { "probe".into() }
    /// }
    /// assert_eq!(Range::new(10).count().run_in(&Probe(&seen))?, 10);
    /// assert_eq!(*seen.lock().unwrap(), Some(false));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    fn extension(&self, of: TypeId) -> Option<&(dyn Any + Send + Sync)> {
        let _ = of;
        None
    }
}

impl dyn ErasedJob + '_ {
    /// The value of type `T` this job offers ([`ErasedJob::extension`]), if any.
    ///
    /// ```
    /// use haydi_core::plumbing::{ErasedJob, Window};
    /// # fn check(job: &dyn ErasedJob) {
    /// assert!(job.extension_of::<u64>().is_none());
    /// # }
    /// ```
    pub fn extension_of<T: Any>(&self) -> Option<&T> {
        self.extension(TypeId::of::<T>())?.downcast_ref()
    }
}
