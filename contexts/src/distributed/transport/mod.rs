//! Transports: how the driver and its workers reach each other. They carry the protocol's
//! messages (`protocol.rs`, the same bincode bytes whatever carries them) and know nothing of
//! runs, chunks or their results, as timely's communication crate (its `Allocate` trait, one
//! flavour of it per file) knows nothing of progress.
//!
//! The driver's logic (`coordinator/`) and the worker's (`worker.rs`) see a transport through
//! one trait and what it reports:
//! - `Link`: the sending half of one connection. The driver holds one per worker, a worker
//!   one to its driver: queue an encoded message, and a `Backlog` that says when what was
//!   queued has left (writers signal when it drains: no polling).
//! - On the driver, `Event`s from every worker on one channel: joined (with its `Link`), a
//!   message, lost, refused; on a worker, what it `Heard` from the driver (a message, or the
//!   driver lost), handed to the worker's logic, which decides what becomes of the process: a
//!   transport never ends it.
//!
//! Heartbeats, the deadlines they keep, admission (`admission.rs`: the same checks whatever
//! the transport) and the closing handshake of a process are the transports' own. Two
//! flavours, one each:
//! - [`tcp`]: every connection a Noise channel ([`noise`]: `Noise_NNpsk0` with the job's
//!   [`secret`], then sealed pieces) over length-delimited [`frame`]s; one tokio writer task and
//!   one reader task per connection. A lost worker's chunks run elsewhere.
//! - `mpi` (feature `mpi`): MPI point-to-point messages from one communication thread per
//!   process; fail-stop.

pub(crate) mod admission;
mod backlog;
pub mod frame;
#[cfg(feature = "mpi")]
pub(crate) mod mpi;
pub mod noise;
pub mod secret;
pub mod tcp;

pub(crate) use backlog::Backlog;

use super::protocol::{ToDriver, ToWorker};
use std::sync::Arc;

/// The sending half of one connection between the driver and a worker, whatever carries it:
/// the driver holds one per worker, a worker one to its driver.
pub(crate) trait Link: Send + Sync {
    /// Queues `bytes` (one encoded protocol message) for the other end; `false` when the link
    /// is closed.
    fn send(&self, bytes: Arc<Vec<u8>>) -> bool;
    /// Messages queued and not yet handed to the wire.
    fn backlog(&self) -> &Backlog;
}

/// What a transport tells the driver's dispatch loop (from any worker, on one channel).
pub(crate) enum Event {
    /// A worker was admitted; `link` reaches it.
    Joined {
        rank: u32,
        threads: u32,
        host: String,
        pid: u32,
        link: Box<dyn Link>,
    },
    /// A message of worker `rank` (never a heartbeat: those are the transport's).
    Msg(u32, ToDriver),
    /// Worker `rank`'s connection ended (closed, silent past the heartbeat deadline, a frame
    /// that did not open, dropped by a monitor), with why.
    Lost(u32, String),
    /// A worker of this job was refused (it runs another executable): an error of the job.
    Rejected(String),
    /// A monitor stopped the job (from the monitors' board): this run and every later one
    /// fail with this message.
    Stop(String),
}

/// What a worker's transport heard from the driver, for the worker's logic.
#[derive(Debug)]
pub(crate) enum Heard {
    /// A message of the driver (never a heartbeat).
    Msg(ToWorker),
    /// The connection to the driver ended (closed, silent past the heartbeat deadline, a frame
    /// that did not open), with why. The MPI flavour never reports it: MPI is fail-stop, it
    /// aborts the job.
    Lost(String),
}

/// Where a worker's transport reports what it hears: called on the transport's own thread, so
/// it must not block (the worker's logic hands anything long to a thread of its own).
pub(crate) type Hear = Arc<dyn Fn(Heard) + Send + Sync>;
