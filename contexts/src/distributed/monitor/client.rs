//! The monitor's side: finding a running driver and talking to it.

use super::{ClusterStatus, MonitorHello, MonitorReply, MonitorRequest};
use crate::distributed::protocol::{ToDriver, decode, encode};
use crate::distributed::transport::noise::{Receiver, Sender};
use crate::distributed::transport::secret::Secret;
use crate::distributed::transport::tcp::dial;
use crate::distributed::{files, launcher};
use haydi_core::plumbing::Unpoisoned;
use haydi_core::{Error, Result};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::net::TcpStream;

/// Largest reply a monitor accepts (a status of many workers fits easily).
const MAX_REPLY: usize = 64 << 20;

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
/// use haydi_contexts::distributed::{monitor::Monitor, Secret};
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
            let (mut tx, mut rx) = dial(address, secret, MAX_REPLY).await.map_err(|e| {
                if e.starts_with("connect to") {
                    Error::Context(format!("cannot {e}"))
                } else {
                    Error::Protocol(format!("{e} (wrong secret?)"))
                }
            })?;
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

impl crate::distributed::DistributedContext {
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
        let crate::distributed::context::Role::Driver(d) = &*self.inner else {
            return Ok(());
        };
        launcher::write_rendezvous(path, &d.address, &d.secret)?;
        let text = format!("{}\n{}\n", d.address, d.secret.to_hex());
        d.monitor_files
            .lock_unpoisoned()
            .push((path.to_path_buf(), text));
        Ok(())
    }
}
