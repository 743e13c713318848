//! Python exceptions through the engine, and engine errors as Python exceptions.
//!
//! A Python callable runs inside the engine's chunk loop, which has no Python error type: an
//! exception there unwinds (without the panic hook's message) to the chunk's `catch_unwind`,
//! which reports it as `Error::Panicked` naming the chunk. The message carries a token under
//! which the original exception waits in this process, so the caller gets a `CallableError`
//! naming the chunk with the original exception as its `__cause__` (on a worker process only
//! the text of the exception and its traceback come back).

use crate::engine::{Error, Unpoisoned, panic_message};
use crate::pyobj::describe;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

pyo3::create_exception!(
    haydi_rs,
    HaydiError,
    PyException,
    "An error of a haydi run (bad domain, failed worker, protocol error, ...).\n\n\
     >>> import haydi_rs as hd\n\
     >>> try:\n\
     ...     hd.Range(10).generate().run()\n\
     ... except hd.HaydiError as e:\n\
     ...     print(e)\n\
     the pipeline source is endless: add take(n) or run with a timeout\n"
);
pyo3::create_exception!(
    haydi_rs,
    CallableError,
    HaydiError,
    "A Python callable raised inside a run; `chunk` is the index range it was processing, \
     `worker` the process that ran it, and `__cause__` the original exception (when it was \
     raised in this process).\n\n\
     >>> import haydi_rs as hd\n\
     >>> try:\n\
     ...     hd.Range(10).map(lambda x: 1 // (x - 3)).run()\n\
     ... except hd.CallableError as e:\n\
     ...     print(e.chunk[0] <= 3 < e.chunk[1], type(e.__cause__).__name__)\n\
     True ZeroDivisionError\n"
);

const TOKEN: &str = "python-exception#";

static NEXT: AtomicU64 = AtomicU64::new(1);

fn stash() -> &'static Mutex<HashMap<u64, PyErr>> {
    static S: std::sync::OnceLock<Mutex<HashMap<u64, PyErr>>> = std::sync::OnceLock::new();
    S.get_or_init(Default::default)
}

/// Leaves the engine with the Python exception `e`: unwinds to the enclosing chunk (or to the
/// binding's own `catch_unwind`) with a message naming `e` and its traceback.
pub(crate) fn raise_in_engine(py: Python<'_>, e: PyErr) -> ! {
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    let text = format_exception(py, &e);
    {
        let mut s = stash().lock_unpoisoned();
        if s.len() > 64 {
            s.clear();
        }
        s.insert(id, e);
    }
    let pid = std::process::id();
    std::panic::resume_unwind(Box::new(format!("{TOKEN}{pid}-{id}# {text}")))
}

/// `Type: message` plus the traceback's last lines.
fn format_exception(py: Python<'_>, e: &PyErr) -> String {
    let head = describe(py, e);
    let tb = (|| -> PyResult<String> {
        let tbm = py.import("traceback")?;
        let lines = tbm.call_method1(
            "format_exception",
            (e.get_type(py), e.value(py), e.traceback(py)),
        )?;
        let parts: Vec<String> = lines.extract()?;
        Ok(parts.concat())
    })()
    .unwrap_or_default();
    if tb.is_empty() {
        head
    } else {
        format!("{head}\n{}", tb.trim_end())
    }
}

/// The original exception whose token `message` carries, if it was raised in this process.
fn take_stashed(message: &str) -> Option<PyErr> {
    let rest = message.split(TOKEN).nth(1)?;
    let (pid, id) = rest.split('#').next()?.split_once('-')?;
    if pid.parse::<u32>().ok()? != std::process::id() {
        return None; // raised in another process: only its text came back
    }
    let id: u64 = id.parse().ok()?;
    stash().lock_unpoisoned().remove(&id)
}

/// `message` without the token.
fn clean(message: &str) -> String {
    match message.find(TOKEN) {
        Some(at) => {
            let rest = &message[at + TOKEN.len()..];
            let after = rest.find("# ").map(|i| &rest[i + 2..]).unwrap_or(rest);
            format!("{}{}", &message[..at], after)
        }
        None => message.to_string(),
    }
}

/// A panic payload caught by the binding itself (outside a run) as a Python exception.
pub(crate) fn from_panic(py: Python<'_>, payload: Box<dyn std::any::Any + Send>) -> PyErr {
    let msg = panic_message(payload);
    let _ = py;
    match take_stashed(&msg) {
        Some(e) => e,
        None => HaydiError::new_err(clean(&msg)),
    }
}

/// Runs `f`, turning a Python exception that left a callable inside it back into that
/// exception (the binding's own loops over domains, which are not runs).
pub(crate) fn catching<R>(py: Python<'_>, f: impl FnOnce() -> R) -> PyResult<R> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| from_panic(py, p))
}

/// An engine error as a Python exception: `CallableError` (naming the chunk, caused by the
/// original exception) for an exception in a callable, `KeyboardInterrupt` and other
/// non-`Exception` errors re-raised as they are, `HaydiError` for the rest.
pub(crate) fn to_py(py: Python<'_>, e: Error) -> PyErr {
    match e {
        Error::Panicked {
            chunk,
            message,
            worker,
        } => {
            let original = take_stashed(&message);
            if let Some(orig) = &original {
                if !orig.is_instance_of::<PyException>(py) {
                    return original.expect("checked");
                }
            }
            let where_ = worker
                .as_ref()
                .map(|w| format!(" on {w}"))
                .unwrap_or_default();
            let text = format!(
                "a Python callable raised while processing chunk [{}, {}){where_}: {}",
                chunk.start,
                chunk.end,
                clean(&message)
            );
            let err = CallableError::new_err(text);
            let value = err.value(py);
            let _ = value.setattr("chunk", PyTuple::new(py, [chunk.start, chunk.end]).ok());
            let _ = value.setattr("worker", worker);
            if let Some(orig) = original {
                let _ = value.setattr("original", orig.value(py));
                err.set_cause(py, Some(orig));
            }
            err
        }
        // The engine's advice names Rust calls; the call site is this binding's: say it in
        // the terms of a Python script.
        Error::Protocol(msg) if msg.contains("diverged from the driver") => {
            HaydiError::new_err(format!(
                "protocol error: {msg}. In Python: every process runs the script, so build \
                 the same domains on every process (seed `random` alike, e.g. random.seed(1); \
                 a set is taken sorted) and make the same run() calls in the same order, or \
                 send the driver's data with Pool.push"
            ))
        }
        other => HaydiError::new_err(other.to_string()),
    }
}

/// `PyResult` from an engine `Result`.
pub(crate) fn check<T>(py: Python<'_>, r: Result<T, Error>) -> PyResult<T> {
    r.map_err(|e| to_py(py, e))
}
