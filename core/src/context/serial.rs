//! The serial context: everything on the calling thread.

use super::{ParallelContext, RunOptions, RunReport};
use crate::error::Result;
use crate::plumbing::{drive, run_in_order, ErasedJob, ScheduleConfig};

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
            // Chunks in index order, no scheduler (see `plumbing::run_in_order`).
            return run_in_order(job, opts);
        }
        drive(job, opts, 1, ScheduleConfig::default(), None)
    }

    fn workers(&self) -> usize {
        1
    }

    fn name(&self) -> String {
        "serial".into()
    }

    fn is_serial(&self) -> bool {
        true
    }
}
