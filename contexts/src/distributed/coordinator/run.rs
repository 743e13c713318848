//! One run on the driver: the scheduler's chunks handed to the workers, their results merged,
//! and the final result broadcast to every process.

use super::speculate::speculate;
use super::state::DriverState;
use crate::distributed::DistributedOptions;
use crate::distributed::protocol::{Final, RunId, ToWorker, WireChunk, WireError, encode};
use crate::extensions::Pinned;
use haydi_core::context::{RunReport, WorkerId};
use haydi_core::plumbing::Unpoisoned;
use haydi_core::plumbing::{ChunkSpec, Drive, ErasedJob, Request, Scheduler, drive};
use haydi_core::{Error, Result};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where the driver stands when an event arrives.
#[derive(Clone, Copy)]
pub(crate) enum Phase<'a, 'j> {
    /// Between runs: run messages wait in the backlog for the next run.
    Between,
    /// Handing out and merging the chunks of run `me`.
    Dispatching {
        me: &'a RunId,
        job: &'a dyn ErasedJob,
        sched: &'a Scheduler<'j>,
    },
    /// Run `me` is over on the driver: waiting for every worker to reach it before its result
    /// goes out.
    Closing { me: &'a RunId },
}

/// What a run in progress needs while events are handled.
pub(crate) struct RunCtx<'a, 'j> {
    pub phase: Phase<'a, 'j>,
    pub error: Option<Error>,
    kills: HashMap<u64, u32>,
    max_failures: u32,
    pub exhausted: bool,
    /// The slowest chunk completed in this run.
    pub slowest: Duration,
    /// Chunks that were handed to more than one worker, with when the last copy was sent.
    pub speculated: HashMap<u64, Instant>,
    /// `DistributedOptions::straggler_factor` and the target chunk duration.
    pub straggler: (u32, Duration),
    /// `DistributedOptions::hang_factor` and `hang_floor`.
    pub hang: (u32, Duration),
    /// When overdue chunks are looked for next.
    pub next_check: Option<Instant>,
    /// `DistributedOptions::prefetch`: chunks queued per worker thread beyond the running ones.
    pub prefetch: u32,
    /// Index `w` runs on worker rank `w + 1` and nowhere else ([`Pinned`]).
    pub pinned: bool,
}

impl<'a, 'j> RunCtx<'a, 'j> {
    /// The run the driver is at (dispatching or closing it), if any.
    pub fn me(&self) -> Option<&'a RunId> {
        match self.phase {
            Phase::Between => None,
            Phase::Dispatching { me, .. } | Phase::Closing { me } => Some(me),
        }
    }

    /// The job and scheduler of the run being dispatched, if one is.
    pub fn sched(&self) -> Option<(&'a dyn ErasedJob, &'a Scheduler<'j>)> {
        match self.phase {
            Phase::Dispatching { job, sched, .. } => Some((job, sched)),
            _ => None,
        }
    }

    /// The context of event handling between runs.
    pub fn idle() -> Self {
        RunCtx {
            phase: Phase::Between,
            error: None,
            kills: HashMap::new(),
            max_failures: u32::MAX,
            exhausted: false,
            slowest: Duration::ZERO,
            speculated: HashMap::new(),
            straggler: (0, Duration::ZERO),
            hang: (0, Duration::ZERO),
            next_check: None,
            prefetch: 0,
            pinned: false,
        }
    }

    /// A pinned run's chunk whose worker was lost: nobody else may run it.
    fn lost_pinned(&mut self, spec: &ChunkSpec, why: &str) {
        self.fail(Error::Worker(format!(
            "worker rank {} was lost ({why}) while it held index {} of a pinned run (a pool's apply): only that worker may run it",
            spec.start + 1,
            spec.start
        )));
    }

    /// Hands back a chunk that a lost worker held but had not started.
    pub fn requeue(&mut self, spec: ChunkSpec) {
        let Some((_, sched)) = self.sched() else {
            return;
        };
        if self.pinned {
            self.lost_pinned(&spec, "before it started the chunk");
            return;
        }
        tracing::info!(target: "haydi", start = %spec.start, end = %spec.end, "queued chunk requeued");
        sched.requeue(spec);
        self.exhausted = false;
    }

    pub fn fail(&mut self, e: Error) {
        if let Some((_, sched)) = self.sched() {
            sched.fail(e.clone());
        }
        self.error.get_or_insert(e);
    }

    /// A worker that may have been running `spec` was lost: run the chunk elsewhere, or give
    /// up once it was being run by `max_chunk_failures` lost workers.
    pub fn lost_chunk(&mut self, spec: ChunkSpec, rank: u32, reason: &str) {
        let Some((_, sched)) = self.sched() else {
            return;
        };
        if self.pinned {
            self.lost_pinned(&spec, reason);
            return;
        }
        let k = self.kills.entry(spec.id).or_insert(0);
        *k += 1;
        if *k >= self.max_failures {
            let e = Error::Worker(format!(
                "chunk [{}, {}) was being run by {k} workers that were lost (the last, rank {rank}: {reason}); giving up",
                spec.start, spec.end
            ));
            self.fail(e);
        } else {
            tracing::info!(target: "haydi", rank, start = %spec.start, end = %spec.end, "chunk requeued");
            sched.requeue(spec);
            self.exhausted = false;
        }
    }
}

/// The message that hands `spec` to a worker in run `run`.
pub(crate) fn chunk_message(run: u64, spec: &ChunkSpec) -> Result<Arc<Vec<u8>>> {
    encode(&ToWorker::Chunk {
        run,
        chunk: WireChunk::from(spec),
    })
    .map(Arc::new)
}

/// Runs `job` as the driver: the body of `DistributedContext::execute` on rank 0.
pub(crate) fn execute_driver(
    state: &Mutex<DriverState>,
    seq: &AtomicU64,
    opts_d: &DistributedOptions,
    job: &dyn ErasedJob,
    opts: &haydi_core::RunOptions,
) -> Result<RunReport> {
    let mut guard = state.lock_unpoisoned();
    let st: &mut DriverState = &mut guard;
    let sig = job.signature();
    let me = RunId {
        seq: seq.fetch_add(1, Ordering::SeqCst),
        call_site: sig.call_site.to_string(),
        type_name: sig.type_name.to_string(),
        source: job.fingerprint(),
    };
    // What happened since the last run (workers lost or joined) counts for this one.
    st.poll();
    let live = st.live_peers();
    if live < st.live_after_last_run {
        let lost = st.live_after_last_run - live;
        if live == 0 {
            haydi_core::warning!(run = %me, "all {lost} workers were lost since the last run; this run executes on the driver alone");
        } else {
            haydi_core::warning!(run = %me, "{lost} workers were lost since the last run; {live} remain");
        }
    }
    if let Some(e) = &st.stopped {
        // A monitor stopped the job: every run fails, on every process.
        st.pending_error.get_or_insert(e.clone());
    }
    if let Some(e) = st.divergence(&me) {
        st.pending_error.get_or_insert(e);
    }
    st.current = Some(me.seq);
    for p in st.peers.values_mut() {
        p.reset_for_run();
    }
    st.board.run_started(&me);
    let result = run_and_broadcast(st, &me, opts_d, job, opts);
    st.board.run_ended(match &result {
        Ok(rep) if rep.complete => "complete".to_string(),
        Ok(_) => "partial".to_string(),
        Err(e) => format!("failed: {e}"),
    });
    st.current = None;
    st.live_after_last_run = st.live_peers();
    result
}

fn run_and_broadcast(
    st: &mut DriverState,
    me: &RunId,
    opts_d: &DistributedOptions,
    job: &dyn ErasedJob,
    opts: &haydi_core::RunOptions,
) -> Result<RunReport> {
    // Items merged, for the final progress report of the workers.
    let items = Arc::new(AtomicU64::new(0));
    let mut run_opts = opts.clone();
    {
        let items = items.clone();
        let user = opts.progress.clone();
        let board = st.board.clone();
        run_opts.progress = Some(Arc::new(move |p: &haydi_core::context::Progress| {
            items.store(p.items, Ordering::Relaxed);
            board.progress(p.processed, p.total, p.items);
            if let Some(u) = &user {
                u(p);
            }
        }));
    }
    let remote: usize = st
        .peers
        .values()
        .filter(|p| p.alive)
        .map(|p| p.threads as usize)
        .sum();
    let workers = (remote + opts_d.driver_threads()).max(1);
    // Every live worker must announce this run by then, or it is treated as lost.
    let announce_by = Instant::now().checked_add(opts_d.announce_timeout);
    let mut result = match st.pending_error.take() {
        Some(e) => Err(e),
        None => dispatch(st, me, opts_d, job, &run_opts, workers, announce_by),
    };
    // Every live worker must reach this run before it gets the result.
    let mut run = RunCtx {
        phase: Phase::Closing { me },
        prefetch: opts_d.prefetch(),
        ..RunCtx::idle()
    };
    loop {
        st.expire_unannounced(me, announce_by);
        if !st.waiting_for(me) {
            break;
        }
        if let Some(ev) = st.recv(Duration::from_millis(50)) {
            st.handle(ev, &mut run);
        }
    }
    if let Some(e) = run.error {
        if result.is_ok() {
            result = Err(e);
        }
    }
    let items = items.load(Ordering::Relaxed);
    let outcome: std::result::Result<Final, WireError> = match &result {
        Ok(rep) => match rep.as_ref().try_map(|p| job.encode_partial(p)) {
            Ok(report) => Ok(Final { report, items }),
            Err(e) => {
                let w = WireError::from(&e);
                result = Err(e);
                Err(w)
            }
        },
        Err(e) => Err(WireError::from(e)),
    };
    let mut bytes = encode(&ToWorker::Result {
        run: me.seq,
        outcome,
    })?;
    if bytes.len() > opts_d.max_message && st.live_peers() > 0 {
        // The workers would refuse it (and be lost): every process gets the same clear error.
        let e = Error::Worker(format!(
            "the result of {me} is {} bytes, more than the workers accept \
             (DistributedOptions::max_message = {} bytes); raise it, or reduce the result",
            bytes.len(),
            opts_d.max_message
        ));
        bytes = encode(&ToWorker::Result {
            run: me.seq,
            outcome: Err(WireError::from(&e)),
        })?;
        result = Err(e);
    }
    let bytes = Arc::new(bytes);
    // Only the workers at this run get its result; a late one catching up on earlier runs
    // gets it when it reaches it (from the history).
    for p in st
        .peers
        .values()
        .filter(|p| p.alive && p.at == Some(me.seq))
    {
        p.send(bytes.clone());
    }
    st.history.record(me, bytes);
    st.flush(Duration::from_secs(2));
    result
}

/// The driver's part of run `me`: it starts on the calling thread ([`drive`]: a tiny run ends
/// there); the rest is pulled from the scheduler by the driver's own threads and handed to the
/// workers by the dispatch loop. The first error of the loop (a protocol error, a lost pinned
/// worker) is the run's.
fn dispatch(
    st: &mut DriverState,
    me: &RunId,
    opts_d: &DistributedOptions,
    job: &dyn ErasedJob,
    run_opts: &haydi_core::RunOptions,
    workers: usize,
    announce_by: Option<Instant>,
) -> Result<RunReport> {
    let sched = match drive(job, run_opts, workers, opts_d.schedule.clone())? {
        Drive::Finished(report) => return Ok(report),
        Drive::Dispatch(sched) => sched,
    };
    let pinned = run_opts.extension_of::<Pinned>().is_some();
    let mut run = RunCtx {
        phase: Phase::Dispatching {
            me,
            job,
            sched: &sched,
        },
        max_failures: opts_d.max_chunk_failures.max(1),
        straggler: (opts_d.straggler_factor, opts_d.schedule.target_chunk),
        hang: opts_d.hang(),
        prefetch: opts_d.prefetch(),
        pinned,
        ..RunCtx::idle()
    };
    // A local thread that runs out of chunks may have ended the run: it wakes the loop, which
    // otherwise waits for the workers' events.
    let (wake_tx, wake_rx) = crossbeam_channel::bounded::<()>(1);
    std::thread::scope(|s| {
        // Thread 0 is this (calling) thread; the driver's worker threads are 1, 2, ...
        // A pinned run's chunks belong to the worker processes: the driver runs none.
        let local = if pinned { 0 } else { opts_d.driver_threads() };
        for t in 0..local {
            let (sched, wake) = (&sched, wake_tx.clone());
            s.spawn(move || {
                sched.worker_loop(t + 1);
                let _ = wake.try_send(());
            });
        }
        dispatch_loop(st, &mut run, &sched, announce_by, &wake_rx);
    });
    let error = run.error.take();
    drop(run);
    let report = sched.finish();
    match error {
        Some(e) => Err(e),
        None => report,
    }
}

/// The longest the dispatch loop sleeps with nothing to wake it (a bound, not a poll: events,
/// local threads and deadlines wake it).
const IDLE_WAIT: Duration = Duration::from_millis(250);

fn dispatch_loop(
    st: &mut DriverState,
    run: &mut RunCtx<'_, '_>,
    sched: &Scheduler<'_>,
    announce_by: Option<Instant>,
    wake: &crossbeam_channel::Receiver<()>,
) {
    let Some(me) = run.me() else { return };
    let events = st.events.clone();
    // The live peers, counted again only when one joined or was lost (a walk over all).
    let mut membership_seen = st.membership;
    let mut live = st.live_peers();
    loop {
        st.expire_unannounced(me, announce_by);
        if run.pinned {
            if !dispatch_pinned(st, run, sched) {
                break;
            }
        } else if !sched.is_stopped() {
            speculate(st, run);
        }
        // Hand out chunks to the workers with free slots (the ready queue: O(1) a chunk).
        if !run.pinned && !sched.is_stopped() && !run.exhausted {
            hand_out(st, run, sched, me.seq);
        }
        if sched.is_stopped() {
            break;
        }
        if run.exhausted
            && sched.outstanding() == 0
            && st.peers.values().all(|p| p.in_flight.is_empty())
        {
            break;
        }
        if st.membership != membership_seen {
            membership_seen = st.membership;
            live = st.live_peers();
        }
        if live == 0 && !run.pinned {
            // Nobody left to help: the driver runs the rest itself (on its calling thread).
            sched.worker_loop(WorkerId::CALLER);
            run.exhausted = true;
            continue;
        }
        // Events that are waiting (and those kept from between runs) first; then sleep until
        // the next event, a local thread's end, or the next deadline.
        let mut handled = false;
        while let Some(ev) = st.try_recv() {
            st.handle(ev, run);
            handled = true;
        }
        if handled {
            continue;
        }
        let wait = next_deadline(st, run, sched, me, announce_by)
            .map_or(IDLE_WAIT, |d| d.saturating_duration_since(Instant::now()))
            .min(IDLE_WAIT);
        crossbeam_channel::select! {
            recv(events) -> ev => match ev {
                Ok(ev) => st.handle(ev, run),
                // No transport is left to report anything: only the clock and the local
                // threads move the run now.
                Err(_) => {
                    let _ = wake.recv_timeout(wait);
                }
            },
            recv(wake) -> _ => {}
            default(wait) => {}
        }
    }
}

/// When the dispatch loop must look again without an event: a worker's announcement deadline
/// (while one is awaited), the next straggler check (while chunks are out), the run's own
/// deadline.
fn next_deadline(
    st: &DriverState,
    run: &RunCtx<'_, '_>,
    sched: &Scheduler<'_>,
    me: &RunId,
    announce_by: Option<Instant>,
) -> Option<Instant> {
    let announce = announce_by.filter(|_| st.waiting_for(me));
    let stragglers = run
        .next_check
        .filter(|_| run.straggler.0 > 0 && st.peers.values().any(|p| !p.in_flight.is_empty()));
    [announce, stragglers, sched.deadline()]
        .into_iter()
        .flatten()
        .min()
}

/// Gives chunks to the ready peers until none has a free slot or the scheduler has no chunk
/// to give now (`run.exhausted`; the peer that was being served goes back to the front).
fn hand_out(st: &mut DriverState, run: &mut RunCtx<'_, '_>, sched: &Scheduler<'_>, seq: u64) {
    while let Some(rank) = st.ready.pop_front() {
        let Some(p) = st.peers.get_mut(&rank) else {
            continue;
        };
        if !p.alive || p.at != Some(seq) {
            continue;
        }
        while p.credits > 0 {
            let Some(spec) = sched.next_chunk(Request::any()) else {
                run.exhausted = true;
                st.ready.push_front(rank);
                return;
            };
            let sent = chunk_message(seq, &spec).map(|b| p.send(b));
            if sent != Ok(true) {
                haydi_core::warning!(rank, "cannot send to worker");
                sched.requeue(spec);
                p.credits = 0;
                break;
            }
            p.credits -= 1;
            p.hold(spec, Instant::now());
        }
    }
}

/// One hand-out round of a pinned run: index `w` to worker rank `w + 1`, once it reached the
/// run and has a free slot. Fails the run (and returns `false`) when a rank that must run an
/// index is not connected.
fn dispatch_pinned(st: &mut DriverState, run: &mut RunCtx<'_, '_>, sched: &Scheduler<'_>) -> bool {
    let Some(me) = run.me() else { return false };
    if sched.is_stopped() {
        return false;
    }
    let end = match sched.job().extent() {
        Ok(haydi_core::pipeline::Extent::Finite(n)) => n,
        _ => 0,
    };
    for slot in 0..end {
        let rank = (slot + 1) as u32;
        match st.peers.get_mut(&rank) {
            Some(p) if p.alive => {
                if p.at != Some(me.seq) || p.credits == 0 {
                    continue;
                }
                let Some(spec) = sched.next_chunk(Request::slot(slot)) else {
                    continue;
                };
                if chunk_message(me.seq, &spec).map(|b| p.send(b)) != Ok(true) {
                    run.fail(Error::Worker(format!(
                        "cannot send index {slot} of a pinned run to worker rank {rank}"
                    )));
                    return false;
                }
                p.credits -= 1;
                p.hold(spec, Instant::now());
            }
            _ => {
                run.fail(Error::Worker(format!(
                    "a pinned run (a pool's apply) needs worker rank {rank} for index {slot}, and it is not connected"
                )));
                return false;
            }
        }
    }
    true
}
