//! The third bootstrap (cargo feature `mpi`): [`DistributedContext::mpi`], the ranks of an MPI
//! job over the MPI transport (`transport::mpi`).

use super::context::DistributedContext;
use super::driver::DriverSide;
use super::transport::mpi as transport;
use super::transport::secret::Secret;
use super::worker::{Joining, this_join};
use super::{DistributedOptions, launcher};
use haydi_core::Result;
use haydi_core::plumbing::Unpoisoned;
use std::sync::Mutex;

/// The variable that picks the transport of [`DistributedContext::from_env`] when both are
/// possible: `mpi` or `tcp`.
///
/// ```
/// assert_eq!(haydi_contexts::distributed::ENV_TRANSPORT, "HAYDI_TRANSPORT");
/// ```
pub const ENV_TRANSPORT: &str = "HAYDI_TRANSPORT";

/// The process's MPI context: MPI starts once per process.
static CONTEXT: Mutex<Option<DistributedContext>> = Mutex::new(None);

/// Whether an MPI launcher started this process (Open MPI, MPICH/Hydra's PMI, PMIx) and
/// [`ENV_TRANSPORT`] does not ask for TCP.
pub(crate) fn launched_by_mpi() -> bool {
    if std::env::var(ENV_TRANSPORT).is_ok_and(|t| t.eq_ignore_ascii_case("tcp")) {
        return false;
    }
    if std::env::var(ENV_TRANSPORT).is_ok_and(|t| t.eq_ignore_ascii_case("mpi")) {
        return true;
    }
    ["OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"]
        .iter()
        .any(|v| std::env::var_os(v).is_some())
}

impl DistributedContext {
    /// The context of a job started by `mpirun` or `srun`, over MPI (cargo feature `mpi`):
    /// rank 0 drives, the other ranks pull chunks with MPI point-to-point messages, and every
    /// rank gets each run's result. Started once per process: later calls return the same
    /// context (and ignore their options). Without a launcher the process is a job of one
    /// (a singleton), which runs on its own threads.
    ///
    /// MPI is fail-stop: a rank that dies ends the job (`mpirun` aborts it), a rank silent for
    /// [`DistributedOptions::heartbeat_timeout`] makes the others abort it with a message
    /// naming it, and the TCP transport's re-running of a lost worker's chunks does not apply;
    /// use [`RunOptions::checkpoint`](haydi_core::RunOptions::checkpoint) so that a restarted
    /// job resumes. Messages are not sealed (the job's own processes, on its fabric); monitors
    /// connect over TCP as usual. See the transport's docs (`transport/mpi/mod.rs`).
    ///
    /// ```no_run
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// use haydi_contexts::DistributedContext;
    /// // mpirun -n 4 ./explore
    /// session::set_parallel_context(DistributedContext::mpi().unwrap());
    /// let n = Range::new(1_000_000).filter(|x| x % 7 == 0).count().run(true).unwrap();
    /// assert_eq!(n, 142_858); // on every rank
    /// ```
    pub fn mpi() -> Result<Self> {
        Self::mpi_with(DistributedOptions::default())
    }

    /// [`mpi`](Self::mpi) with options (those of the first call in the process count).
    pub fn mpi_with(opts: DistributedOptions) -> Result<Self> {
        let mut slot = CONTEXT.lock_unpoisoned();
        if let Some(ctx) = &*slot {
            return Ok(ctx.clone());
        }
        let ctx = Self::start_mpi(opts)?;
        *slot = Some(ctx.clone());
        Ok(ctx)
    }

    fn start_mpi(mut opts: DistributedOptions) -> Result<Self> {
        let started = transport::start()?;
        let (rank, size) = (started.rank, started.size);
        let threads = launcher::threads_from_env()
            .unwrap_or(opts.threads_per_worker)
            .max(1);
        let name = format!("{size} processes (MPI)");
        if rank > 0 {
            let joining = Joining::new(rank, &opts);
            let (link, size) = transport::join_worker(
                &started,
                this_join(rank, threads),
                &opts,
                joining.hear(),
                joining.leaving(),
            )?;
            tracing::info!(target: "haydi", rank, size, threads, "joined the driver over MPI");
            let w = joining.joined(size, threads, &opts, link);
            return Ok(DistributedContext::of_worker(w, &name));
        }
        opts.driver_threads.get_or_insert(1);
        // The driver listens on this machine for monitors only (workers use MPI).
        let (mut side, events) =
            DriverSide::start("127.0.0.1:0", Secret::random(), size, false, opts.clone())?;
        transport::serve_driver(&started, &opts, events, side.board())?;
        let mut st = side.state.lock_unpoisoned();
        let joined = st.wait_joined(
            size as usize - 1,
            // MPI is fail-stop: every rank takes part.
            size as usize - 1,
            opts.connect_timeout,
            || 0,
        );
        let missing: Vec<u32> = (1..size).filter(|r| !st.peers.contains_key(r)).collect();
        drop(st);
        joined?;
        side.missing = missing;
        Ok(DistributedContext::of_driver(side, &name))
    }
}
