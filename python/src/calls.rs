//! Python callables called by the engine: domain maps and filters, pipeline chains, key and
//! reduce functions. Each call attaches to the interpreter (free when the thread holds the
//! GIL already, as on the serial path); an exception leaves the engine through
//! `errors::raise_in_engine`.

use crate::errors::raise_in_engine;
use crate::item::Item;
use crate::pyobj::PyObj;
use pyo3::ffi;
use pyo3::prelude::*;
use std::cell::Cell;
use std::sync::Arc;

/// `Python::attach` for the engine's threads: the first call on a thread that has no Python
/// thread state gives it one that stays, so later calls only take the GIL.
///
/// Without it, every call from a worker thread (a `ThreadContext` thread, a worker process's
/// runner) made and destroyed a thread state around one callable call
/// (`PyGILState_Ensure` / `Release` with no outer state), a cost per item of its own.
pub(crate) fn attach<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> R {
    thread_local! {
        static KEPT: Cell<bool> = const { Cell::new(false) };
    }
    if !KEPT.with(|k| k.replace(true)) {
        // SAFETY: a thread without a thread state is not attached, so it may make one
        // (PyGILState_Ensure) and release the GIL at once (PyEval_SaveThread); the state is
        // kept, never released, for the thread's lifetime.
        unsafe {
            if ffi::PyGILState_GetThisThreadState().is_null() {
                let _ = ffi::PyGILState_Ensure();
                let _ = ffi::PyEval_SaveThread();
            }
        }
    }
    Python::attach(f)
}

thread_local! {
    /// This thread's argument tuple of one-argument calls, kept between calls (see
    /// [`call_one`]); null when none is kept.
    static ARG: Cell<*mut ffi::PyObject> = const { Cell::new(std::ptr::null_mut()) };
}

/// `f(x)`, with the argument tuple reused from the previous call on this thread.
///
/// The stable ABI of CPython 3.9 has no vectorcall, so each call from Rust needs a tuple of
/// its arguments; allocating and freeing one per item was a tenth of a map's cost. The tuple
/// is kept only while this code holds its one reference (a callee that keeps it gets it,
/// and the next call makes a new one), it is taken out of the thread's slot during the
/// call (a nested call makes its own), and its item is reset to `None` after each call, so
/// it keeps no argument alive.
pub(crate) fn call_one<'py>(
    f: &Bound<'py, PyAny>,
    x: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = f.py();
    // SAFETY: the thread is attached (`py`); the tuple is ours alone while its reference
    // count is 1 (checked before it is kept), which PyTuple_SetItem requires; SetItem steals
    // the reference it is given and releases the item it replaces.
    unsafe {
        let mut t = ARG.with(|c| c.replace(std::ptr::null_mut()));
        if t.is_null() {
            t = ffi::PyTuple_New(1);
            if t.is_null() {
                return Err(PyErr::fetch(py));
            }
        }
        ffi::PyTuple_SetItem(t, 0, x.into_ptr());
        let r = ffi::PyObject_Call(f.as_ptr(), t, std::ptr::null_mut());
        if ffi::Py_REFCNT(t) == 1 {
            ffi::Py_IncRef(ffi::Py_None());
            ffi::PyTuple_SetItem(t, 0, ffi::Py_None());
            let old = ARG.with(|c| c.replace(t));
            if !old.is_null() {
                ffi::Py_DecRef(old);
            }
        } else {
            ffi::Py_DecRef(t);
        }
        Bound::from_owned_ptr_or_err(py, r)
    }
}

/// `f(x)`.
pub(crate) fn call1(f: &Py<PyAny>, x: Item) -> Item {
    attach(|py| {
        let arg = x.to_py_in_engine(py);
        let r = call_one(f.bind(py), arg).unwrap_or_else(|e| raise_in_engine(py, e));
        Item::from_py_in_engine(&r)
    })
}

/// `f(x, y)`.
pub(crate) fn call2(f: &Py<PyAny>, x: Item, y: Item) -> Item {
    attach(|py| {
        let (a, b) = (x.to_py_in_engine(py), y.to_py_in_engine(py));
        let r = f
            .bind(py)
            .call1((a, b))
            .unwrap_or_else(|e| raise_in_engine(py, e));
        Item::from_py_in_engine(&r)
    })
}

/// `bool(f(x))`.
pub(crate) fn truthy(f: &Py<PyAny>, x: &Item) -> bool {
    attach(|py| {
        let arg = x.to_py_in_engine(py);
        call_one(f.bind(py), arg)
            .and_then(|r| r.is_truthy())
            .unwrap_or_else(|e| raise_in_engine(py, e))
    })
}

/// One step of a pipeline's chain.
pub(crate) enum Step {
    /// `map(f)`.
    Map(Py<PyAny>),
    /// `filter(f)`.
    Filter(Py<PyAny>),
}

/// What a chain hands to the action: what the action needs of the item, and no more.
#[derive(Clone, Copy)]
pub(crate) enum Keep {
    /// The item as a value (for actions that compare or hash items).
    Item,
    /// The Python object itself, unconverted (for actions that only hold items or pass them
    /// back to Python: collect, reduce, keyed max, groups): no conversion per item, and the
    /// objects the callables returned are the ones the caller gets.
    Object,
    /// Nothing but its presence (count).
    Presence,
}

/// A pipeline's maps and filters, applied to each item in one attachment: the Python object
/// goes from step to step, and is turned into what the action needs once at the end.
#[derive(Clone)]
pub(crate) struct Chain {
    pub(crate) steps: Arc<[Step]>,
    pub(crate) keep: Keep,
}

impl Chain {
    /// Whether the chain calls nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The item after every step, or `None` when a filter dropped it.
    pub(crate) fn apply(&self, x: Item) -> Option<Item> {
        if self.steps.is_empty() {
            return Some(x);
        }
        attach(|py| {
            let mut obj = x.to_py_in_engine(py);
            for step in self.steps.iter() {
                match step {
                    Step::Map(f) => {
                        obj = call_one(f.bind(py), obj).unwrap_or_else(|e| raise_in_engine(py, e));
                    }
                    Step::Filter(f) => {
                        let keep = call_one(f.bind(py), obj.clone())
                            .and_then(|r| r.is_truthy())
                            .unwrap_or_else(|e| raise_in_engine(py, e));
                        if !keep {
                            return None;
                        }
                    }
                }
            }
            Some(match self.keep {
                Keep::Item => Item::from_py_in_engine(&obj),
                Keep::Object => Item::Obj(PyObj(obj.unbind())),
                Keep::Presence => Item::None,
            })
        })
    }
}
