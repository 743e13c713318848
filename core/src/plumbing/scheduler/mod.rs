//! The adaptive chunk scheduler shared by every parallel context, one concept a file:
//!
//! - `sizing.rs`: the pure sizing model (how large the next chunk is).
//! - `merge.rs`: the one ordered merge (a chunk appended to the merged result, its `take`
//!   counts, the result budget).
//! - `in_order.rs`: chunks run one after the other on the calling thread (tiny runs, the serial
//!   runner).
//! - `request.rs`: what a worker asks for and hands back ([`Request`], [`Completion`]).
//! - this file: the lock around them, [`Scheduler`], which contexts pull chunks from: hand-out,
//!   completion, the `take` re-run outside the lock, the end of a run.
//! - `drive.rs`: the driver loop ([`drive`]): tiny runs, the probe, then the context's workers.
//!
//! The protocol is described in `core/src/plumbing/README.md`.

mod drive;
mod in_order;
mod merge;
mod request;
mod sizing;

pub use drive::{drive, drive_inline, Drive};
pub(crate) use in_order::InOrder;
pub(crate) use merge::{Limits, Merged};
pub use request::{ChunkSpec, Completion, Request};
pub(crate) use sizing::in_order_next;
pub use sizing::{ScheduleConfig, TINY_GROWTH};

use super::checkpoint::Checkpointing;
use super::erased::{ChunkOutput, ErasedJob};
use crate::context::{nested, Observer, Outcome, RunEnd, RunOptions, RunReport, WorkerId};
use crate::error::{Error, Result};
use crate::pipeline::Extent;
use sizing::{Phase, Sizing};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

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
                return Err(Error::Unbounded)
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
        self.state.lock().unwrap_or_else(|e| e.into_inner())
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

    /// The state, locked, if chunks may still be handed out (the run goes on and its deadline
    /// has not passed; a passed deadline stops it here).
    fn lock_for_hand_out(&self) -> Option<MutexGuard<'_, State>> {
        if self.stop.load(Ordering::Acquire) {
            return None;
        }
        let mut st = self.lock();
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            self.stop_with(&mut st, Flow::TimedOut);
            return None;
        }
        (st.flow == Flow::Running).then_some(st)
    }

    /// The next chunk for a worker (see [`Request`]), or `None` when the run is over or
    /// everything is handed out (a chunk handed back later, by [`Scheduler::requeue`], is
    /// handed out again).
    pub fn next_chunk(&self, request: Request) -> Option<ChunkSpec> {
        let mut st = self.lock_for_hand_out()?;
        if let Some(slot) = request.slot {
            return self.slot_chunk(&mut st, slot);
        }
        if let Some(spec) = st.requeued.pop_front() {
            st.outstanding += 1;
            return Some(spec);
        }
        // Chunks restored from a checkpoint are not run again, nor slots handed out already.
        let fixed = self.sizing.fixed_size();
        loop {
            let at = st.next;
            if let Some(e) = st.skip.remove(&at) {
                st.next = e;
            } else if let Some(k) = fixed.filter(|k| at % k == 0 && st.slots.remove(&(at / k))) {
                st.next = at.saturating_add(k);
            } else {
                break;
            }
        }
        if self.sizing.end.is_some_and(|e| st.next >= e) {
            return None;
        }
        let size = match request.size_hint {
            Some(hint) => self.sizing.hinted(st.next, hint),
            None => self.sizing.next(st.next, st.last_size, st.cost, st.phase),
        };
        let start = st.next;
        let mut end = start.saturating_add(size);
        if let Some(e) = self.sizing.end {
            end = end.min(e);
        }
        if let Some((&s, _)) = st.skip.range(start..).next() {
            end = end.min(s);
        }
        st.next = end;
        let size = end - start;
        if size >= st.last_size.saturating_mul(2) || size.saturating_mul(2) <= st.last_size {
            tracing::debug!(target: "haydi", from = %st.last_size, to = %size, "chunk size changed");
        }
        st.last_size = size;
        Some(self.hand(&mut st, start, end))
    }

    /// Records `[start, end)` as handed out.
    fn hand(&self, st: &mut State, start: u128, end: u128) -> ChunkSpec {
        st.outstanding += 1;
        let id = st.next_id;
        st.next_id += 1;
        ChunkSpec {
            id,
            start,
            end,
            budgets: st.merged.budgets(&self.limits),
        }
    }

    /// The chunk of `slot` in a run with fixed chunks, once.
    fn slot_chunk(&self, st: &mut State, slot: u128) -> Option<ChunkSpec> {
        let k = self.sizing.fixed_size()?;
        let start = slot.checked_mul(k)?;
        let past_end = self.sizing.end.is_some_and(|e| start >= e);
        if past_end || start < st.next || st.skip.contains_key(&start) || !st.slots.insert(slot) {
            return None;
        }
        let mut end = start.saturating_add(k);
        if let Some(e) = self.sizing.end {
            end = end.min(e);
        }
        Some(self.hand(st, start, end))
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

    /// Records the result of chunk `spec` (see [`Completion`]). The result of a chunk whose
    /// start was already completed (a duplicate, such as a speculative copy) is ignored.
    ///
    /// User code runs outside the scheduler's lock: the re-run of a chunk that straddles the
    /// end of a `take` and the progress callback (a panic in it fails the run with
    /// [`Error::Panicked`]). Meanwhile other workers go on taking and completing chunks.
    pub fn complete(&self, spec: &ChunkSpec, result: Result<ChunkOutput>, how: Completion) {
        let mut st = self.lock();
        st.outstanding = st.outstanding.saturating_sub(1);
        if spec.start < st.merged_to
            || st.pending.contains_key(&spec.start)
            || st.rerunning == Some(spec.start)
        {
            // Another copy of this chunk (a speculative re-run) completed first: this one is
            // ignored, whatever its result, so no chunk is ever merged twice.
            return;
        }
        if st.flow != Flow::Running && st.flow != Flow::TimedOut {
            return;
        }
        let out = match result {
            Err(e) if self.limits.takes.is_empty() || spec.start == st.merged_to => {
                self.fail_locked(&mut st, e);
                return;
            }
            Err(e) => Err(e),
            Ok(out) => {
                if how.measured {
                    st.cost = Some(sizing::cost_after(
                        st.cost,
                        how.elapsed,
                        spec.end - spec.start,
                    ));
                }
                self.observer.chunk_done(
                    how.worker,
                    spec.start,
                    spec.end,
                    out.items,
                    how.elapsed,
                    how.began,
                );
                Ok(out)
            }
        };
        let done = Done {
            end: spec.end,
            out,
            exact: false,
        };
        let mut st = if st.flow == Flow::Running && spec.start == st.merged_to {
            // The common case on one thread: the chunk continues the merged prefix.
            self.merge_ready(st, Some((spec.start, done)))
        } else {
            self.insert_pending(&mut st, spec.start, done);
            if st.flow == Flow::Running {
                self.merge_ready(st, None)
            } else {
                st
            }
        };
        if st.flow == Flow::Running {
            self.checkpoint_if_due(&mut st);
        }
        let (processed, items, running) = (
            st.merged.processed,
            st.merged.items,
            st.flow == Flow::Running,
        );
        drop(st);
        if running {
            // The observer (and so the user's progress callback) runs without the lock held.
            if let Err(e) = self.observer.progress(processed, items, false) {
                self.fail(e);
            }
        }
    }

    /// Writes the checkpoint when `checkpoint_every` passed since the last one; a write that
    /// fails fails the run (the user asked for a checkpoint: none must not pass silently).
    fn checkpoint_if_due(&self, st: &mut State) {
        let Some(ck) = &self.ckpt else { return };
        if st.last_saved.elapsed() < ck.every() {
            return;
        }
        st.last_saved = Instant::now();
        if let Err(e) = self.save_checkpoint(st) {
            self.fail_locked(st, e);
        }
    }

    /// Writes the merged prefix and the finished chunks past it to the checkpoint file.
    fn save_checkpoint(&self, st: &State) -> Result<()> {
        let Some(ck) = &self.ckpt else { return Ok(()) };
        let pending = st
            .pending
            .iter()
            .filter_map(|(s, d)| d.out.as_ref().ok().map(|o| (*s, d.end, o)));
        ck.save(self.job, st.merged_to, &st.merged, pending)
    }

    /// Stores a completed chunk until the merged prefix reaches it.
    fn insert_pending(&self, st: &mut State, start: u128, done: Done) {
        if let Ok(out) = &done.out {
            st.pending_bytes = st
                .pending_bytes
                .saturating_add(self.job.partial_bytes(&out.partial));
        }
        st.pending.insert(start, done);
        if st.flow == Flow::Failed {
            return;
        }
        if let Err(e) = st.merged.check_budget(&self.limits, st.pending_bytes) {
            self.fail_over_budget(st, e);
        }
    }

    /// Fails the run with a [`Error::ResultTooLarge`]; a timed-out run returns it too.
    fn fail_over_budget(&self, st: &mut State, e: Error) {
        self.fail_locked(st, e);
        st.flow = Flow::Failed;
    }

    /// Merges `first` (a chunk that starts where the merged prefix ends), then every pending
    /// chunk that continues the prefix. A chunk that must run again with exact `take` budgets
    /// is re-run with the lock released (and marked, so no one merges past it or runs it
    /// twice), then merged; the guard returned is a fresh one in that case.
    fn merge_ready<'s>(
        &'s self,
        mut st: MutexGuard<'s, State>,
        first: Option<(u128, Done)>,
    ) -> MutexGuard<'s, State> {
        let mut rerun = match first {
            Some((start, done)) => self.merge_one(&mut st, start, done),
            None => None,
        };
        if rerun.is_none() {
            rerun = self.merge_prefix(&mut st);
        }
        while let Some(r) = rerun {
            st.rerunning = Some(r.start);
            st.outstanding += 1;
            drop(st);
            let out = self.job.run_chunk(r.start, r.end, &r.budgets);
            st = self.lock();
            st.rerunning = None;
            st.outstanding = st.outstanding.saturating_sub(1);
            let done = Done {
                end: r.end,
                out,
                exact: true,
            };
            rerun = match st.flow {
                // Nothing merged past the chunk meanwhile: it continues the prefix.
                Flow::Running => self
                    .merge_one(&mut st, r.start, done)
                    .or_else(|| self.merge_prefix(&mut st)),
                // The deadline passed meanwhile: `finish` merges what continues the prefix.
                Flow::TimedOut => {
                    self.insert_pending(&mut st, r.start, done);
                    None
                }
                Flow::Complete | Flow::Failed => None,
            };
        }
        st
    }

    /// Merges the completed chunks that continue the merged prefix, up to one that must be
    /// re-run (returned).
    fn merge_prefix(&self, st: &mut State) -> Option<Rerun> {
        while st.flow == Flow::Running {
            let Some(entry) = st.pending.first_entry() else {
                break;
            };
            if *entry.key() != st.merged_to {
                break;
            }
            let start = *entry.key();
            let done = entry.remove();
            if let Ok(out) = &done.out {
                let bytes = self.job.partial_bytes(&out.partial);
                st.pending_bytes = st.pending_bytes.saturating_sub(bytes);
            }
            if let Some(r) = self.merge_one(st, start, done) {
                return Some(r);
            }
        }
        None
    }

    /// Merges one chunk that starts where the merged prefix ends, checking its `take` counts
    /// and the result budget. A chunk that let more through some `take` than the items before
    /// it leave room for is not merged: it is returned, to be run again with exact budgets.
    fn merge_one(&self, st: &mut State, start: u128, done: Done) -> Option<Rerun> {
        let Done { end, out, exact } = done;
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                self.fail_locked(st, e);
                return None;
            }
        };
        if !exact && !st.merged.fits(&self.limits, &out.take_counts) {
            let budgets = st.merged.budgets(&self.limits);
            return Some(Rerun {
                start,
                end,
                budgets,
            });
        }
        let pending = st.pending_bytes;
        match st
            .merged
            .append(self.job, start..end, out, &self.limits, pending)
        {
            Ok(()) => st.merged_to = end,
            Err(e @ Error::ResultTooLarge { .. }) => {
                st.merged_to = end;
                self.fail_over_budget(st, e);
                return None;
            }
            Err(e) => {
                self.fail_locked(st, e);
                return None;
            }
        }
        if st.merged.exhausted(&self.limits) || self.sizing.end == Some(end) {
            self.stop_with(st, Flow::Complete);
        }
        None
    }

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
    /// started from inside are rejected with [`Error::NestedParallelRun`]. `worker` names the
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

    /// Ends the run and returns the merged result. The final progress report (and so the
    /// user's callback) runs without the lock held; a panic in it fails the run with
    /// [`Error::Panicked`].
    pub fn finish(self) -> Result<RunReport> {
        {
            // Chunks that finished after the deadline may still continue the merged prefix
            // (up to the end, or to an exhausted take). A re-run this needs runs unlocked, as
            // during the run.
            let mut st = self.lock();
            if st.flow == Flow::TimedOut {
                st.flow = Flow::Running;
                st = self.merge_ready(st, None);
                if st.flow == Flow::Running {
                    st.flow = Flow::TimedOut;
                }
            }
        }
        if self.ckpt.is_some() {
            // Before the timed-out path below merges chunks past gaps: the file holds the
            // prefix and the chunks past it apart.
            let mut st = self.lock();
            if let Err(e) = self.save_checkpoint(&st) {
                st.error.get_or_insert(e);
            }
        }
        let observer = self.observer;
        let mut st = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = st.error.take() {
            // The run failed already: a panic of the final report adds nothing to that.
            let _ = observer.finish_checked(st.merged.processed, st.merged.items, RunEnd::Failed);
            return Err(e);
        }
        let complete = st.flow == Flow::Complete
            || (st.flow == Flow::Running && self.sizing.end == Some(st.merged_to));
        if !complete && self.limits.takes.is_empty() {
            // Timed out: without takes, every finished chunk counts, merged in index order
            // past the gaps.
            for (start, done) in std::mem::take(&mut st.pending) {
                // Without takes an error fails the run at once, so none is pending here.
                let Ok(out) = done.out else { continue };
                st.pending_bytes = st
                    .pending_bytes
                    .saturating_sub(self.job.partial_bytes(&out.partial));
                let pending = st.pending_bytes;
                if let Err(e) =
                    st.merged
                        .append(self.job, start..done.end, out, &self.limits, pending)
                {
                    let _ = observer.finish_checked(
                        st.merged.processed,
                        st.merged.items,
                        RunEnd::Failed,
                    );
                    return Err(e);
                }
            }
        }
        let end = if complete {
            RunEnd::Complete
        } else {
            RunEnd::TimedOut
        };
        observer.finish_checked(st.merged.processed, st.merged.items, end)?;
        let merged = st.merged;
        Ok(Outcome {
            complete,
            processed: merged.processed,
            total: self.sizing.end,
            covered: merged.covered.clone(),
            resumed: st.resumed,
            value: merged.into_partial(self.job),
        })
    }
}
