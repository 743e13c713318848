//! Python callables called by the engine: domain maps and filters, pipeline chains, key and
//! reduce functions. Each call attaches to the interpreter (free when the thread holds the
//! GIL already, as on the serial path); an exception leaves the engine through
//! `errors::raise_in_engine`.

use crate::errors::raise_in_engine;
use crate::item::Item;
use pyo3::prelude::*;
use std::sync::Arc;

/// `f(x)`.
pub(crate) fn call1(f: &Py<PyAny>, x: Item) -> Item {
    Python::attach(|py| {
        let arg = x.to_py_in_engine(py);
        let r = f
            .bind(py)
            .call1((arg,))
            .unwrap_or_else(|e| raise_in_engine(py, e));
        Item::from_py_in_engine(&r)
    })
}

/// `f(x, y)`.
pub(crate) fn call2(f: &Py<PyAny>, x: Item, y: Item) -> Item {
    Python::attach(|py| {
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
    Python::attach(|py| {
        let arg = x.to_py_in_engine(py);
        f.bind(py)
            .call1((arg,))
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

/// A pipeline's maps and filters, applied to each item in one attachment: the Python object
/// goes from step to step, and is turned back into an item once at the end.
#[derive(Clone)]
pub(crate) struct Chain(pub(crate) Arc<[Step]>);

impl Chain {
    /// Whether the chain calls nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The item after every step, or `None` when a filter dropped it.
    pub(crate) fn apply(&self, x: Item) -> Option<Item> {
        if self.0.is_empty() {
            return Some(x);
        }
        Python::attach(|py| {
            let mut obj = x.to_py_in_engine(py);
            for step in self.0.iter() {
                match step {
                    Step::Map(f) => {
                        obj = f
                            .bind(py)
                            .call1((obj,))
                            .unwrap_or_else(|e| raise_in_engine(py, e));
                    }
                    Step::Filter(f) => {
                        let keep = f
                            .bind(py)
                            .call1((&obj,))
                            .and_then(|r| r.is_truthy())
                            .unwrap_or_else(|e| raise_in_engine(py, e));
                        if !keep {
                            return None;
                        }
                    }
                }
            }
            Some(Item::from_py_in_engine(&obj))
        })
    }
}
