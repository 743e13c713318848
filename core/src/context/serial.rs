//! The serial context: everything on the calling thread, and its runner: chunks in index order
//! with no scheduler.

use super::{Outcome, ParallelContext, RunOptions, RunReport};
use crate::error::{Error, Result};
use crate::pipeline::Extent;
use crate::plumbing::scheduler::{InOrder, in_order_next};
use crate::plumbing::{ErasedJob, ScheduleConfig, drive_inline};

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
    if end == 0 {
        // No index to run: the empty partial, as the scheduler gives for an empty index space
        // (no chunk at all: a job may refuse a chunk of no indices, as a pool's broadcast of
        // the driver's object does).
        return Ok(Outcome {
            value: job.empty_partial(),
            complete: true,
            processed: 0,
            total: Some(0),
            covered: Vec::new(),
            resumed: 0,
        });
    }
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

#[cfg(test)]
mod tests {
    use super::SerialContext;
    use crate::context::{ParallelContext, RunOptions, ThreadContext};
    use crate::error::{Error, Result};
    use crate::pipeline::Extent;
    use crate::plumbing::{ChunkOutput, JobSignature, Pass};

    /// A job of no indices that refuses any chunk (as a pool's broadcast does): its result is
    /// its empty partial.
    struct NoIndices;
    impl Pass for NoIndices {
        type Partial = Vec<u8>;
        fn extent(&self) -> Result<Extent> {
            Ok(Extent::Finite(0))
        }
        fn run(&self, start: u128, end: u128, _: &[u64]) -> Result<ChunkOutput<Vec<u8>>> {
            Err(Error::Context(format!("asked for [{start}, {end})")))
        }
        fn empty(&self) -> Vec<u8> {
            vec![7, 8]
        }
        fn merge(&self, _: &mut Vec<u8>, _: Vec<u8>) -> Result<()> {
            Ok(())
        }
        fn partial_bytes(&self, p: &Vec<u8>) -> u64 {
            p.len() as u64
        }
        fn signature(&self) -> JobSignature {
            JobSignature {
                call_site: std::panic::Location::caller(),
                type_name: "no indices",
            }
        }
    }

    #[test]
    fn an_empty_index_space_runs_no_chunk_serially_as_in_parallel() {
        let value = |ctx: &dyn ParallelContext| {
            let r = ctx.execute(&NoIndices, &RunOptions::new()).unwrap();
            assert!(r.complete && r.processed == 0 && r.covered.is_empty());
            *r.value.downcast::<Vec<u8>>().unwrap()
        };
        // The oracle: the scheduler's path (a thread context), which never runs a chunk here.
        let threads = value(&ThreadContext::new(2).unwrap());
        assert_eq!(threads, vec![7, 8]);
        assert_eq!(value(&SerialContext), threads);
    }
}
