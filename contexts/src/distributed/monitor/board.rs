//! What monitors see of the driver (the [`Board`]) and what the driver answers them. See the
//! module above for the client and the messages.
//!
//! The driver's state is locked for a whole run, so monitors never touch it: the transports
//! keep the board's worker entries up to date (joined, heard from, chunk results), the run loop
//! writes the run's progress, and a monitor's control request reaches the run loop as an
//! [`Event`] (stop) or closes the worker's connection (drop), as a crash would. The TCP
//! transport carries the requests and answers (`transport::tcp`).

use super::{
    ClusterStatus, DriverStatus, MONITOR_VERSION, MonitorHello, MonitorReply, MonitorRequest,
    RunStatus, WorkerStatus,
};
use crate::distributed::launcher;
use crate::distributed::protocol::{RunId, ToDriver};
use crate::distributed::transport::Event;
use haydi_core::plumbing::Unpoisoned;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::Notify;

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
    /// Called for every message received from the worker (`None`: a heartbeat).
    pub fn heard(&self, board: &Board, msg: Option<&ToDriver>) {
        let now = board.epoch.elapsed().as_nanos().min(u64::MAX as u128) as u64;
        self.heard.store(now, Ordering::Relaxed);
        if matches!(msg, Some(ToDriver::Done { .. })) {
            self.chunks.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Resolves when a monitor dropped the worker, with the reason.
    pub async fn kicked(&self) -> String {
        loop {
            if let Some(why) = self.kicked.lock_unpoisoned().clone() {
                return why;
            }
            self.kick.notified().await;
        }
    }

    /// Why a monitor dropped the worker, if one did (for transports without async tasks).
    #[cfg(feature = "mpi")]
    pub fn kick_reason(&self) -> Option<String> {
        self.kicked.lock_unpoisoned().clone()
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

/// The driver as monitors see it, known once it listens.
pub(crate) struct DriverInfo {
    /// The address it listens on.
    pub address: String,
    /// Its threads that run chunks.
    pub threads: u32,
    /// Processes of the job, the driver included.
    pub size: u32,
    /// Whether monitors may stop the job or drop a worker.
    pub allow_control: bool,
    /// Where a stop request goes (the dispatch loop's events).
    pub events: Option<crossbeam_channel::Sender<Event>>,
}

/// What monitors see of the driver.
pub(crate) struct Board {
    epoch: Instant,
    workers: Mutex<BTreeMap<u32, Arc<Seen>>>,
    runs: Mutex<Runs>,
    stopped: Mutex<Option<String>>,
    driver: Mutex<DriverInfo>,
}

impl Board {
    pub fn new() -> Self {
        Board {
            epoch: Instant::now(),
            workers: Mutex::new(BTreeMap::new()),
            runs: Mutex::new(Runs::default()),
            stopped: Mutex::new(None),
            driver: Mutex::new(DriverInfo {
                address: String::new(),
                threads: 0,
                size: 1,
                allow_control: false,
                events: None,
            }),
        }
    }

    /// The driver is listening.
    pub fn set_driver(&self, info: DriverInfo) {
        *self.driver.lock_unpoisoned() = info;
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
        seen.heard(self, None);
        self.workers.lock_unpoisoned().insert(rank, seen.clone());
        seen
    }

    /// A worker's connection ended.
    pub fn leave(&self, rank: u32, seen: &Arc<Seen>) {
        let mut w = self.workers.lock_unpoisoned();
        if w.get(&rank).is_some_and(|s| Arc::ptr_eq(s, seen)) {
            w.remove(&rank);
        }
    }

    pub fn run_started(&self, id: &RunId) {
        self.runs.lock_unpoisoned().current = Some(RunView {
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
        if let Some(r) = self.runs.lock_unpoisoned().current.as_mut() {
            r.processed = r.processed.max(processed);
            r.total = total;
            r.items = items;
        }
    }

    pub fn run_ended(&self, outcome: String) {
        let mut runs = self.runs.lock_unpoisoned();
        if let Some(mut r) = runs.current.take() {
            r.ended = Some(Instant::now());
            r.outcome = Some(outcome);
            runs.last = Some(r);
            runs.finished += 1;
        }
    }

    /// What a monitor that said `hello` is answered first: a welcome, or a refusal (why).
    pub fn greet(&self, hello: &MonitorHello) -> Result<MonitorReply, String> {
        if hello.version != MONITOR_VERSION {
            return Err(format!(
                "monitor version {} is not this driver's ({MONITOR_VERSION})",
                hello.version
            ));
        }
        Ok(MonitorReply::Welcome {
            size: self.driver.lock_unpoisoned().size,
        })
    }

    /// The answer to the request `req` of the monitor `who`.
    pub fn answer(&self, who: &str, req: MonitorRequest) -> MonitorReply {
        match req {
            MonitorRequest::Status => MonitorReply::Status(Box::new(self.status())),
            _ if !self.driver.lock_unpoisoned().allow_control => MonitorReply::Refused(
                "control requests (stop, drop-worker) are not allowed by this driver; its \
                 program must set DistributedOptions::allow_control(true)"
                    .into(),
            ),
            req => self.control(who, req),
        }
    }

    fn status(&self) -> ClusterStatus {
        let now = self.epoch.elapsed().as_nanos().min(u64::MAX as u128) as u64;
        let workers: Vec<WorkerStatus> = self
            .workers
            .lock_unpoisoned()
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
        let (address, threads, size, control_allowed) = {
            let d = self.driver.lock_unpoisoned();
            (d.address.clone(), d.threads, d.size, d.allow_control)
        };
        let missing = (1..size)
            .filter(|r| !workers.iter().any(|w| w.rank == *r))
            .collect();
        let runs = self.runs.lock_unpoisoned();
        ClusterStatus {
            driver: DriverStatus {
                host: launcher::hostname(),
                pid: std::process::id(),
                address,
                size,
                threads,
            },
            control_allowed,
            workers,
            missing,
            run: runs.current.as_ref().map(RunView::status),
            last_run: runs.last.as_ref().map(RunView::status),
            runs_finished: runs.finished,
            stopped: self.stopped.lock_unpoisoned().clone(),
        }
    }

    /// Carries out a control request of the monitor `who` (already allowed).
    fn control(&self, who: &str, req: MonitorRequest) -> MonitorReply {
        match req {
            MonitorRequest::Status => MonitorReply::Status(Box::new(self.status())),
            MonitorRequest::Stop { reason } => {
                let reason = if reason.trim().is_empty() {
                    String::new()
                } else {
                    format!(": {}", reason.trim())
                };
                let msg = format!(
                    "the job was stopped by a monitor request (haydi stop from {who}){reason}"
                );
                self.stopped.lock_unpoisoned().get_or_insert(msg.clone());
                haydi_core::warning!(monitor = %who, "a monitor stopped the job");
                if let Some(events) = &self.driver.lock_unpoisoned().events {
                    let _ = events.send(Event::Stop(msg));
                }
                match &self.runs.lock_unpoisoned().current {
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
                let Some(seen) = self.workers.lock_unpoisoned().get(&rank).cloned() else {
                    return MonitorReply::Refused(format!("no worker of rank {rank} is connected"));
                };
                haydi_core::warning!(monitor = %who, rank, "a monitor dropped a worker");
                *seen.kicked.lock_unpoisoned() = Some(format!(
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

#[cfg(test)]
mod tests {
    use super::*;

    fn id(seq: u64) -> RunId {
        RunId {
            seq,
            call_site: "a.rs:1:1".into(),
            type_name: "T".into(),
            source: "S".into(),
        }
    }

    #[test]
    fn workers_come_and_go() {
        let b = Board::new();
        let first = b.join(1, "h", 10, 2);
        let done = ToDriver::Done {
            run: 0,
            chunk: 0,
            result: Err((&haydi_core::Error::Worker("x".into())).into()),
            nanos: 0,
            thread: 1,
            began: 0,
        };
        first.heard(&b, Some(&done));
        first.heard(&b, None);
        first.heard(&b, Some(&ToDriver::Heartbeat));
        assert_eq!(first.chunks.load(Ordering::Relaxed), 1);
        // A rejoined process under the same rank is not removed by the old connection's end.
        let second = b.join(1, "h", 11, 2);
        b.leave(1, &first);
        assert!(Arc::ptr_eq(&b.workers.lock_unpoisoned()[&1], &second));
        b.leave(1, &second);
        assert!(b.workers.lock_unpoisoned().is_empty());
    }

    #[test]
    fn answers_follow_the_driver_s_rules() {
        let b = Board::new();
        let (tx, rx) = crossbeam_channel::unbounded();
        let info = |allow_control, events| DriverInfo {
            address: "127.0.0.1:1".into(),
            threads: 1,
            size: 3,
            allow_control,
            events: Some(events),
        };
        b.set_driver(info(false, tx.clone()));
        let old = MonitorHello {
            version: MONITOR_VERSION + 1,
            ..MonitorHello::here()
        };
        assert!(b.greet(&old).unwrap_err().contains("version"));
        assert_eq!(
            b.greet(&MonitorHello::here()),
            Ok(MonitorReply::Welcome { size: 3 })
        );
        let stop = || MonitorRequest::Stop {
            reason: "enough".into(),
        };
        assert!(
            matches!(b.answer("m", stop()), MonitorReply::Refused(w) if w.contains("allow_control"))
        );
        assert!(
            rx.try_recv().is_err(),
            "a refused stop reached the run loop"
        );
        match b.answer("m", MonitorRequest::Status) {
            MonitorReply::Status(s) => {
                assert_eq!((s.missing, s.control_allowed), (vec![1, 2], false))
            }
            other => panic!("{other:?}"),
        }
        b.set_driver(info(true, tx));
        assert!(matches!(b.answer("m", stop()), MonitorReply::Done(_)));
        assert!(
            matches!(rx.try_recv(), Ok(Event::Stop(m)) if m.contains("stopped by a monitor request") && m.contains("enough"))
        );
        assert!(matches!(
            b.answer("m", MonitorRequest::DropWorker { rank: 5 }),
            MonitorReply::Refused(w) if w.contains("no worker of rank 5")
        ));
    }

    #[test]
    fn a_kick_is_never_missed() {
        let b = Board::new();
        let seen = b.join(2, "h", 10, 1);
        // Kicked before anyone waits: the waiter still sees it.
        *seen.kicked.lock_unpoisoned() = Some("dropped".into());
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
        let now = b
            .runs
            .lock_unpoisoned()
            .current
            .as_ref()
            .map(RunView::status)
            .unwrap();
        assert_eq!(
            (now.processed, now.total, now.outcome),
            (40, Some(100), None)
        );
        b.run_ended("complete".into());
        let runs = b.runs.lock_unpoisoned();
        assert!(runs.current.is_none());
        assert_eq!(runs.finished, 1);
        let last = runs.last.as_ref().map(RunView::status).unwrap();
        assert_eq!(last.outcome.as_deref(), Some("complete"));
    }
}
