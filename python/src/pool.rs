//! haydi's worker pool for Python callables (pyMOR's `WorkerPool`, Glimpse's pools): `map`,
//! `submit`, `apply`, `push`, as runs of a context.

use crate::calls::call1;
use crate::context::NContext;
use crate::engine::{Pool, Remote, TaskHandle, Unpoisoned};
use crate::errors::{HaydiError, check};
use crate::item::{Item, items_of, list_of};
use pyo3::prelude::*;
use pyo3::types::PyList;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A pool over a context.
#[pyclass(frozen, name = "NativePool", module = "haydi_rs._native")]
pub(crate) struct NPool {
    pool: Arc<Pool>,
}

#[pymethods]
impl NPool {
    /// A pool over `ctx`.
    #[new]
    fn new(ctx: &NContext) -> PyResult<Self> {
        Ok(NPool {
            pool: Arc::new(Pool::from_shared(ctx.get()?)),
        })
    }

    /// The number of workers.
    fn __len__(&self) -> usize {
        self.pool.len()
    }

    /// `[f(x) for x in xs]`, in input order.
    fn map<'py>(
        &self,
        py: Python<'py>,
        f: Py<PyAny>,
        xs: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let items = items_of(xs)?;
        let pool = self.pool.clone();
        let r = py.detach(move || pool.map(|x: &Item| call1(&f, x.clone()), &items));
        list_of(py, &check(py, r)?)
    }

    /// `f(w)` once for each worker number `w`, in worker order.
    fn apply<'py>(&self, py: Python<'py>, f: Py<PyAny>) -> PyResult<Bound<'py, PyList>> {
        let pool = self.pool.clone();
        let r = py.detach(move || pool.apply(|w| call1(&f, Item::Int(w as i64))));
        list_of(py, &check(py, r)?)
    }

    /// A task computing `f(None)` on the least-loaded worker.
    fn submit(&self, f: Py<PyAny>) -> NTask {
        let h = self.pool.submit(move |x: Item| call1(&f, x), Item::None);
        NTask {
            handle: Mutex::new(Some(h)),
        }
    }

    /// Runs the submitted tasks that wait for a handle to be looked at (collective contexts).
    fn flush(&self, py: Python<'_>) {
        let pool = self.pool.clone();
        py.detach(move || pool.flush());
    }

    /// Stores `obj` once in the pool (equal objects share one copy).
    fn push(&self, py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<NRemote> {
        let item = Item::from_py(obj)?;
        let r = check(py, self.pool.push(item))?;
        Ok(NRemote {
            remote: Mutex::new(Some(r)),
        })
    }
}

/// A submitted task.
#[pyclass(frozen, name = "NativeTask", module = "haydi_rs._native")]
pub(crate) struct NTask {
    handle: Mutex<Option<TaskHandle<Item>>>,
}

#[pymethods]
impl NTask {
    /// The task's result (waiting at most `timeout` seconds); its exception if it raised.
    #[pyo3(signature = (timeout=None))]
    fn wait<'py>(&self, py: Python<'py>, timeout: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        let h = self
            .handle
            .lock_unpoisoned()
            .take()
            .ok_or_else(|| HaydiError::new_err("the task's result was already taken"))?;
        let r = py.detach(move || match timeout {
            Some(t) => h.wait_timeout(Duration::from_secs_f64(t.max(0.0))),
            None => h.wait(),
        });
        check(py, r)?.to_py(py)
    }

    /// Whether the task has finished.
    fn is_finished(&self) -> PyResult<bool> {
        Ok(self
            .handle
            .lock_unpoisoned()
            .as_ref()
            .is_none_or(|h| h.is_finished()))
    }

    /// Cancels the task if it has not started; whether it was cancelled.
    fn cancel(&self) -> PyResult<bool> {
        Ok(self
            .handle
            .lock_unpoisoned()
            .as_ref()
            .is_some_and(|h| h.cancel()))
    }
}

/// An object stored in a pool.
#[pyclass(frozen, name = "NativeRemote", module = "haydi_rs._native")]
pub(crate) struct NRemote {
    remote: Mutex<Option<Remote<Item>>>,
}

#[pymethods]
impl NRemote {
    /// The stored object.
    fn get<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let g = self.remote.lock_unpoisoned();
        match g.as_ref() {
            Some(r) => r.get().to_py(py),
            None => Err(HaydiError::new_err("the remote object was removed")),
        }
    }

    /// Removes the pool's copy (once the last handle to it is removed).
    fn remove(&self) -> PyResult<()> {
        let r = self.remote.lock_unpoisoned().take();
        if let Some(r) = r {
            r.remove();
        }
        Ok(())
    }
}
