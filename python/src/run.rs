//! A Python pipeline's run: its source (a domain's items, random items, canonical forms),
//! its chain of Python maps and filters, an optional `take`, and an action, executed by the
//! engine on a context.
//!
//! The GIL: a serial run whose chain calls Python keeps it (each call is then a plain call);
//! any other run releases it for its whole duration, so the engine's threads and the
//! canonical-form generation run without it and callables attach on whichever thread runs
//! their chunk.

use crate::action::{Kind, Partial, PyAction};
use crate::calls::{Chain, Keep, Step};
use crate::context::NContext;
use crate::domain::NDomain;
use crate::engine::{
    DomainExt, Error, IntoPipeline, Outcome, RunOptions, Value, canon, driver_bytes,
};
use crate::errors::{HaydiError, check};
use crate::item::list_of;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use std::sync::Arc;
use std::time::Duration;

/// Where a run executes.
enum Where {
    Serial,
    Session,
    Context(Arc<dyn crate::engine::ParallelContext>),
}

/// Runs a job (a macro: the job types differ by source and `take`).
macro_rules! execute {
    ($job:expr, $where:expr, $opts:expr) => {{
        let job = $job;
        match $where {
            Where::Serial => job.run_with(false, $opts),
            Where::Session => job.run_with(true, $opts),
            Where::Context(c) => job.run_in_with(c.as_ref(), $opts),
        }
    }};
}

/// The pipeline with its `take` (if any) and the action, executed.
macro_rules! with_take {
    ($pipe:expr, $take:expr, $action:expr, $where:expr, $opts:expr) => {{
        let p = $pipe;
        match $take {
            Some(n) => execute!(p.take(n).with_action($action), $where, $opts),
            None => execute!(p.with_action($action), $where, $opts),
        }
    }};
}

fn parse_chain(chain: &Bound<'_, PyList>, keep: Keep) -> PyResult<Chain> {
    let mut steps = Vec::with_capacity(chain.len());
    for s in chain.iter() {
        let (kind, f): (String, Py<PyAny>) = s.extract()?;
        steps.push(match kind.as_str() {
            "map" => Step::Map(f),
            "filter" => Step::Filter(f),
            other => return Err(HaydiError::new_err(format!("unknown step {other}"))),
        });
    }
    Ok(Chain {
        steps: steps.into(),
        keep,
    })
}

fn parse_action(spec: &Bound<'_, PyTuple>) -> PyResult<Kind> {
    let name: String = spec.get_item(0)?.extract()?;
    Ok(match name.as_str() {
        "collect" => Kind::Collect,
        "count" => Kind::Count,
        "reduce" => Kind::Reduce(spec.get_item(1)?.unbind()),
        "max" => Kind::Max {
            key: spec.get_item(1)?.extract()?,
            size: spec.get_item(2)?.extract()?,
        },
        "groups" => Kind::Groups {
            key: spec.get_item(1)?.unbind(),
            limit: spec.get_item(2)?.extract()?,
        },
        other => return Err(HaydiError::new_err(format!("unknown action {other}"))),
    })
}

/// The partial result as a Python object: a list (collect), an int (count), the fold or
/// `None` (reduce), `None` or `(key, items)` (max), `[(key, count, items), ...]` (groups).
fn partial_to_py<'py>(py: Python<'py>, p: &Partial) -> PyResult<Bound<'py, PyAny>> {
    Ok(match p {
        Partial::Items(v) => list_of(py, v)?.into_any(),
        Partial::List(l) => l.0.bind(py).clone().into_any(),
        Partial::Count(n) => n.into_pyobject(py)?.into_any(),
        Partial::Acc(a) => match a {
            Some(x) => x.to_py(py)?,
            None => py.None().into_bound(py),
        },
        Partial::Best(b) => match b {
            Some((k, v)) => {
                PyTuple::new(py, [k.to_py(py)?, list_of(py, v)?.into_any()])?.into_any()
            }
            None => py.None().into_bound(py),
        },
        Partial::Groups(g) => {
            let out = PyList::empty(py);
            for (k, n, v) in &g.entries {
                out.append(PyTuple::new(
                    py,
                    [
                        k.to_py(py)?,
                        n.into_pyobject(py)?.into_any(),
                        list_of(py, v)?.into_any(),
                    ],
                )?)?;
            }
            out.into_any()
        }
    })
}

/// The result of a run for Python: `{"value", "complete", "processed", "total", "covered"}`.
fn outcome_to_py<'py, T>(
    py: Python<'py>,
    out: Outcome<T>,
    value: impl FnOnce(&T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("value", value(&out.value)?)?;
    d.set_item("complete", out.complete)?;
    d.set_item("processed", out.processed)?;
    d.set_item("total", out.total)?;
    let covered: Vec<(u128, u128)> = out.covered.iter().map(|r| (r.start, r.end)).collect();
    d.set_item("covered", covered)?;
    Ok(d)
}

/// `seed` as the driver has it, where the run goes to a collective context (a collective
/// call: every process makes it before the run).
fn driver_seed(py: Python<'_>, where_: &Where, seed: u64) -> PyResult<u64> {
    let ctx = match where_ {
        Where::Serial => return Ok(seed),
        Where::Session => crate::engine::session::parallel_context(),
        Where::Context(c) => c.clone(),
    };
    let bytes = check(
        py,
        py.detach(|| driver_bytes(ctx.as_ref(), seed.to_le_bytes().to_vec())),
    )?;
    let bytes: [u8; 8] = bytes
        .try_into()
        .map_err(|_| HaydiError::new_err("the driver's seed is not 8 bytes"))?;
    Ok(u64::from_le_bytes(bytes))
}

/// Runs a pipeline.
///
/// `method` is `iterate`, `generate` (random items from `seed`) or `cnfs`; `chain` is a list
/// of `("map" | "filter", f)`; `action` is `("collect",)`, `("count",)`, `("reduce", f)`,
/// `("max", key or None, size or None)` or `("groups", key, limit or None)`. The run goes to
/// `ctx` when given, else to the session's context when `parallel`, else it is serial.
#[pyfunction]
#[pyo3(signature = (domain, method, seed, chain, take, action, ctx, parallel, timeout, progress))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn run<'py>(
    py: Python<'py>,
    domain: &NDomain,
    method: &str,
    seed: u64,
    chain: &Bound<'py, PyList>,
    take: Option<u64>,
    action: &Bound<'py, PyTuple>,
    ctx: Option<&NContext>,
    parallel: bool,
    timeout: Option<f64>,
    progress: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let kind = parse_action(action)?;
    let keep = match &kind {
        Kind::Count => Keep::Presence,
        Kind::Max { key: None, .. } => Keep::Item,
        _ => Keep::Object,
    };
    let chain = parse_chain(chain, keep)?;
    let counting = matches!(kind, Kind::Count);
    let calls_python = !chain.is_empty()
        || domain.callables
        || !matches!(
            kind,
            Kind::Collect | Kind::Count | Kind::Max { key: None, .. }
        );
    let where_ = match ctx {
        Some(c) => Where::Context(c.get()?),
        None if parallel => Where::Session,
        None => Where::Serial,
    };
    let serial = match &where_ {
        Where::Serial => true,
        Where::Context(c) => crate::engine::is_serial(&**c),
        Where::Session => false,
    };
    let mut opts = RunOptions::new().progress_bar(progress);
    if let Some(t) = timeout {
        if !(t.is_finite() && t >= 0.0) {
            return Err(HaydiError::new_err(format!(
                "timeout must be a non-negative number of seconds, not {t}"
            )));
        }
        opts = opts.timeout(Duration::from_secs_f64(t));
    }
    let kind = match kind {
        // Held GIL: the callables' results go straight into a Python list.
        Kind::Collect if serial && calls_python => Kind::CollectList,
        k => k,
    };
    let action = PyAction(kind);
    // A random stream's seed is the driver's on every process of a distributed context: each
    // process drew its own (Python's `random`), and chunks drawn from different seeds would
    // make a stream that is nobody's (the driver refuses a worker whose run differs).
    let seed = if method == "generate" {
        driver_seed(py, &where_, seed)?
    } else {
        seed
    };
    let dom = domain.dom.clone();
    let node = domain.node.clone();
    let shape = if method == "cnfs" {
        Some(node.shape(py)?)
    } else {
        None
    };
    let job = move || -> Result<Outcome<Partial>, Error> {
        match method {
            "iterate" => {
                let c = chain.clone();
                with_take!(
                    dom.iterate().filter_map(move |x| c.apply(x)),
                    take,
                    action,
                    &where_,
                    &opts
                )
            }
            "generate" => {
                let c = chain.clone();
                with_take!(
                    dom.generate(seed).filter_map(move |x| c.apply(x)),
                    take,
                    action,
                    &where_,
                    &opts
                )
            }
            "cnfs" => {
                let shape = shape.expect("computed above");
                if counting && chain.is_empty() && take.is_none() {
                    // Counted in the generation tree, without making the items.
                    let out = execute!(canon::cnfs(&shape)?.count(), &where_, &opts)?;
                    return Ok(Outcome {
                        value: Partial::Count(out.value),
                        complete: out.complete,
                        processed: out.processed,
                        total: out.total,
                        covered: out.covered,
                        resumed: out.resumed,
                    });
                }
                let c = chain.clone();
                let n = node.clone();
                let p = canon::cnfs(&shape)?.filter_map(move |v: Value| c.apply(n.decode(&v)));
                with_take!(p, take, action, &where_, &opts)
            }
            other => Err(Error::InvalidArgument(format!("unknown method {other}"))),
        }
    };
    let out = if serial && calls_python {
        job()
    } else {
        py.detach(job)
    };
    let out = check(py, out)?;
    without_gc(py, || outcome_to_py(py, out, |p| partial_to_py(py, p)))
}

/// `f` with Python's cyclic garbage collector paused: making a result of a million objects
/// would otherwise run generation after generation of collections over them (most of the
/// time of converting a large result), and none of them can be garbage yet.
fn without_gc<'py, R>(py: Python<'py>, f: impl FnOnce() -> PyResult<R>) -> PyResult<R> {
    let gc = py.import("gc")?;
    let was = gc.call_method0("isenabled")?.is_truthy()?;
    if was {
        gc.call_method0("disable")?;
    }
    let r = f();
    if was {
        gc.call_method0("enable")?;
    }
    r
}
