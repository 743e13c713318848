//! The serial context: everything on the calling thread.

use super::{ParallelContext, RunOptions, RunReport};
use crate::error::{Error, Result};
use crate::pipeline::Extent;
use crate::plumbing::{drive, ErasedJob, ScheduleConfig};

/// Runs everything on the calling thread. `run(false)` always uses it; it can also be set as the
/// session's parallel context, which makes `run(true)` serial (handy for debugging).
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_core::domain::tests_support::Digits;
/// assert_eq!(Digits(5).collect().run_in(&SerialContext).unwrap(), vec![0, 1, 2, 3, 4]);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SerialContext;

impl ParallelContext for SerialContext {
    fn execute(&self, job: &dyn ErasedJob, opts: &RunOptions) -> Result<RunReport> {
        let plain = opts.timeout.is_none()
            && !opts.progress_bar
            && opts.progress.is_none()
            && opts.chunk_trace.is_none();
        if plain {
            // One chunk over everything: no scheduling cost at all.
            let limits = job.take_limits();
            let end = match job.extent()? {
                Extent::Finite(n) => n,
                Extent::Endless if limits.is_empty() => return Err(Error::Unbounded),
                Extent::Endless => u128::MAX,
            };
            let out = job.run_chunk(0, end, limits)?;
            let processed = if end == u128::MAX { 0 } else { end };
            return Ok(RunReport {
                partial: out.partial,
                complete: true,
                processed,
                total: (end != u128::MAX).then_some(end),
            });
        }
        drive(job, opts, 1, ScheduleConfig::default(), None)
    }

    fn workers(&self) -> usize {
        1
    }

    fn name(&self) -> String {
        "serial".into()
    }
}
