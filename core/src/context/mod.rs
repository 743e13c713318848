//! Contexts: where a `run(true)` executes. [`SerialContext`] and [`ThreadContext`] live here;
//! worker processes and clusters live in `haydi-contexts`.

mod memory;
pub mod nested;
mod observer;
mod options;
mod serial;
mod threads;
mod trace_summary;

pub use memory::{default_max_result_bytes, FALLBACK_MAX_RESULT_BYTES};
pub use observer::{Observer, Progress, RunEnd, WorkerId};
pub use options::{Outcome, ProgressFn, RunOptions};
pub use serial::SerialContext;
pub use threads::{ThreadContext, THREADS_VARIABLE};
pub use trace_summary::{TraceSummary, WorkerLoad};

use crate::error::Result;
use crate::plumbing::{ErasedJob, ErasedPartial};
use std::fmt;
use std::ops::Range;

/// What a context hands back to the pipeline: the merged partial and how much of the index
/// space it covers.
#[derive(Debug)]
pub struct RunReport {
    /// The merged partial result, in index order.
    pub partial: ErasedPartial,
    /// `false` when the run stopped at its deadline before the end.
    pub complete: bool,
    /// Number of indices whose items were processed and merged.
    pub processed: u128,
    /// Length of the index space (`None` for endless sources).
    pub total: Option<u128>,
    /// The index ranges the partial covers: sorted, non-overlapping, not adjacent, none empty;
    /// their lengths add up to `processed`. The partial is what a serial run over exactly these
    /// indices, in order, gives (see [`Outcome::covered`]).
    pub covered: Vec<Range<u128>>,
    /// How many of the processed indices were restored from a checkpoint.
    pub resumed: u128,
}

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

    /// Whether every run is a collective point of several processes that execute the same
    /// program (SPMD, as on a distributed context): code that starts runs must then start the
    /// same runs in the same order on every process, from one thread. `false` by default.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// assert!(!ThreadContext::new(2)?.collective());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    fn collective(&self) -> bool {
        false
    }

    /// How many workers a pool over this context has: the same number on every process of a
    /// collective context (where [`ParallelContext::workers`] may be each process's own
    /// threads). By default [`ParallelContext::workers`].
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// assert_eq!(ThreadContext::new(3)?.pool_workers(), 3);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    fn pool_workers(&self) -> usize {
        self.workers()
    }

    /// Whether runs execute on the calling thread, one chunk after the other (the serial
    /// context). `false` by default.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// assert!(SerialContext.is_serial() && !ThreadContext::new(1)?.is_serial());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    fn is_serial(&self) -> bool {
        false
    }
}
