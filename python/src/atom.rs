//! Atoms of USets as Python objects, and the native USet handle.

use crate::engine::{Atom, USet, Unpoisoned, codec};
use crate::errors::check;
use pyo3::basic::CompareOp;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// An unlabelled atom: the `index`-th element of a `USet`, printed as the USet's name
/// followed by the index.
///
/// Atoms are values: two atoms are equal when they belong to the same USet (same name and
/// size) and have the same index, also after pickling or in another process. Atoms of one
/// USet order by index; atoms of different USets order by the USets' names, then sizes.
///
/// >>> import haydi_rs as hd
/// >>> a0, a1 = hd.USet(2, "a")
/// >>> a0, a1.index, a0 < a1, a1.parent.name
/// (a0, 1, True, 'a')
#[pyclass(frozen, name = "Atom", module = "haydi_rs._native")]
pub(crate) struct PyAtom {
    pub(crate) atom: Atom,
}

#[pymethods]
impl PyAtom {
    /// The atom's index in its USet.
    #[getter]
    fn index(&self) -> u32 {
        self.atom.index()
    }

    /// The USet the atom belongs to (as declared in this process).
    #[getter]
    fn parent(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let key = uset_key(py, &self.atom.uset())?;
        Ok(py
            .import("haydi_rs.domains")?
            .getattr("_uset_by_key")?
            .call1((key,))?
            .unbind())
    }

    fn __repr__(&self) -> String {
        self.atom.to_string()
    }

    fn __str__(&self) -> String {
        self.atom.to_string()
    }

    fn __hash__(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.atom.hash(&mut h);
        h.finish()
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> Py<PyAny> {
        let py = other.py();
        match other.cast::<PyAtom>() {
            Ok(o) => op
                .matches(self.atom.cmp(&o.get().atom))
                .into_pyobject(py)
                .map(|b| b.to_owned().into_any().unbind())
                .unwrap_or_else(|_| py.NotImplemented()),
            Err(_) => py.NotImplemented(),
        }
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Py<PyAny>, Bound<'py, PyTuple>)> {
        let bytes = check(py, codec::encode(&self.atom))?;
        let f = py
            .import("haydi_rs._native")?
            .getattr("_atom_from_bytes")?
            .unbind();
        Ok((f, PyTuple::new(py, [PyBytes::new(py, &bytes)])?))
    }
}

/// The atom encoded by `Atom.__reduce__`.
#[pyfunction]
pub(crate) fn _atom_from_bytes(py: Python<'_>, b: &[u8]) -> PyResult<PyAtom> {
    Ok(PyAtom {
        atom: check(py, codec::decode::<Atom>(b))?,
    })
}

/// A key naming a USet's identity (the same in every process).
fn uset_key<'py>(py: Python<'py>, id: &crate::engine::UsetId) -> PyResult<Bound<'py, PyBytes>> {
    Ok(PyBytes::new(py, &check(py, codec::encode(id))?))
}

/// The native side of a `USet`: its identity and atoms.
#[pyclass(frozen, name = "NativeUSet", module = "haydi_rs._native")]
pub(crate) struct NUSet {
    pub(crate) uset: USet,
}

#[pymethods]
impl NUSet {
    /// Declares a USet of `n` atoms called `name`.
    #[new]
    fn new(n: u32, name: &str) -> Self {
        NUSet {
            uset: USet::new(n, name),
        }
    }

    /// The `i`-th atom.
    fn atom(&self, i: u32) -> PyResult<PyAtom> {
        if i >= self.uset.len() {
            return Err(pyo3::exceptions::PyIndexError::new_err(format!(
                "USet {} has {} atoms, no atom {i}",
                self.uset.label(),
                self.uset.len()
            )));
        }
        Ok(PyAtom {
            atom: self.uset.atom(i),
        })
    }

    /// The key of the USet's identity, as `Atom.parent` looks it up.
    fn key<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        uset_key(py, &self.uset.id())
    }
}

/// The Python object of an atom: one per atom, made once (atoms are values, and a result of
/// a hundred thousand graphs holds a few distinct atoms a million times).
pub(crate) fn atom_object(py: Python<'_>, atom: Atom) -> PyResult<Bound<'_, PyAtom>> {
    static OBJECTS: std::sync::OnceLock<std::sync::Mutex<HashMap<Atom, Py<PyAtom>>>> =
        std::sync::OnceLock::new();
    const KEPT: usize = 1 << 16;
    let table = OBJECTS.get_or_init(Default::default);
    if let Some(o) = table.lock_unpoisoned().get(&atom) {
        return Ok(o.bind(py).clone());
    }
    let o = Bound::new(py, PyAtom { atom })?;
    let mut t = table.lock_unpoisoned();
    if t.len() < KEPT {
        t.insert(atom, o.clone().unbind());
    }
    Ok(o)
}
