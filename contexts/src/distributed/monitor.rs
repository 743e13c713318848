//! Watching a running driver from outside: the monitor's messages and its client.
//!
//! A monitor (the `haydi` command-line tool, or [`Monitor`] in a program) connects to a
//! driver's address and authenticates exactly like a worker (the HMAC challenge-response of
//! [`super::auth`], then sealed frames of [`super::secure`]), with the job's secret. Its first
//! message is [`ToDriver::Monitor`] instead of a `Join`,
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
//!   fails the run in progress on every process with an [`Error::Context`] naming the
//!   request (and every later run too: the job is stopped); `DropWorker` closes that worker's
//!   connection, so it is lost as if it had been killed and its chunks run elsewhere.
//!
//! A monitor's messages are at most 4 KiB
//! ([`HANDSHAKE_MAX_FRAME`]); a larger, forged or tampered
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

use super::auth::{self, Secret};
use super::files;
use super::frame::{framed, HANDSHAKE_MAX_FRAME};
use super::launcher;
use super::protocol::{decode, encode, ToDriver};
use super::secure::{Receiver, Sender};
use haydi_core::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::net::TcpStream;

/// The version of the monitor's messages; a driver refuses a monitor of another version.
pub const MONITOR_VERSION: u32 = 1;

/// Largest reply a monitor accepts (a status of many workers fits easily).
const MAX_REPLY: usize = 64 << 20;

/// What a monitor says first, after authenticating (inside
/// [`ToDriver::Monitor`]).
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

/// Where a driver is and the secret to reach it.
#[derive(Debug, Clone)]
pub struct DriverAddress {
    /// `host:port`.
    pub address: String,
    /// The job's secret.
    pub secret: Secret,
    /// Where these came from (for messages).
    pub source: String,
}

/// Finds the driver the way a worker does, explicit choices first: `coordinator` (with the
/// secret from `HAYDI_SECRET`), the rendezvous file `rendezvous`, then `HAYDI_COORDINATOR` +
/// `HAYDI_SECRET`, then `HAYDI_RENDEZVOUS`, and last the rendezvous files in this user's
/// private directory (`$XDG_RUNTIME_DIR/haydi` or `<temp dir>/haydi-<uid>`), if there is
/// exactly one. Rendezvous files get the checks workers make (a regular file of ours, closed
/// to others, no link followed). The secret is never taken from a command line (other users
/// could read it there).
///
/// ```
/// use haydi_contexts::distributed::monitor::find_driver;
/// let absent = std::env::temp_dir().join("haydi-doc-no-such-rendezvous");
/// let e = find_driver(None, Some(&absent)).unwrap_err();
/// assert!(e.to_string().contains("no driver address"), "{e}");
/// ```
pub fn find_driver(coordinator: Option<&str>, rendezvous: Option<&Path>) -> Result<DriverAddress> {
    if let Some(a) = coordinator {
        return with_env_secret(a, "--coordinator");
    }
    if let Some(p) = rendezvous {
        return from_file(p);
    }
    if let Ok(a) = std::env::var(launcher::ENV_COORDINATOR) {
        return with_env_secret(&a, launcher::ENV_COORDINATOR);
    }
    if let Some(p) = std::env::var_os(launcher::ENV_RENDEZVOUS) {
        return from_file(Path::new(&p));
    }
    let dir = files::rendezvous_dir()?;
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| Error::Context(format!("cannot list {}: {e}", dir.display())))?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("rendezvous-"))
        .map(|e| e.path())
        .collect();
    found.sort();
    match found.as_slice() {
        [one] => from_file(one),
        [] => Err(Error::Context(format!(
            "no running driver found: no rendezvous file in {}; give --rendezvous FILE \
             (or HAYDI_RENDEZVOUS), or HAYDI_COORDINATOR and HAYDI_SECRET",
            dir.display()
        ))),
        many => Err(Error::Context(format!(
            "several rendezvous files in {}, choose one with --rendezvous: {}",
            dir.display(),
            many.iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn with_env_secret(address: &str, source: &str) -> Result<DriverAddress> {
    let hex = std::env::var(launcher::ENV_SECRET).map_err(|_| {
        Error::Context(format!(
            "{source} gives the driver's address, but {} is not set",
            launcher::ENV_SECRET
        ))
    })?;
    let secret = Secret::from_hex(&hex)
        .map_err(|e| Error::Context(format!("{}: {e}", launcher::ENV_SECRET)))?;
    Ok(DriverAddress {
        address: address.to_string(),
        secret,
        source: source.to_string(),
    })
}

fn from_file(path: &Path) -> Result<DriverAddress> {
    match launcher::read_rendezvous(path)? {
        Some((address, secret)) => Ok(DriverAddress {
            address,
            secret,
            source: path.display().to_string(),
        }),
        None => Err(Error::Context(format!(
            "no driver address in {} (is the driver running?)",
            path.display()
        ))),
    }
}

/// A monitor's connection to a driver (blocking calls; a small runtime of its own).
///
/// ```no_run
/// use haydi_contexts::distributed::{auth::Secret, monitor::Monitor};
/// use std::time::Duration;
/// let secret = Secret::from_hex(&std::env::var("HAYDI_SECRET").unwrap()).unwrap();
/// let mut m = Monitor::connect("127.0.0.1:7000", &secret, Duration::from_secs(5)).unwrap();
/// println!("{} workers", m.status().unwrap().workers.len());
/// // Refused unless the driver allows control (DistributedOptions::allow_control):
/// m.drop_worker(2).unwrap();
/// ```
pub struct Monitor {
    rt: tokio::runtime::Runtime,
    tx: Sender<TcpStream>,
    rx: Receiver<TcpStream>,
    timeout: Duration,
    size: u32,
}

impl std::fmt::Debug for Monitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Monitor(size {})", self.size)
    }
}

impl Monitor {
    /// Connects to the driver at `address` and authenticates with `secret`; `timeout` bounds
    /// the connection and each later answer. A wrong secret is an [`Error::Protocol`].
    pub fn connect(address: &str, secret: &Secret, timeout: Duration) -> Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Context(format!("cannot start the I/O runtime: {e}")))?;
        let hello = async {
            let sock = TcpStream::connect(address)
                .await
                .map_err(|e| Error::Context(format!("cannot connect to {address}: {e}")))?;
            let _ = sock.set_nodelay(true);
            let mut conn = framed(sock, HANDSHAKE_MAX_FRAME);
            let keys = auth::connect(&mut conn, secret).await.map_err(|e| {
                Error::Protocol(format!(
                    "authentication with the driver at {address} failed (wrong secret?): {e}"
                ))
            })?;
            let (mut tx, mut rx) = keys.split(conn, MAX_REPLY);
            tx.send(&encode(&ToDriver::Monitor(MonitorHello::here()))?)
                .await
                .map_err(|e| Error::Protocol(format!("cannot talk to {address}: {e}")))?;
            let reply = answer(&mut rx, timeout).await?;
            Ok::<_, Error>((tx, rx, reply))
        };
        let (tx, rx, reply) = rt
            .block_on(async { tokio::time::timeout(timeout, hello).await })
            .map_err(|_| {
                Error::Protocol(format!(
                    "the driver at {address} did not answer in {timeout:?}"
                ))
            })??;
        match reply {
            MonitorReply::Welcome { size } => Ok(Monitor {
                rt,
                tx,
                rx,
                timeout,
                size,
            }),
            MonitorReply::Refused(why) => Err(refused(why)),
            other => Err(Error::Protocol(format!("unexpected answer: {other:?}"))),
        }
    }

    /// Connects to a driver found by [`find_driver`].
    pub fn connect_to(driver: &DriverAddress, timeout: Duration) -> Result<Self> {
        Self::connect(&driver.address, &driver.secret, timeout)
    }

    /// Number of processes of the job, driver included (from the driver's welcome).
    pub fn size(&self) -> u32 {
        self.size
    }

    /// Sends `req` and returns the driver's answer as it is (a refusal included).
    pub fn request(&mut self, req: &MonitorRequest) -> Result<MonitorReply> {
        let bytes = encode(req)?;
        let (tx, rx, timeout) = (&mut self.tx, &mut self.rx, self.timeout);
        self.rt.block_on(async {
            tx.send(&bytes)
                .await
                .map_err(|e| Error::Protocol(format!("cannot send to the driver: {e}")))?;
            answer(rx, timeout).await
        })
    }

    /// The driver's workers and its run in progress.
    pub fn status(&mut self) -> Result<ClusterStatus> {
        match self.request(&MonitorRequest::Status)? {
            MonitorReply::Status(s) => Ok(*s),
            other => Err(unexpected(other)),
        }
    }

    /// Stops the job: the run in progress fails on every process (and every later run).
    /// Returns what the driver did; refused unless the driver allows control.
    pub fn stop(&mut self, reason: &str) -> Result<String> {
        self.control(&MonitorRequest::Stop {
            reason: reason.to_string(),
        })
    }

    /// Drops worker `rank` (it is lost: its chunks run elsewhere). Returns what the driver
    /// did; refused unless the driver allows control, or when no such worker is connected.
    pub fn drop_worker(&mut self, rank: u32) -> Result<String> {
        self.control(&MonitorRequest::DropWorker { rank })
    }

    fn control(&mut self, req: &MonitorRequest) -> Result<String> {
        match self.request(req)? {
            MonitorReply::Done(what) => Ok(what),
            other => Err(unexpected(other)),
        }
    }
}

fn refused(why: String) -> Error {
    Error::Context(format!("the driver refused the request: {why}"))
}

fn unexpected(reply: MonitorReply) -> Error {
    match reply {
        MonitorReply::Refused(why) => refused(why),
        other => Error::Protocol(format!("unexpected answer from the driver: {other:?}")),
    }
}

async fn answer(rx: &mut Receiver<TcpStream>, timeout: Duration) -> Result<MonitorReply> {
    let bytes = rx
        .recv(timeout)
        .await
        .map_err(|e| Error::Protocol(format!("no answer from the driver: {e}")))?
        .ok_or_else(|| {
            Error::Protocol("the driver closed the connection (wrong secret?)".into())
        })?;
    decode(&bytes)
}

impl super::DistributedContext {
    /// Writes the driver's address and secret to `path` for monitors (`haydi --rendezvous
    /// PATH status`), in the format of a rendezvous file: created atomically with mode 0600,
    /// never through a link, and removed when the driver's context is dropped (if it still
    /// holds what was written). Driver only; elsewhere it does nothing. A driver of `from_env`
    /// that uses a rendezvous file needs none: monitors read that one.
    ///
    /// ```no_run
    /// use haydi_contexts::{DistributedContext, DistributedOptions};
    /// let ctx = DistributedContext::spawn_with(4, DistributedOptions::default().allow_control(true))
    ///     .unwrap();
    /// ctx.write_monitor_file(std::path::Path::new("/tmp/my-job.haydi")).unwrap();
    /// // elsewhere: haydi --rendezvous /tmp/my-job.haydi status
    /// ```
    pub fn write_monitor_file(&self, path: &std::path::Path) -> Result<()> {
        let super::Role::Driver(d) = &*self.inner else {
            return Ok(());
        };
        launcher::write_rendezvous(path, &d.address, &d.secret)?;
        let text = format!("{}\n{}\n", d.address, d.secret.to_hex());
        d.monitor_files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path.to_path_buf(), text));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
