//! The driver's side (rank 0): accepts and authenticates workers, hands out chunks from the
//! [`Scheduler`](haydi_core::plumbing::Scheduler), merges their partials, re-runs the chunks
//! of lost workers, broadcasts the final result of every run, and lets late workers catch up.
//!
//! One concept a file: [`link`] (the transport seam: a worker's sending half, and the events
//! every transport delivers), [`connection`] (the TCP transport: the async tasks of each
//! worker's connection),
//! [`peer`] (a worker as the driver sees it), [`state`] (the driver's view of all workers and
//! its reactions to their events), [`run`] (one run: hand-out, merge, broadcast),
//! [`speculate`] (stragglers and the hang bound), [`history`] (finished runs, for late
//! workers), [`watch`] (what monitors see, and their requests).

mod connection;
mod history;
pub(crate) mod link;
mod peer;
mod run;
mod speculate;
mod state;
mod watch;

pub(crate) use connection::accept_loop;
pub(crate) use link::Backlog;
pub(crate) use run::execute_driver;
pub(crate) use state::DriverState;
pub(crate) use watch::Board;
#[cfg(feature = "mpi")]
pub(crate) use watch::Seen;

use super::auth::Secret;
use super::protocol::{Join, ToDriver};
use super::DistributedOptions;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// What a transport tells the dispatch loop (receive from any worker).
pub(crate) enum Event {
    Joined {
        rank: u32,
        threads: u32,
        host: String,
        pid: u32,
        link: Box<dyn link::Link>,
    },
    Msg(u32, ToDriver),
    Lost(u32, String),
    Rejected(String),
    /// A monitor stopped the job: this run and every later one fail with this message.
    Stop(String),
}

/// Why a worker's join is refused, whatever transport it came by.
pub(crate) enum Refusal {
    /// It runs another executable than the driver: an error of this job.
    OtherExecutable(String),
    /// It belongs to another job (it found this driver's rendezvous file or address).
    OtherJob(String),
}

/// Checks a worker's join against the driver's executable (`exe_hash`) and job identity.
pub(crate) fn check_join(join: &Join, exe_hash: &[u8; 32], job: &str) -> Option<Refusal> {
    if join.exe_hash != *exe_hash {
        return Some(Refusal::OtherExecutable(format!(
            "worker rank {} on {} (pid {}) runs a different executable than the driver",
            join.rank, join.host, join.pid
        )));
    }
    if join.job != job {
        return Some(Refusal::OtherJob(format!(
            "worker rank {} on {} (pid {}) belongs to another job: its job is {}, this driver's is {job}",
            join.rank, join.host, join.pid, join.job
        )));
    }
    None
}

/// State the connection tasks share.
pub(crate) struct Shared {
    pub secret: Secret,
    pub exe_hash: [u8; 32],
    /// The job this driver belongs to (see `launcher::job_identity`).
    pub job: String,
    pub size: u32,
    /// Whether workers join over TCP (`false` for the MPI transport, whose driver listens
    /// for monitors only).
    pub tcp_workers: bool,
    pub opts: DistributedOptions,
    pub events: crossbeam_channel::Sender<Event>,
    /// Ranks connected now (a rank is free again once its connection ends).
    pub ranks: Mutex<HashSet<u32>>,
    /// What monitors see.
    pub board: Arc<watch::Board>,
}

/// Tells what became of a lost worker's process (for spawned workers: its exit status or
/// signal and its log file), for the messages that report the loss.
pub(crate) type Describe = Box<dyn Fn(u32) -> Option<String> + Send>;
