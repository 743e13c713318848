//! The item order and canonical forms of single values, for Python.

use crate::engine::canon;
use crate::errors::{HaydiError, check};
use crate::item::{Item, items_of, list_of};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

fn plain(x: &Bound<'_, PyAny>) -> PyResult<crate::engine::Value> {
    Item::from_py(x)?.to_value().ok_or_else(|| {
        HaydiError::new_err(format!(
            "{} is not a plain value (None, bool, int, str, atoms, and tuples, sets and maps of them)",
            x.repr().map(|r| r.to_string()).unwrap_or_default()
        ))
    })
}

/// -1, 0 or 1: `a` against `b` in the item order.
#[pyfunction]
pub(crate) fn compare(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<i32> {
    Ok(Item::from_py(a)?.cmp(&Item::from_py(b)?) as i32)
}

/// The distinct items of `xs`, sorted, as a tuple (how haydi `Set` stores its elements).
#[pyfunction]
pub(crate) fn sorted_unique<'py>(
    py: Python<'py>,
    xs: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyTuple>> {
    let v = Item::sorted_unique(items_of(xs)?);
    PyTuple::new(py, list_of(py, &v)?)
}

/// The items of `xs`, sorted (repeats kept).
#[pyfunction]
pub(crate) fn sort<'py>(py: Python<'py>, xs: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
    let mut v = items_of(xs)?;
    v.sort();
    list_of(py, &v)
}

/// `(key, value)` pairs sorted by key, the last of a repeated key kept, as a tuple of pairs
/// (how haydi `Map` stores its items).
#[pyfunction]
pub(crate) fn sorted_pairs<'py>(
    py: Python<'py>,
    xs: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyTuple>> {
    let mut v = Vec::new();
    for p in xs.try_iter()? {
        let (k, x): (Bound<'py, PyAny>, Bound<'py, PyAny>) = p?.extract()?;
        v.push((Item::from_py(&k)?, Item::from_py(&x)?));
    }
    let v = Item::sorted_pairs(v);
    let pairs = v
        .iter()
        .map(|(k, x)| PyTuple::new(py, [k.to_py(py)?, x.to_py(py)?]))
        .collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, pairs)
}

/// The canonical form of `x`: the smallest value isomorphic to it.
#[pyfunction]
pub(crate) fn canonize<'py>(py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let v = check(py, canon::canonize(&plain(x)?))?;
    Item::from_value(&v).to_py(py)
}

/// Whether `x` is its own canonical form.
#[pyfunction]
pub(crate) fn is_canonical(x: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(canon::is_canonical(&plain(x)?))
}

/// Whether some renaming of atoms (each kept in its USet) maps `a` to `b`.
#[pyfunction]
pub(crate) fn is_isomorphic(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(canon::is_isomorphic(&plain(a)?, &plain(b)?))
}

/// Every value isomorphic to `x`, sorted.
#[pyfunction]
pub(crate) fn expand<'py>(py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
    let vs = check(py, canon::expand(&plain(x)?))?;
    let items: Vec<Item> = vs.iter().map(Item::from_value).collect();
    list_of(py, &items)
}
