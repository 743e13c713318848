//! The second bootstrap: [`DistributedContext::from_env`], the processes a launcher started
//! (`mpirun`, `srun`, by hand) joining over TCP, or over MPI with the `mpi` feature; and the
//! TCP worker's context both bootstraps start.

use super::context::DistributedContext;
use super::driver::DriverSide;
use super::transport::secret::Secret;
use super::transport::tcp::{self, Target};
use super::worker::{Joining, this_join};
use super::{DistributedOptions, address, ending, launcher};
use haydi_core::plumbing::Unpoisoned;
use haydi_core::{Error, Result};

impl DistributedContext {
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
        if super::mpi::launched_by_mpi() {
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
                (Some(a), Some(s)) => Target::Fixed(a, s),
                (Some(_), None) => {
                    return Err(Error::Context(
                        "HAYDI_COORDINATOR is set but HAYDI_SECRET is not".into(),
                    ));
                }
                (None, _) => Target::Rendezvous(launcher::rendezvous_path()?.0),
            };
            return tcp_worker(target, info.rank, threads, &opts, &name);
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
        let (mut side, _) =
            DriverSide::start(&bind, secret.clone(), info.size, true, opts.clone())?;
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
        let mut st = side.state.lock_unpoisoned();
        let joined = st.wait_joined(expected, opts.min_workers, opts.connect_timeout, || 0);
        let missing: Vec<u32> = (1..info.size)
            .filter(|r| !st.peers.contains_key(r))
            .collect();
        drop(st);
        joined?;
        side.missing = missing;
        Ok(DistributedContext::of_driver(side, &name))
    }
}

/// The context of worker `rank` running `threads` chunks at once, joined over TCP to the
/// driver found at `target` (`name` says how it was started).
pub(super) fn tcp_worker(
    target: Target,
    rank: u32,
    threads: usize,
    opts: &DistributedOptions,
    name: &str,
) -> Result<DistributedContext> {
    let threads = threads.max(1);
    let joining = Joining::new(rank, opts);
    let (link, size) = tcp::connect(target, this_join(rank, threads), opts, joining.hear())?;
    tracing::info!(target: "haydi", rank, size, threads, "joined the driver");
    let w = joining.joined(size, threads, opts, link);
    // At the process's exit the driver hears that this program ended.
    ending::farewell_at_exit(w.farewell());
    Ok(DistributedContext::of_worker(w, name))
}
