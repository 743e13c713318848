//! [`DistributedContext`]: what each process of a job is to it (the driver, a worker, or a
//! bystander spawned for another context), what it tells about the job, and its runs.

use super::coordinator;
use super::driver::DriverSide;
use super::ending;
use super::worker::WorkerSide;
use crate::extensions::Collective;
use haydi_core::context::{ParallelContext, RunReport, SerialContext};
use haydi_core::plumbing::ErasedJob;
use haydi_core::plumbing::Unpoisoned;
use haydi_core::{Result, RunOptions};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// What this process is to a context.
pub(crate) enum Role {
    Driver(Box<DriverSide>),
    Worker(WorkerSide),
    /// A process spawned for another `spawn` call: it runs this context's jobs by itself.
    Bystander {
        rank: u32,
    },
}

/// A context whose workers are processes: spawned on this machine or started by a cluster
/// launcher (`mpirun`, `srun`) or by hand. See the [module docs](crate::distributed) for the
/// SPMD model.
///
/// Clones share the same processes. When the driver's last clone is dropped (or at its
/// process's exit) the driver tells its workers that its program ended: they go on with their
/// own `main`, and the driver's process waits for the workers it spawned. A worker whose
/// driver is lost (killed, silent) or dismisses it exits.
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
    pub(crate) inner: Arc<Role>,
    workers: usize,
    name: String,
    /// What a pool or a crop asks of this context (see [`ParallelContext::extension`]).
    collective: Collective,
}

/// What a context of `size` processes offers as [`Collective`]: its worker processes (at least
/// 1, for a driver alone).
fn collective_of(size: u32) -> Collective {
    Collective {
        worker_processes: (size as usize).saturating_sub(1).max(1),
    }
}

impl fmt::Debug for DistributedContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DistributedContext({})", self.name)
    }
}

impl DistributedContext {
    /// The context of a driver whose workers joined (`name` says how they were started);
    /// registered so that it ends at the process's exit if it is still alive then.
    pub(crate) fn of_driver(side: DriverSide, name: &str) -> Self {
        let remote: usize = side
            .state
            .lock_unpoisoned()
            .peers
            .values()
            .map(|p| p.threads as usize)
            .sum();
        let workers = (remote + side.opts.driver_threads()).max(1);
        let collective = collective_of(side.size);
        let inner = Arc::new(Role::Driver(Box::new(side)));
        ending::watch(&inner);
        DistributedContext {
            inner,
            workers,
            name: format!("distributed {name}"),
            collective,
        }
    }

    /// The context of a worker that joined its driver (`name` says how it was started).
    pub(crate) fn of_worker(w: WorkerSide, name: &str) -> Self {
        let (rank, size, threads) = (w.rank, w.size, w.threads);
        DistributedContext {
            inner: Arc::new(Role::Worker(w)),
            workers: threads,
            name: format!("{name}, worker rank {rank} of {size}"),
            collective: collective_of(size),
        }
    }

    /// A process spawned for another context's `spawn` call (`name`): it runs this context's
    /// jobs by itself.
    pub(crate) fn bystander(rank: u32, name: String) -> Self {
        DistributedContext {
            inner: Arc::new(Role::Bystander { rank }),
            workers: 1,
            name,
            collective: collective_of(1),
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
    /// it is [`DistributedOptions::log_dir`](super::DistributedOptions::log_dir) or
    /// [`DistributedOptions::keep_logs`](super::DistributedOptions::keep_logs) is set, it is
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
                .lock_unpoisoned()
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
                let mut st = d.state.lock_unpoisoned();
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
    /// [`DistributedOptions::rejoin_cache`](super::DistributedOptions::rejoin_cache), or by computing them itself) and takes chunks from
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
        let logs = d.logs.lock_unpoisoned();
        let (Some(plan), Some(logs)) = (&d.plan, logs.as_ref()) else {
            return Ok(Vec::new());
        };
        let mut st = d.state.lock_unpoisoned();
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
                let mut st = d.state.lock_unpoisoned();
                st.wait_joined(n, 0, timeout, || 0)
            }
            _ => Ok(0),
        }
    }
}

impl ParallelContext for DistributedContext {
    fn execute(&self, job: &dyn ErasedJob, opts: &RunOptions) -> Result<RunReport> {
        match &*self.inner {
            Role::Driver(d) => coordinator::execute_driver(&d.state, &d.seq, &d.opts, job, opts),
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

    /// Every run is collective ([`Collective`]: the worker processes the job was started
    /// with, `size - 1`, the same on every process whatever each one's threads; 1 for a
    /// driver alone).
    fn extension(&self, of: std::any::TypeId) -> Option<&(dyn std::any::Any + Send + Sync)> {
        (of == std::any::TypeId::of::<Collective>()).then_some(&self.collective as _)
    }
}
