//! What monitors see of the driver (the [`Board`]) and how the driver answers them
//! ([`serve_monitor`]). See `distributed::monitor` for the client and the messages.
//!
//! The driver's state is locked for a whole run, so monitors never touch it: the connection
//! tasks keep the board's worker entries up to date (joined, heard from, chunk results), the
//! run loop writes the run's progress, and a monitor's control request reaches the run loop as
//! an [`Event`] (stop) or closes the worker's connection (drop), as a crash would.

use super::{Event, Shared};
use crate::distributed::launcher;
use crate::distributed::monitor::{
    ClusterStatus, DriverStatus, MonitorHello, MonitorReply, MonitorRequest, RunStatus,
    WorkerStatus, MONITOR_VERSION,
};
use crate::distributed::protocol::{decode, encode, RunId};
use crate::distributed::secure::{Receiver, Sender};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::Notify;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn millis(d: std::time::Duration) -> u64 {
    d.as_millis().min(u64::MAX as u128) as u64
}

/// A connected worker as monitors see it; shared with its connection task.
pub(crate) struct Seen {
    host: String,
    pid: u32,
    threads: u32,
    joined: Instant,
    /// When it was last heard from, in nanoseconds since the board's epoch.
    heard: AtomicU64,
    /// Chunk results received.
    chunks: AtomicU64,
    /// Woken when a monitor drops the worker; the reason is in `kicked`.
    kick: Notify,
    kicked: Mutex<Option<String>>,
}

impl Seen {
    /// Called for every message received from the worker.
    pub fn heard(&self, board: &Board, chunk_result: bool) {
        let now = board.epoch.elapsed().as_nanos().min(u64::MAX as u128) as u64;
        self.heard.store(now, Ordering::Relaxed);
        if chunk_result {
            self.chunks.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Resolves when a monitor dropped the worker, with the reason.
    pub async fn kicked(&self) -> String {
        loop {
            if let Some(why) = lock(&self.kicked).clone() {
                return why;
            }
            self.kick.notified().await;
        }
    }

    /// Why a monitor dropped the worker, if one did (for transports without async tasks).
    #[cfg_attr(not(feature = "mpi"), allow(dead_code))]
    pub fn kick_reason(&self) -> Option<String> {
        lock(&self.kicked).clone()
    }
}

/// One run as monitors see it.
struct RunView {
    id: RunId,
    started: Instant,
    ended: Option<Instant>,
    processed: u128,
    total: Option<u128>,
    items: u64,
    outcome: Option<String>,
}

impl RunView {
    fn status(&self) -> RunStatus {
        RunStatus {
            seq: self.id.seq,
            call_site: self.id.call_site.clone(),
            type_name: self.id.type_name.clone(),
            elapsed_ms: millis(self.ended.unwrap_or_else(Instant::now) - self.started),
            processed: self.processed,
            total: self.total,
            items: self.items,
            outcome: self.outcome.clone(),
        }
    }
}

#[derive(Default)]
struct Runs {
    current: Option<RunView>,
    last: Option<RunView>,
    finished: u64,
}

/// What monitors see of the driver.
pub(crate) struct Board {
    epoch: Instant,
    workers: Mutex<BTreeMap<u32, Arc<Seen>>>,
    runs: Mutex<Runs>,
    stopped: Mutex<Option<String>>,
    /// The driver's address and threads, known once it listens.
    driver: Mutex<(String, u32)>,
}

impl Board {
    pub fn new() -> Self {
        Board {
            epoch: Instant::now(),
            workers: Mutex::new(BTreeMap::new()),
            runs: Mutex::new(Runs::default()),
            stopped: Mutex::new(None),
            driver: Mutex::new((String::new(), 0)),
        }
    }

    pub fn set_driver(&self, address: &str, threads: usize) {
        *lock(&self.driver) = (address.to_string(), threads.min(u32::MAX as usize) as u32);
    }

    /// A worker joined.
    pub fn join(&self, rank: u32, host: &str, pid: u32, threads: u32) -> Arc<Seen> {
        let seen = Arc::new(Seen {
            host: host.to_string(),
            pid,
            threads,
            joined: Instant::now(),
            heard: AtomicU64::new(0),
            chunks: AtomicU64::new(0),
            kick: Notify::new(),
            kicked: Mutex::new(None),
        });
        seen.heard(self, false);
        lock(&self.workers).insert(rank, seen.clone());
        seen
    }

    /// A worker's connection ended.
    pub fn leave(&self, rank: u32, seen: &Arc<Seen>) {
        let mut w = lock(&self.workers);
        if w.get(&rank).is_some_and(|s| Arc::ptr_eq(s, seen)) {
            w.remove(&rank);
        }
    }

    pub fn run_started(&self, id: &RunId) {
        lock(&self.runs).current = Some(RunView {
            id: id.clone(),
            started: Instant::now(),
            ended: None,
            processed: 0,
            total: None,
            items: 0,
            outcome: None,
        });
    }

    pub fn progress(&self, processed: u128, total: Option<u128>, items: u64) {
        if let Some(r) = lock(&self.runs).current.as_mut() {
            r.processed = r.processed.max(processed);
            r.total = total;
            r.items = items;
        }
    }

    pub fn run_ended(&self, outcome: String) {
        let mut runs = lock(&self.runs);
        if let Some(mut r) = runs.current.take() {
            r.ended = Some(Instant::now());
            r.outcome = Some(outcome);
            runs.last = Some(r);
            runs.finished += 1;
        }
    }

    fn status(&self, shared: &Shared) -> ClusterStatus {
        let now = self.epoch.elapsed().as_nanos().min(u64::MAX as u128) as u64;
        let workers: Vec<WorkerStatus> = lock(&self.workers)
            .iter()
            .map(|(&rank, s)| WorkerStatus {
                rank,
                host: s.host.clone(),
                pid: s.pid,
                threads: s.threads,
                chunks_done: s.chunks.load(Ordering::Relaxed),
                heard_ms: now.saturating_sub(s.heard.load(Ordering::Relaxed)) / 1_000_000,
                connected_ms: millis(s.joined.elapsed()),
            })
            .collect();
        let missing = (1..shared.size)
            .filter(|r| !workers.iter().any(|w| w.rank == *r))
            .collect();
        let (address, threads) = lock(&self.driver).clone();
        let runs = lock(&self.runs);
        ClusterStatus {
            driver: DriverStatus {
                host: launcher::hostname(),
                pid: std::process::id(),
                address,
                size: shared.size,
                threads,
            },
            control_allowed: shared.opts.allow_control,
            workers,
            missing,
            run: runs.current.as_ref().map(RunView::status),
            last_run: runs.last.as_ref().map(RunView::status),
            runs_finished: runs.finished,
            stopped: lock(&self.stopped).clone(),
        }
    }

    /// Carries out a control request of the monitor `who` (already allowed).
    fn control(&self, shared: &Shared, who: &str, req: MonitorRequest) -> MonitorReply {
        match req {
            MonitorRequest::Status => MonitorReply::Status(Box::new(self.status(shared))),
            MonitorRequest::Stop { reason } => {
                let reason = if reason.trim().is_empty() {
                    String::new()
                } else {
                    format!(": {}", reason.trim())
                };
                let msg = format!(
                    "the job was stopped by a monitor request (haydi stop from {who}){reason}"
                );
                lock(&self.stopped).get_or_insert(msg.clone());
                haydi_core::warning!(monitor = %who, "a monitor stopped the job");
                let _ = shared.events.send(Event::Stop(msg));
                match &lock(&self.runs).current {
                    Some(r) => MonitorReply::Done(format!(
                        "stopping the job: {} fails on every process, and so does every later run",
                        r.id
                    )),
                    None => MonitorReply::Done(
                        "stopping the job: no run is in progress; the next run fails on every process, and so does every later one".into(),
                    ),
                }
            }
            MonitorRequest::DropWorker { rank } => {
                let Some(seen) = lock(&self.workers).get(&rank).cloned() else {
                    return MonitorReply::Refused(format!("no worker of rank {rank} is connected"));
                };
                haydi_core::warning!(monitor = %who, rank, "a monitor dropped a worker");
                *lock(&seen.kicked) = Some(format!(
                    "dropped by a monitor request (haydi drop-worker from {who})"
                ));
                seen.kick.notify_one();
                MonitorReply::Done(format!(
                    "dropped rank {rank} (pid {} on {}): it is lost, and its chunks run elsewhere",
                    seen.pid, seen.host
                ))
            }
        }
    }
}

/// Answers a monitor that authenticated and said `hello`, until it closes the connection, is
/// silent for `heartbeat_timeout`, or sends anything malformed (an error: the connection is
/// dropped, nothing else is).
pub(crate) async fn serve_monitor<S: AsyncRead + AsyncWrite>(
    hello: MonitorHello,
    peer: SocketAddr,
    mut tx: Sender<S>,
    mut rx: Receiver<S>,
    shared: &Shared,
) -> Result<(), String> {
    let who = format!("{} pid {} at {peer}", hello.host, hello.pid);
    let reply = |r: MonitorReply| encode(&r).map_err(|e| e.to_string());
    if hello.version != MONITOR_VERSION {
        let why = format!(
            "monitor version {} is not this driver's ({MONITOR_VERSION})",
            hello.version
        );
        let _ = tx.send(&reply(MonitorReply::Refused(why.clone()))?).await;
        return Err(why);
    }
    tracing::debug!(target: "haydi", monitor = %who, "monitor connected");
    tx.send(&reply(MonitorReply::Welcome { size: shared.size })?)
        .await
        .map_err(|e| e.to_string())?;
    let idle = shared.opts.heartbeat_timeout;
    loop {
        // The receiver keeps the handshake's limit: a monitor's request is small.
        let bytes = match rx.recv(idle).await {
            Ok(Some(b)) => b,
            Ok(None) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return Ok(()),
            Err(e) => return Err(format!("monitor {who}: {e}")),
        };
        let req = decode::<MonitorRequest>(&bytes).map_err(|e| format!("monitor {who}: {e}"))?;
        let answer = match req {
            MonitorRequest::Status => MonitorReply::Status(Box::new(shared.board.status(shared))),
            _ if !shared.opts.allow_control => MonitorReply::Refused(
                "control requests (stop, drop-worker) are not allowed by this driver; its \
                 program must set DistributedOptions::allow_control(true)"
                    .into(),
            ),
            req => shared.board.control(shared, &who, req),
        };
        tx.send(&reply(answer)?).await.map_err(|e| e.to_string())?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(seq: u64) -> RunId {
        RunId {
            seq,
            call_site: "a.rs:1:1".into(),
            type_name: "T".into(),
        }
    }

    #[test]
    fn workers_come_and_go() {
        let b = Board::new();
        let first = b.join(1, "h", 10, 2);
        first.heard(&b, true);
        first.heard(&b, false);
        assert_eq!(first.chunks.load(Ordering::Relaxed), 1);
        // A rejoined process under the same rank is not removed by the old connection's end.
        let second = b.join(1, "h", 11, 2);
        b.leave(1, &first);
        assert!(Arc::ptr_eq(&lock(&b.workers)[&1], &second));
        b.leave(1, &second);
        assert!(lock(&b.workers).is_empty());
    }

    #[test]
    fn a_kick_is_never_missed() {
        let b = Board::new();
        let seen = b.join(2, "h", 10, 1);
        // Kicked before anyone waits: the waiter still sees it.
        *lock(&seen.kicked) = Some("dropped".into());
        seen.kick.notify_one();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let why = rt.block_on(async {
            tokio::time::timeout(std::time::Duration::from_secs(5), seen.kicked()).await
        });
        assert_eq!(why.as_deref(), Ok("dropped"));
    }

    #[test]
    fn runs_end_with_their_outcome() {
        let b = Board::new();
        b.run_started(&id(0));
        b.progress(40, Some(100), 7);
        // A late, older report does not move progress back.
        b.progress(30, Some(100), 7);
        let now = lock(&b.runs).current.as_ref().map(RunView::status).unwrap();
        assert_eq!(
            (now.processed, now.total, now.outcome),
            (40, Some(100), None)
        );
        b.run_ended("complete".into());
        let runs = lock(&b.runs);
        assert!(runs.current.is_none());
        assert_eq!(runs.finished, 1);
        let last = runs.last.as_ref().map(RunView::status).unwrap();
        assert_eq!(last.outcome.as_deref(), Some("complete"));
    }
}
