//! The adaptive chunk scheduler shared by every parallel context.

use super::checkpoint;
use super::erased::{ChunkOutput, ErasedJob, ErasedPartial};
use crate::context::{nested, Observer, RunEnd, RunOptions, RunReport, WorkerId};
use crate::error::{Error, Result};
use crate::pipeline::Extent;
use std::collections::{BTreeMap, VecDeque};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Tuning of the chunk sizes. The defaults suit threads; remote contexts use longer chunks.
///
/// ```
/// use haydi_core::plumbing::ScheduleConfig;
/// let c = ScheduleConfig::default();
/// assert!(c.target_chunk > c.probe_budget);
/// ```
#[derive(Debug, Clone)]
pub struct ScheduleConfig {
    /// How long one chunk should take on one worker.
    pub target_chunk: Duration,
    /// How long the calling thread runs small probe chunks before it decides how to go on.
    pub probe_budget: Duration,
    /// A run whose rest is estimated to take less than this finishes on the calling thread.
    pub inline_threshold: Duration,
    /// A chunk is at most this many times larger than the one before it.
    pub max_growth: u128,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig {
            target_chunk: Duration::from_millis(20),
            probe_budget: Duration::from_micros(100),
            inline_threshold: Duration::from_micros(200),
            max_growth: 4,
        }
    }
}

/// A chunk handed to a worker: an index range and the `take` budgets it may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkSpec {
    /// A number unique within the run.
    pub id: u64,
    /// First index.
    pub start: u128,
    /// One past the last index.
    pub end: u128,
    /// Upper bounds on what each `take` may let through.
    pub budgets: Vec<u64>,
}

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
    next: u128,
    next_id: u64,
    last_size: u128,
    /// Seconds per index on one worker (moving average). Costs are averaged, not rates: one
    /// slow chunk after fast ones must pull the estimate down at once.
    cost: Option<f64>,
    inline: bool,
    /// The rest is small: hand it out as one chunk.
    rest_at_once: bool,
    requeued: VecDeque<ChunkSpec>,
    outstanding: usize,
    pending: BTreeMap<u128, Done>,
    /// Estimated bytes of the partials in `pending` (kept as a running total).
    pending_bytes: u64,
    /// Estimated bytes of `acc`, as of its last merge.
    acc_bytes: u64,
    /// The start of the chunk being re-run with exact budgets, outside the lock. The merged
    /// prefix ends there until the re-run is merged, and copies of that chunk are ignored.
    rerunning: Option<u128>,
    /// The indices handed out by [`Scheduler::next_chunk_for`] (pinned runs).
    handed: std::collections::BTreeSet<u128>,
    /// Chunks past the merged prefix restored from a checkpoint, by start: not handed out.
    skip: BTreeMap<u128, u128>,
    /// Indices restored from a checkpoint.
    resumed: u128,
    /// When the checkpoint was last written (or the run began).
    last_saved: Instant,
    merged_to: u128,
    acc: ErasedPartial,
    cum: Vec<u64>,
    processed: u128,
    items: u64,
    flow: Flow,
    error: Option<Error>,
}

/// Hands out index-range chunks, merges their results in index order, and decides when a run is
/// over (all merged, a `take` exhausted, an error, or the deadline).
///
/// Contexts call [`next_chunk`](Scheduler::next_chunk) and [`complete`](Scheduler::complete)
/// from their workers (or [`worker_loop`](Scheduler::worker_loop) for in-process threads);
/// [`drive`] wraps the whole sequence.
pub struct Scheduler<'j> {
    job: &'j dyn ErasedJob,
    limits: Vec<u64>,
    end: Option<u128>,
    align: u128,
    workers: usize,
    config: ScheduleConfig,
    deadline: Option<Instant>,
    stop: AtomicBool,
    state: Mutex<State>,
    observer: Observer,
    /// The result-memory budget in bytes ([`RunOptions::result_budget`]).
    budget: u64,
    /// Fixed chunk size ([`RunOptions::chunk_size`]).
    fixed: Option<u128>,
    /// One index per worker ([`RunOptions::pinned`]).
    pinned: bool,
    /// Where and how often to checkpoint ([`RunOptions::checkpoint`]).
    ckpt: Option<Checkpointing>,
}

struct Checkpointing {
    path: std::path::PathBuf,
    every: Duration,
    fingerprint: checkpoint::Fingerprint,
}

impl std::fmt::Debug for Scheduler<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("end", &self.end)
            .field("workers", &self.workers)
            .finish_non_exhaustive()
    }
}

impl<'j> Scheduler<'j> {
    /// A scheduler for `job` with `workers` parallel workers.
    pub fn new(
        job: &'j dyn ErasedJob,
        opts: &RunOptions,
        workers: usize,
        config: ScheduleConfig,
    ) -> Result<Self> {
        let limits = job.take_limits().to_vec();
        let end = match job.extent()? {
            Extent::Finite(n) => Some(n),
            Extent::Endless if limits.is_empty() && opts.timeout.is_none() => {
                return Err(Error::Unbounded)
            }
            Extent::Endless => None,
        };
        let started = Instant::now();
        let observer = Observer::new(opts, end, workers, started);
        let state = State {
            next: 0,
            next_id: 0,
            last_size: 0,
            cost: None,
            inline: true,
            rest_at_once: false,
            requeued: VecDeque::new(),
            outstanding: 0,
            pending: BTreeMap::new(),
            pending_bytes: 0,
            acc_bytes: 0,
            rerunning: None,
            handed: Default::default(),
            skip: BTreeMap::new(),
            resumed: 0,
            last_saved: Instant::now(),
            merged_to: 0,
            acc: job.empty_partial(),
            cum: vec![0; limits.len()],
            processed: 0,
            items: 0,
            flow: if end == Some(0) || limits.contains(&0) {
                Flow::Complete
            } else {
                Flow::Running
            },
            error: None,
        };
        let mut state = state;
        let ckpt = match &opts.checkpoint {
            None => None,
            Some(path) => {
                let identity = opts.checkpoint_identity.as_deref();
                let fingerprint = checkpoint::Fingerprint::of(job, end, identity);
                if let Some(snap) = checkpoint::load(path, &fingerprint)? {
                    restore(job, &mut state, &snap, &limits, end)?;
                    tracing::info!(target: "haydi", path = %path.display(), resumed = %state.resumed, "resuming from a checkpoint");
                }
                Some(Checkpointing {
                    path: path.clone(),
                    every: opts.checkpoint_every.unwrap_or(Duration::from_secs(5)),
                    fingerprint,
                })
            }
        };
        let stop = AtomicBool::new(state.flow != Flow::Running);
        Ok(Scheduler {
            job,
            limits,
            end,
            align: job.alignment().max(1),
            workers: workers.max(1),
            config,
            deadline: opts.timeout.map(|t| started + t),
            stop,
            state: Mutex::new(state),
            observer,
            budget: opts.result_budget(),
            fixed: if opts.pinned {
                Some(1)
            } else {
                opts.chunk_size
            },
            pinned: opts.pinned,
            ckpt,
        })
    }

    /// The job being run.
    pub fn job(&self) -> &'j dyn ErasedJob {
        self.job
    }

    /// Whether no more chunks will be handed out.
    pub fn is_stopped(&self) -> bool {
        self.stop.load(Ordering::Acquire)
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

    fn next_size(&self, st: &State) -> u128 {
        if let Some(k) = self.fixed {
            // `next_chunk` cuts the last chunk at the end.
            return k.max(1).div_ceil(self.align).saturating_mul(self.align);
        }
        let mut size = match st.cost {
            None => 1,
            Some(cost) => {
                let want = (self.config.target_chunk.as_secs_f64() / cost).max(1.0);
                let want = if want >= u128::MAX as f64 {
                    u128::MAX
                } else {
                    want as u128
                };
                want.min(st.last_size.max(1).saturating_mul(self.config.max_growth))
            }
        };
        if let Some(end) = self.end {
            let remaining = end - st.next;
            if st.rest_at_once {
                size = remaining.min(st.next.max(1).saturating_mul(self.config.max_growth));
            } else if !st.inline {
                // Guided tail: never hand one worker more than its share of what is left.
                size = size.min(remaining.div_ceil(2 * self.workers as u128));
            }
            size = size.min(remaining);
        }
        size.max(1).div_ceil(self.align).saturating_mul(self.align)
    }

    /// The state, locked, if chunks may still be handed out (the run goes on and its deadline
    /// has not passed; a passed deadline stops it here).
    fn lock_for_hand_out(&self) -> Option<MutexGuard<'_, State>> {
        if self.is_stopped() {
            return None;
        }
        let mut st = self.lock();
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            self.stop_with(&mut st, Flow::TimedOut);
            return None;
        }
        (st.flow == Flow::Running).then_some(st)
    }

    /// Whether the run places index `w` on worker `w` ([`RunOptions::pinned`]): a context
    /// that can place chunks hands them out with [`Scheduler::next_chunk_for`].
    pub fn is_pinned(&self) -> bool {
        self.pinned
    }

    /// In a pinned run, the chunk of index `slot` (one index), once; `None` when it was handed
    /// out already, lies past the end, or the run is over. [`Scheduler::next_chunk`] then
    /// hands out the indices not handed out yet, in order (for contexts that cannot place).
    pub fn next_chunk_for(&self, slot: u128) -> Option<ChunkSpec> {
        let mut st = self.lock_for_hand_out()?;
        if self.end.is_some_and(|e| slot >= e) || !st.handed.insert(slot) {
            return None;
        }
        st.outstanding += 1;
        let id = st.next_id;
        st.next_id += 1;
        Some(ChunkSpec {
            id,
            start: slot,
            end: slot + 1,
            budgets: remaining(&self.limits, &st.cum),
        })
    }

    /// The next chunk to run, or `None` when the run is over (or everything is handed out).
    pub fn next_chunk(&self) -> Option<ChunkSpec> {
        self.next_chunk_of(None)
    }

    /// Like [`Scheduler::next_chunk`], for a worker that sizes its own chunks from its own
    /// measured rate (an accelerator, many times faster than a CPU thread): about `len`
    /// indices, still cut at the end, at restored checkpoint chunks, by the guided tail
    /// (`remaining / (2 × workers)`) and to the alignment; a run with fixed chunks
    /// ([`RunOptions::chunk_size`]) keeps its size. Complete such chunks with
    /// [`Scheduler::complete_unmeasured`], so that their rate does not skew the chunk sizes
    /// of the other workers.
    ///
    /// ```
    /// use haydi_core::plumbing::{ErasedJob, ScheduleConfig, Scheduler};
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// # use haydi_core::plumbing::{ChunkOutput, ErasedPartial, JobSignature};
    /// # use haydi_core::pipeline::Extent;
    /// # struct Nothing;
    /// # impl ErasedJob for Nothing {
    /// #   fn extent(&self) -> haydi_core::Result<Extent> { Ok(Extent::Finite(1000)) }
    /// #   fn alignment(&self) -> u128 { 1 }
    /// #   fn take_limits(&self) -> &[u64] { &[] }
    /// #   fn run_chunk(&self, s: u128, e: u128, _: &[u64]) -> haydi_core::Result<ChunkOutput> {
    /// #       Ok(ChunkOutput { partial: Box::new(()), take_counts: vec![], items: 0 }) }
    /// #   fn empty_partial(&self) -> ErasedPartial { Box::new(()) }
    /// #   fn merge(&self, _: &mut ErasedPartial, _: ErasedPartial) -> haydi_core::Result<()> { Ok(()) }
    /// #   fn encode_partial(&self, _: &ErasedPartial) -> haydi_core::Result<Vec<u8>> { Ok(vec![]) }
    /// #   fn decode_partial(&self, _: &[u8]) -> haydi_core::Result<ErasedPartial> { Ok(Box::new(())) }
    /// #   fn signature(&self) -> JobSignature { JobSignature { call_site: std::panic::Location::caller(), type_name: "nothing" } }
    /// #   fn partial_bytes(&self, _: &ErasedPartial) -> u64 { 0 }
    /// # }
    /// let job = Nothing; // an index space of 1000
    /// let sched = Scheduler::new(&job, &RunOptions::new(), 1, ScheduleConfig::default())?;
    /// sched.go_parallel();
    /// let spec = sched.next_chunk_sized(300).unwrap();
    /// assert_eq!((spec.start, spec.end), (0, 300));
    /// let out = job.run_chunk(spec.start, spec.end, &spec.budgets);
    /// sched.complete_unmeasured(&spec, out, std::time::Duration::from_millis(1), 1);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn next_chunk_sized(&self, len: u128) -> Option<ChunkSpec> {
        self.next_chunk_of(Some(len))
    }

    fn next_chunk_of(&self, wanted: Option<u128>) -> Option<ChunkSpec> {
        if self.pinned {
            let end = self.end?;
            let next = {
                let st = self.lock();
                (0..end).find(|i| !st.handed.contains(i))
            };
            return next.and_then(|i| self.next_chunk_for(i));
        }
        let mut st = self.lock_for_hand_out()?;
        if let Some(spec) = st.requeued.pop_front() {
            st.outstanding += 1;
            return Some(spec);
        }
        // Chunks restored from a checkpoint are not run again.
        loop {
            let at = st.next;
            match st.skip.remove(&at) {
                Some(e) => st.next = e,
                None => break,
            }
        }
        if self.end.is_some_and(|e| st.next >= e) {
            return None;
        }
        let size = match wanted {
            Some(len) if self.fixed.is_none() => {
                let mut size = len.max(1);
                if let Some(end) = self.end {
                    let remaining = end - st.next;
                    size = size.min(remaining.div_ceil(2 * self.workers as u128));
                }
                size.div_ceil(self.align).saturating_mul(self.align)
            }
            _ => self.next_size(&st),
        };
        let start = st.next;
        let mut end = match self.end {
            Some(e) => start.saturating_add(size).min(e),
            None => start.saturating_add(size),
        };
        if let Some((&s, _)) = st.skip.range(start..).next() {
            end = end.min(s);
        }
        st.next = end;
        let size = end - start;
        if size >= st.last_size.saturating_mul(2) || size.saturating_mul(2) <= st.last_size {
            tracing::debug!(target: "haydi", from = %st.last_size, to = %size, "chunk size changed");
        }
        st.last_size = size;
        st.outstanding += 1;
        let id = st.next_id;
        st.next_id += 1;
        let budgets = remaining(&self.limits, &st.cum);
        Some(ChunkSpec {
            id,
            start,
            end,
            budgets,
        })
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
        if st.error.is_none() {
            st.error = Some(error);
        }
        self.stop_with(&mut st, Flow::Failed);
    }

    /// Number of chunks handed out and not completed.
    pub fn outstanding(&self) -> usize {
        self.lock().outstanding
    }

    /// Records the result of a chunk that took `elapsed` on worker `worker` (a thread number
    /// of this process, or a [`WorkerId`]). The result of a chunk whose start was already
    /// completed (a duplicate) is ignored.
    ///
    /// User code runs outside the scheduler's lock: the re-run of a chunk that straddles the
    /// end of a `take` and the progress callback (a panic in it fails the run with
    /// [`Error::Panicked`]). Meanwhile other workers go on taking and completing chunks.
    pub fn complete(
        &self,
        spec: &ChunkSpec,
        result: Result<ChunkOutput>,
        elapsed: Duration,
        worker: impl Into<WorkerId>,
    ) {
        self.complete_at(spec, result, elapsed, worker.into(), None, true)
    }

    /// [`Scheduler::complete`] for a chunk whose time must not enter the cost estimate that
    /// sizes the other workers' chunks (one handed out by [`Scheduler::next_chunk_sized`]).
    pub fn complete_unmeasured(
        &self,
        spec: &ChunkSpec,
        result: Result<ChunkOutput>,
        elapsed: Duration,
        worker: impl Into<WorkerId>,
    ) {
        self.complete_at(spec, result, elapsed, worker.into(), None, false)
    }

    /// [`Scheduler::complete`] for a chunk that ran in another process, which says when the
    /// chunk `began` by its own clock (the time since its part of the run began): the chunk
    /// trace places that process's chunks by it (see [`Observer::chunk_done`]).
    pub fn complete_remote(
        &self,
        spec: &ChunkSpec,
        result: Result<ChunkOutput>,
        elapsed: Duration,
        worker: WorkerId,
        began: Duration,
    ) {
        self.complete_at(spec, result, elapsed, worker, Some(began), true)
    }

    fn complete_at(
        &self,
        spec: &ChunkSpec,
        result: Result<ChunkOutput>,
        elapsed: Duration,
        worker: WorkerId,
        began: Option<Duration>,
        measured: bool,
    ) {
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
            Err(e) if self.limits.is_empty() || spec.start == st.merged_to => {
                drop(st);
                self.fail(e);
                return;
            }
            Err(e) => Err(e),
            Ok(out) => {
                if measured {
                    let len = spec.end - spec.start;
                    let cost = elapsed.as_secs_f64().max(1e-9) / len as f64;
                    st.cost = Some(match st.cost {
                        None => cost,
                        Some(old) => 0.5 * old + 0.5 * cost,
                    });
                }
                self.observer
                    .chunk_done(worker, spec.start, spec.end, out.items, elapsed, began);
                Ok(out)
            }
        };
        let done = Done {
            end: spec.end,
            out,
            exact: false,
        };
        let st = if st.flow == Flow::Running && spec.start == st.merged_to {
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
        let mut st = st;
        if st.flow == Flow::Running {
            self.checkpoint_if_due(&mut st);
        }
        let (processed, items, running) = (st.processed, st.items, st.flow == Flow::Running);
        drop(st);
        if running {
            self.report_progress(processed, items);
        }
    }

    /// Writes the checkpoint when `checkpoint_every` passed since the last one; a write that
    /// fails fails the run (the user asked for a checkpoint: none must not pass silently).
    fn checkpoint_if_due(&self, st: &mut State) {
        let Some(ck) = &self.ckpt else { return };
        if st.last_saved.elapsed() < ck.every {
            return;
        }
        st.last_saved = Instant::now();
        if let Err(e) = self.save_checkpoint(st) {
            if st.error.is_none() {
                st.error = Some(e);
            }
            self.stop_with(st, Flow::Failed);
        }
    }

    /// Writes the merged prefix and the finished chunks past it to the checkpoint file.
    fn save_checkpoint(&self, st: &State) -> Result<()> {
        let Some(ck) = &self.ckpt else { return Ok(()) };
        let pending = st
            .pending
            .iter()
            .filter_map(|(s, d)| d.out.as_ref().ok().map(|o| (*s, d.end, o)));
        let snap = checkpoint::Snapshot::build(
            self.job,
            &ck.fingerprint,
            st.merged_to,
            &st.cum,
            st.processed,
            st.items,
            &st.acc,
            pending,
        )?;
        checkpoint::save(&ck.path, &snap)
    }

    /// Calls the observer (and so the user's progress callback) without the lock held.
    fn report_progress(&self, processed: u128, items: u64) {
        if let Err(e) = self.observer.progress(processed, items, false) {
            self.fail(e);
        }
    }

    /// Stores a completed chunk until the merged prefix reaches it.
    fn insert_pending(&self, st: &mut State, start: u128, done: Done) {
        if let Ok(out) = &done.out {
            st.pending_bytes = st
                .pending_bytes
                .saturating_add(self.job.partial_bytes(&out.partial));
        }
        st.pending.insert(start, done);
        self.check_budget(st);
    }

    /// Fails the run with [`Error::ResultTooLarge`] when the merged and pending partials take
    /// more than the budget. O(1): both sizes are kept as they change.
    fn check_budget(&self, st: &mut State) {
        let bytes = st.acc_bytes.saturating_add(st.pending_bytes);
        if bytes <= self.budget || st.flow == Flow::Failed {
            return;
        }
        if st.error.is_none() {
            st.error = Some(Error::ResultTooLarge {
                budget: self.budget,
                bytes,
                processed: st.processed,
                total: self.end,
            });
        }
        // `stop_with` leaves a timed-out flow as it is; the error is returned all the same.
        self.stop_with(st, Flow::Failed);
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
                st.error = Some(e);
                self.stop_with(st, Flow::Failed);
                return None;
            }
        };
        let fits = exact
            || out
                .take_counts
                .iter()
                .zip(self.limits.iter().zip(&st.cum))
                .all(|(k, (n, c))| *k <= n - c);
        if !fits {
            let budgets = remaining(&self.limits, &st.cum);
            return Some(Rerun {
                start,
                end,
                budgets,
            });
        }
        if let Err(e) = self.merge_into(st, out) {
            st.error = Some(e);
            self.stop_with(st, Flow::Failed);
            return None;
        }
        st.merged_to = end;
        st.processed += end - start;
        st.acc_bytes = self.job.partial_bytes(&st.acc);
        self.check_budget(st);
        if st.flow != Flow::Running {
            return None;
        }
        let exhausted = self.limits.iter().zip(&st.cum).any(|(n, c)| c >= n);
        if exhausted || self.end == Some(end) {
            self.stop_with(st, Flow::Complete);
        }
        None
    }

    fn merge_into(&self, st: &mut State, out: ChunkOutput) -> Result<()> {
        for (c, k) in st.cum.iter_mut().zip(&out.take_counts) {
            *c += k;
        }
        st.items += out.items;
        self.job.merge(&mut st.acc, out.partial)
    }

    /// Records a chunk `[0, end)` that the caller ran before the scheduler existed.
    fn adopt(&self, end: u128, out: ChunkOutput, elapsed: Duration) {
        let spec = {
            let mut st = self.lock();
            debug_assert_eq!(st.next, 0);
            st.next = end;
            st.last_size = end;
            st.outstanding += 1;
            st.next_id += 1;
            ChunkSpec {
                id: 0,
                start: 0,
                end,
                budgets: self.limits.clone(),
            }
        };
        self.complete(&spec, Ok(out), elapsed, WorkerId::CALLER);
    }

    /// Takes a chunk, runs it on this thread and records it as run by `worker` (a thread
    /// number of this process, or a [`WorkerId`]). `false` when there was none.
    pub fn run_one(&self, worker: impl Into<WorkerId>) -> bool {
        let worker = worker.into();
        let Some(spec) = self.next_chunk() else {
            return false;
        };
        let t = Instant::now();
        let r = self.job.run_chunk(spec.start, spec.end, &spec.budgets);
        self.complete(&spec, r, t.elapsed(), worker);
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
    /// what is done, re-estimating after each: tiny runs never leave the
    /// calling thread, and a run whose later items turn out expensive leaves it early.
    pub fn probe(&self) {
        let t = Instant::now();
        loop {
            let inline = self.small_enough_for_inline();
            self.lock().rest_at_once = inline;
            if !inline && t.elapsed() >= self.config.probe_budget {
                return;
            }
            if !self.run_one(WorkerId::CALLER) {
                return;
            }
        }
    }

    /// Whether the rest of the run is estimated to be too short to be worth spreading.
    pub fn small_enough_for_inline(&self) -> bool {
        if self.deadline.is_some() {
            // One chunk over the rest, sized from an estimate, would not look at the deadline.
            return false;
        }
        let st = self.lock();
        match (self.end, st.cost) {
            (Some(end), Some(cost)) => {
                let rest = (end - st.next) as f64 * cost;
                rest < self.config.inline_threshold.as_secs_f64()
            }
            _ => false,
        }
    }

    /// Switches from inline probing to sizing chunks for `workers` parallel workers.
    pub fn go_parallel(&self) {
        self.lock().inline = false;
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
            let _ = observer.finish_checked(st.processed, st.items, RunEnd::Failed);
            return Err(e);
        }
        let complete = st.flow == Flow::Complete
            || (st.flow == Flow::Running && self.end == Some(st.merged_to));
        // The merged prefix, then (timed out, no take) the finished chunks past it.
        let mut covered = Vec::new();
        push_range(&mut covered, 0..st.merged_to);
        if !complete && self.limits.is_empty() {
            // Timed out: without takes, every finished chunk counts, merged in index order.
            for (start, done) in std::mem::take(&mut st.pending) {
                // Without takes an error fails the run at once, so none is pending here.
                let Ok(out) = done.out else { continue };
                st.pending_bytes = st
                    .pending_bytes
                    .saturating_sub(self.job.partial_bytes(&out.partial));
                for (c, k) in st.cum.iter_mut().zip(&out.take_counts) {
                    *c += k;
                }
                st.items += out.items;
                if let Err(e) = self.job.merge(&mut st.acc, out.partial) {
                    let _ = observer.finish_checked(st.processed, st.items, RunEnd::Failed);
                    return Err(e);
                }
                st.processed += done.end - start;
                push_range(&mut covered, start..done.end);
                st.acc_bytes = self.job.partial_bytes(&st.acc);
                let bytes = st.acc_bytes.saturating_add(st.pending_bytes);
                if bytes > self.budget {
                    let _ = observer.finish_checked(st.processed, st.items, RunEnd::Failed);
                    return Err(Error::ResultTooLarge {
                        budget: self.budget,
                        bytes,
                        processed: st.processed,
                        total: self.end,
                    });
                }
            }
        }
        let end = if complete {
            RunEnd::Complete
        } else {
            RunEnd::TimedOut
        };
        observer.finish_checked(st.processed, st.items, end)?;
        Ok(RunReport {
            partial: st.acc,
            complete,
            processed: st.processed,
            total: self.end,
            covered,
            resumed: st.resumed,
        })
    }
}

/// Puts a checkpoint's state into a new run's: the merged prefix, and the finished chunks past
/// it as pending (the hand-out skips them).
fn restore(
    job: &dyn ErasedJob,
    st: &mut State,
    snap: &checkpoint::Snapshot,
    limits: &[u64],
    end: Option<u128>,
) -> Result<()> {
    st.acc = snap.acc(job)?;
    st.acc_bytes = job.partial_bytes(&st.acc);
    st.merged_to = snap.merged_to;
    st.next = snap.merged_to;
    st.cum = snap.cum.clone();
    st.processed = snap.processed;
    st.items = snap.items;
    for c in &snap.pending {
        let out = checkpoint::Snapshot::chunk(job, c)?;
        st.pending_bytes = st
            .pending_bytes
            .saturating_add(job.partial_bytes(&out.partial));
        st.skip.insert(c.start, c.end);
        st.pending.insert(
            c.start,
            Done {
                end: c.end,
                out: Ok(out),
                exact: false,
            },
        );
    }
    st.resumed = snap.covered();
    let exhausted = limits.iter().zip(&st.cum).any(|(n, k)| k >= n);
    if end == Some(st.merged_to) || exhausted {
        st.flow = Flow::Complete;
    }
    Ok(())
}

/// How a context starts its workers for [`drive`]: called once with the scheduler; returns when
/// every chunk it handed out is completed.
pub type Dispatch<'a> = &'a (dyn Fn(&Scheduler<'_>) -> Result<()> + Sync);

/// Runs `job` to the end: probes on the calling thread, then either finishes inline (a tiny run,
/// or no `dispatch`) or calls `dispatch`, which must drive the scheduler's workers until
/// [`Scheduler::next_chunk`] gives `None` and every chunk it handed out is completed.
pub fn drive(
    job: &dyn ErasedJob,
    opts: &RunOptions,
    workers: usize,
    config: ScheduleConfig,
    dispatch: Option<Dispatch<'_>>,
) -> Result<RunReport> {
    let first = match tiny_run(job, opts, &config)? {
        FirstChunk::Finished(report) => return Ok(report),
        FirstChunk::Ran(first) => first,
    };
    let sched = Scheduler::new(job, opts, workers, config)?;
    sched.observer.start(job);
    if let Some((end, out, elapsed)) = first {
        sched.adopt(end, out, elapsed);
    }
    let fixed = opts.chunk_size.is_some() || opts.pinned;
    if !fixed {
        sched.probe();
    }
    if !sched.is_stopped() {
        match dispatch {
            Some(d) if fixed || !sched.small_enough_for_inline() => {
                sched.go_parallel();
                d(&sched)?;
            }
            _ => while sched.run_one(WorkerId::CALLER) {},
        }
    }
    sched.finish()
}

/// How much a chunk of the scheduler-free tiny-run path may exceed what was already measured:
/// at most this many times the indices done so far. (The probe's inline chunks grow by
/// [`ScheduleConfig::max_growth`].) A chunk that turns out slow hands the run over at once.
pub const TINY_GROWTH: u128 = 16;

enum FirstChunk {
    /// The whole run is done.
    Finished(RunReport),
    /// The chunks `[0, end)` ran and are merged into one output (or, with `None`, nothing ran
    /// because the run has options that need the scheduler from its start).
    Ran(Option<(u128, ChunkOutput, Duration)>),
}

/// The fast path of tiny runs: with no scheduler at all, run chunks of 1, then at most
/// [`TINY_GROWTH`] times the indices done so far, for as long as the whole run is estimated
/// to take less than the inline threshold. A run with a timeout or progress reporting always
/// takes the scheduler's path. The result budget is checked after every merge.
fn tiny_run(job: &dyn ErasedJob, opts: &RunOptions, config: &ScheduleConfig) -> Result<FirstChunk> {
    let plain = opts.timeout.is_none()
        && !opts.progress_bar
        && opts.progress.is_none()
        && opts.chunk_trace.is_none()
        && opts.chunk_size.is_none()
        && !opts.pinned
        && opts.checkpoint.is_none();
    let limits = job.take_limits();
    let end = match job.extent()? {
        Extent::Finite(end) if plain && end > 0 && !limits.contains(&0) => end,
        _ => return Ok(FirstChunk::Ran(None)),
    };
    let align = job.alignment().max(1);
    let budget = opts.result_budget();
    let t0 = Instant::now();
    let mut run = InOrder::new(job, budget, Some(end));
    loop {
        let len = if run.done == 0 {
            align
        } else {
            run.done.saturating_mul(TINY_GROWTH)
        }
        .min(end - run.done);
        if let Some(report) = run.step(len)? {
            return Ok(FirstChunk::Finished(report));
        }
        let done = run.done;
        let elapsed = t0.elapsed();
        let rest = (end - done) as f64 * elapsed.as_secs_f64() / done as f64;
        if elapsed.as_secs_f64() + rest >= config.inline_threshold.as_secs_f64() {
            let merged = run
                .acc
                .take()
                .expect("a step that does not end the run merges");
            return Ok(FirstChunk::Ran(Some((done, merged, elapsed))));
        }
    }
}

/// Chunks run one after the other on the calling thread, each merged as it comes: the exact
/// `take` budgets are known before each chunk, and the result budget is checked after each
/// merge. The tiny-run path and the plain serial run both go this way.
struct InOrder<'j> {
    job: &'j dyn ErasedJob,
    budget: u64,
    /// The end of the index space (`None` for an endless source under a `take`).
    total: Option<u128>,
    /// Indices run and merged so far.
    done: u128,
    /// Their merged output (`None` before the first chunk).
    acc: Option<ChunkOutput>,
}

impl<'j> InOrder<'j> {
    fn new(job: &'j dyn ErasedJob, budget: u64, total: Option<u128>) -> Self {
        InOrder {
            job,
            budget,
            total,
            done: 0,
            acc: None,
        }
    }

    /// Runs the next `len` indices and merges them. `Some(report)` when the run is over (its
    /// end reached, or a `take` exhausted).
    fn step(&mut self, len: u128) -> Result<Option<RunReport>> {
        let job = self.job;
        let limits = job.take_limits();
        let budgets = match &self.acc {
            None => limits.to_vec(),
            Some(a) => remaining(limits, &a.take_counts),
        };
        let out = job.run_chunk(self.done, self.done + len, &budgets)?;
        self.done += len;
        let merged = match self.acc.take() {
            None => out,
            Some(mut a) => {
                job.merge(&mut a.partial, out.partial)?;
                for (c, k) in a.take_counts.iter_mut().zip(&out.take_counts) {
                    *c += k;
                }
                a.items += out.items;
                a
            }
        };
        let bytes = job.partial_bytes(&merged.partial);
        if bytes > self.budget {
            return Err(Error::ResultTooLarge {
                budget: self.budget,
                bytes,
                processed: self.done,
                total: self.total,
            });
        }
        let exhausted = limits.iter().zip(&merged.take_counts).any(|(n, k)| k >= n);
        if Some(self.done) == self.total || exhausted {
            return Ok(Some(RunReport {
                partial: merged.partial,
                complete: true,
                processed: self.done,
                total: self.total,
                covered: prefix(self.done),
                resumed: 0,
            }));
        }
        self.acc = Some(merged);
        Ok(None)
    }
}

/// Appends `r` to the sorted, coalesced ranges `to` (`r` starts at or after their end); an
/// empty `r` is left out and one that continues the last range extends it.
fn push_range(to: &mut Vec<Range<u128>>, r: Range<u128>) {
    if r.is_empty() {
        return;
    }
    match to.last_mut() {
        Some(last) if last.end >= r.start => last.end = last.end.max(r.end),
        _ => to.push(r),
    }
}

/// The ranges `[0, end)` as [`RunReport::covered`] gives them: none when `end` is 0.
fn prefix(end: u128) -> Vec<Range<u128>> {
    let mut v = Vec::new();
    push_range(&mut v, 0..end);
    v
}

/// What each `take` may still let through, given its limit and what it let through so far.
fn remaining(limits: &[u64], taken: &[u64]) -> Vec<u64> {
    limits.iter().zip(taken).map(|(n, k)| n - k).collect()
}

/// The first chunk of [`run_in_order`], in indices (rounded up to the source's alignment).
const IN_ORDER_FIRST: u128 = 4096;

/// The plain serial run (no timeout, no progress reporting): chunks in index order on the
/// calling thread, with no scheduler. Each chunk is at most [`TINY_GROWTH`] times the indices
/// done so far, and no larger than what the result budget is estimated to leave room for (at
/// the bytes per index measured so far), so a result that outgrows the budget fails with
/// [`Error::ResultTooLarge`] soon after it passes it, instead of exhausting memory. A run whose
/// partial has a fixed size (`count`, `sum`) takes a handful of chunks.
pub(crate) fn run_in_order(job: &dyn ErasedJob, opts: &RunOptions) -> Result<RunReport> {
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
        let done = run.done;
        let mut len = if done == 0 {
            IN_ORDER_FIRST
        } else {
            done.saturating_mul(TINY_GROWTH)
        };
        if let Some(a) = &run.acc {
            let bytes = job.partial_bytes(&a.partial);
            if bytes > 0 {
                let per_index = bytes as f64 / done as f64;
                let room = budget.saturating_sub(bytes) as f64 / per_index;
                let room = if room >= u128::MAX as f64 {
                    u128::MAX
                } else {
                    room as u128
                };
                // Near the budget, chunks shrink no further than a sixteenth of what is done:
                // at most that much past the budget, in a few steps, before it fails.
                len = len.min(room.max(done / TINY_GROWTH));
            }
        }
        let len = len
            .max(1)
            .div_ceil(align)
            .saturating_mul(align)
            .min(end - done);
        if let Some(report) = run.step(len)? {
            return Ok(report);
        }
    }
}
