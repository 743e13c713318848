//! [`PyObj`]: a Python object as a part of an item, usable on any thread.
//!
//! Items are cloned, compared, hashed and sent between processes by the engine, often on
//! threads that do not hold the GIL. A `PyObj` attaches to the interpreter for each of these
//! (cheap when the thread already holds the GIL: the serial path), and travels between
//! processes as a pickle.

use crate::calls::attach;
use crate::errors::raise_in_engine;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyTuple};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

/// A Python object held by an item (anything that is not a plain value: a float subclass, a
/// list, an instance of a user class, ...).
pub(crate) struct PyObj(pub(crate) Py<PyAny>);

impl Clone for PyObj {
    fn clone(&self) -> Self {
        attach(|py| PyObj(self.0.clone_ref(py)))
    }
}

impl PyObj {
    /// The object, bound to `py`.
    pub(crate) fn bind<'py>(&self, py: Python<'py>) -> &Bound<'py, PyAny> {
        self.0.bind(py)
    }
}

/// Python's `==`; an exception there fails the chunk (it becomes the run's error).
impl PartialEq for PyObj {
    fn eq(&self, other: &Self) -> bool {
        attach(|py| {
            let (a, b) = (self.bind(py), other.bind(py));
            if a.is(b) {
                return true;
            }
            a.eq(b).unwrap_or_else(|e| raise_in_engine(py, e))
        })
    }
}

impl Eq for PyObj {}

/// Python's `hash`; an unhashable object fails the chunk with Python's `TypeError`.
impl Hash for PyObj {
    fn hash<H: Hasher>(&self, state: &mut H) {
        attach(|py| {
            let h = self
                .bind(py)
                .hash()
                .unwrap_or_else(|e| raise_in_engine(py, e));
            state.write_isize(h);
        })
    }
}

impl PyObj {
    /// Python's order (`<`, `==`) where the two objects have one; otherwise (objects of
    /// unrelated types) by type name, then by identity, so that sorting never fails.
    pub(crate) fn order(&self, other: &Self) -> Ordering {
        attach(|py| {
            let (a, b) = (self.bind(py), other.bind(py));
            if a.is(b) {
                return Ordering::Equal;
            }
            let lt = a.lt(b);
            let gt = b.lt(a);
            match (lt, gt) {
                (Ok(true), _) => Ordering::Less,
                (Ok(false), Ok(true)) => Ordering::Greater,
                (Ok(false), Ok(false)) if a.eq(b).unwrap_or(false) => Ordering::Equal,
                _ => {
                    let (ta, tb) = (type_name(a), type_name(b));
                    ta.cmp(&tb).then_with(|| a.as_ptr().cmp(&b.as_ptr()))
                }
            }
        })
    }
}

fn type_name(x: &Bound<'_, PyAny>) -> String {
    x.get_type()
        .qualname()
        .map(|s| s.to_string())
        .unwrap_or_default()
}

static DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `pickle.dumps(x, protocol=HIGHEST)`.
pub(crate) fn pickle(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    let dumps = DUMPS.get_or_try_init(py, || -> PyResult<_> {
        Ok(py.import("pickle")?.getattr("dumps")?.unbind())
    })?;
    let proto = py.import("pickle")?.getattr("HIGHEST_PROTOCOL")?;
    let b = dumps.bind(py).call1((x, proto))?;
    Ok(b.cast::<PyBytes>()?.as_bytes().to_vec())
}

/// `pickle.loads(bytes)`.
pub(crate) fn unpickle<'py>(py: Python<'py>, bytes: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let loads = LOADS.get_or_try_init(py, || -> PyResult<_> {
        Ok(py.import("pickle")?.getattr("loads")?.unbind())
    })?;
    loads
        .bind(py)
        .call1(PyTuple::new(py, [PyBytes::new(py, bytes)])?)
}

impl Serialize for PyObj {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let bytes = attach(|py| pickle(py, self.bind(py)).map_err(|e| describe(py, &e)));
        match bytes {
            Ok(b) => s.serialize_bytes(&b),
            Err(msg) => Err(serde::ser::Error::custom(format!(
                "cannot pickle a Python object of a result: {msg}"
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for PyObj {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let bytes: Vec<u8> = serde::de::Deserialize::deserialize(d)?;
        attach(|py| {
            unpickle(py, &bytes)
                .map(|o| PyObj(o.unbind()))
                .map_err(|e| {
                    serde::de::Error::custom(format!(
                        "cannot unpickle a Python object of a result: {}",
                        describe(py, &e)
                    ))
                })
        })
    }
}

/// `Type: message` of a Python exception.
pub(crate) fn describe(py: Python<'_>, e: &PyErr) -> String {
    let ty = e
        .get_type(py)
        .qualname()
        .map(|s| s.to_string())
        .unwrap_or_else(|_| "Exception".into());
    match e.value(py).str() {
        Ok(m) if !m.to_string().is_empty() => format!("{ty}: {m}"),
        _ => ty,
    }
}
