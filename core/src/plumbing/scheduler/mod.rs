//! The adaptive chunk scheduler shared by every parallel context, one concept a file:
//!
//! - `sizing.rs`: the pure sizing model (how large the next chunk is).
//! - `merge.rs`: the one ordered merge (a chunk appended to the merged result, its `take`
//!   counts, the result budget).
//! - `in_order.rs`: chunks run one after the other on the calling thread (tiny runs, the serial
//!   runner).
//! - `request.rs`: what a worker asks for and hands back ([`Request`], [`Completion`]).
//! - this file: the lock around them: [`Scheduler`], its state, its start (a checkpoint
//!   restored) and its stop.
//! - `hand_out.rs`: chunks handed out ([`Scheduler::next_chunk`]).
//! - `complete.rs`: chunks completed and merged in order ([`Scheduler::complete`]), the `take`
//!   re-run outside the lock, the checkpoint written when due.
//! - `finish.rs`: the end of a run ([`Scheduler::finish`]).
//! - `drive.rs`: the driver loop ([`drive`]): tiny runs, the probe, then the context's workers
//!   (and the loops that run chunks on a thread: [`Scheduler::run_one`],
//!   [`Scheduler::worker_loop`]).
//!
//! The protocol is described in `core/src/plumbing/README.md`.

mod complete;
mod drive;
mod finish;
mod hand_out;
mod in_order;
mod merge;
mod request;
mod sizing;

pub use drive::{Drive, drive, drive_inline};
pub(crate) use in_order::InOrder;
pub(crate) use merge::{Limits, Merged};
pub use request::{ChunkSpec, Completion, Request};
pub(crate) use sizing::in_order_next;
pub use sizing::{ScheduleConfig, TINY_GROWTH};

use super::checkpoint::Checkpointing;
use super::erased::{ChunkOutput, ErasedJob};
use crate::context::{Observer, RunOptions};
use crate::error::{Error, Result};
use crate::pipeline::Extent;
use crate::plumbing::Unpoisoned;
use sizing::{Phase, Sizing};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

struct Done {
    end: u128,
    /// An error is kept until the merged prefix reaches it: a chunk past a `take`'s end may
    /// fail, and serially it would never have run.
    out: Result<ChunkOutput>,
    /// Run with the exact `take` budgets (a re-run): merged without checking them again.
    exact: bool,
}

/// A chunk that straddles the end of a `take` and must run again with these exact budgets
/// before the merged prefix can go on.
struct Rerun {
    start: u128,
    end: u128,
    budgets: Vec<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Running,
    /// Every index is merged, or a `take` is exhausted: the result is complete.
    Complete,
    /// The deadline passed: the result is partial.
    TimedOut,
    Failed,
}

struct State {
    /// The next index to hand out in order.
    next: u128,
    next_id: u64,
    last_size: u128,
    /// Seconds per index on one worker (moving average, [`sizing::cost_after`]).
    cost: Option<f64>,
    phase: Phase,
    requeued: VecDeque<ChunkSpec>,
    outstanding: usize,
    /// Slots handed out by [`Request::slot`] (fixed chunks): the hand-out in order skips them.
    slots: BTreeSet<u128>,
    /// Chunks past the merged prefix restored from a checkpoint, by start: not handed out.
    skip: BTreeMap<u128, u128>,
    /// Completed chunks past the merged prefix, by start.
    pending: BTreeMap<u128, Done>,
    /// Estimated bytes of the partials in `pending` (kept as a running total).
    pending_bytes: u64,
    /// The start of the chunk being re-run with exact budgets, outside the lock. The merged
    /// prefix ends there until the re-run is merged, and copies of that chunk are ignored.
    rerunning: Option<u128>,
    /// The end of the merged prefix.
    merged_to: u128,
    merged: Merged,
    /// Indices restored from a checkpoint.
    resumed: u128,
    /// When the checkpoint was last written (or the run began).
    last_saved: Instant,
    flow: Flow,
    error: Option<Error>,
}

/// Hands out index-range chunks, merges their results in index order, and decides when a run is
/// over (all merged, a `take` exhausted, an error, or the deadline).
///
/// A context gets one from [`drive`] and pulls from it: its workers ask for chunks with
/// [`next_chunk`](Scheduler::next_chunk) and hand results back with
/// [`complete`](Scheduler::complete) ([`worker_loop`](Scheduler::worker_loop) does both for an
/// in-process thread), then the context calls [`finish`](Scheduler::finish).
///
/// ```
/// use haydi_core::plumbing::{drive, Completion, Drive, Request, ScheduleConfig};
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// /// A context that runs every chunk on the calling thread, pulling them one by one.
/// #[derive(Debug)]
/// struct OneByOne;
/// impl ParallelContext for OneByOne {
///     fn execute(&self, job: &dyn haydi_core::plumbing::ErasedJob, opts: &RunOptions) -> Result<haydi_core::context::RunReport> {
///         let sched = match drive(job, opts, 1, ScheduleConfig::default())? {
///             Drive::Finished(report) => return Ok(report),
///             Drive::Dispatch(sched) => sched,
///         };
///         while let Some(spec) = sched.next_chunk(Request::any()) {
///             let t = std::time::Instant::now();
///             let out = job.run_chunk(spec.start, spec.end, &spec.budgets);
///             sched.complete(&spec, out, Completion::by(1, t.elapsed()));
///         }
///         sched.finish()
///     }
///     fn workers(&self) -> usize { 1 }
///     fn name(&self) -> String { "one-by-one".into() }
/// }
/// let job = Range::new(100_000).filter(|x| x % 3 == 0).count();
/// assert_eq!(job.run_in(&OneByOne)?, 33_334);
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub struct Scheduler<'j> {
    job: &'j dyn ErasedJob,
    limits: Limits,
    sizing: Sizing,
    deadline: Option<Instant>,
    stop: AtomicBool,
    state: Mutex<State>,
    observer: Observer,
    /// Where and how often to checkpoint ([`RunOptions::checkpoint`]).
    ckpt: Option<Checkpointing>,
}

impl std::fmt::Debug for Scheduler<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("end", &self.sizing.end)
            .field("workers", &self.sizing.workers)
            .finish_non_exhaustive()
    }
}

impl<'j> Scheduler<'j> {
    /// A scheduler for `job` with `workers` parallel workers. With
    /// [`RunOptions::checkpoint`], a checkpoint of the same job is restored: its merged prefix
    /// and finished chunks are not run again.
    pub fn new(
        job: &'j dyn ErasedJob,
        opts: &RunOptions,
        workers: usize,
        config: ScheduleConfig,
    ) -> Result<Self> {
        let takes = job.take_limits().to_vec();
        let end = match job.extent()? {
            Extent::Finite(n) => Some(n),
            Extent::Endless if takes.is_empty() && opts.timeout.is_none() => {
                return Err(Error::Unbounded);
            }
            Extent::Endless => None,
        };
        let started = Instant::now();
        let observer = Observer::new(opts, end, workers, started);
        let limits = Limits {
            budget: opts.result_budget(),
            total: end,
            takes,
        };
        let mut state = State {
            next: 0,
            next_id: 0,
            last_size: 0,
            cost: None,
            phase: Phase::Probe,
            requeued: VecDeque::new(),
            outstanding: 0,
            slots: BTreeSet::new(),
            skip: BTreeMap::new(),
            pending: BTreeMap::new(),
            pending_bytes: 0,
            rerunning: None,
            merged_to: 0,
            merged: Merged::new(limits.takes.len()),
            resumed: 0,
            last_saved: Instant::now(),
            flow: if end == Some(0) || limits.takes.contains(&0) {
                Flow::Complete
            } else {
                Flow::Running
            },
            error: None,
        };
        let ckpt = match &opts.checkpoint {
            None => None,
            Some(path) => {
                let (ckpt, restored) = Checkpointing::open(job, path, opts, end)?;
                if let Some(r) = restored {
                    state.merged = r.merged;
                    state.merged_to = r.merged_to;
                    state.next = r.merged_to;
                    state.resumed = r.resumed;
                    for (start, end, out) in r.pending {
                        state.pending_bytes = state
                            .pending_bytes
                            .saturating_add(job.partial_bytes(&out.partial));
                        state.skip.insert(start, end);
                        let done = Done {
                            end,
                            out: Ok(out),
                            exact: false,
                        };
                        state.pending.insert(start, done);
                    }
                    if end == Some(state.merged_to) || state.merged.exhausted(&limits) {
                        state.flow = Flow::Complete;
                    }
                    tracing::info!(target: "haydi", path = %path.display(), resumed = %state.resumed, "resuming from a checkpoint");
                }
                Some(ckpt)
            }
        };
        let stop = AtomicBool::new(state.flow != Flow::Running);
        Ok(Scheduler {
            job,
            sizing: Sizing {
                config,
                align: job.alignment().max(1),
                workers: workers.max(1) as u128,
                end,
                fixed: opts.chunk_size,
            },
            limits,
            deadline: opts.timeout.map(|t| started + t),
            stop,
            state: Mutex::new(state),
            observer,
            ckpt,
        })
    }

    /// The job being run.
    pub fn job(&self) -> &'j dyn ErasedJob {
        self.job
    }

    /// When the run stops handing out chunks ([`RunOptions::timeout`]), if ever: a context
    /// that waits for events wakes by then.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Whether no more chunks will be handed out (the run is over, or its deadline passed).
    pub fn is_stopped(&self) -> bool {
        if self.stop.load(Ordering::Acquire) {
            return true;
        }
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            let mut st = self.lock();
            self.stop_with(&mut st, Flow::TimedOut);
            return true;
        }
        false
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // User code never runs while the lock is held (closures and progress callbacks run
        // outside it; `merge` catches panics of `Action::merge`), but a poisoned lock must not
        // turn into a second panic.
        self.state.lock_unpoisoned()
    }

    fn stop_with(&self, st: &mut State, flow: Flow) {
        if st.flow == Flow::Running {
            st.flow = flow;
        }
        self.stop.store(true, Ordering::Release);
    }

    /// Records `error` and stops the run (the first error recorded is the one returned).
    fn fail_locked(&self, st: &mut State, error: Error) {
        st.error.get_or_insert(error);
        self.stop_with(st, Flow::Failed);
    }

    /// Hands a chunk back to be run again (its worker was lost).
    pub fn requeue(&self, spec: ChunkSpec) {
        let mut st = self.lock();
        st.outstanding = st.outstanding.saturating_sub(1);
        st.requeued.push_back(spec);
    }

    /// Ends the run with `error` (unless it already failed): no more chunks are handed out and
    /// [`Scheduler::finish`] returns the first error recorded. For failures that belong to no
    /// chunk, such as a protocol error of a distributed context.
    pub fn fail(&self, error: Error) {
        let mut st = self.lock();
        self.fail_locked(&mut st, error);
    }

    /// Number of chunks handed out and not completed.
    pub fn outstanding(&self) -> usize {
        self.lock().outstanding
    }
}
