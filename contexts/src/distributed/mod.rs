//! Distributed runs: worker processes on this machine ([`DistributedContext::spawn`]) and
//! clusters of machines ([`DistributedContext::from_env`]).
//!
//! # Execution model (SPMD)
//!
//! Closures cannot travel between processes, so every process runs the same executable and the
//! same `main`, as with MPI. Each `run(true)` on a distributed context is a collective point:
//! the driver (rank 0) hands out index-range chunks, the workers pull them, run them on their own
//! threads and send back partial results; the driver merges them in index order and sends the
//! final result to every worker, so all processes continue along the same path with the same
//! value. Code outside runs executes on every process: keep it deterministic (no decisions on
//! clocks, unseeded randomness or the rank) or the processes diverge. Divergence is detected: a
//! run is identified by its call site, a per-context run counter and the pipeline's type, and
//! workers send a hash of their executable when they join; any mismatch is an
//! [`Error::Protocol`] at once.
//!
//! Side effects of closures (printing, counters) happen on whichever process ran the chunk.
//!
//! # Files
//!
//! [`frame`] (length-delimited frames with a size limit), [`auth`] (HMAC challenge-response),
//! [`protocol`] (the messages), [`launcher`] (environment, rendezvous, spawning), [`monitor`]
//! (watching a running driver from outside: the `haydi` tool's messages and client), and the
//! private `coordinator` (driver), `worker`, `identity` (which job a process belongs to) and
//! `files` (private directories, careful file I/O) modules.

pub mod address;
pub mod auth;
mod children;
mod coordinator;
mod ending;
pub(crate) mod files;
pub use transport::frame;
mod identity;
pub mod launcher;
pub mod monitor;
#[cfg(feature = "mpi")]
pub mod mpi;
pub mod protocol;
pub mod secure;
pub mod transport;
mod worker;

#[cfg(feature = "mpi")]
pub use mpi::ENV_TRANSPORT;
pub use transport::secret::Secret;
pub use worker::join_driver;

use children::Children;
use coordinator::{Board, DriverState, Shared};
use haydi_core::context::{ParallelContext, RunReport, SerialContext};
use haydi_core::plumbing::{ErasedJob, ScheduleConfig};
use haydi_core::{Error, Result, RunOptions};
use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// Tuning of a distributed context. The defaults suit most programs.
///
/// ```
/// use haydi_contexts::DistributedOptions;
/// use std::time::Duration;
/// let o = DistributedOptions { heartbeat_timeout: Duration::from_secs(2), ..Default::default() };
/// assert!(o.heartbeat_interval < o.heartbeat_timeout);
/// ```
#[derive(Debug, Clone)]
pub struct DistributedOptions {
    /// Threads (chunks at once) per worker process. `HAYDI_THREADS` overrides it in workers
    /// started by a launcher. Default 1.
    pub threads_per_worker: usize,
    /// Prefetch depth: chunks a worker process holds queued per thread beyond the ones its
    /// threads run, so that a thread that finishes a chunk starts the next one at once instead
    /// of idling for the round trip to the driver (its result going out, the next chunk coming
    /// back). The driver hands each worker up to `threads × (1 + prefetch)` outstanding chunks.
    /// Queued chunks of a lost worker are run elsewhere (without counting as a failure of
    /// theirs), and those of a worker whose threads are all stuck count as stragglers. 0 turns
    /// prefetching off. Default 1.
    pub prefetch: usize,
    /// Threads of the driver that run chunks too. Default 0 for `spawn` (the workers have the
    /// cores), 1 for `from_env` (rank 0 is one of the launched processes).
    pub driver_threads: Option<usize>,
    /// How long the driver waits for every worker to join, and a worker for the driver.
    pub connect_timeout: Duration,
    /// How long an unauthenticated peer may take to authenticate.
    pub handshake_timeout: Duration,
    /// How often each side says it is alive.
    pub heartbeat_interval: Duration,
    /// A peer silent for this long is lost (its chunks run elsewhere).
    pub heartbeat_timeout: Duration,
    /// A chunk whose workers were lost this many times fails the run.
    pub max_chunk_failures: u32,
    /// Stragglers: a chunk outstanding for longer than this many times the longer of
    /// `schedule.target_chunk` and the slowest chunk completed so far in the run is handed to
    /// another worker as well (a worker stuck in a closure keeps sending heartbeats, so it is
    /// not lost). The first result wins; the other is ignored. At most two extra copies of a
    /// chunk run at once. 0 turns this off. Default 10.
    pub straggler_factor: u32,
    /// The hang bound: a chunk that has been run on every worker it may go to (the straggler
    /// copies are exhausted) fails the run with `Error::Worker` naming it once its newest copy
    /// has run for longer than `max(hang_floor, hang_factor x max(target chunk, slowest chunk
    /// so far))`, instead of holding the run forever. 0 turns it off. Default 100.
    pub hang_factor: u32,
    /// The least time the hang bound allows (see `hang_factor`). Default 60 s.
    pub hang_floor: Duration,
    /// How many workers must join (by `connect_timeout`) for a context to start; the ones
    /// that did not join are reported (a warning, [`DistributedContext::missing_workers`]) and
    /// may still join later. Default 1.
    pub min_workers: usize,
    /// Bytes of finished runs' results the driver keeps for workers that join late (a
    /// restarted process catches up on the runs it missed with them; a result that was not
    /// kept is computed again by that worker). Default 64 MiB.
    pub rejoin_cache: usize,
    /// How long after the driver starts a run every worker has to reach it (announce it). A
    /// worker that has not is treated as lost and told to exit. Default 60 s.
    pub announce_timeout: Duration,
    /// Largest message accepted from an authenticated peer, in bytes (a chunk's partial, the
    /// final result of a run). Messages travel in sealed pieces of 1 MiB, so this bounds only
    /// memory. Default: a quarter of the machine's memory (at least 256 MiB), twice the default
    /// result budget; a larger result fails its run with a clear error instead.
    pub max_message: usize,
    /// Chunk sizing (longer chunks than threads: a chunk costs a round trip).
    pub schedule: ScheduleConfig,
    /// Where spawned workers write their output (`worker-<rank>.log`, mode 0600). Created with
    /// mode 0700 if missing (a symbolic link is refused) and never removed. Default: a new,
    /// randomly named directory `haydi-workers-*` (mode 0700) in the temporary directory,
    /// removed when the driver's context is dropped unless a worker failed (exited with an
    /// error, was killed, or was lost; a `warn!` then says where the logs are) or
    /// [`keep_logs`](Self::keep_logs) is set. See [`DistributedContext::log_dir`].
    pub log_dir: Option<PathBuf>,
    /// Keep the default log directory after the driver's context is dropped. Default false.
    pub keep_logs: bool,
    /// Where a driver started by a launcher listens (`10.1.2.3`, `10.1.2.3:7000`,
    /// `[fd00::3]:7000`): one of this host's addresses, on the network its workers share
    /// (`HAYDI_LISTEN` overrides it). Default: every interface when workers on other hosts may
    /// join (a given `HAYDI_RENDEZVOUS` or `HAYDI_COORDINATOR`), else loopback. An address
    /// that is not this host's is a clear error. See [`address`].
    pub listen: Option<String>,
    /// The host name or address a driver writes into the rendezvous file for its workers to
    /// connect to (`HAYDI_ADVERTISE` overrides it). Default: the listen address when it names
    /// one, else this host's name. `0.0.0.0` is an error; a name that resolves to loopback only
    /// while the file is for other hosts too gets a warning.
    pub advertise: Option<String>,
    /// Whether monitors (the `haydi` tool, [`monitor::Monitor`]) that know the job's secret
    /// may stop the job or drop a worker. Reading the status is always allowed to them;
    /// control requests are refused with a message saying so unless this is set. Default
    /// false. See [`allow_control`](Self::allow_control).
    pub allow_control: bool,
}

impl DistributedOptions {
    /// Allows (or forbids) control requests of monitors: `haydi stop --yes` (the run in
    /// progress fails on every process, and so does every later run) and `haydi drop-worker
    /// RANK --yes` (the worker is lost; its chunks run elsewhere). Default: forbidden.
    ///
    /// ```
    /// use haydi_contexts::DistributedOptions;
    /// let o = DistributedOptions::default().allow_control(true);
    /// assert!(o.allow_control && !DistributedOptions::default().allow_control);
    /// ```
    pub fn allow_control(mut self, allow: bool) -> Self {
        self.allow_control = allow;
        self
    }
}

impl Default for DistributedOptions {
    fn default() -> Self {
        DistributedOptions {
            threads_per_worker: 1,
            prefetch: 1,
            driver_threads: None,
            connect_timeout: Duration::from_secs(30),
            handshake_timeout: Duration::from_secs(5),
            heartbeat_interval: Duration::from_millis(500),
            heartbeat_timeout: Duration::from_secs(10),
            max_chunk_failures: 3,
            straggler_factor: 10,
            announce_timeout: Duration::from_secs(60),
            hang_factor: 100,
            hang_floor: Duration::from_secs(60),
            min_workers: 1,
            rejoin_cache: 64 << 20,
            max_message: default_max_message(),
            schedule: ScheduleConfig {
                target_chunk: Duration::from_millis(50),
                probe_budget: Duration::from_micros(200),
                inline_threshold: Duration::from_millis(2),
                max_growth: 4,
            },
            log_dir: None,
            keep_logs: false,
            listen: None,
            advertise: None,
            allow_control: false,
        }
    }
}

/// Twice the default result budget of a run (`haydi_core::context::default_max_result_bytes`:
/// an eighth of the machine's memory, so a quarter here; 4 GiB where the memory is unknown), at
/// least 256 MiB: a result within its budget always fits a message.
fn default_max_message() -> usize {
    let bytes = haydi_core::context::default_max_result_bytes()
        .saturating_mul(2)
        .max(256 << 20);
    usize::try_from(bytes).unwrap_or(usize::MAX)
}

struct DriverSide {
    state: Mutex<DriverState>,
    seq: AtomicU64,
    opts: DistributedOptions,
    size: u32,
    address: String,
    children: Arc<Children>,
    /// Where spawned workers write (`spawn` only); handed to the [`ending::Ending`].
    logs: Mutex<Option<launcher::LogDir>>,
    /// Set once the context ended (dropped, or at the process's exit).
    ended: std::sync::atomic::AtomicBool,
    /// Ranks that had not joined when the context started.
    missing: Vec<u32>,
    /// How the workers were spawned (`spawn` only), to start lost ones again.
    plan: Option<launcher::SpawnPlan>,
    /// The rendezvous file this driver wrote and what it wrote there: it stays while the driver
    /// lives (a worker may join late) and is removed with the driver's context.
    rendezvous: Mutex<Option<(PathBuf, String)>>,
    /// Files written by `write_monitor_file`, and what they hold: removed with the context.
    monitor_files: Mutex<Vec<(PathBuf, String)>>,
    secret: Secret,
    rt: Mutex<Option<tokio::runtime::Runtime>>,
}

impl DriverSide {
    /// Ends the context (once): tells every worker the driver's program is done with it
    /// (`Shutdown`: workers go on with their own `main`), removes the rendezvous and monitor
    /// files, and returns what is needed to see the workers to their end.
    fn end(&self) -> Option<ending::Ending> {
        if self.ended.swap(true, Ordering::SeqCst) {
            return None;
        }
        // At the process's exit another thread may still hold the state (a run in progress on
        // it, or `std::process::exit` called from a closure): do not wait for it forever.
        let until = std::time::Instant::now() + Duration::from_secs(2);
        let mut guard = loop {
            match self.state.try_lock() {
                Ok(g) => break Some(g),
                Err(std::sync::TryLockError::Poisoned(p)) => break Some(p.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) if std::time::Instant::now() < until => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                Err(std::sync::TryLockError::WouldBlock) => break None,
            }
        };
        let (state, live, behind, lost) = match guard.as_deref_mut() {
            Some(st) => {
                st.poll();
                // The last result may still be on its way (a large one takes a while): wait
                // until it is written, or until the heartbeat deadline cuts a worker that
                // stopped reading.
                let behind = st.shutdown(self.opts.heartbeat_timeout + Duration::from_secs(2));
                let live: std::collections::BTreeSet<u32> = st
                    .peers
                    .iter()
                    .filter(|(_, p)| p.alive)
                    .map(|(r, _)| *r)
                    .collect();
                // Workers lost during the job count as failed (their log is kept); one whose
                // program ended (before the driver's) did not fail.
                let lost = st.lost_count() > 0;
                (
                    std::mem::replace(st, DriverState::detached()),
                    live,
                    behind,
                    lost,
                )
            }
            None => (
                DriverState::detached(),
                Default::default(),
                Default::default(),
                true,
            ),
        };
        drop(guard);
        let monitor_files =
            std::mem::take(&mut *self.monitor_files.lock().unwrap_or_else(|e| e.into_inner()));
        let rendezvous = self
            .rendezvous
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        for (path, text) in rendezvous.into_iter().chain(monitor_files) {
            // Only if it is still ours: another driver may have replaced it since.
            if files::read_private(&path).ok().flatten().as_deref() == Some(text.as_str()) {
                let _ = std::fs::remove_file(&path);
            }
        }
        Some(ending::Ending {
            state,
            children: self.children.clone(),
            live,
            behind,
            logs: self.logs.lock().unwrap_or_else(|e| e.into_inner()).take(),
            keep_logs: self.opts.keep_logs,
            failed: lost,
            rt: self.rt.lock().unwrap_or_else(|e| e.into_inner()).take(),
            grace: self.opts.heartbeat_timeout.max(Duration::from_secs(2)),
        })
    }
}

impl Drop for DriverSide {
    fn drop(&mut self) {
        if let Some(e) = self.end() {
            if self.children.is_empty() && e.behind.is_empty() {
                // Workers started by a launcher or by hand are not ours to wait for.
                e.finish();
            } else {
                // Spawned workers go on with their main: the exit handler waits for them.
                ending::defer(e);
            }
        }
    }
}

enum Role {
    Driver(Box<DriverSide>),
    Worker(worker::WorkerSide),
    /// A process spawned for another `spawn` call: it runs this context's jobs by itself.
    Bystander {
        rank: u32,
    },
}

/// A context whose workers are processes: spawned on this machine or started by a cluster
/// launcher (`mpirun`, `srun`) or by hand. See the [module docs](self) for the SPMD model.
///
/// Clones share the same processes. The driver's context kills the workers it spawned when the
/// last clone is dropped; workers exit when their driver goes away.
///
/// ```no_run
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// use haydi_contexts::DistributedContext;
/// // In a worker process (started by this very call in the driver), `spawn` connects to the
/// // driver instead, and the program goes on along the same path.
/// session::set_parallel_context(DistributedContext::spawn(4).unwrap());
/// let n = Range::new(1_000_000).filter(|x| x % 7 == 0).count().run(true).unwrap();
/// assert_eq!(n, 142_858); // on every process
/// ```
#[derive(Clone)]
pub struct DistributedContext {
    inner: Arc<Role>,
    workers: usize,
    name: String,
}

impl fmt::Debug for DistributedContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DistributedContext({})", self.name)
    }
}

static SPAWN_CALLS: AtomicUsize = AtomicUsize::new(0);

impl DistributedContext {
    /// Re-executes this program `n` times as workers on this machine and returns the driver's
    /// context. In a process started this way, the matching `spawn` call returns the worker's
    /// context instead (it finds `HAYDI_RANK` and `HAYDI_SPAWN_INDEX` in the environment), and
    /// other `spawn` calls return a context that runs jobs by itself (serially).
    pub fn spawn(n: usize) -> Result<Self> {
        Self::spawn_with(n, DistributedOptions::default())
    }

    /// [`spawn`](Self::spawn) with options.
    pub fn spawn_with(n: usize, opts: DistributedOptions) -> Result<Self> {
        let index = SPAWN_CALLS.fetch_add(1, Ordering::SeqCst);
        if let Some(role) = launcher::spawned_role() {
            if role.spawn_index != index {
                return Ok(DistributedContext {
                    inner: Arc::new(Role::Bystander { rank: role.rank }),
                    workers: 1,
                    name: format!("spawn({n}) seen from a worker of another context"),
                });
            }
            // Die with the driver, even before (or while) connecting to it.
            launcher::watch_parent(role.rank);
            let (addr, secret) = launcher::coordinator_from_env()?;
            let threads = launcher::threads_from_env().unwrap_or(opts.threads_per_worker);
            return Self::worker(
                worker::Target::Fixed(addr, secret),
                role.rank,
                threads,
                &opts,
                format!("spawn({n})"),
            );
        }
        if n == 0 {
            return Err(Error::Context("spawn needs at least one worker".into()));
        }
        let secret = Secret::random();
        let logs = launcher::LogDir::new(opts.log_dir.as_deref())?;
        let mut opts = opts;
        let driver_threads = *opts.driver_threads.get_or_insert(0);
        let _ = driver_threads;
        let (mut d, _) = Self::driver(
            "127.0.0.1:0",
            secret.clone(),
            n as u32 + 1,
            true,
            opts.clone(),
        )?;
        let Role::Driver(side) = Arc::get_mut(&mut d.inner).expect("fresh") else {
            unreachable!()
        };
        let plan = launcher::SpawnPlan {
            n,
            address: side.address.clone(),
            secret: secret.clone(),
            spawn_index: index,
            threads: opts.threads_per_worker,
        };
        let children = plan.start_all(&logs);
        side.plan = Some(plan);
        let log_dir = logs.path().to_path_buf();
        // Dropping the driver's context on an error below now cleans up (or keeps the logs).
        *side.logs.get_mut().unwrap_or_else(|e| e.into_inner()) = Some(logs);
        let children = children?;
        tracing::info!(target: "haydi", workers = n, logs = %log_dir.display(), "spawned workers");
        let children = Arc::new(Children::new(children, Some(log_dir.clone())));
        side.children = children.clone();
        let mut st = side.state.lock().unwrap_or_else(|e| e.into_inner());
        let described = children.clone();
        st.describe = Some(Box::new(move |rank| described.describe(rank)));
        let joined = st.wait_joined(n, opts.min_workers, opts.connect_timeout, || {
            children.ended().len()
        });
        let missing: Vec<u32> = (1..=n as u32)
            .filter(|r| !st.peers.contains_key(r))
            .collect();
        for (rank, how) in children.ended() {
            if missing.contains(&rank) {
                haydi_core::warning!(
                    rank,
                    "worker {rank} {how} before it joined; see {}",
                    log_dir.join(format!("worker-{rank}.log")).display()
                );
            }
        }
        drop(st);
        if let Err(e) = joined {
            let ended: Vec<String> = children
                .ended()
                .into_iter()
                .map(|(r, how)| format!("worker {r} {how}"))
                .collect();
            return Err(match e {
                Error::Worker(m) if !ended.is_empty() => Error::Worker(format!(
                    "{m}; {}; logs in {}",
                    ended.join(", "),
                    log_dir.display()
                )),
                e => e,
            });
        }
        side.missing = missing;
        d.finish_setup(format!("spawn({n})"));
        Ok(d)
    }

    /// Joins the processes started by a launcher: rank and size from Open MPI
    /// (`OMPI_COMM_WORLD_RANK/SIZE`), PMI (`PMI_RANK/PMI_SIZE`), Slurm (`SLURM_PROCID/SLURM_NTASKS`)
    /// or haydi's own `HAYDI_RANK/HAYDI_SIZE`. Rank 0 is the driver.
    ///
    /// The driver's address comes from `HAYDI_COORDINATOR` (`host:port`, the driver listens on
    /// that port on every interface; the secret must then be in `HAYDI_SECRET`), or else from a
    /// rendezvous file: `HAYDI_RENDEZVOUS` (on a shared file system for several machines), by
    /// default a file named after the job in a private directory of this user
    /// (`$XDG_RUNTIME_DIR/haydi`, else `<temp dir>/haydi-<uid>`, mode 0700; refused if it is a
    /// symbolic link, not ours, or open to others). The driver writes its address and a fresh
    /// secret there (mode 0600, atomically); workers refuse a file that is a symbolic link, not
    /// theirs, or readable or writable by others. The file stays while the driver's context
    /// lives (so that a late worker can join) and is removed when it is dropped.
    ///
    /// Every process has a job identity: `HAYDI_JOB_ID` or else the launcher's job id
    /// (`SLURM_JOB_ID` + `SLURM_STEP_ID`, `PBS_JOBID`, Open MPI's, `PMIX_NAMESPACE`,
    /// `HQ_JOB_ID`, `PMI_JOBID`), if any, plus a hash of the program's arguments. The default
    /// rendezvous file is named after it, and the driver refuses a worker of another job
    /// (the worker gets an [`Error::Protocol`] saying it belongs to another job; the driver
    /// logs a warning and keeps waiting for its own workers). Two jobs started by hand (no
    /// launcher) with the same executable and the *same arguments* cannot be told apart: give
    /// them different `HAYDI_JOB_ID`s or `HAYDI_RENDEZVOUS` files.
    ///
    /// With the cargo feature `mpi`, a process started by an MPI launcher (Open MPI, or
    /// `PMI_RANK`/`PMIX_RANK` set) uses the MPI transport instead (`DistributedContext::mpi`), unless
    /// `HAYDI_TRANSPORT=tcp`; `HAYDI_TRANSPORT=mpi` asks for it under any launcher.
    ///
    /// Workers started by hand on other machines join the same way:
    /// `HAYDI_RANK=3 HAYDI_SIZE=4 HAYDI_COORDINATOR=driver:7000 HAYDI_SECRET=... ./explore`.
    pub fn from_env() -> Result<Self> {
        Self::from_env_with(DistributedOptions::default())
    }

    /// [`from_env`](Self::from_env) with options.
    pub fn from_env_with(mut opts: DistributedOptions) -> Result<Self> {
        #[cfg(feature = "mpi")]
        if mpi::launched_by_mpi() {
            return Self::mpi_with(opts);
        }
        let info = launcher::detect_launcher().ok_or_else(|| {
            Error::Context(
                "no launcher found: run under mpirun or srun, or set HAYDI_RANK and HAYDI_SIZE"
                    .into(),
            )
        })?;
        let threads = launcher::threads_from_env().unwrap_or(opts.threads_per_worker);
        let coordinator = std::env::var(launcher::ENV_COORDINATOR).ok();
        let env_secret = match std::env::var(launcher::ENV_SECRET) {
            Ok(s) => Some(
                Secret::from_hex(&s).map_err(|e| Error::Context(format!("HAYDI_SECRET: {e}")))?,
            ),
            Err(_) => None,
        };
        let name = format!("{} processes ({})", info.size, info.launcher);
        if info.rank > 0 {
            let target = match (coordinator, env_secret) {
                (Some(a), Some(s)) => worker::Target::Fixed(a, s),
                (Some(_), None) => {
                    return Err(Error::Context(
                        "HAYDI_COORDINATOR is set but HAYDI_SECRET is not".into(),
                    ))
                }
                (None, _) => worker::Target::Rendezvous(launcher::rendezvous_path()?.0),
            };
            return Self::worker(target, info.rank, threads, &opts, name);
        }
        opts.driver_threads.get_or_insert(1);
        let (port, secret, rendezvous) = match coordinator {
            Some(a) => {
                let port = a.rsplit(':').next().and_then(|p| p.parse::<u16>().ok());
                let secret = env_secret.ok_or_else(|| {
                    Error::Context("HAYDI_COORDINATOR is set but HAYDI_SECRET is not".into())
                })?;
                (port, secret, None)
            }
            None => {
                let (path, explicit) = launcher::rendezvous_path()?;
                (
                    None,
                    env_secret.unwrap_or_else(Secret::random),
                    Some((path, explicit)),
                )
            }
        };
        // Workers on other hosts: a given coordinator address or rendezvous file.
        let other_hosts = rendezvous.as_ref().is_none_or(|(_, explicit)| *explicit);
        let env_listen = std::env::var(address::ENV_LISTEN).ok();
        let env_advertise = std::env::var(launcher::ENV_ADVERTISE).ok();
        let chosen = address::choose(
            env_listen.as_deref().or(opts.listen.as_deref()),
            env_advertise.as_deref().or(opts.advertise.as_deref()),
            port,
            other_hosts,
            &launcher::hostname(),
        )?;
        let bind = chosen.bind.to_string();
        let (mut d, _) = Self::driver(&bind, secret.clone(), info.size, true, opts.clone())?;
        let Role::Driver(side) = Arc::get_mut(&mut d.inner).expect("fresh") else {
            unreachable!()
        };
        if let Some((path, _)) = rendezvous {
            let port = side.address.rsplit(':').next().unwrap_or("0");
            let host = &chosen.advertise;
            if let Some(w) = address::check_reachable(host, other_hosts) {
                haydi_core::warning!("{w}");
            }
            let address = if host.contains(':') && !host.starts_with('[') {
                format!("[{host}]:{port}")
            } else {
                format!("{host}:{port}")
            };
            launcher::write_rendezvous(&path, &address, &secret)?;
            // The file stays while the driver lives (a worker may join late); dropping the
            // context removes it, also when joining fails below.
            *side.rendezvous.get_mut().unwrap_or_else(|e| e.into_inner()) =
                Some((path, format!("{address}\n{}\n", secret.to_hex())));
        }
        let expected = info.size as usize - 1;
        let mut st = side.state.lock().unwrap_or_else(|e| e.into_inner());
        let joined = st.wait_joined(expected, opts.min_workers, opts.connect_timeout, || 0);
        let missing: Vec<u32> = (1..info.size)
            .filter(|r| !st.peers.contains_key(r))
            .collect();
        drop(st);
        joined?;
        if let Role::Driver(side) = &mut *Arc::get_mut(&mut d.inner).expect("fresh") {
            side.missing = missing;
        }
        d.finish_setup(name);
        Ok(d)
    }

    fn worker(
        target: worker::Target,
        rank: u32,
        threads: usize,
        opts: &DistributedOptions,
        name: String,
    ) -> Result<Self> {
        let w = worker::WorkerSide::connect(target, rank, threads.max(1), opts)?;
        let size = w.size;
        // At the process's exit the driver hears that this program ended.
        ending::farewell_at_exit(w.farewell());
        Ok(DistributedContext {
            inner: Arc::new(Role::Worker(w)),
            workers: threads.max(1),
            name: format!("{name}, worker rank {rank} of {size}"),
        })
    }

    /// A driver listening on `bind` (for workers when `tcp_workers`, for monitors always);
    /// also returns the sender of its dispatch loop's events, for another transport.
    fn driver(
        bind: &str,
        secret: Secret,
        size: u32,
        tcp_workers: bool,
        opts: DistributedOptions,
    ) -> Result<(Self, mpsc::Sender<coordinator::Event>)> {
        let shared_secret = secret.clone();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("haydi-driver-io")
            .enable_all()
            .build()
            .map_err(|e| Error::Context(format!("cannot start the I/O runtime: {e}")))?;
        let listener = rt
            .block_on(tokio::net::TcpListener::bind(bind))
            .map_err(|e| address::bind_error(bind, &e))?;
        let address = listener
            .local_addr()
            .map_err(|e| Error::Context(e.to_string()))?
            .to_string();
        let (tx, rx) = mpsc::channel();
        let board = Arc::new(Board::new());
        board.set_driver(&address, opts.driver_threads.unwrap_or(0));
        let shared = Arc::new(Shared {
            secret,
            exe_hash: launcher::exe_hash(),
            job: launcher::job_identity(),
            size,
            tcp_workers,
            opts: opts.clone(),
            events: tx.clone(),
            ranks: Mutex::new(HashSet::new()),
            board: board.clone(),
        });
        rt.spawn(coordinator::accept_loop(listener, shared));
        tracing::info!(target: "haydi", %address, size, "driver listening");
        let d = DistributedContext {
            inner: Arc::new(Role::Driver(Box::new(DriverSide {
                state: Mutex::new(DriverState::new(rx, opts.rejoin_cache, board)),
                seq: AtomicU64::new(0),
                opts,
                size,
                address,
                children: Arc::new(Children::new(Vec::new(), None)),
                logs: Mutex::new(None),
                ended: std::sync::atomic::AtomicBool::new(false),
                missing: Vec::new(),
                plan: None,
                rendezvous: Mutex::new(None),
                monitor_files: Mutex::new(Vec::new()),
                secret: shared_secret,
                rt: Mutex::new(Some(rt)),
            }))),
            workers: 1,
            name: String::new(),
        };
        Ok((d, tx))
    }

    fn finish_setup(&mut self, name: String) {
        ending::watch(&self.inner);
        if let Role::Driver(side) = &*self.inner {
            let st = side.state.lock().unwrap_or_else(|e| e.into_inner());
            let remote: usize = st.peers.values().map(|p| p.threads as usize).sum();
            self.workers = (remote + side.opts.driver_threads.unwrap_or(0)).max(1);
            self.name = format!("distributed {name}");
        }
    }

    /// This process's rank: 0 for the driver.
    pub fn rank(&self) -> u32 {
        match &*self.inner {
            Role::Driver(_) => 0,
            Role::Worker(w) => w.rank,
            Role::Bystander { rank } => *rank,
        }
    }

    /// Number of processes, the driver included (1 for a bystander).
    pub fn size(&self) -> u32 {
        match &*self.inner {
            Role::Driver(d) => d.size,
            Role::Worker(w) => w.size,
            Role::Bystander { .. } => 1,
        }
    }

    /// Whether this process is the driver of this context.
    pub fn is_driver(&self) -> bool {
        matches!(&*self.inner, Role::Driver(_))
    }

    /// Process ids of the workers this driver spawned (empty elsewhere).
    pub fn worker_pids(&self) -> Vec<u32> {
        match &*self.inner {
            Role::Driver(d) => d.children.pids(),
            _ => Vec::new(),
        }
    }

    /// The address the driver listens on (`None` elsewhere).
    pub fn address(&self) -> Option<String> {
        match &*self.inner {
            Role::Driver(d) => Some(d.address.clone()),
            _ => None,
        }
    }

    /// Where the workers this driver spawned write their output, `worker-<rank>.log` (driver of
    /// `spawn` only; `None` elsewhere). The directory is private (mode 0700, logs 0600). Unless
    /// it is [`DistributedOptions::log_dir`] or [`DistributedOptions::keep_logs`] is set, it is
    /// removed when the driver's context is dropped, except when a worker failed: then it stays
    /// and a `warn!` says where.
    ///
    /// ```no_run
    /// use haydi_contexts::DistributedContext;
    /// let ctx = DistributedContext::spawn(2).unwrap();
    /// if let Some(dir) = ctx.log_dir() {
    ///     println!("worker 1 writes to {}", dir.join("worker-1.log").display());
    /// }
    /// ```
    pub fn log_dir(&self) -> Option<PathBuf> {
        match &*self.inner {
            Role::Driver(d) => d
                .logs
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
                .map(|l| l.path().to_path_buf()),
            _ => None,
        }
    }

    /// Number of workers alive now (driver only; 0 elsewhere). Losses and late joins are
    /// noticed at runs, and by [`wait_for_workers`](Self::wait_for_workers).
    ///
    /// ```no_run
    /// # use haydi_contexts::DistributedContext;
    /// let ctx = DistributedContext::spawn(3).unwrap();
    /// if ctx.is_driver() && ctx.live_workers() < 3 {
    ///     eprintln!("going on without ranks {:?}", ctx.missing_workers());
    /// }
    /// ```
    pub fn live_workers(&self) -> usize {
        match &*self.inner {
            Role::Driver(d) => {
                let mut st = d.state.lock().unwrap_or_else(|e| e.into_inner());
                st.poll();
                st.live_peers()
            }
            _ => 0,
        }
    }

    /// Starts again the spawned workers that were lost (crashed, killed, or dropped for
    /// missing a run), and returns their ranks (driver of `spawn` only; empty elsewhere). A
    /// restarted worker runs the program from the start like any worker; it joins the running
    /// job, catches up on the runs it missed (with the results the driver kept, see
    /// [`DistributedOptions::rejoin_cache`], or by computing them itself) and takes chunks from
    /// the next run it reaches. [`wait_for_workers`](Self::wait_for_workers) waits for it.
    ///
    /// ```no_run
    /// # use haydi_contexts::DistributedContext;
    /// # use std::time::Duration;
    /// let ctx = DistributedContext::spawn(4).unwrap();
    /// // ... runs, during which a worker crashed ...
    /// let restarted = ctx.respawn_lost().unwrap();
    /// ctx.wait_for_workers(4, Duration::from_secs(30)).unwrap();
    /// ```
    pub fn respawn_lost(&self) -> Result<Vec<u32>> {
        let Role::Driver(d) = &*self.inner else {
            return Ok(Vec::new());
        };
        let logs = d.logs.lock().unwrap_or_else(|e| e.into_inner());
        let (Some(plan), Some(logs)) = (&d.plan, logs.as_ref()) else {
            return Ok(Vec::new());
        };
        let mut st = d.state.lock().unwrap_or_else(|e| e.into_inner());
        st.poll();
        let lost: Vec<u32> = (1..=plan.n as u32)
            .filter(|r| !st.peers.get(r).is_some_and(|p| p.alive))
            .collect();
        for &rank in &lost {
            let child = plan.start(rank, logs)?;
            tracing::info!(target: "haydi", rank, pid = child.id(), "restarted a lost worker");
            d.children.replace(rank, child);
        }
        Ok(lost)
    }

    /// Ranks that had not joined by the start-up deadline (`connect_timeout`): the context
    /// went on without them (driver only; empty elsewhere). They may still join later.
    pub fn missing_workers(&self) -> Vec<u32> {
        match &*self.inner {
            Role::Driver(d) => d.missing.clone(),
            _ => Vec::new(),
        }
    }

    /// Waits until `n` workers are alive and ready for the next run (late or restarted workers
    /// joining, and catching up on the runs that ended before they joined) or `timeout`
    /// passes, and returns how many are (driver only; 0 elsewhere). Like every line outside
    /// runs, the call is made on every process; workers return at once.
    ///
    /// ```no_run
    /// # use haydi_contexts::DistributedContext;
    /// # use std::time::Duration;
    /// let ctx = DistributedContext::from_env().unwrap();
    /// let alive = ctx.wait_for_workers(ctx.size() as usize - 1, Duration::from_secs(30)).unwrap();
    /// ```
    ///
    /// Fails when a worker was refused meanwhile (it runs another executable).
    pub fn wait_for_workers(&self, n: usize, timeout: Duration) -> Result<usize> {
        match &*self.inner {
            Role::Driver(d) => {
                let mut st = d.state.lock().unwrap_or_else(|e| e.into_inner());
                st.wait_joined(n, 0, timeout, || 0)
            }
            _ => Ok(0),
        }
    }
}

impl ParallelContext for DistributedContext {
    fn execute(&self, job: &dyn ErasedJob, opts: &RunOptions) -> Result<RunReport> {
        match &*self.inner {
            Role::Driver(d) => {
                coordinator::execute_driver(&d.state, &d.seq, &d.opts_resolved(), job, opts)
            }
            Role::Worker(w) => w.execute(job, opts),
            Role::Bystander { .. } => {
                // A bystander is a worker process of another context: only that context's
                // driver writes traces and checkpoints.
                let quiet = RunOptions {
                    progress_bar: false,
                    chunk_trace: None,
                    checkpoint: None,
                    ..opts.clone()
                };
                SerialContext.execute(job, &quiet)
            }
        }
    }

    fn workers(&self) -> usize {
        self.workers
    }

    fn name(&self) -> String {
        self.name.clone()
    }

    fn collective(&self) -> bool {
        true
    }

    /// The worker processes the job was started with (`size - 1`; 1 for a driver alone), the
    /// same on every process, whatever each one's threads.
    fn pool_workers(&self) -> usize {
        (self.size() as usize).saturating_sub(1).max(1)
    }
}

impl DriverSide {
    fn opts_resolved(&self) -> ResolvedOpts<'_> {
        ResolvedOpts(&self.opts)
    }
}

/// Options with the driver's threads decided.
pub(crate) struct ResolvedOpts<'a>(&'a DistributedOptions);

impl ResolvedOpts<'_> {
    pub(crate) fn driver_threads(&self) -> usize {
        self.0.driver_threads.unwrap_or(0)
    }
    pub(crate) fn max_chunk_failures(&self) -> u32 {
        self.0.max_chunk_failures
    }
    pub(crate) fn schedule(&self) -> ScheduleConfig {
        self.0.schedule.clone()
    }
    pub(crate) fn straggler_factor(&self) -> u32 {
        self.0.straggler_factor
    }
    pub(crate) fn announce_timeout(&self) -> Duration {
        self.0.announce_timeout
    }
    pub(crate) fn prefetch(&self) -> u32 {
        self.0.prefetch.min(u32::MAX as usize) as u32
    }
    pub(crate) fn max_message(&self) -> usize {
        self.0.max_message
    }
    pub(crate) fn hang(&self) -> (u32, Duration) {
        (self.0.hang_factor, self.0.hang_floor)
    }
}
