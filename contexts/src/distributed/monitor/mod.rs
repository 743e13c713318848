//! Watching a running driver from outside: the monitor's messages and its client.
//!
//! A monitor (the `haydi` command-line tool, or [`Monitor`] in a program) connects to a
//! driver's address over the same channel as a worker (the Noise handshake with the job's
//! secret, then sealed frames: `transport::noise`, through `transport::tcp::dial`). Its first
//! message is [`ToDriver::Monitor`](crate::distributed::protocol::ToDriver::Monitor) instead of a `Join`,
//! so the driver never counts it as a worker: it takes no chunks, holds no rank and never holds
//! up a run's barrier. It then sends [`MonitorRequest`]s, each answered by one
//! [`MonitorReply`]:
//!
//! - [`MonitorRequest::Status`] (always allowed): the driver, its workers (rank, host, pid,
//!   threads, chunk results received, how long ago each was last heard from) and the run in
//!   progress (its sequence number and call site, indices processed of the total when known).
//! - [`MonitorRequest::Stop`] and [`MonitorRequest::DropWorker`] (control requests): refused
//!   unless the driver's program allowed them with
//!   [`DistributedOptions::allow_control`](super::DistributedOptions::allow_control). `Stop`
//!   fails the run in progress on every process with an [`Error::Context`](haydi_core::Error::Context) naming the
//!   request (and every later run too: the job is stopped); `DropWorker` closes that worker's
//!   connection, so it is lost as if it had been killed and its chunks run elsewhere.
//!
//! A monitor's messages are at most 4 KiB
//! ([`HANDSHAKE_MAX_FRAME`](super::transport::frame::HANDSHAKE_MAX_FRAME)); a larger, forged or tampered
//! one closes that monitor's connection and nothing else. A connection silent for
//! `heartbeat_timeout` is closed by the driver.
//!
//! ```no_run
//! use haydi_contexts::distributed::monitor::{find_driver, Monitor};
//! use std::time::Duration;
//! // HAYDI_COORDINATOR + HAYDI_SECRET, HAYDI_RENDEZVOUS, or the one rendezvous file of ours.
//! let driver = find_driver(None, None).unwrap();
//! let mut m = Monitor::connect(&driver.address, &driver.secret, Duration::from_secs(5)).unwrap();
//! let status = m.status().unwrap();
//! for w in &status.workers {
//!     println!("rank {} on {} (pid {}): {} chunks", w.rank, w.host, w.pid, w.chunks_done);
//! }
//! ```

//!
//! Files: this one (the messages), `client.rs` ([`find_driver`], [`Monitor`]), `board.rs` (what
//! the driver shows monitors and how it answers them).

pub(crate) mod board;
mod client;

pub use client::{DriverAddress, Monitor, find_driver};

use super::launcher;
use serde::{Deserialize, Serialize};

/// The version of the monitor's messages; a driver refuses a monitor of another version.
pub const MONITOR_VERSION: u32 = 1;

/// What a monitor says first, after authenticating (inside
/// [`ToDriver::Monitor`](crate::distributed::protocol::ToDriver::Monitor)(super::protocol::ToDriver::Monitor)).
///
/// ```
/// use haydi_contexts::distributed::monitor::{MonitorHello, MONITOR_VERSION};
/// let hello = MonitorHello::here();
/// assert_eq!(hello.version, MONITOR_VERSION);
/// assert_eq!(hello.pid, std::process::id());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitorHello {
    /// [`MONITOR_VERSION`] of the monitor.
    pub version: u32,
    /// The monitor's host name (for the driver's log and the errors naming its requests).
    pub host: String,
    /// The monitor's process id.
    pub pid: u32,
}

impl MonitorHello {
    /// The hello of this process.
    pub fn here() -> Self {
        MonitorHello {
            version: MONITOR_VERSION,
            host: launcher::hostname(),
            pid: std::process::id(),
        }
    }
}

/// A monitor's request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MonitorRequest {
    /// The driver, its workers and the run in progress (always allowed).
    Status,
    /// Fail the run in progress (or, between runs, the next one) on every process, and every
    /// later run: the job stops. A control request.
    Stop {
        /// Why, as given by the monitor's user (part of the error of the run).
        reason: String,
    },
    /// Treat worker `rank` as lost: its connection is closed and its chunks run elsewhere. A
    /// control request.
    DropWorker {
        /// The worker's rank.
        rank: u32,
    },
}

/// The driver's answer to a monitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MonitorReply {
    /// The monitor was accepted (answer to its hello).
    Welcome {
        /// Number of processes of the job, driver included.
        size: u32,
    },
    /// Answer to [`MonitorRequest::Status`].
    Status(Box<ClusterStatus>),
    /// A control request was carried out: what was done.
    Done(String),
    /// The request was refused: why (control requests not allowed, no such worker, another
    /// version of the monitor).
    Refused(String),
}

/// A running job as its driver sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterStatus {
    /// The driver (rank 0).
    pub driver: DriverStatus,
    /// Whether the driver accepts control requests (`DistributedOptions::allow_control`).
    pub control_allowed: bool,
    /// The workers connected now, by rank.
    pub workers: Vec<WorkerStatus>,
    /// Ranks of the job that are not connected now (not joined yet, lost or dropped).
    pub missing: Vec<u32>,
    /// The run in progress, if any.
    pub run: Option<RunStatus>,
    /// The last run that ended, if any (its `outcome` says how).
    pub last_run: Option<RunStatus>,
    /// Runs that ended so far.
    pub runs_finished: u64,
    /// Set once a monitor stopped the job: the error every run now fails with.
    pub stopped: Option<String>,
}

/// The driver of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriverStatus {
    /// Host name.
    pub host: String,
    /// Process id.
    pub pid: u32,
    /// The address it listens on.
    pub address: String,
    /// Number of processes of the job, driver included.
    pub size: u32,
    /// Threads of the driver that run chunks.
    pub threads: u32,
}

/// One connected worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerStatus {
    /// Rank (1..size).
    pub rank: u32,
    /// Host name.
    pub host: String,
    /// Process id.
    pub pid: u32,
    /// Chunks it runs at once.
    pub threads: u32,
    /// Chunk results the driver received from it since it joined.
    pub chunks_done: u64,
    /// Milliseconds since the driver last heard from it (a message or a heartbeat).
    pub heard_ms: u64,
    /// Milliseconds since it joined.
    pub connected_ms: u64,
}

/// A run of the job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunStatus {
    /// Sequence number (runs of the context before it).
    pub seq: u64,
    /// `file:line:column` of the `run` call.
    pub call_site: String,
    /// The type name of the pipeline and its action.
    pub type_name: String,
    /// Milliseconds since it started (for an ended run: how long it took).
    pub elapsed_ms: u64,
    /// Indices processed and merged so far (as of the last progress report).
    pub processed: u128,
    /// Size of the index space, when known.
    pub total: Option<u128>,
    /// Items that reached the action so far.
    pub items: u64,
    /// `None` while it runs; then `"complete"`, `"partial"` (timed out) or `"failed: ..."`.
    pub outcome: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distributed::protocol::{decode, encode};

    #[test]
    fn messages_round_trip() {
        let status = ClusterStatus {
            driver: DriverStatus {
                host: "h".into(),
                pid: 1,
                address: "127.0.0.1:1".into(),
                size: 3,
                threads: 0,
            },
            control_allowed: false,
            workers: vec![WorkerStatus {
                rank: 1,
                host: "h".into(),
                pid: 2,
                threads: 4,
                chunks_done: 9,
                heard_ms: 12,
                connected_ms: 3000,
            }],
            missing: vec![2],
            run: Some(RunStatus {
                seq: 0,
                call_site: "a.rs:1:1".into(),
                type_name: "T".into(),
                elapsed_ms: 5,
                processed: u128::MAX,
                total: None,
                items: 3,
                outcome: None,
            }),
            last_run: None,
            runs_finished: 0,
            stopped: None,
        };
        let reply = MonitorReply::Status(Box::new(status));
        assert_eq!(
            decode::<MonitorReply>(&encode(&reply).unwrap()).unwrap(),
            reply
        );
        let req = MonitorRequest::Stop { reason: "x".into() };
        assert_eq!(
            decode::<MonitorRequest>(&encode(&req).unwrap()).unwrap(),
            req
        );
        assert!(decode::<MonitorRequest>(&[0xff; 7]).is_err());
    }
}
