//! The driver's side (rank 0): accepts and authenticates workers, hands out chunks from the
//! [`Scheduler`], merges their partials, re-runs the chunks of lost workers, and broadcasts the
//! final result of every run.

use super::auth::{self, Secret};
use super::frame::{read_frame, write_frame, HANDSHAKE_MAX_FRAME};
use super::protocol::{decode, encode, ChunkResult, Final, RunId, ToDriver, ToWorker, WireError};
use super::{DistributedOptions, ResolvedOpts};
use haydi_core::context::RunReport;
use haydi_core::plumbing::{ChunkOutput, ChunkSpec, ErasedJob, Scheduler};
use haydi_core::{Error, Result};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

/// What the connection tasks tell the driver.
#[derive(Debug)]
pub(crate) enum Event {
    Joined {
        rank: u32,
        threads: u32,
        host: String,
        pid: u32,
        tx: UnboundedSender<Arc<Vec<u8>>>,
        unsent: Arc<AtomicUsize>,
    },
    Msg(u32, ToDriver),
    Lost(u32, String),
    Rejected(String),
}

/// State the connection tasks share.
pub(crate) struct Shared {
    pub secret: Secret,
    pub exe_hash: [u8; 32],
    pub job: String,
    pub size: u32,
    pub opts: DistributedOptions,
    pub events: mpsc::Sender<Event>,
    pub ranks: Mutex<HashSet<u32>>,
}

impl Peer {
    fn send(&self, bytes: Arc<Vec<u8>>) -> bool {
        self.unsent.fetch_add(1, Ordering::SeqCst);
        let ok = self.tx.send(bytes).is_ok();
        if !ok {
            self.unsent.fetch_sub(1, Ordering::SeqCst);
        }
        ok
    }
}

pub(crate) struct Peer {
    pub threads: u32,
    pub host: String,
    pub pid: u32,
    tx: UnboundedSender<Arc<Vec<u8>>>,
    /// Messages queued for this peer and not yet written to its socket.
    unsent: Arc<AtomicUsize>,
    alive: bool,
    /// The run sequence number this peer announced (this run only).
    at: Option<u64>,
    credits: u32,
    /// Chunks this peer holds (running or queued behind its threads), by chunk id.
    in_flight: HashMap<u64, Held>,
    /// Chunks sent to this peer so far (the order of the next one).
    sent: u64,
}

/// A chunk handed to a peer. A worker queues the chunks it receives and its threads take them
/// in the order they were sent, so the `threads` oldest chunks a peer holds are the ones that
/// may be running and the others are surely still queued (prefetched).
struct Held {
    spec: ChunkSpec,
    /// Position in the order the peer's chunks were sent.
    order: u64,
    /// Whether it may be running (among the `threads` oldest held).
    started: bool,
    /// When it was sent, or, for a chunk that was queued first, when it may have started.
    since: Instant,
}

impl Peer {
    /// Records `spec` as sent to this peer now.
    fn hold(&mut self, spec: ChunkSpec, now: Instant) {
        let order = self.sent;
        self.sent += 1;
        self.in_flight.insert(
            spec.id,
            Held {
                spec,
                order,
                started: false,
                since: now,
            },
        );
        self.promote(now);
    }

    /// Forgets chunk `id` (completed, or completed elsewhere); the next queued chunk may start.
    fn release(&mut self, id: u64, now: Instant) -> Option<ChunkSpec> {
        let h = self.in_flight.remove(&id)?;
        self.promote(now);
        Some(h.spec)
    }

    /// Marks the `threads` oldest chunks held as possibly running from `now` on.
    fn promote(&mut self, now: Instant) {
        let mut held: Vec<&mut Held> = self.in_flight.values_mut().collect();
        held.sort_unstable_by_key(|h| h.order);
        for h in held.into_iter().take(self.threads as usize) {
            if !h.started {
                h.started = true;
                h.since = now;
            }
        }
    }
}

/// The driver's view of its workers; lives behind a mutex held for a whole run.
pub(crate) struct DriverState {
    pub events: mpsc::Receiver<Event>,
    pub peers: BTreeMap<u32, Peer>,
    /// An error to report at the next run (a refused worker).
    pub pending_error: Option<Error>,
    /// Run messages that arrived between runs, for the next run.
    pub backlog: std::collections::VecDeque<Event>,
}

impl DriverState {
    pub fn live_peers(&self) -> usize {
        self.peers.values().filter(|p| p.alive).count()
    }

    /// Handles events until `n` workers have joined or `timeout` passes.
    pub fn wait_joined(
        &mut self,
        n: usize,
        timeout: Duration,
        mut check: impl FnMut() -> Result<()>,
    ) -> Result<()> {
        let deadline = Instant::now() + timeout;
        while self.peers.len() < n {
            if let Some(e) = self.pending_error.take() {
                return Err(e);
            }
            check()?;
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::Worker(format!(
                    "only {} of {n} workers connected within {timeout:?}",
                    self.peers.len()
                )));
            }
            if let Ok(ev) = self
                .events
                .recv_timeout((deadline - now).min(Duration::from_millis(50)))
            {
                let mut run = RunCtx::idle();
                self.handle(ev, &mut run);
            }
        }
        Ok(())
    }

    fn recv(&mut self, timeout: Duration) -> Option<Event> {
        if let Some(ev) = self.backlog.pop_front() {
            return Some(ev);
        }
        self.events.recv_timeout(timeout).ok()
    }

    fn try_recv(&mut self) -> Option<Event> {
        self.backlog
            .pop_front()
            .or_else(|| self.events.try_recv().ok())
    }

    /// Sends `ToWorker::Shutdown` to every live worker.
    pub fn shutdown(&mut self) {
        if let Ok(bytes) = encode(&ToWorker::Shutdown) {
            let bytes = Arc::new(bytes);
            for p in self.peers.values().filter(|p| p.alive) {
                p.send(bytes.clone());
            }
        }
        self.flush(Duration::from_secs(2));
    }

    /// Waits (at most `timeout`) until every live worker's queued messages are written, so that
    /// a driver whose program ends right after a run does not take the result with it.
    pub fn flush(&self, timeout: Duration) {
        let until = Instant::now() + timeout;
        while Instant::now() < until
            && self
                .peers
                .values()
                .any(|p| p.alive && !p.tx.is_closed() && p.unsent.load(Ordering::SeqCst) > 0)
        {
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// Treats the live workers that have not announced run `me` by `by` as lost: they are told
    /// to exit (they may be stuck in a closure of an earlier run, or in code of their own).
    fn expire_unannounced(&mut self, me: &RunId, by: Option<Instant>) {
        if by.is_none_or(|by| Instant::now() < by) {
            return;
        }
        let bye = encode(&ToWorker::Shutdown).ok().map(Arc::new);
        for (rank, p) in self.peers.iter_mut() {
            if !p.alive || p.at.is_some() {
                continue;
            }
            p.alive = false;
            p.credits = 0;
            tracing::warn!(
                target: "haydi", rank, host = %p.host, pid = p.pid,
                "worker did not reach {me} in time (announce_timeout); treating it as lost and telling it to exit"
            );
            if let Some(b) = &bye {
                p.send(b.clone());
            }
        }
    }

    fn handle(&mut self, ev: Event, run: &mut RunCtx<'_, '_>) {
        if run.me.is_none() {
            if let Event::Msg(_, ToDriver::Announce(_) | ToDriver::Done { .. }) = ev {
                // A worker already at the next run: keep its messages for that run.
                self.backlog.push_back(ev);
                return;
            }
        }
        match ev {
            Event::Joined {
                rank,
                threads,
                host,
                pid,
                tx,
                unsent,
            } => {
                tracing::info!(target: "haydi", rank, threads, %host, pid, "worker joined");
                self.peers.insert(
                    rank,
                    Peer {
                        threads,
                        host,
                        pid,
                        tx,
                        unsent,
                        alive: true,
                        at: None,
                        credits: 0,
                        in_flight: HashMap::new(),
                        sent: 0,
                    },
                );
            }
            Event::Rejected(msg) => {
                tracing::error!(target: "haydi", "{msg}");
                run.fail(Error::Protocol(msg.clone()));
                self.pending_error.get_or_insert(Error::Protocol(msg));
            }
            Event::Lost(rank, reason) => {
                let Some(p) = self.peers.get_mut(&rank) else {
                    return;
                };
                if !p.alive {
                    return;
                }
                p.alive = false;
                tracing::warn!(target: "haydi", rank, host = %p.host, pid = p.pid, %reason, "worker lost");
                let mut held: Vec<Held> = p.in_flight.drain().map(|(_, h)| h).collect();
                held.sort_unstable_by_key(|h| h.order);
                for h in held {
                    // A chunk with a copy still running elsewhere is not requeued.
                    let elsewhere = run.speculated.contains_key(&h.spec.id)
                        && self
                            .peers
                            .values()
                            .any(|q| q.alive && q.in_flight.contains_key(&h.spec.id));
                    if elsewhere {
                        continue;
                    }
                    if h.started {
                        run.lost_chunk(h.spec, rank, &reason);
                    } else {
                        // Still queued on the lost worker: it cannot have caused the loss.
                        run.requeue(h.spec);
                    }
                }
            }
            Event::Msg(rank, msg) => self.message(rank, msg, run),
        }
    }

    fn message(&mut self, rank: u32, msg: ToDriver, run: &mut RunCtx<'_, '_>) {
        let Some(p) = self.peers.get_mut(&rank) else {
            return;
        };
        if !p.alive {
            return;
        }
        match msg {
            ToDriver::Announce(id) => {
                p.at = Some(id.seq);
                if let Some(me) = run.me {
                    if id != *me {
                        let e = Error::Protocol(format!(
                            "rank {rank} diverged from the driver: it reached {id}, the driver is at {me}. \
                             Every process must make the same run(true) calls in the same order"
                        ));
                        tracing::error!(target: "haydi", rank, "{e}");
                        run.fail(e);
                    } else {
                        p.credits = p.threads.saturating_mul(run.prefetch.saturating_add(1));
                    }
                }
            }
            ToDriver::Done {
                run: seq,
                chunk,
                result,
                nanos,
            } => {
                if run.me.map(|m| m.seq) != Some(seq) || p.at != Some(seq) {
                    return;
                }
                p.credits += 1;
                let now = Instant::now();
                let Some(spec) = p.release(chunk, now) else {
                    // A copy of a chunk that another worker completed first.
                    return;
                };
                if run.speculated.contains_key(&chunk) {
                    // The first result wins: the other copies are forgotten (their results
                    // will be ignored above).
                    for q in self.peers.values_mut() {
                        q.release(chunk, now);
                    }
                }
                if result.is_ok() {
                    run.slowest = run.slowest.max(Duration::from_nanos(nanos));
                }
                if let Some((job, sched)) = run.sched {
                    let out = match result {
                        Ok(ChunkResult {
                            partial,
                            take_counts,
                            items,
                        }) => job.decode_partial(&partial).map(|partial| ChunkOutput {
                            partial,
                            take_counts,
                            items,
                        }),
                        Err(w) => Err(Error::from(w)),
                    };
                    sched.complete(&spec, out, Duration::from_nanos(nanos), rank as usize);
                }
            }
            ToDriver::Join(_) | ToDriver::Heartbeat => {}
        }
    }
}

/// What a run in progress needs while events are handled.
struct RunCtx<'a, 'j> {
    me: Option<&'a RunId>,
    sched: Option<(&'a dyn ErasedJob, &'a Scheduler<'j>)>,
    error: Option<Error>,
    kills: HashMap<u64, u32>,
    max_failures: u32,
    exhausted: bool,
    /// The slowest chunk completed in this run.
    slowest: Duration,
    /// Chunks that were handed to more than one worker, with when the last copy was sent.
    speculated: HashMap<u64, Instant>,
    /// `DistributedOptions::straggler_factor` and the target chunk duration.
    straggler: (u32, Duration),
    /// When overdue chunks are looked for next.
    next_check: Option<Instant>,
    /// `DistributedOptions::prefetch`: chunks queued per worker thread beyond the running ones.
    prefetch: u32,
}

impl RunCtx<'_, '_> {
    fn idle() -> Self {
        RunCtx {
            me: None,
            sched: None,
            error: None,
            kills: HashMap::new(),
            max_failures: u32::MAX,
            exhausted: false,
            slowest: Duration::ZERO,
            speculated: HashMap::new(),
            straggler: (0, Duration::ZERO),
            next_check: None,
            prefetch: 0,
        }
    }

    /// Hands back a chunk that a lost worker held but had not started.
    fn requeue(&mut self, spec: ChunkSpec) {
        let Some((_, sched)) = self.sched else {
            return;
        };
        tracing::info!(target: "haydi", start = %spec.start, end = %spec.end, "queued chunk requeued");
        sched.requeue(spec);
        self.exhausted = false;
    }

    fn fail(&mut self, e: Error) {
        if let Some((_, sched)) = self.sched {
            sched.fail(e.clone());
        }
        self.error.get_or_insert(e);
    }

    fn lost_chunk(&mut self, spec: ChunkSpec, rank: u32, reason: &str) {
        let Some((_, sched)) = self.sched else {
            return;
        };
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

/// Runs `job` as the driver: the body of `DistributedContext::execute` on rank 0.
pub(crate) fn execute_driver(
    state: &Mutex<DriverState>,
    seq: &AtomicU64,
    opts_d: &ResolvedOpts<'_>,
    job: &dyn ErasedJob,
    opts: &haydi_core::RunOptions,
) -> Result<RunReport> {
    let mut guard = state.lock().unwrap_or_else(|e| e.into_inner());
    let st: &mut DriverState = &mut guard;
    let sig = job.signature();
    let me = RunId {
        seq: seq.fetch_add(1, Ordering::SeqCst),
        call_site: sig.call_site.to_string(),
        type_name: sig.type_name.to_string(),
    };
    for p in st.peers.values_mut() {
        p.at = None;
        p.credits = 0;
        p.in_flight.clear();
    }
    // Items merged, for the final progress report of the workers.
    let items = Arc::new(AtomicU64::new(0));
    let mut run_opts = opts.clone();
    {
        let items = items.clone();
        let user = opts.progress.clone();
        run_opts.progress = Some(Arc::new(move |p: &haydi_core::context::Progress| {
            items.store(p.items, Ordering::Relaxed);
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
    let announce_by = Instant::now().checked_add(opts_d.announce_timeout());
    let cell = Mutex::new((&mut *st, None::<Error>));
    let dispatch = |sched: &Scheduler<'_>| -> Result<()> {
        let mut g = cell.lock().unwrap_or_else(|e| e.into_inner());
        let (st, err) = &mut *g;
        let mut run = RunCtx {
            me: Some(&me),
            sched: Some((job, sched)),
            error: None,
            kills: HashMap::new(),
            max_failures: opts_d.max_chunk_failures().max(1),
            exhausted: false,
            slowest: Duration::ZERO,
            speculated: HashMap::new(),
            straggler: (opts_d.straggler_factor(), opts_d.schedule().target_chunk),
            next_check: None,
            prefetch: opts_d.prefetch(),
        };
        std::thread::scope(|s| {
            for _ in 0..opts_d.driver_threads() {
                s.spawn(|| sched.worker_loop(0));
            }
            dispatch_loop(st, &mut run, sched, announce_by);
        });
        *err = run.error;
        Ok(())
    };
    let mut result = if let Some(e) = st_pending(&cell) {
        Err(e)
    } else {
        haydi_core::plumbing::drive(job, &run_opts, workers, opts_d.schedule(), Some(&dispatch))
    };
    let (st, err) = cell.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(e) = err {
        result = Err(e);
    }
    // Every live worker must reach this run before it gets the result.
    let mut run = RunCtx::idle();
    run.me = Some(&me);
    loop {
        st.expire_unannounced(&me, announce_by);
        let waiting = st.peers.values().any(|p| p.alive && p.at.is_none());
        if !waiting {
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
    let outcome: std::result::Result<Final, WireError> = match &result {
        Ok(rep) => match job.encode_partial(&rep.partial) {
            Ok(partial) => Ok(Final {
                partial,
                complete: rep.complete,
                processed: rep.processed,
                total: rep.total,
                items: items.load(Ordering::Relaxed),
            }),
            Err(e) => {
                let w = WireError::from(&e);
                result = Err(e);
                Err(w)
            }
        },
        Err(e) => Err(WireError::from(e)),
    };
    let mut cache: HashMap<u64, Arc<Vec<u8>>> = HashMap::new();
    for p in st.peers.values().filter(|p| p.alive) {
        let Some(at) = p.at else { continue };
        let bytes = match cache.get(&at) {
            Some(b) => b.clone(),
            None => {
                let msg = ToWorker::Result {
                    run: at,
                    outcome: outcome.clone(),
                };
                let b = Arc::new(encode(&msg)?);
                cache.insert(at, b.clone());
                b
            }
        };
        p.send(bytes);
    }
    st.flush(Duration::from_secs(2));
    result
}

fn st_pending(cell: &Mutex<(&mut DriverState, Option<Error>)>) -> Option<Error> {
    cell.lock()
        .unwrap_or_else(|e| e.into_inner())
        .0
        .pending_error
        .take()
}

fn dispatch_loop(
    st: &mut DriverState,
    run: &mut RunCtx<'_, '_>,
    sched: &Scheduler<'_>,
    announce_by: Option<Instant>,
) {
    let seq = run.me.map(|m| m.seq);
    loop {
        if let Some(me) = run.me {
            st.expire_unannounced(me, announce_by);
        }
        if !sched.is_stopped() {
            speculate(st, run);
        }
        // Hand out chunks to every worker that asked for some.
        if !sched.is_stopped() && !run.exhausted {
            'peers: for (rank, p) in st.peers.iter_mut() {
                if !p.alive || p.at != seq {
                    continue;
                }
                while p.credits > 0 {
                    let Some(spec) = sched.next_chunk() else {
                        run.exhausted = true;
                        break 'peers;
                    };
                    let msg = ToWorker::Chunk {
                        run: seq.unwrap_or(0),
                        id: spec.id,
                        start: spec.start,
                        end: spec.end,
                        budgets: spec.budgets.clone(),
                    };
                    let sent = encode(&msg).map(|b| p.send(Arc::new(b)));
                    if sent != Ok(true) {
                        tracing::warn!(target: "haydi", rank, "cannot send to worker");
                        sched.requeue(spec);
                        p.credits = 0;
                        break;
                    }
                    p.credits -= 1;
                    p.hold(spec, Instant::now());
                }
            }
        }
        if sched.is_stopped() {
            break;
        }
        let in_flight: usize = st.peers.values().map(|p| p.in_flight.len()).sum();
        if run.exhausted && in_flight == 0 && sched.outstanding() == 0 {
            break;
        }
        if st.live_peers() == 0 {
            // Nobody left to help: the driver runs the rest itself.
            sched.worker_loop(0);
            run.exhausted = true;
            continue;
        }
        if let Some(ev) = st.recv(Duration::from_millis(20)) {
            st.handle(ev, run);
        }
        while let Some(ev) = st.try_recv() {
            st.handle(ev, run);
        }
    }
}

/// Hands a copy of every overdue chunk (see `DistributedOptions::straggler_factor`) to a worker
/// that has room and does not run it yet.
fn speculate(st: &mut DriverState, run: &mut RunCtx<'_, '_>) {
    let (factor, target) = run.straggler;
    let Some(me) = run.me else { return };
    if factor == 0 {
        return;
    }
    let now = Instant::now();
    if run.next_check.is_some_and(|t| now < t) {
        return;
    }
    let limit = target
        .max(run.slowest)
        .checked_mul(factor)
        .unwrap_or(Duration::MAX);
    run.next_check =
        Some(now + (limit / 4).clamp(Duration::from_millis(5), Duration::from_millis(100)));
    // Chunk id -> (spec, ranks running it, when the last copy was sent).
    let mut copies: BTreeMap<u64, (ChunkSpec, Vec<u32>, Instant)> = BTreeMap::new();
    for (rank, p) in &st.peers {
        if !p.alive {
            continue;
        }
        let overdue = |h: &Held| now.duration_since(h.since) >= limit;
        // Chunks queued behind threads that are all overdue will not start either.
        let stuck = p
            .in_flight
            .values()
            .filter(|h| h.started && overdue(h))
            .count()
            >= p.threads as usize;
        for (id, h) in &p.in_flight {
            if !(if h.started { overdue(h) } else { stuck }) {
                continue;
            }
            let e = copies
                .entry(*id)
                .or_insert_with(|| (h.spec.clone(), Vec::new(), h.since));
            e.1.push(*rank);
            e.2 = e.2.max(h.since);
        }
    }
    for (id, (spec, holders, _)) in copies {
        // Every copy must be overdue (a fresh copy is not counted above).
        let running = st
            .peers
            .values()
            .filter(|p| p.alive && p.in_flight.contains_key(&id))
            .count();
        if running != holders.len() || running >= 3 {
            continue;
        }
        // The worker with room that holds the fewest chunks (an idle one if any).
        let Some((&rank, p)) = st
            .peers
            .iter_mut()
            .filter(|(r, p)| {
                p.alive && p.at == Some(me.seq) && p.credits > 0 && !holders.contains(r)
            })
            .min_by_key(|(_, p)| p.in_flight.len())
        else {
            break;
        };
        let msg = ToWorker::Chunk {
            run: me.seq,
            id: spec.id,
            start: spec.start,
            end: spec.end,
            budgets: spec.budgets.clone(),
        };
        if encode(&msg).map(|b| p.send(Arc::new(b))) != Ok(true) {
            continue;
        }
        tracing::warn!(
            target: "haydi", start = %spec.start, end = %spec.end, ?holders, copy_on = rank,
            "chunk outstanding for more than {limit:?} (straggler_factor x max(target chunk, slowest chunk)); running a copy elsewhere, the first result wins"
        );
        p.credits -= 1;
        p.hold(spec, now);
        run.speculated.insert(id, now);
    }
}

/// Accepts connections forever.
pub(crate) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        match listener.accept().await {
            Ok((sock, addr)) => {
                let shared = shared.clone();
                tokio::spawn(async move {
                    if let Err(e) = serve_peer(sock, &shared).await {
                        tracing::warn!(target: "haydi", peer = %addr, error = %e, "dropped a connection");
                    }
                });
            }
            Err(e) => {
                tracing::warn!(target: "haydi", error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

async fn refuse(sock: &mut TcpStream, why: String) -> String {
    if let Ok(b) = encode(&ToWorker::Refused(why.clone())) {
        let _ = write_frame(sock, &b, HANDSHAKE_MAX_FRAME).await;
    }
    why
}

async fn serve_peer(mut sock: TcpStream, shared: &Shared) -> std::result::Result<(), String> {
    let _ = sock.set_nodelay(true);
    let hs = async {
        auth::accept(&mut sock, &shared.secret)
            .await
            .map_err(|e| format!("authentication failed: {e}"))?;
        let f = read_frame(&mut sock, HANDSHAKE_MAX_FRAME)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("closed before joining")?;
        match decode::<ToDriver>(&f).map_err(|e| e.to_string())? {
            ToDriver::Join(j) => Ok(j),
            _ => Err("expected a join message".to_string()),
        }
    };
    let join = tokio::time::timeout(shared.opts.handshake_timeout, hs)
        .await
        .map_err(|_| "handshake timed out".to_string())??;
    if join.exe_hash != shared.exe_hash {
        let why = format!(
            "worker rank {} on {} (pid {}) runs a different executable than the driver",
            join.rank, join.host, join.pid
        );
        let _ = shared.events.send(Event::Rejected(why.clone()));
        return Err(refuse(&mut sock, why).await);
    }
    if join.job != shared.job {
        // Not an error of this job (another job found our rendezvous file or address): refuse
        // it and keep waiting for our own workers.
        let why = format!(
            "worker rank {} on {} (pid {}) belongs to another job: its job is {}, this driver's is {}",
            join.rank, join.host, join.pid, join.job, shared.job
        );
        return Err(refuse(&mut sock, why).await);
    }
    let fresh = {
        let mut r = shared.ranks.lock().unwrap_or_else(|e| e.into_inner());
        join.rank >= 1 && join.rank < shared.size && r.insert(join.rank)
    };
    if !fresh {
        let why = format!("rank {} is not expected or already taken", join.rank);
        return Err(refuse(&mut sock, why).await);
    }
    let welcome = encode(&ToWorker::Welcome { size: shared.size }).map_err(|e| e.to_string())?;
    write_frame(&mut sock, &welcome, HANDSHAKE_MAX_FRAME)
        .await
        .map_err(|e| e.to_string())?;
    let rank = join.rank;
    let (mut rd, mut wr) = sock.into_split();
    let (tx, mut rx) = unbounded_channel::<Arc<Vec<u8>>>();
    let unsent = Arc::new(AtomicUsize::new(0));
    let unsent_w = unsent.clone();
    let interval = shared.opts.heartbeat_interval;
    let max = shared.opts.max_frame;
    let writer = tokio::spawn(async move {
        let hb = encode(&ToWorker::Heartbeat).unwrap_or_default();
        let mut tick = tokio::time::interval(interval);
        loop {
            tokio::select! {
                m = rx.recv() => match m {
                    Some(b) => {
                        let r = write_frame(&mut wr, &b, max).await;
                        unsent_w.fetch_sub(1, Ordering::SeqCst);
                        if r.is_err() { break }
                    }
                    None => break,
                },
                _ = tick.tick() => if write_frame(&mut wr, &hb, max).await.is_err() { break },
            }
        }
        rx.close();
        unsent_w.store(0, Ordering::SeqCst);
    });
    let _ = shared.events.send(Event::Joined {
        rank,
        threads: join.threads.max(1),
        host: join.host,
        pid: join.pid,
        tx,
        unsent,
    });
    let deadline = shared.opts.heartbeat_timeout;
    let reason = loop {
        match tokio::time::timeout(deadline, read_frame(&mut rd, max)).await {
            Err(_) => break format!("no message for {deadline:?} (heartbeat deadline)"),
            Ok(Err(e)) => break format!("connection error: {e}"),
            Ok(Ok(None)) => break "connection closed".to_string(),
            Ok(Ok(Some(f))) => match decode::<ToDriver>(&f) {
                Ok(ToDriver::Heartbeat) => {}
                Ok(m) => {
                    if shared.events.send(Event::Msg(rank, m)).is_err() {
                        break "driver gone".to_string();
                    }
                }
                Err(e) => break format!("{e}"),
            },
        }
    };
    writer.abort();
    let _ = shared.events.send(Event::Lost(rank, reason));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(threads: u32) -> Peer {
        let (tx, _rx) = unbounded_channel();
        Peer {
            threads,
            host: "test".into(),
            pid: 1,
            tx,
            unsent: Arc::new(AtomicUsize::new(0)),
            alive: true,
            at: None,
            credits: 0,
            in_flight: HashMap::new(),
            sent: 0,
        }
    }

    fn spec(id: u64) -> ChunkSpec {
        ChunkSpec {
            id,
            start: id as u128 * 10,
            end: id as u128 * 10 + 10,
            budgets: Vec::new(),
        }
    }

    fn started(p: &Peer) -> Vec<u64> {
        let mut v: Vec<u64> = p
            .in_flight
            .iter()
            .filter(|(_, h)| h.started)
            .map(|(id, _)| *id)
            .collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn prefetched_chunks_start_in_the_order_sent() {
        let t0 = Instant::now();
        let mut p = peer(2);
        for id in [5, 3, 9, 1] {
            p.hold(spec(id), t0);
        }
        // The two oldest may run; the others wait in the worker's queue.
        assert_eq!(started(&p), vec![3, 5]);
        let t1 = t0 + Duration::from_millis(7);
        assert_eq!(p.release(5, t1).map(|s| s.id), Some(5));
        assert_eq!(started(&p), vec![3, 9]);
        // A queued chunk's clock starts when it may start, not when it was sent.
        assert_eq!(p.in_flight[&9].since, t1);
        assert_eq!(p.in_flight[&3].since, t0);
        assert!(p.release(42, t1).is_none());
        assert!(!p.in_flight[&1].started);
    }
}
