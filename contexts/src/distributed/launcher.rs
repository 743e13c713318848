//! How processes find their place: rank and size from the launcher, the coordinator's address
//! and secret (environment or rendezvous file), the executable hash, and re-executing the
//! current program as spawned workers.

use super::auth::Secret;
use haydi_core::{Error, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

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
/// The host name the driver writes into the rendezvous file (default: this host's name).
pub const ENV_ADVERTISE: &str = "HAYDI_ADVERTISE";
/// Threads per worker process.
pub const ENV_THREADS: &str = "HAYDI_THREADS";
/// Set in processes started by `DistributedContext::spawn`: which `spawn` call (counted from 0
/// in the process) started them.
pub const ENV_SPAWN_INDEX: &str = "HAYDI_SPAWN_INDEX";

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

/// A key that is the same for every process of one launcher job (for the default rendezvous
/// file name).
fn job_key() -> String {
    let key = [
        "PMIX_NAMESPACE",
        "OMPI_MCA_ess_base_jobid",
        "SLURM_JOB_ID",
        "PMI_JOBID",
    ]
    .iter()
    .find_map(|k| std::env::var(k).ok())
    .map(|k| match std::env::var("SLURM_STEP_ID") {
        Ok(s) => format!("{k}.{s}"),
        Err(_) => k,
    })
    .unwrap_or_else(|| "default".into());
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The rendezvous file: `HAYDI_RENDEZVOUS`, or one in the temporary directory named after the
/// launcher's job (works when every process runs on this machine). The flag says whether it was
/// given explicitly.
pub fn rendezvous_path() -> (PathBuf, bool) {
    match std::env::var_os(ENV_RENDEZVOUS) {
        Some(p) => (PathBuf::from(p), true),
        None => (
            std::env::temp_dir().join(format!("haydi-rendezvous-{}", job_key())),
            false,
        ),
    }
}

/// Writes `address` and `secret` to the rendezvous file (readable by the owner only), atomically.
pub fn write_rendezvous(path: &Path, address: &str, secret: &Secret) -> Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let text = format!("{address}\n{}\n", secret.to_hex());
    let io = |e: std::io::Error| Error::Context(format!("rendezvous file {}: {e}", path.display()));
    {
        use std::io::Write;
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let mut f = o.open(&tmp).map_err(io)?;
        f.write_all(text.as_bytes()).map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)
}

/// Reads a rendezvous file written by [`write_rendezvous`]; `None` if absent or incomplete.
pub fn read_rendezvous(path: &Path) -> Option<(String, Secret)> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    let addr = lines.next()?.trim().to_string();
    let secret = Secret::from_hex(lines.next()?).ok()?;
    (!addr.is_empty()).then_some((addr, secret))
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

/// SHA-256 of the running executable, computed once per process.
pub fn exe_hash() -> [u8; 32] {
    static HASH: OnceLock<[u8; 32]> = OnceLock::new();
    *HASH.get_or_init(|| {
        let mut h = Sha256::new();
        match std::env::current_exe().and_then(std::fs::File::open) {
            Ok(mut f) => {
                if std::io::copy(&mut f, &mut h).is_err() {
                    h.update(b"unreadable executable");
                }
            }
            Err(_) => h.update(b"unknown executable"),
        }
        h.finalize().into()
    })
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

/// Starts `n` copies of this executable (same arguments) as workers 1..=n of the driver at
/// `address`. Their output goes to `log_dir/worker-<rank>.log`.
pub fn spawn_workers(
    n: usize,
    address: &str,
    secret: &Secret,
    spawn_index: usize,
    threads: usize,
    log_dir: &Path,
) -> Result<Vec<std::process::Child>> {
    let exe = std::env::current_exe()
        .map_err(|e| Error::Context(format!("cannot find the current executable: {e}")))?;
    std::fs::create_dir_all(log_dir)
        .map_err(|e| Error::Context(format!("cannot create {}: {e}", log_dir.display())))?;
    let mut children = Vec::with_capacity(n);
    for rank in 1..=n {
        let log = log_dir.join(format!("worker-{rank}.log"));
        let out = std::fs::File::create(&log)
            .map_err(|e| Error::Context(format!("cannot create {}: {e}", log.display())))?;
        let err = out
            .try_clone()
            .map_err(|e| Error::Context(format!("cannot open {}: {e}", log.display())))?;
        let child = std::process::Command::new(&exe)
            .args(std::env::args_os().skip(1))
            .env(ENV_RANK, rank.to_string())
            .env(ENV_SIZE, (n + 1).to_string())
            .env(ENV_COORDINATOR, address)
            .env(ENV_SECRET, secret.to_hex())
            .env(ENV_SPAWN_INDEX, spawn_index.to_string())
            .env(ENV_THREADS, threads.to_string())
            .stdin(std::process::Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| Error::Context(format!("cannot start worker {rank}: {e}")))?;
        children.push(child);
    }
    Ok(children)
}
