//! How processes find their place: rank and size from the launcher, the coordinator's address
//! and secret (environment or rendezvous file), the executable hash, and re-executing the
//! current program as spawned workers.

use super::files;
use super::transport::secret::Secret;
use haydi_core::{Error, Result};
use std::path::{Path, PathBuf};

/// Rank of this process (0 is the driver).
pub const ENV_RANK: &str = "HAYDI_RANK";
/// Number of processes, driver included.
pub const ENV_SIZE: &str = "HAYDI_SIZE";
/// `host:port` of the driver.
pub const ENV_COORDINATOR: &str = "HAYDI_COORDINATOR";
/// The shared secret, in hexadecimal.
pub const ENV_SECRET: &str = "HAYDI_SECRET";
/// A file (on a shared file system for clusters) where the driver writes its address and secret.
pub const ENV_RENDEZVOUS: &str = "HAYDI_RENDEZVOUS";
/// The host name or address the driver writes into the rendezvous file (default: the listen
/// address when `HAYDI_LISTEN` names one, else this host's name); see [`super::address`].
pub const ENV_ADVERTISE: &str = "HAYDI_ADVERTISE";
/// Threads per worker process.
pub const ENV_THREADS: &str = "HAYDI_THREADS";
/// Set in processes started by `DistributedContext::spawn`: which `spawn` call (counted from 0
/// in the process) started them.
pub const ENV_SPAWN_INDEX: &str = "HAYDI_SPAWN_INDEX";
/// haydi's own job id: processes of one job must agree on it, and it wins over the launcher's
/// job id (`SLURM_JOB_ID`, `PBS_JOBID`, Open MPI's, `PMIX_NAMESPACE`, `HQ_JOB_ID`, `PMI_JOBID`).
/// Needed for two by-hand jobs of one executable with identical arguments.
///
/// ```no_run
/// // HAYDI_JOB_ID=run-7 HAYDI_RANK=0 HAYDI_SIZE=3 ./explore &
/// // HAYDI_JOB_ID=run-7 HAYDI_RANK=1 HAYDI_SIZE=3 ./explore & ...
/// assert_eq!(haydi_contexts::distributed::launcher::ENV_JOB_ID, "HAYDI_JOB_ID");
/// ```
pub const ENV_JOB_ID: &str = super::identity::ENV_JOB_ID;
/// Set in processes started by `DistributedContext::spawn`: the driver's process id. A spawned
/// worker whose parent is no longer that process exits at once (its driver died).
///
/// ```
/// assert_eq!(haydi_contexts::distributed::launcher::ENV_PARENT_PID, "HAYDI_PARENT_PID");
/// ```
pub const ENV_PARENT_PID: &str = "HAYDI_PARENT_PID";

/// Where rank and size came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchInfo {
    /// This process's rank.
    pub rank: u32,
    /// Number of processes.
    pub size: u32,
    /// The launcher: `haydi`, `open-mpi`, `pmi` or `slurm`.
    pub launcher: &'static str,
}

fn var_u32(name: &str) -> Option<u32> {
    std::env::var(name).ok()?.trim().parse().ok()
}

/// Reads rank and size from haydi's own variables, Open MPI, PMI or Slurm (first found wins).
///
/// ```
/// use haydi_contexts::distributed::launcher::detect_launcher;
/// // Outside any launcher there is nothing to find (unless the environment says otherwise).
/// if std::env::var("HAYDI_RANK").is_err() && std::env::var("OMPI_COMM_WORLD_RANK").is_err()
///     && std::env::var("PMI_RANK").is_err() && std::env::var("SLURM_PROCID").is_err() {
///     assert_eq!(detect_launcher(), None);
/// }
/// ```
pub fn detect_launcher() -> Option<LaunchInfo> {
    let pairs: [(&str, &str, &'static str); 4] = [
        (ENV_RANK, ENV_SIZE, "haydi"),
        ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "open-mpi"),
        ("PMI_RANK", "PMI_SIZE", "pmi"),
        ("SLURM_PROCID", "SLURM_NTASKS", "slurm"),
    ];
    pairs.iter().find_map(|(r, s, l)| {
        let (rank, size) = (var_u32(r)?, var_u32(s)?);
        (rank < size).then_some(LaunchInfo {
            rank,
            size,
            launcher: l,
        })
    })
}

/// The rendezvous file: `HAYDI_RENDEZVOUS`, or else a file named after the job (the launcher's
/// job id and a hash of the program's arguments) in a private directory of this user:
/// `$XDG_RUNTIME_DIR/haydi`, or `<temp dir>/haydi-<uid>` (0700, refused if it is a link, not
/// ours, or open to others). The default works when every process runs on this machine; two
/// by-hand jobs with identical arguments need `HAYDI_RENDEZVOUS` or `HAYDI_JOB_ID` to keep apart.
/// The flag says whether the path was given explicitly.
///
/// ```
/// use haydi_contexts::distributed::launcher::rendezvous_path;
/// let (path, explicit) = rendezvous_path().unwrap();
/// assert_eq!(explicit, std::env::var_os("HAYDI_RENDEZVOUS").is_some());
/// if !explicit {
///     assert!(path.file_name().unwrap().to_string_lossy().starts_with("rendezvous-"));
/// }
/// ```
pub fn rendezvous_path() -> Result<(PathBuf, bool)> {
    match std::env::var_os(ENV_RENDEZVOUS) {
        Some(p) => Ok((PathBuf::from(p), true)),
        None => {
            let key = super::identity::job_identity().file_key();
            Ok((
                files::rendezvous_dir()?.join(format!("rendezvous-{key}")),
                false,
            ))
        }
    }
}

/// Writes `address` and `secret` to the rendezvous file (mode 0600), atomically: see the module
/// `files` (a fresh, exclusively created temporary file renamed over `path`; nothing holding the
/// secret is left behind on failure).
///
/// ```
/// use haydi_contexts::distributed::{launcher::{read_rendezvous, write_rendezvous}, Secret};
/// let dir = std::env::temp_dir().join(format!("haydi-doc-rv-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("rv");
/// let secret = Secret::random();
/// write_rendezvous(&path, "127.0.0.1:7000", &secret).unwrap();
/// let (addr, _) = read_rendezvous(&path).unwrap().unwrap();
/// assert_eq!(addr, "127.0.0.1:7000");
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn write_rendezvous(path: &Path, address: &str, secret: &Secret) -> Result<()> {
    let text = format!("{address}\n{}\n", secret.to_hex());
    files::write_private(path, text.as_bytes())
        .map_err(|e| Error::Context(format!("rendezvous file: {e}")))
}

/// Reads a rendezvous file written by [`write_rendezvous`]: `Ok(None)` if absent or incomplete,
/// an error if it is not safe to use (a symbolic link, not a regular file, not ours, or readable
/// or writable by others: someone else may have planted it to learn our secret or to point us at
/// their own driver).
///
/// ```
/// use haydi_contexts::distributed::launcher::read_rendezvous;
/// let absent = std::env::temp_dir().join("haydi-doc-no-such-rendezvous");
/// assert!(read_rendezvous(&absent).unwrap().is_none());
/// ```
pub fn read_rendezvous(path: &Path) -> Result<Option<(String, Secret)>> {
    let Some(text) =
        files::read_private(path).map_err(|e| Error::Context(format!("rendezvous file: {e}")))?
    else {
        return Ok(None);
    };
    let mut lines = text.lines();
    let parsed = (|| {
        let addr = lines.next()?.trim().to_string();
        let secret = Secret::from_hex(lines.next()?).ok()?;
        (!addr.is_empty()).then_some((addr, secret))
    })();
    Ok(parsed)
}

/// This process's job identity, as workers send it when they join: the job id of haydi
/// (`HAYDI_JOB_ID`) or of the launcher, if any, and a hash of the program's arguments. A driver
/// refuses workers whose identity differs from its own.
///
/// ```
/// let id = haydi_contexts::distributed::launcher::job_identity();
/// assert!(id.contains("arguments "));
/// assert_eq!(id, haydi_contexts::distributed::launcher::job_identity());
/// ```
pub fn job_identity() -> String {
    super::identity::job_identity().describe()
}

/// This machine's host name.
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// The image this process runs, to re-execute it: `/proc/self/exe` on Linux, which stays the
/// running program even when its file is replaced or removed meanwhile (a `cargo build` during
/// a run), else the path of the current executable.
///
/// ```
/// let exe = haydi_contexts::distributed::launcher::running_exe().unwrap();
/// assert!(std::fs::metadata(&exe).unwrap().is_file());
/// ```
pub fn running_exe() -> Result<PathBuf> {
    let proc_exe = Path::new("/proc/self/exe");
    if cfg!(target_os = "linux") && proc_exe.exists() {
        return Ok(proc_exe.to_path_buf());
    }
    std::env::current_exe()
        .map_err(|e| Error::Context(format!("cannot find the current executable: {e}")))
}

/// SHA-256 of the running executable, computed once per process (core's
/// [`haydi_core::trusted::origin::exe_sha256`], which checkpoints and crops record too).
pub fn exe_hash() -> [u8; 32] {
    haydi_core::trusted::origin::exe_sha256()
}

/// What a process started by `spawn` finds in its environment.
#[derive(Debug, Clone)]
pub struct SpawnedRole {
    /// Which `spawn` call of the program started this process.
    pub spawn_index: usize,
    /// This process's rank.
    pub rank: u32,
    /// Number of processes.
    pub size: u32,
}

/// `Some` in a process started by `DistributedContext::spawn`.
pub fn spawned_role() -> Option<SpawnedRole> {
    let spawn_index = std::env::var(ENV_SPAWN_INDEX).ok()?.parse().ok()?;
    Some(SpawnedRole {
        spawn_index,
        rank: var_u32(ENV_RANK)?,
        size: var_u32(ENV_SIZE)?,
    })
}

/// The coordinator address and secret given by the environment to a spawned worker.
pub fn coordinator_from_env() -> Result<(String, Secret)> {
    let addr = std::env::var(ENV_COORDINATOR)
        .map_err(|_| Error::Context(format!("{ENV_COORDINATOR} is not set")))?;
    let secret = std::env::var(ENV_SECRET)
        .map_err(|_| Error::Context(format!("{ENV_SECRET} is not set")))
        .and_then(|s| {
            Secret::from_hex(&s).map_err(|e| Error::Context(format!("{ENV_SECRET}: {e}")))
        })?;
    Ok((addr, secret))
}

/// Threads per worker from `HAYDI_THREADS`, if set.
pub fn threads_from_env() -> Option<usize> {
    var_u32(ENV_THREADS).map(|t| t.max(1) as usize)
}

/// Where spawned workers write their output.
#[derive(Debug)]
pub(crate) enum LogDir {
    /// A fresh, randomly named 0700 directory of ours, removed when no longer needed.
    Temp(tempfile::TempDir),
    /// The user's `DistributedOptions::log_dir`: never removed.
    Given(PathBuf),
}

impl LogDir {
    /// `given` (created 0700 if missing, refused if a link or open to others), or else a new
    /// private directory in the temporary directory.
    pub(crate) fn new(given: Option<&Path>) -> Result<LogDir> {
        match given {
            Some(p) => {
                if let Some(parent) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        Error::Context(format!("cannot create {}: {e}", parent.display()))
                    })?;
                }
                // The user's choice of place: created private, but an existing directory is
                // theirs to set up; only a link (which could point anywhere) is refused.
                files::given_dir(p)?;
                Ok(LogDir::Given(p.to_path_buf()))
            }
            None => files::private_temp_dir("haydi-workers-").map(LogDir::Temp),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        match self {
            LogDir::Temp(t) => t.path(),
            LogDir::Given(p) => p,
        }
    }

    /// The log file of worker `rank`.
    pub(crate) fn log_path(&self, rank: u32) -> PathBuf {
        self.path().join(format!("worker-{rank}.log"))
    }

    /// Called when the driver's context goes away: removes a temporary directory unless `keep`
    /// (some worker failed, or the user asked to keep the logs), and says where kept logs are.
    pub(crate) fn finish(self, keep: bool, failed: bool) {
        match self {
            LogDir::Temp(t) if keep || failed => {
                let path = t.keep();
                if failed {
                    haydi_core::warning!(logs = %path.display(), "a worker failed; its log is kept");
                }
            }
            LogDir::Temp(t) => {
                let path = t.path().to_path_buf();
                if let Err(e) = t.close() {
                    haydi_core::warning!(logs = %path.display(), error = %e, "cannot remove the workers' logs");
                }
            }
            LogDir::Given(p) => {
                if failed {
                    haydi_core::warning!(logs = %p.display(), "a worker failed; see its log");
                }
            }
        }
    }
}

/// How a driver starts its workers: this executable with the same arguments, told where the
/// driver is. Kept by the driver, so that a lost worker can be started again.
pub(crate) struct SpawnPlan {
    pub n: usize,
    pub address: String,
    pub secret: Secret,
    pub spawn_index: usize,
    pub threads: usize,
}

impl SpawnPlan {
    /// Starts worker `rank`; its output goes to `worker-<rank>.log` in `logs` (a new file,
    /// mode 0600; the log of a worker started before under that rank is renamed
    /// `worker-<rank>.<k>.log`).
    pub(crate) fn start(&self, rank: u32, logs: &LogDir) -> Result<std::process::Child> {
        // The running image, not the file it came from: a rebuild meanwhile replaces the
        // file (a later spawn would fail with ENOENT or run another program).
        let exe = running_exe()?;
        let log = logs.log_path(rank);
        if matches!(logs, LogDir::Given(_)) && std::fs::symlink_metadata(&log).is_ok() {
            // A given log directory may hold the logs of an earlier run: replace them (the
            // file is then created anew, never opened through a link planted in its place).
            let _ = std::fs::remove_file(&log);
        } else if std::fs::symlink_metadata(&log).is_ok() {
            // A restarted worker: keep the log of the one before.
            let k = (1..)
                .find(|k| {
                    std::fs::symlink_metadata(logs.path().join(format!("worker-{rank}.{k}.log")))
                        .is_err()
                })
                .unwrap_or(0);
            let _ = std::fs::rename(&log, logs.path().join(format!("worker-{rank}.{k}.log")));
        }
        let out = files::create_private(&log)?;
        let err = out
            .try_clone()
            .map_err(|e| Error::Context(format!("cannot open {}: {e}", log.display())))?;
        let mut cmd = std::process::Command::new(&exe);
        #[cfg(unix)]
        if let Some(arg0) = std::env::args_os().next() {
            // The program's own name, as it was started (not `/proc/self/exe`).
            std::os::unix::process::CommandExt::arg0(&mut cmd, arg0);
        }
        cmd.args(std::env::args_os().skip(1))
            .env(ENV_RANK, rank.to_string())
            .env(ENV_SIZE, (self.n + 1).to_string())
            .env(ENV_COORDINATOR, &self.address)
            .env(ENV_SECRET, self.secret.to_hex())
            .env(ENV_SPAWN_INDEX, self.spawn_index.to_string())
            .env(ENV_THREADS, self.threads.to_string())
            .env(ENV_PARENT_PID, std::process::id().to_string())
            .stdin(std::process::Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| Error::Context(format!("cannot start worker {rank}: {e}")))
    }

    /// Starts workers 1..=n.
    pub(crate) fn start_all(&self, logs: &LogDir) -> Result<Vec<std::process::Child>> {
        (1..=self.n as u32).map(|r| self.start(r, logs)).collect()
    }
}

/// In a spawned worker: exits the process as soon as its parent is no longer the driver that
/// spawned it (`HAYDI_PARENT_PID`), so that workers of a killed driver do not live on as
/// orphans (retrying to connect, or waiting for work). Started once per process.
pub(crate) fn watch_parent(rank: u32) {
    #[cfg(unix)]
    {
        static STARTED: std::sync::Once = std::sync::Once::new();
        let Some(expected) = var_u32(ENV_PARENT_PID) else {
            return;
        };
        STARTED.call_once(|| {
            let check = move || {
                let now = std::os::unix::process::parent_id();
                if now != expected {
                    eprintln!(
                        "haydi worker rank {rank}: the driver (pid {expected}) is gone \
                         (parent is now pid {now}); exiting"
                    );
                    std::process::exit(4);
                }
            };
            // The driver may have died before we got here.
            check();
            let _ = std::thread::Builder::new()
                .name("haydi-parent-watch".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(std::time::Duration::from_millis(100));
                        check();
                    }
                });
        });
    }
    #[cfg(not(unix))]
    let _ = rank;
}
