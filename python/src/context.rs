//! Contexts for Python runs: serial, threads, worker processes (spawned or started by hand),
//! and the session's context.

use crate::engine::{
    ContextSpec, DistributedContext, DistributedOptions, ParallelContext, SerialContext,
    ThreadContext, Unpoisoned, session,
};
use crate::errors::{HaydiError, check};
use pyo3::prelude::*;
use std::sync::{Arc, Mutex};

/// A context as the Python layer holds it. `close()` lets it go (a driver's workers are shut
/// down when the last holder lets go); a closed context refuses runs.
#[pyclass(frozen, name = "NativeContext", module = "haydi_rs._native")]
pub(crate) struct NContext {
    inner: Mutex<Option<Held>>,
    name: String,
}

#[derive(Clone)]
struct Held {
    ctx: Arc<dyn ParallelContext>,
    dist: Option<Arc<DistributedContext>>,
}

impl NContext {
    fn new(ctx: Arc<dyn ParallelContext>, dist: Option<Arc<DistributedContext>>) -> Self {
        NContext {
            name: ctx.name(),
            inner: Mutex::new(Some(Held { ctx, dist })),
        }
    }

    fn held(&self) -> PyResult<Held> {
        self.inner
            .lock_unpoisoned()
            .clone()
            .ok_or_else(|| HaydiError::new_err(format!("the context {} is closed", self.name)))
    }

    /// The engine context.
    pub(crate) fn get(&self) -> PyResult<Arc<dyn ParallelContext>> {
        Ok(self.held()?.ctx)
    }

    fn dist(&self) -> PyResult<Arc<DistributedContext>> {
        self.held()?.dist.ok_or_else(|| {
            HaydiError::new_err(format!("{} is not a distributed context", self.name))
        })
    }
}

/// Options of worker processes for Python: one thread each (a Python callable holds its
/// process's GIL, so more threads per worker would wait on it).
fn python_options(threads_per_worker: usize) -> DistributedOptions {
    DistributedOptions {
        threads_per_worker: threads_per_worker.max(1),
        ..Default::default()
    }
}

#[pymethods]
impl NContext {
    /// The serial context.
    #[staticmethod]
    fn serial() -> Self {
        NContext::new(Arc::new(SerialContext), None)
    }

    /// `n` threads (all cores when `None`).
    #[staticmethod]
    #[pyo3(signature = (n=None))]
    fn threads(py: Python<'_>, n: Option<usize>) -> PyResult<Self> {
        let t = match n {
            Some(n) => ThreadContext::new(n),
            None => ThreadContext::all_cores(),
        };
        Ok(NContext::new(Arc::new(check(py, t)?), None))
    }

    /// `n` worker processes re-executing this interpreter with the same script and arguments
    /// (in a worker, this call joins the driver instead).
    #[staticmethod]
    #[pyo3(signature = (n, threads_per_worker=1))]
    fn spawn(py: Python<'_>, n: usize, threads_per_worker: usize) -> PyResult<Self> {
        let opts = python_options(threads_per_worker);
        let d = py.detach(|| DistributedContext::spawn_with(n, opts));
        let d = Arc::new(check(py, d)?);
        Ok(NContext::new(d.clone(), Some(d)))
    }

    /// The processes of a launcher or started by hand (`HAYDI_RANK`, `HAYDI_SIZE`,
    /// `HAYDI_COORDINATOR`, ...): see `DistributedContext.from_env`.
    #[staticmethod]
    #[pyo3(signature = (threads_per_worker=1))]
    fn from_env(py: Python<'_>, threads_per_worker: usize) -> PyResult<Self> {
        let opts = python_options(threads_per_worker);
        let d = py.detach(|| DistributedContext::from_env_with(opts));
        let d = Arc::new(check(py, d)?);
        Ok(NContext::new(d.clone(), Some(d)))
    }

    /// The context of a name: `serial`, `threads`, `threads:N`, `spawn:N`, `cluster`.
    #[staticmethod]
    fn by_name(py: Python<'_>, name: &str) -> PyResult<Self> {
        let spec: ContextSpec = check(py, name.parse())?;
        match spec {
            ContextSpec::Spawn(n) => Self::spawn(py, n, 1),
            ContextSpec::Cluster => Self::from_env(py, 1),
            other => Ok(NContext::new(check(py, other.build())?, None)),
        }
    }

    /// The session's context (what `run(parallel=True)` uses).
    #[staticmethod]
    fn session() -> Self {
        NContext::new(session::parallel_context(), None)
    }

    /// The context's name (`serial`, `threads(4)`, ...).
    fn name(&self) -> String {
        self.name.clone()
    }

    /// The number of workers.
    fn workers(&self) -> PyResult<usize> {
        Ok(crate::engine::pool_workers(&*self.get()?))
    }

    /// This process's rank (0 is the driver) on a distributed context.
    fn rank(&self) -> PyResult<u32> {
        Ok(self.dist()?.rank())
    }

    /// The number of processes on a distributed context.
    fn size(&self) -> PyResult<u32> {
        Ok(self.dist()?.size())
    }

    /// Whether this process is the driver (true on every other context).
    fn is_driver(&self) -> PyResult<bool> {
        Ok(self.held()?.dist.is_none_or(|d| d.is_driver()))
    }

    /// The pids of the spawned workers.
    fn worker_pids(&self) -> PyResult<Vec<u32>> {
        Ok(self.dist()?.worker_pids())
    }

    /// Workers alive now.
    fn live_workers(&self) -> PyResult<usize> {
        Ok(self.dist()?.live_workers())
    }

    /// Starts lost spawned workers again; their pids.
    fn respawn_lost(&self, py: Python<'_>) -> PyResult<Vec<u32>> {
        let d = self.dist()?;
        check(py, py.detach(|| d.respawn_lost()))
    }

    /// The folder of the spawned workers' logs.
    fn log_dir(&self) -> PyResult<Option<String>> {
        Ok(self
            .dist()?
            .log_dir()
            .map(|p| p.to_string_lossy().into_owned()))
    }

    /// Makes this the session's context.
    fn install(&self) -> PyResult<()> {
        session::set_parallel_context_shared(self.get()?);
        Ok(())
    }

    /// Lets the context go (workers of a driver are shut down once nothing else holds it).
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let held = self.inner.lock_unpoisoned().take();
        py.detach(move || drop(held));
        Ok(())
    }
}

/// Resets the session to its default context (threads on all cores).
#[pyfunction]
pub(crate) fn clear_session() {
    session::clear_parallel_context();
}
