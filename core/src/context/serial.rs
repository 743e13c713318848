//! The serial context: everything on the calling thread, and its runner: chunks in index order
//! with no scheduler.

use super::{ParallelContext, RunOptions, RunReport};
use crate::error::{Error, Result};
use crate::pipeline::Extent;
use crate::plumbing::scheduler::{in_order_next, InOrder};
use crate::plumbing::{drive_inline, ErasedJob, ScheduleConfig};

/// Runs everything on the calling thread. `run(false)` always uses it; it can also be set as the
/// session's parallel context, which makes `run(true)` serial (handy for debugging).
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// assert_eq!(Range::new(5).collect().run_in(&SerialContext).unwrap(), vec![0, 1, 2, 3, 4]);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SerialContext;

impl ParallelContext for SerialContext {
    fn execute(&self, job: &dyn ErasedJob, opts: &RunOptions) -> Result<RunReport> {
        let plain = opts.timeout.is_none()
            && !opts.progress_bar
            && opts.progress.is_none()
            && opts.chunk_trace.is_none()
            && opts.checkpoint.is_none();
        if plain {
            return run_in_order(job, opts);
        }
        drive_inline(job, opts, ScheduleConfig::default())
    }

    fn workers(&self) -> usize {
        1
    }

    fn name(&self) -> String {
        "serial".into()
    }

    fn extension(&self, of: std::any::TypeId) -> Option<&(dyn std::any::Any + Send + Sync)> {
        // Code that adapts to where runs execute (a pool, a crop) asks whether it is this one.
        (of == std::any::TypeId::of::<SerialContext>()).then_some(self as _)
    }
}

/// The plain serial run (no timeout, no progress reporting): chunks in index order on the
/// calling thread, with no scheduler. Each chunk is at most
/// [`TINY_GROWTH`](crate::plumbing::TINY_GROWTH) times the indices done so far, and no larger
/// than what the result budget is estimated to leave room for (at the bytes per index measured
/// so far), so a result that outgrows the budget fails with [`Error::ResultTooLarge`] soon
/// after it passes it, instead of exhausting memory. A run whose partial has a fixed size
/// (`count`, `sum`) takes a handful of chunks.
fn run_in_order(job: &dyn ErasedJob, opts: &RunOptions) -> Result<RunReport> {
    let limits = job.take_limits();
    let end = match job.extent()? {
        Extent::Finite(n) => n,
        Extent::Endless if limits.is_empty() => return Err(Error::Unbounded),
        Extent::Endless => u128::MAX,
    };
    let budget = opts.result_budget();
    let align = job.alignment().max(1);
    let mut run = InOrder::new(job, budget, (end != u128::MAX).then_some(end));
    loop {
        let len = in_order_next(run.done(), run.bytes(), budget, align, end);
        if let Some(report) = run.step(len)? {
            return Ok(report);
        }
    }
}
