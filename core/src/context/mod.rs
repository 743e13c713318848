//! Contexts: where a `run(true)` executes. [`SerialContext`] and [`ThreadContext`] live here;
//! worker processes and clusters live in `haydi-contexts`.

mod memory;
pub mod nested;
mod observer;
mod options;
mod serial;
mod threads;
mod trace_summary;

pub use memory::{FALLBACK_MAX_RESULT_BYTES, default_max_result_bytes};
pub use observer::{Observer, Progress, RunEnd, WorkerId};
pub use options::{Outcome, ProgressFn, RunOptions};
pub use serial::SerialContext;
pub use threads::{THREADS_VARIABLE, ThreadContext};
pub use trace_summary::{TraceSummary, WorkerLoad};

use crate::error::Result;
use crate::plumbing::{ErasedJob, ErasedPartial};
use std::any::{Any, TypeId};
use std::fmt;

/// What a context hands back to the pipeline: the merged partial (erased) and how much of the
/// index space it covers. The one generic report of a run, [`Outcome`], with the erased partial
/// as its value: `value` is the merged partial in index order; `complete`, `processed`, `total`,
/// `covered` (sorted, non-overlapping, not adjacent, none empty; their lengths add up to
/// `processed`) and `resumed` mean what they mean on the job's `Outcome`.
///
/// ```
/// use haydi_core::context::RunReport;
/// use haydi_core::prelude::*;
/// let report: RunReport = Outcome { value: Box::new(5u64), complete: true, processed: 5, total: Some(5), covered: vec![0..5], resumed: 0 };
/// let typed = report.try_map(|p| p.downcast::<u64>().map(|b| *b)).ok().unwrap();
/// assert_eq!(typed.value, 5);
/// ```
pub type RunReport = Outcome<ErasedPartial>;

/// A place where pipelines run in parallel.
///
/// A context cuts a job into index-range chunks (with [`crate::plumbing::drive`]), runs them on
/// its workers, and merges the partials in index order, so every context returns what a serial
/// run returns.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let ctx = ThreadContext::new(2).unwrap();
/// let n = Range::new(1000).filter(|x| x % 7 == 0).count().run_in(&ctx).unwrap();
/// assert_eq!(n, 143);
/// ```
pub trait ParallelContext: Send + Sync + fmt::Debug {
    /// Runs `job` to the end (or its deadline).
    fn execute(&self, job: &dyn ErasedJob, opts: &RunOptions) -> Result<RunReport>;

    /// How many workers run chunks at once.
    fn workers(&self) -> usize;

    /// A short description, such as `threads(4)`.
    fn name(&self) -> String;

    /// A value of type `of` that this context offers to code that knows the type (an
    /// extension, see [`crate::plumbing::Extensions`]): what a pool or a crop needs to know of
    /// where runs execute, without core knowing of pools or crops. `None` by default; find one
    /// with `extension_of::<T>()` on a `dyn ParallelContext`.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// let serial: &dyn ParallelContext = &SerialContext;
    /// // The serial context offers itself: code can tell it runs on the calling thread.
    /// assert!(serial.extension_of::<SerialContext>().is_some());
    /// let threads: &dyn ParallelContext = &ThreadContext::new(2)?;
    /// assert!(threads.extension_of::<SerialContext>().is_none());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    fn extension(&self, of: TypeId) -> Option<&(dyn Any + Send + Sync)> {
        let _ = of;
        None
    }
}

impl dyn ParallelContext + '_ {
    /// The value of type `T` this context offers ([`ParallelContext::extension`]), if any.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// let ctx: std::sync::Arc<dyn ParallelContext> = std::sync::Arc::new(SerialContext);
    /// assert!(ctx.extension_of::<SerialContext>().is_some());
    /// assert!(ctx.extension_of::<ThreadContext>().is_none());
    /// ```
    pub fn extension_of<T: Any>(&self) -> Option<&T> {
        self.extension(TypeId::of::<T>())?.downcast_ref()
    }
}
