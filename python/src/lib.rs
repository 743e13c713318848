//! # haydi-python
//!
//! The extension module `haydi_rs._native`: the engine side of the Python package
//! `haydi_rs` (in `python/haydi_rs/`), which gives the Python haydi's API over haydi's
//! engine. The Python layer builds domains and pipelines; this module holds them as engine
//! domains over `Item`s (`item.rs`) and runs them on the engine's contexts.
//!
//! One concept per file: `engine.rs` (the only file naming the Rust API), `item.rs` (items
//! and their conversion), `pyobj.rs` (Python objects inside items), `atom.rs` (atoms and
//! USets), `domain.rs` (domains and their structure), `calls.rs` (calling Python from the
//! engine), `action.rs` (the actions), `run.rs` (a run), `context.rs` (contexts and the
//! session), `values.rs` (order and canonical forms of values), `pool.rs` (worker pools),
//! `errors.rs` (exceptions both ways).

mod action;
mod atom;
mod calls;
mod context;
mod domain;
mod engine;
mod errors;
mod item;
mod pool;
mod pyobj;
mod run;
mod values;

use pyo3::prelude::*;

/// The native part of `haydi_rs` (import `haydi_rs`, not this module).
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("HaydiError", py.get_type::<errors::HaydiError>())?;
    m.add("CallableError", py.get_type::<errors::CallableError>())?;
    m.add_class::<atom::PyAtom>()?;
    m.add_class::<atom::NUSet>()?;
    m.add_class::<domain::NDomain>()?;
    m.add_class::<context::NContext>()?;
    m.add_class::<pool::NPool>()?;
    m.add_class::<pool::NTask>()?;
    m.add_class::<pool::NRemote>()?;
    m.add_function(wrap_pyfunction!(atom::_atom_from_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(domain::range, m)?)?;
    m.add_function(wrap_pyfunction!(domain::values, m)?)?;
    m.add_function(wrap_pyfunction!(domain::cnf_values, m)?)?;
    m.add_function(wrap_pyfunction!(domain::boolean, m)?)?;
    m.add_function(wrap_pyfunction!(domain::none_domain, m)?)?;
    m.add_function(wrap_pyfunction!(domain::uset, m)?)?;
    m.add_function(wrap_pyfunction!(domain::product, m)?)?;
    m.add_function(wrap_pyfunction!(domain::product_unordered, m)?)?;
    m.add_function(wrap_pyfunction!(domain::sequences, m)?)?;
    m.add_function(wrap_pyfunction!(domain::subsets, m)?)?;
    m.add_function(wrap_pyfunction!(domain::mappings, m)?)?;
    m.add_function(wrap_pyfunction!(domain::join, m)?)?;
    m.add_function(wrap_pyfunction!(domain::permutations, m)?)?;
    m.add_function(wrap_pyfunction!(domain::map, m)?)?;
    m.add_function(wrap_pyfunction!(domain::filter, m)?)?;
    m.add_function(wrap_pyfunction!(run::run, m)?)?;
    m.add_function(wrap_pyfunction!(context::clear_session, m)?)?;
    m.add_function(wrap_pyfunction!(values::compare, m)?)?;
    m.add_function(wrap_pyfunction!(values::sorted_unique, m)?)?;
    m.add_function(wrap_pyfunction!(values::sorted_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(values::sort, m)?)?;
    m.add_function(wrap_pyfunction!(values::canonize, m)?)?;
    m.add_function(wrap_pyfunction!(values::is_canonical, m)?)?;
    m.add_function(wrap_pyfunction!(values::is_isomorphic, m)?)?;
    m.add_function(wrap_pyfunction!(values::expand, m)?)?;
    Ok(())
}
