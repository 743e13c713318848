//! The driver loop of a run: tiny runs on the calling thread with no scheduler, the probe, and
//! then either the rest on the calling thread or a [`Scheduler`] handed to the context, whose
//! workers pull chunks from it.

use super::in_order::InOrder;
use super::sizing::Phase;
use super::sizing::tiny_next;
use super::{Completion, Request, ScheduleConfig, Scheduler};
use crate::context::{RunOptions, RunReport, WorkerId, nested};
use crate::error::Result;
use crate::pipeline::Extent;
use crate::plumbing::erased::{ChunkOutput, ErasedJob};
use std::time::{Duration, Instant};

/// What [`drive`] leaves to the context.
// One per run, moved once from `drive` to the context: boxing the scheduler would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Drive<'j> {
    /// The run is over: it finished on the calling thread (a tiny run, or one whose rest was
    /// estimated too short to spread), or failed there.
    Finished(RunReport),
    /// The context's workers take over: they pull chunks with
    /// [`Scheduler::next_chunk`] and hand results back with [`Scheduler::complete`] (or run
    /// [`Scheduler::worker_loop`]) until it hands out none and every chunk they took is
    /// completed; then the context returns [`Scheduler::finish`].
    Dispatch(Scheduler<'j>),
}

/// Starts a run of `job` for a context with `workers` parallel workers: runs it on the calling
/// thread while it is small (tiny runs first, with no scheduler at all; then a probe of the
/// cost of an index), and returns either the finished run or the scheduler the context's
/// workers pull the rest from (see the example on [`Scheduler`]). A run with fixed chunks
/// ([`RunOptions::chunk_size`]) skips the calling thread's part: every chunk goes to a worker.
pub fn drive<'j>(
    job: &'j dyn ErasedJob,
    opts: &RunOptions,
    workers: usize,
    config: ScheduleConfig,
) -> Result<Drive<'j>> {
    start(job, opts, workers, config, true)
}

/// Runs `job` to the end on the calling thread, through the scheduler (the serial context's
/// path for runs with a timeout, progress reporting, a chunk trace or a checkpoint).
///
/// ```
/// use haydi_core::plumbing::{drive_inline, ScheduleConfig};
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// /// A serial context of its own.
/// #[derive(Debug)]
/// struct Inline;
/// impl ParallelContext for Inline {
///     fn execute(&self, job: &dyn haydi_core::plumbing::ErasedJob, opts: &RunOptions) -> Result<haydi_core::context::RunReport> {
///         drive_inline(job, opts, ScheduleConfig::default())
///     }
///     fn workers(&self) -> usize { 1 }
///     fn name(&self) -> String { "inline".into() }
/// }
/// assert_eq!(Range::new(1000).sum().run_in(&Inline)?, 499_500);
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub fn drive_inline(
    job: &dyn ErasedJob,
    opts: &RunOptions,
    config: ScheduleConfig,
) -> Result<RunReport> {
    match start(job, opts, 1, config, false)? {
        Drive::Finished(report) => Ok(report),
        Drive::Dispatch(sched) => {
            // Not reached (no workers were asked for); the calling thread would be the worker.
            while sched.run_one(WorkerId::CALLER) {}
            sched.finish()
        }
    }
}

fn start<'j>(
    job: &'j dyn ErasedJob,
    opts: &RunOptions,
    workers: usize,
    config: ScheduleConfig,
    dispatch: bool,
) -> Result<Drive<'j>> {
    let first = match tiny_run(job, opts, &config)? {
        FirstChunk::Finished(report) => return Ok(Drive::Finished(report)),
        FirstChunk::Ran(first) => first,
    };
    let sched = Scheduler::new(job, opts, workers, config)?;
    sched.observer.start(job);
    if let Some((end, out, elapsed)) = first {
        sched.adopt(end, out, elapsed);
    }
    let fixed = opts.chunk_size.is_some();
    if !fixed {
        sched.probe();
    }
    if !sched.is_stopped() {
        if dispatch && (fixed || !sched.small_enough_for_inline()) {
            sched.go_parallel();
            return Ok(Drive::Dispatch(sched));
        }
        while sched.run_one(WorkerId::CALLER) {}
    }
    sched.finish().map(Drive::Finished)
}

enum FirstChunk {
    /// The whole run is done.
    Finished(RunReport),
    /// The chunks `[0, end)` ran and are merged into one output (or, with `None`, nothing ran
    /// because the run has options that need the scheduler from its start).
    Ran(Option<(u128, ChunkOutput, Duration)>),
}

/// The fast path of tiny runs: with no scheduler at all, run chunks of 1, then at most
/// [`TINY_GROWTH`](super::TINY_GROWTH) times the indices done so far, for as long as the whole
/// run is estimated to take less than the inline threshold. A run with a timeout, progress
/// reporting, a chunk trace, fixed chunks or a checkpoint always takes the scheduler's path.
/// The result budget is checked after every merge.
fn tiny_run(job: &dyn ErasedJob, opts: &RunOptions, config: &ScheduleConfig) -> Result<FirstChunk> {
    let plain = opts.timeout.is_none()
        && !opts.progress_bar
        && opts.progress.is_none()
        && opts.chunk_trace.is_none()
        && opts.chunk_size.is_none()
        && opts.checkpoint.is_none();
    let limits = job.take_limits();
    let end = match job.extent()? {
        Extent::Finite(end) if plain && end > 0 && !limits.contains(&0) => end,
        _ => return Ok(FirstChunk::Ran(None)),
    };
    let align = job.alignment().max(1);
    let t0 = Instant::now();
    let mut run = InOrder::new(job, opts.result_budget(), Some(end));
    loop {
        if let Some(report) = run.step(tiny_next(run.done(), align, end))? {
            return Ok(FirstChunk::Finished(report));
        }
        let done = run.done();
        let elapsed = t0.elapsed();
        let rest = (end - done) as f64 * elapsed.as_secs_f64() / done as f64;
        if elapsed.as_secs_f64() + rest >= config.inline_threshold.as_secs_f64() {
            return Ok(FirstChunk::Ran(Some((done, run.into_output(), elapsed))));
        }
    }
}

impl<'j> Scheduler<'j> {
    /// Records a chunk `[0, end)` that the caller ran before the scheduler existed.
    fn adopt(&self, end: u128, out: ChunkOutput, elapsed: Duration) {
        let spec = {
            let mut st = self.lock();
            debug_assert_eq!(st.next, 0);
            st.next = end;
            st.last_size = end;
            self.hand(&mut st, 0, end)
        };
        self.complete(&spec, Ok(out), Completion::by(WorkerId::CALLER, elapsed));
    }

    /// Takes a chunk, runs it on this thread and records it as run by `worker` (a thread
    /// number of this process, or a [`WorkerId`]). `false` when there was none.
    pub fn run_one(&self, worker: impl Into<WorkerId>) -> bool {
        let Some(spec) = self.next_chunk(Request::any()) else {
            return false;
        };
        let t = Instant::now();
        let r = self.job.run_chunk(spec.start, spec.end, &spec.budgets);
        self.complete(&spec, r, Completion::by(worker, t.elapsed()));
        true
    }

    /// The loop of an in-process worker thread: run chunks until there are none. Parallel runs
    /// started from inside are rejected with [`Error::NestedParallelRun`](crate::Error::NestedParallelRun). `worker` names the
    /// thread in traces: thread 0 is the calling thread ([`WorkerId::CALLER`]), worker threads
    /// are numbered from 1.
    pub fn worker_loop(&self, worker: impl Into<WorkerId>) {
        let worker = worker.into();
        let _guard = nested::ParallelRunGuard::enter();
        while self.run_one(worker) {}
    }

    /// Runs small chunks of growing size on the calling thread for about the probe budget, so
    /// the cost of an item is known before work is spread. While the rest is estimated to be
    /// shorter than the inline threshold, it goes on here, in chunks at most `max_growth` times
    /// what is done, re-estimating after each: tiny runs never leave the calling thread, and a
    /// run whose later items turn out expensive leaves it early.
    fn probe(&self) {
        let t = Instant::now();
        loop {
            let inline = self.small_enough_for_inline();
            self.lock().phase = if inline {
                Phase::RestAtOnce
            } else {
                Phase::Probe
            };
            if !inline && t.elapsed() >= self.sizing.config.probe_budget {
                return;
            }
            if !self.run_one(WorkerId::CALLER) {
                return;
            }
        }
    }

    /// Whether the rest of the run is estimated to be too short to be worth spreading.
    fn small_enough_for_inline(&self) -> bool {
        if self.deadline.is_some() {
            // One chunk over the rest, sized from an estimate, would not look at the deadline.
            return false;
        }
        let st = self.lock();
        match (self.sizing.end, st.cost) {
            (Some(end), Some(cost)) => self.sizing.rest_is_small(end - st.next, cost),
            _ => false,
        }
    }

    /// Switches from inline probing to sizing chunks for the parallel workers.
    fn go_parallel(&self) {
        self.lock().phase = Phase::Parallel;
    }
}
