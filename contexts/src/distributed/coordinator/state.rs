//! The driver's view of its workers and how it reacts to what the connection tasks report.

use super::history::{Past, RunHistory};
use super::peer::{Held, Peer};
use super::run::RunCtx;
use super::{Board, Describe, Event};
use crate::distributed::protocol::{ChunkResult, RunId, ToDriver, ToWorker, encode};
use crossbeam_channel::Receiver;
use haydi_core::context::WorkerId;
use haydi_core::plumbing::{ChunkOutput, Completion};
use haydi_core::{Error, Result};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a start-up waits for its workers before it says so (once).
const JOIN_NOTICE: Duration = Duration::from_secs(5);

/// The driver's view of its workers; lives behind a mutex held for a whole run.
pub(crate) struct DriverState {
    pub events: Receiver<Event>,
    pub peers: BTreeMap<u32, Peer>,
    /// An error to report at the next run (a refused worker).
    pub pending_error: Option<Error>,
    /// Run messages that arrived between runs, for the next run.
    pub backlog: VecDeque<Event>,
    /// The finished runs, for workers that join late.
    pub history: RunHistory,
    /// The run in progress, if any (a worker that joins during it may still take part).
    pub current: Option<u64>,
    /// What became of a lost worker's process (spawned workers: exit status and log).
    pub describe: Option<Describe>,
    /// Live workers at the end of the last run (to report losses between runs).
    pub live_after_last_run: usize,
    /// What monitors see (the run loop writes the runs' progress there).
    pub board: Arc<Board>,
    /// Set once a monitor stopped the job: every run from then on fails with it.
    pub stopped: Option<Error>,
    /// Ranks that were given credits (hand-out slots): every live peer at the current run with
    /// credits left is in it (perhaps more than once, perhaps with stale entries, which the
    /// hand-out skips), so handing out a chunk costs O(1), not a walk over every peer.
    pub ready: VecDeque<u32>,
    /// Bumped whenever a peer joins or is marked lost: the run loop counts the live peers
    /// again only when this changed.
    pub membership: u64,
}

impl DriverState {
    /// A driver with no workers yet.
    pub fn new(events: Receiver<Event>, rejoin_cache: usize, board: Arc<Board>) -> Self {
        DriverState {
            events,
            peers: BTreeMap::new(),
            pending_error: None,
            backlog: VecDeque::new(),
            history: RunHistory::new(rejoin_cache),
            current: None,
            describe: None,
            live_after_last_run: 0,
            board,
            stopped: None,
            ready: VecDeque::new(),
            membership: 0,
        }
    }

    /// A state with no workers and no transport: what an ended context keeps.
    pub fn detached() -> Self {
        DriverState::new(crossbeam_channel::never(), 0, Arc::new(Board::new()))
    }

    /// Waits at most `timeout` for an event, and keeps it for
    /// [`serve_after_end`](Self::serve_after_end).
    pub fn wait_event(&mut self, timeout: Duration) {
        if let Ok(ev) = self.events.recv_timeout(timeout) {
            self.backlog.push_back(ev);
        }
    }

    pub fn live_peers(&self) -> usize {
        self.peers.values().filter(|p| p.alive).count()
    }

    /// Handles the events that are waiting, without blocking (between runs).
    pub fn poll(&mut self) {
        let mut idle = RunCtx::idle();
        while let Ok(ev) = self.events.try_recv() {
            self.handle(ev, &mut idle);
        }
    }

    /// Handles events until `n` workers are alive, `dead()` (workers known to have exited
    /// before joining) makes the rest impossible, or `timeout` passes. Returns how many joined.
    /// Fails only when fewer than `min` joined, or a worker was refused (a different
    /// executable).
    pub fn wait_joined(
        &mut self,
        n: usize,
        min: usize,
        timeout: Duration,
        mut dead: impl FnMut() -> usize,
    ) -> Result<usize> {
        let start = Instant::now();
        let deadline = start + timeout;
        let mut said = false;
        loop {
            if let Some(e) = self.pending_error.take() {
                return Err(e);
            }
            // A late worker still catching up on runs that ended does not count yet: it will
            // not take part in the next run until it is through.
            let (ready, live) = (self.ready_peers(), self.live_peers());
            // Done when enough are ready, or when no more can come (the rest exited) and none
            // is still catching up.
            if ready >= n || (live + dead() >= n && ready == live) {
                break;
            }
            let live = ready;
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            if !said && now.duration_since(start) >= JOIN_NOTICE && timeout > JOIN_NOTICE * 2 {
                // A start-up that waits long in silence looks like a hang: say what it waits for.
                said = true;
                haydi_core::warning!(
                    joined = live,
                    expected = n,
                    "{live} of {n} workers joined after {JOIN_NOTICE:?}; waiting up to {timeout:?} (DistributedOptions::connect_timeout) for the rest"
                );
            }
            if let Ok(ev) = self
                .events
                .recv_timeout((deadline - now).min(Duration::from_millis(20)))
            {
                let mut run = RunCtx::idle();
                self.handle(ev, &mut run);
            }
        }
        let live = self.ready_peers();
        if live < min.min(n) {
            return Err(Error::Worker(format!(
                "only {live} of {n} workers joined within {timeout:?} (DistributedOptions::min_workers is {min})"
            )));
        }
        if live < n {
            haydi_core::warning!(
                joined = live,
                expected = n,
                "only {live} of {n} workers joined within {timeout:?}; going on with them (a worker may still join later)"
            );
        }
        self.live_after_last_run = self.live_peers();
        Ok(live)
    }

    /// Live workers that are not behind (see [`is_behind`](Self::is_behind)).
    pub fn ready_peers(&self) -> usize {
        self.peers
            .values()
            .filter(|p| p.alive && !self.is_behind(p))
            .count()
    }

    pub fn recv(&mut self, timeout: Duration) -> Option<Event> {
        if let Some(ev) = self.backlog.pop_front() {
            return Some(ev);
        }
        self.events.recv_timeout(timeout).ok()
    }

    pub fn try_recv(&mut self) -> Option<Event> {
        self.backlog
            .pop_front()
            .or_else(|| self.events.try_recv().ok())
    }

    /// Sends `ToWorker::Shutdown` to every live worker that reached the last run and waits
    /// until it is written. Returns the live workers that are behind (see
    /// [`is_behind`](Self::is_behind)): they get it when they reach a run past the last one
    /// ([`serve_after_end`](Self::serve_after_end)).
    pub fn shutdown(&mut self, timeout: Duration) -> std::collections::BTreeSet<u32> {
        let behind: std::collections::BTreeSet<u32> = self
            .peers
            .iter()
            .filter(|(_, p)| self.is_behind(p))
            .map(|(r, _)| *r)
            .collect();
        if let Ok(bytes) = encode(&ToWorker::Shutdown) {
            let bytes = Arc::new(bytes);
            for (r, p) in &self.peers {
                if p.alive && !behind.contains(r) {
                    p.send(bytes.clone());
                }
            }
        }
        self.flush(timeout);
        behind
    }

    /// Waits (at most `timeout`) until every live worker's queued messages are written, so that
    /// a driver whose program ends right after a run does not take the result with it. A
    /// worker that stops reading is cut off by its heartbeat deadline, which closes its link
    /// and ends the wait; the writers signal when a backlog drains (no polling).
    pub fn flush(&self, timeout: Duration) {
        let until = Instant::now() + timeout;
        for p in self.peers.values().filter(|p| p.alive) {
            if !p.link.backlog().wait_drained(until) {
                return;
            }
        }
    }

    /// Whether peer `p` must reach run `me` before the run can end: it joined before the run
    /// started and is not catching up on earlier runs.
    fn required(p: &Peer, me: &RunId) -> bool {
        p.alive && !p.catching_up && p.joined_during != Some(me.seq)
    }

    /// Whether a live worker that must reach run `me` has not announced it yet.
    pub fn waiting_for(&self, me: &RunId) -> bool {
        self.peers
            .values()
            .any(|p| Self::required(p, me) && p.at.is_none())
    }

    /// Treats the live workers that have not announced run `me` by `by` as lost: they are told
    /// to exit (they may be stuck in a closure of an earlier run, or in code of their own).
    pub fn expire_unannounced(&mut self, me: &RunId, by: Option<Instant>) {
        if by.is_none_or(|by| Instant::now() < by) {
            return;
        }
        let bye = encode(&ToWorker::Dismissed(format!(
            "dismissed by the driver: this process did not reach {me} within \
             DistributedOptions::announce_timeout of the driver starting it"
        )))
        .ok()
        .map(Arc::new);
        for (rank, p) in self.peers.iter_mut() {
            if !Self::required(p, me) || p.at.is_some() {
                continue;
            }
            p.alive = false;
            p.credits = 0;
            self.membership += 1;
            haydi_core::warning!(rank, host = %p.host, pid = p.pid,
                "worker did not reach {me} in time (announce_timeout); treating it as lost and telling it to exit"
            );
            if let Some(b) = &bye {
                p.send(b.clone());
            }
        }
    }

    /// What became of worker `rank`, for messages about its loss.
    fn fate(&self, rank: u32) -> String {
        self.describe
            .as_ref()
            .and_then(|d| d(rank))
            .map(|s| format!("; {s}"))
            .unwrap_or_default()
    }

    pub fn handle(&mut self, ev: Event, run: &mut RunCtx<'_, '_>) {
        if run.me().is_none() {
            if let Event::Msg(rank, ToDriver::Announce(id)) = &ev {
                if id.seq < self.history.len() {
                    // A late worker catching up between runs: served now, not at the next run.
                    self.announce_finished(*rank, id);
                    return;
                }
            }
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
                link,
            } => {
                let rejoin = self.peers.contains_key(&rank);
                tracing::info!(target: "haydi", rank, threads, %host, pid, rejoin, "worker joined");
                // Messages kept for the next run from an earlier process of this rank (lost
                // since) are not this process's: an announcement of the old one would make
                // the new one look at a run it has not reached.
                self.backlog
                    .retain(|ev| !matches!(ev, Event::Msg(r, _) if *r == rank));
                let mut p = Peer::new(threads, host, pid, link);
                p.joined_during = self.current;
                self.peers.insert(rank, p);
                self.membership += 1;
            }
            Event::Rejected(msg) => {
                tracing::error!(target: "haydi", "{msg}");
                run.fail(Error::Protocol(msg.clone()));
                self.pending_error.get_or_insert(Error::Protocol(msg));
            }
            Event::Stop(msg) => {
                let e = Error::Context(msg);
                run.fail(e.clone());
                self.stopped.get_or_insert(e);
            }
            Event::Lost(rank, reason) => {
                if !self.peers.get(&rank).is_some_and(|p| p.alive) {
                    return;
                }
                let reason = format!("{reason}{}", self.fate(rank));
                let Some(p) = self.peers.get_mut(&rank) else {
                    return;
                };
                p.alive = false;
                self.membership += 1;
                haydi_core::warning!(rank, host = %p.host, pid = p.pid, %reason, "worker lost");
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

    /// What a worker that announced `id`, a run that ended, gets: the result the driver kept,
    /// or the order to compute it itself; `None` when it is not a run that ended, or another
    /// run ended at that point (the worker diverged).
    fn catch_up_reply(&self, id: &RunId) -> Option<Arc<Vec<u8>>> {
        if id.seq >= self.history.len() {
            return None;
        }
        match self.history.lookup(id)? {
            Past::Kept(bytes) => Some(bytes),
            Past::Recompute => encode(&ToWorker::CatchUp { run: id.seq })
                .ok()
                .map(Arc::new),
            Past::Diverged => None,
        }
    }

    /// Whether peer `p` has not yet reached the last run that ended (a late worker catching
    /// up, or one that joined and announced nothing yet): after the driver's program ends it
    /// is still served the results it needs.
    pub fn is_behind(&self, p: &Peer) -> bool {
        let runs = self.history.len();
        p.alive && p.reached.map_or(runs > 0, |r| r + 1 < runs)
    }

    /// After the driver's program ended: serves the late workers (`behind`) the results of
    /// the runs they reach, tells a worker that reaches a run past the last one that the
    /// driver's program ended (and forgets it: it is no longer behind), and returns the ranks
    /// whose connection ended since the last call (their process exited, or went silent past
    /// the heartbeat deadline).
    pub fn serve_after_end(&mut self, behind: &mut std::collections::BTreeSet<u32>) -> Vec<u32> {
        let mut gone = Vec::new();
        while let Some(ev) = self.try_recv() {
            match ev {
                Event::Lost(rank, _) => {
                    if let Some(p) = self.peers.get_mut(&rank) {
                        p.alive = false;
                    }
                    behind.remove(&rank);
                    gone.push(rank);
                }
                Event::Msg(rank, ToDriver::Announce(id)) if behind.contains(&rank) => {
                    let reply = self.catch_up_reply(&id).or_else(|| {
                        // Past the last run: the worker learns the driver's program ended.
                        behind.remove(&rank);
                        encode(&ToWorker::Shutdown).ok().map(Arc::new)
                    });
                    if let (Some(p), Some(b)) = (self.peers.get_mut(&rank), reply) {
                        p.reached = Some(p.reached.map_or(id.seq, |r| r.max(id.seq)));
                        p.send(b);
                    }
                }
                _ => {}
            }
        }
        gone
    }

    /// Between runs, a live worker reached `id`, a run that ended: it gets the kept result (or
    /// computes it), or is refused when it diverged there.
    fn announce_finished(&mut self, rank: u32, id: &RunId) {
        let reply = self.catch_up_reply(id);
        let Some(p) = self.peers.get_mut(&rank).filter(|p| p.alive) else {
            return;
        };
        p.reached = Some(p.reached.map_or(id.seq, |r| r.max(id.seq)));
        if let Some(bytes) = reply {
            tracing::debug!(target: "haydi", rank, run = %id, "late worker catching up");
            p.catching_up = true;
            p.send(bytes);
            return;
        }
        let e = diverged_from_past(rank, id);
        tracing::error!(target: "haydi", rank, "{e}");
        p.alive = false;
        self.membership += 1;
        if let Ok(b) = encode(&ToWorker::Refused(e)) {
            p.send(Arc::new(b));
        }
    }

    /// Worker `rank`'s program ended after `runs` runs: not a lost worker (no warning, not a
    /// failure), but no longer part of the job; if the driver is at a run it never made, the
    /// processes diverged.
    fn left(&mut self, rank: u32, runs: u64, run: &mut RunCtx<'_, '_>) {
        let Some(p) = self.peers.get_mut(&rank) else {
            return;
        };
        if !p.in_flight.is_empty() {
            // It held chunks: a process that ended inside a run failed, whatever it said.
            return self.handle(Event::Lost(rank, "it exited inside a run".into()), run);
        }
        tracing::info!(target: "haydi", rank, runs, "worker's program ended");
        p.alive = false;
        p.credits = 0;
        p.left_after = Some(runs);
        self.membership += 1;
        if let Some(e) = run.me().and_then(|me| self.divergence(me)) {
            run.fail(e);
        }
    }

    /// The error of run `me` when a worker's program ended before reaching it (the processes
    /// diverged), if one did.
    pub fn divergence(&self, me: &RunId) -> Option<Error> {
        let (rank, runs) = self
            .peers
            .iter()
            .find_map(|(r, p)| p.left_after.filter(|runs| *runs <= me.seq).map(|n| (*r, n)))?;
        Some(Error::Protocol(format!(
            "rank {rank}'s program ended after {runs} runs of this context, and the driver \
             reached {me}: the processes diverged. Every process must make the same run(true) \
             calls in the same order"
        )))
    }

    /// Workers lost during the job (not those whose program ended normally).
    pub fn lost_count(&self) -> usize {
        self.peers
            .values()
            .filter(|p| !p.alive && p.left_after.is_none())
            .count()
    }

    /// A worker reached run `id` while the driver is at run `me`.
    fn announce(&mut self, rank: u32, id: RunId, me: &RunId, run: &mut RunCtx<'_, '_>) {
        let reply = self.catch_up_reply(&id);
        let finished = id.seq < self.history.len();
        let Some(p) = self.peers.get_mut(&rank) else {
            return;
        };
        p.reached = Some(p.reached.map_or(id.seq, |r| r.max(id.seq)));
        if id == *me {
            p.at = Some(id.seq);
            p.catching_up = false;
            p.credits = p.threads.saturating_mul(run.prefetch.saturating_add(1));
            self.ready.push_back(rank);
            return;
        }
        // A worker that joined after earlier runs ended goes through them first, and the
        // runs that end while it does so too (it takes part from the first run it reaches
        // while that run is still in progress).
        if let Some(bytes) = reply {
            tracing::debug!(target: "haydi", rank, run = %id, "late worker catching up");
            p.catching_up = true;
            p.send(bytes);
            return;
        }
        let e = Error::Protocol(if finished {
            diverged_from_past(rank, &id)
        } else {
            id.divergence(rank, me)
        });
        tracing::error!(target: "haydi", rank, "{e}");
        if finished {
            // Only the late worker is wrong: refuse it, the run goes on.
            p.alive = false;
            self.membership += 1;
            if let Ok(b) = encode(&ToWorker::Refused(e.to_string())) {
                p.send(Arc::new(b));
            }
        } else {
            p.at = Some(id.seq);
            run.fail(e);
        }
    }

    fn message(&mut self, rank: u32, msg: ToDriver, run: &mut RunCtx<'_, '_>) {
        if !self.peers.get(&rank).is_some_and(|p| p.alive) {
            return;
        }
        match msg {
            ToDriver::Announce(id) => {
                if let Some(me) = run.me() {
                    self.announce(rank, id, me, run);
                }
            }
            ToDriver::Done {
                run: seq,
                chunk,
                result,
                nanos,
                thread,
                began,
            } => {
                let Some(p) = self.peers.get_mut(&rank) else {
                    return;
                };
                if run.me().map(|m| m.seq) != Some(seq) || p.at != Some(seq) {
                    return;
                }
                p.credits += 1;
                self.ready.push_back(rank);
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
                if let Some((job, sched)) = run.sched() {
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
                    let how =
                        Completion::by(WorkerId::new(rank, thread), Duration::from_nanos(nanos))
                            .began(Duration::from_nanos(began));
                    sched.complete(&spec, out, how);
                }
            }
            ToDriver::Leaving { runs } => self.left(rank, runs, run),
            ToDriver::Join(_) | ToDriver::Heartbeat | ToDriver::Monitor(_) => {}
        }
    }
}

/// Why worker `rank`, which reached `id`, a run that ended, diverged: the driver keeps only a
/// hash of each past run, so the message cannot say which part differs.
fn diverged_from_past(rank: u32, id: &RunId) -> String {
    format!(
        "rank {rank} diverged from the driver: it reached {id} over `{}`, and the driver's run \
         at that point was another call or went over another source. Every process must make \
         the same run(true) calls in the same order, over the same domains",
        id.source
    )
}
