//! The tuning of a distributed context ([`DistributedOptions`]).

use haydi_core::plumbing::ScheduleConfig;
use std::path::PathBuf;
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
    /// that did not join are reported (a warning, [`DistributedContext::missing_workers`](super::DistributedContext::missing_workers)) and
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
    /// [`keep_logs`](Self::keep_logs) is set. See [`DistributedContext::log_dir`](super::DistributedContext::log_dir).
    pub log_dir: Option<PathBuf>,
    /// Keep the default log directory after the driver's context is dropped. Default false.
    pub keep_logs: bool,
    /// Where a driver started by a launcher listens (`10.1.2.3`, `10.1.2.3:7000`,
    /// `[fd00::3]:7000`): one of this host's addresses, on the network its workers share
    /// (`HAYDI_LISTEN` overrides it). Default: every interface when workers on other hosts may
    /// join (a given `HAYDI_RENDEZVOUS` or `HAYDI_COORDINATOR`), else loopback. An address
    /// that is not this host's is a clear error. See [`address`](super::address).
    pub listen: Option<String>,
    /// The host name or address a driver writes into the rendezvous file for its workers to
    /// connect to (`HAYDI_ADVERTISE` overrides it). Default: the listen address when it names
    /// one, else this host's name. `0.0.0.0` is an error; a name that resolves to loopback only
    /// while the file is for other hosts too gets a warning.
    pub advertise: Option<String>,
    /// Whether monitors (the `haydi` tool, [`Monitor`](super::monitor::Monitor)) that know the job's secret
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

impl DistributedOptions {
    /// The driver's threads that run chunks, decided (0 unless set: the bootstraps set it).
    pub(crate) fn driver_threads(&self) -> usize {
        self.driver_threads.unwrap_or(0)
    }

    /// The prefetch depth as the credits of a peer count it.
    pub(crate) fn prefetch(&self) -> u32 {
        self.prefetch.min(u32::MAX as usize) as u32
    }

    /// The hang bound: its factor and floor.
    pub(crate) fn hang(&self) -> (u32, Duration) {
        (self.hang_factor, self.hang_floor)
    }
}
