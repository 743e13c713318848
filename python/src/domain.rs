//! Python domains as engine domains: `NativeDomain`, built from haydi's Rust domains over
//! [`Item`]s, plus the structure ([`Node`]) that canonical forms need.

use crate::calls::{call1, truthy};
use crate::engine::{
    Boolean, BoxedDomain, CnfValues, Domain, Join, Mappings, Permutations, Product,
    ProductUnordered, Range, Sequences, Shape, StrictShape, Subsets, Value, Values, shape,
};
use crate::errors::{HaydiError, catching, check};
use crate::item::{Item, digest_of, items_of, list_of};
use pyo3::prelude::*;
use pyo3::types::PyList;
use std::ops::ControlFlow;
use std::sync::Arc;

/// How a `Subsets` domain hands out its sets (`set_class`).
#[derive(Clone, Copy)]
pub(crate) enum SetClass {
    /// haydi's `Set`.
    Set,
    /// `frozenset`.
    FrozenSet,
    /// A sorted `tuple`.
    Tuple,
}

/// How a `Mappings` domain hands out its maps (`map_class`).
#[derive(Clone, Copy)]
pub(crate) enum MapClass {
    /// haydi's `Map`.
    Map,
    /// `dict`.
    Dict,
    /// A tuple of `(key, value)` pairs sorted by key.
    Tuple,
}

/// The structure of a domain, for canonical forms: its shape and how a canonical-form value
/// becomes the domain's own item.
pub(crate) enum Node {
    /// Range, Boolean, NoneDomain, USet.
    Leaf(Shape),
    /// No canonical forms: the reason.
    NotStrict(String),
    /// An ordered product.
    Product(Vec<Arc<Node>>),
    /// Sequences of `min..=max` items.
    Sequences(Arc<Node>, usize, usize),
    /// Subsets of `min..=max` items.
    Subsets(Arc<Node>, usize, usize, SetClass),
    /// Mappings from keys to values.
    Mappings(Arc<Node>, Arc<Node>, MapClass),
    /// Parts one after the other.
    Join(Vec<Arc<Node>>),
    /// A filter declared invariant under renaming atoms (`strict=True`) inside a larger domain:
    /// its surviving items, materialized.
    StrictFilter(BoxedDomain<Item>, Arc<Node>),
    /// Given values, closed under renaming (`CnfValues`).
    Items(Vec<Value>),
}

impl Node {
    /// The shape of the domain, or why it has none.
    pub(crate) fn shape(&self, py: Python<'_>) -> PyResult<Shape> {
        Ok(match self {
            Node::Leaf(s) => s.clone(),
            Node::NotStrict(why) => {
                return Err(HaydiError::new_err(format!(
                    "canonical forms are not available: {why} is not strict"
                )));
            }
            Node::Product(ps) => shape::product(
                ps.iter()
                    .map(|p| p.shape(py))
                    .collect::<PyResult<Vec<_>>>()?,
            ),
            Node::Sequences(p, a, b) => shape::sequences(p.shape(py)?, *a, *b),
            Node::Subsets(p, a, b, _) => shape::subsets_sized(p.shape(py)?, *a, *b),
            Node::Mappings(k, v, _) => shape::mappings(k.shape(py)?, v.shape(py)?),
            Node::Join(ps) => shape::join(
                ps.iter()
                    .map(|p| p.shape(py))
                    .collect::<PyResult<Vec<_>>>()?,
            ),
            Node::StrictFilter(d, parent) => {
                parent.shape(py)?;
                let items = collect_all(py, d)?;
                let values = items
                    .iter()
                    .map(|x| {
                        x.to_value().ok_or_else(|| {
                            HaydiError::new_err("a strict filter kept an item that is not plain")
                        })
                    })
                    .collect::<PyResult<Vec<_>>>()?;
                shape::items(values)
            }
            Node::Items(vs) => shape::items(vs.clone()),
        })
    }

    /// The domain's item for the canonical-form value `v` of its shape.
    pub(crate) fn decode(&self, v: &Value) -> Item {
        match (self, v) {
            (Node::Product(ps), Value::Seq(xs)) if ps.len() == xs.len() => {
                Item::Tuple(ps.iter().zip(xs).map(|(p, x)| p.decode(x)).collect())
            }
            (Node::Sequences(p, _, _), Value::Seq(xs)) => {
                Item::Tuple(xs.iter().map(|x| p.decode(x)).collect())
            }
            (Node::Subsets(p, _, _, class), Value::Set(xs)) => {
                let v: Vec<Item> = xs.iter().map(|x| p.decode(x)).collect();
                set_item(Item::sorted_unique(v), *class)
            }
            (Node::Mappings(k, p, class), Value::Mapping(xs)) => {
                let v: Vec<(Item, Item)> =
                    xs.iter().map(|(a, b)| (k.decode(a), p.decode(b))).collect();
                map_item(Item::sorted_pairs(v), *class)
            }
            _ => Item::from_value(v),
        }
    }
}

fn set_item(v: Vec<Item>, class: SetClass) -> Item {
    match class {
        SetClass::Set => Item::Set(v.into()),
        SetClass::FrozenSet => Item::FrozenSet(v.into()),
        SetClass::Tuple => Item::Tuple(v.into()),
    }
}

fn map_item(v: Vec<(Item, Item)>, class: MapClass) -> Item {
    match class {
        MapClass::Map => Item::Map(v.into()),
        MapClass::Dict => Item::Dict(v.into()),
        MapClass::Tuple => Item::Tuple(
            v.into_iter()
                .map(|(k, x)| Item::Tuple(vec![k, x].into()))
                .collect(),
        ),
    }
}

/// Every item of a finite domain, in order (Python exceptions of its callables re-raised).
pub(crate) fn collect_all(py: Python<'_>, d: &BoxedDomain<Item>) -> PyResult<Vec<Item>> {
    let mut out = Vec::new();
    catching(py, || {
        let _ = d.visit_range(0, u128::MAX, &mut |x| {
            out.push(x);
            ControlFlow::Continue(())
        });
    })?;
    Ok(out)
}

/// A domain of the engine, as the Python layer holds it.
#[pyclass(frozen, name = "NativeDomain", module = "haydi_rs._native")]
#[derive(Clone)]
pub(crate) struct NDomain {
    pub(crate) dom: BoxedDomain<Item>,
    pub(crate) node: Arc<Node>,
    /// Whether Python callables run when the domain's items are made.
    pub(crate) callables: bool,
}

impl NDomain {
    fn new(dom: BoxedDomain<Item>, node: Node, callables: bool) -> Self {
        NDomain {
            dom,
            node: Arc::new(node),
            callables,
        }
    }
}

#[pymethods]
impl NDomain {
    /// The number of indices (exact, or a bound for a filtered domain); `None` when it overflows.
    fn size(&self) -> Option<u128> {
        self.dom.size().bound()
    }

    /// Whether `size()` is exact.
    fn size_is_exact(&self) -> bool {
        self.dom.size().is_exact()
    }

    /// The surviving items with index in `[start, end)`, at most `limit` of them, and the
    /// index after the last one looked at.
    #[pyo3(signature = (start, end, limit=None))]
    fn chunk<'py>(
        &self,
        py: Python<'py>,
        start: u128,
        end: u128,
        limit: Option<usize>,
    ) -> PyResult<(Bound<'py, PyList>, u128)> {
        let mut out = Vec::new();
        let end = end.min(self.dom.size().bound().unwrap_or(u128::MAX));
        let mut next = end;
        match limit {
            None => {
                catching(py, || {
                    let _ = self.dom.visit_range(start, end, &mut |x| {
                        out.push(x);
                        ControlFlow::Continue(())
                    });
                })?;
            }
            Some(k) => {
                // Index by index, to know where the limit was reached.
                let mut i = start;
                catching(py, || {
                    while i < end && out.len() < k {
                        if let Some(x) = self.dom.item_at(i) {
                            out.push(x);
                        }
                        i += 1;
                    }
                })?;
                next = i;
            }
        }
        Ok((list_of(py, &out)?, next))
    }

    /// The item at `index`, or `None` when the index is out of range or filtered out (a
    /// pair `(found, item)`).
    fn item_at<'py>(&self, py: Python<'py>, index: u128) -> PyResult<(bool, Bound<'py, PyAny>)> {
        let x = catching(py, || self.dom.item_at(index))?;
        match x {
            Some(x) => Ok((true, x.to_py(py)?)),
            None => Ok((false, py.None().into_bound(py))),
        }
    }

    /// One random item.
    fn generate_one<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let mut rng = rand::rng();
        let x = catching(py, || self.dom.generate_one(&mut rng))?;
        check(py, x)?.to_py(py)
    }

    /// Whether canonical forms can be computed (the reason otherwise).
    fn check_strict(&self, py: Python<'_>) -> PyResult<()> {
        self.node.shape(py).map(|_| ())
    }
}

/// `Range(start, end, step)`.
#[pyfunction]
pub(crate) fn range(py: Python<'_>, start: i64, end: i64, step: i64) -> PyResult<NDomain> {
    let r = check(py, Range::span(start, end, step))?;
    Ok(NDomain::new(
        r.map(Item::Int).boxed(),
        Node::Leaf(shape::range_step(start, end, step)),
        false,
    ))
}

/// `Values(items)`.
#[pyfunction]
pub(crate) fn values(items: &Bound<'_, PyAny>) -> PyResult<NDomain> {
    let v = items_of(items)?;
    let digest = digest_of(items.py(), &v);
    Ok(NDomain::new(
        Values::new(v).with_contents(digest).boxed(),
        Node::NotStrict("Values".into()),
        false,
    ))
}

/// `CnfValues(representatives)`: every isomorphic copy of the given canonical forms.
#[pyfunction]
pub(crate) fn cnf_values(py: Python<'_>, items: &Bound<'_, PyAny>) -> PyResult<NDomain> {
    let reps = items_of(items)?
        .iter()
        .map(|x| {
            x.to_value().ok_or_else(|| {
                HaydiError::new_err("CnfValues takes plain values (no floats or objects)")
            })
        })
        .collect::<PyResult<Vec<Value>>>()?;
    let cv = check(py, CnfValues::new(reps))?;
    let shape = check(py, cv.shape())?;
    let Shape::Items(all) = shape else {
        return Err(HaydiError::new_err("CnfValues: unexpected shape"));
    };
    let items: Vec<Item> = all.iter().map(Item::from_value).collect();
    let digest = digest_of(py, &items);
    Ok(NDomain::new(
        Values::new(items).with_contents(digest).boxed(),
        Node::Items(all),
        false,
    ))
}

/// `Boolean()`.
#[pyfunction]
pub(crate) fn boolean() -> NDomain {
    NDomain::new(
        Boolean.map(Item::Bool).boxed(),
        Node::Leaf(shape::boolean()),
        false,
    )
}

/// `NoneDomain()`.
#[pyfunction]
pub(crate) fn none_domain() -> NDomain {
    NDomain::new(
        Values::new(vec![Item::None]).boxed(),
        Node::Leaf(shape::values([Value::None])),
        false,
    )
}

/// The atoms of a USet.
#[pyfunction]
pub(crate) fn uset(u: &crate::atom::NUSet) -> NDomain {
    NDomain::new(
        u.uset.clone().map(Item::Atom).boxed(),
        Node::Leaf(shape::uset(&u.uset)),
        false,
    )
}

fn any_callables(ds: &[PyRef<'_, NDomain>]) -> bool {
    ds.iter().any(|d| d.callables)
}

/// `Product(domains)`: tuples, last coordinate fastest.
#[pyfunction]
pub(crate) fn product(ds: Vec<PyRef<'_, NDomain>>) -> NDomain {
    let callables = any_callables(&ds);
    let node = Node::Product(ds.iter().map(|d| d.node.clone()).collect());
    let dom = match ds.len() {
        0 => Values::new(vec![Item::tuple(vec![])]).boxed(),
        1 => ds[0].dom.clone().map(|x| Item::tuple(vec![x])).boxed(),
        _ => {
            // Right-nested pairs, built in reverse and turned around once per item.
            let last = ds.last().expect("two or more").dom.clone();
            let mut acc: BoxedDomain<Vec<Item>> = last.map(|x| vec![x]).boxed();
            for d in ds[..ds.len() - 1].iter().rev() {
                acc = Product::new((d.dom.clone(), acc))
                    .map(|(x, mut rest): (Item, Vec<Item>)| {
                        rest.push(x);
                        rest
                    })
                    .boxed();
            }
            acc.map(|mut v| {
                v.reverse();
                Item::tuple(v)
            })
            .boxed()
        }
    };
    NDomain::new(dom, node, callables)
}

/// `Product((d,) * k, unordered=True)`: `k`-combinations, each tuple in decreasing index order.
#[pyfunction]
pub(crate) fn product_unordered(py: Python<'_>, d: &NDomain, k: usize) -> PyResult<NDomain> {
    let u = check(py, ProductUnordered::new(d.dom.clone(), k))?;
    Ok(NDomain::new(
        u.map(|mut v| {
            v.reverse();
            Item::tuple(v)
        })
        .boxed(),
        Node::NotStrict("an unordered Product".into()),
        d.callables,
    ))
}

/// `Sequences(d, min, max)`.
#[pyfunction]
pub(crate) fn sequences(py: Python<'_>, d: &NDomain, min: usize, max: usize) -> PyResult<NDomain> {
    let s = check(py, Sequences::with_lengths(d.dom.clone(), min, max))?;
    Ok(NDomain::new(
        s.map(Item::tuple).boxed(),
        Node::Sequences(d.node.clone(), min, max),
        d.callables,
    ))
}

/// `Subsets(d, min, max, set_class)`; `class` is `"set"`, `"frozenset"` or `"tuple"`.
#[pyfunction]
pub(crate) fn subsets(
    py: Python<'_>,
    d: &NDomain,
    min: usize,
    max: usize,
    class: &str,
) -> PyResult<NDomain> {
    let class = match class {
        "set" => SetClass::Set,
        "frozenset" => SetClass::FrozenSet,
        "tuple" => SetClass::Tuple,
        other => return Err(HaydiError::new_err(format!("unknown set class {other}"))),
    };
    let s = check(py, Subsets::with_sizes(d.dom.clone(), min, max.max(min)))?;
    let empty = max < min;
    let dom = if empty {
        Values::new(Vec::new()).boxed()
    } else {
        s.map(move |set| set_item(Item::sorted_unique(set.into_vec()), class))
            .boxed()
    };
    Ok(NDomain::new(
        dom,
        Node::Subsets(d.node.clone(), min, max, class),
        d.callables,
    ))
}

/// `Mappings(keys, values, map_class)`; `class` is `"map"`, `"dict"` or `"tuple"`.
#[pyfunction]
pub(crate) fn mappings(py: Python<'_>, k: &NDomain, v: &NDomain, class: &str) -> PyResult<NDomain> {
    let class = match class {
        "map" => MapClass::Map,
        "dict" => MapClass::Dict,
        "tuple" => MapClass::Tuple,
        other => return Err(HaydiError::new_err(format!("unknown map class {other}"))),
    };
    let m = catching(py, || Mappings::new(k.dom.clone(), v.dom.clone()))?;
    let m = check(py, m)?;
    Ok(NDomain::new(
        m.map(move |m| map_item(Item::sorted_pairs(m.into_vec()), class))
            .boxed(),
        Node::Mappings(k.node.clone(), v.node.clone(), class),
        k.callables || v.callables,
    ))
}

/// `Join(domains, ratios)`.
#[pyfunction]
#[pyo3(signature = (ds, ratios=None))]
pub(crate) fn join(
    py: Python<'_>,
    ds: Vec<PyRef<'_, NDomain>>,
    ratios: Option<Vec<f64>>,
) -> PyResult<NDomain> {
    let callables = any_callables(&ds);
    let node = Node::Join(ds.iter().map(|d| d.node.clone()).collect());
    let parts: Vec<BoxedDomain<Item>> = ds.iter().map(|d| d.dom.clone()).collect();
    let j = match ratios {
        None => Join::new(parts),
        Some(r) => check(py, Join::with_ratios(parts, r))?,
    };
    Ok(NDomain::new(j.boxed(), node, callables))
}

/// `Permutations(d)`.
#[pyfunction]
pub(crate) fn permutations(py: Python<'_>, d: &NDomain) -> PyResult<NDomain> {
    let p = catching(py, || Permutations::new(d.dom.clone()))?;
    let p = check(py, p)?;
    Ok(NDomain::new(
        p.map(Item::tuple).boxed(),
        Node::NotStrict("Permutations".into()),
        d.callables,
    ))
}

/// `d.map(f)`: a domain of `f(x)`.
#[pyfunction]
pub(crate) fn map(d: &NDomain, f: Py<PyAny>) -> NDomain {
    let mapped = d.dom.clone().map(move |x: Item| call1(&f, x)).boxed();
    NDomain::new(mapped, Node::NotStrict("a mapped domain".into()), true)
}

/// `d.filter(f, strict)`: the items where `f(x)` is true, in the parent's index space.
#[pyfunction]
pub(crate) fn filter(py: Python<'_>, d: &NDomain, f: Py<PyAny>, strict: bool) -> PyResult<NDomain> {
    let filtered = d.dom.clone().filter(move |x: &Item| truthy(&f, x)).boxed();
    let _ = py;
    let node = if strict {
        Node::StrictFilter(filtered.clone(), d.node.clone())
    } else {
        Node::NotStrict("a filtered domain (declare filter(..., strict=True) for a predicate invariant under renaming atoms)".into())
    };
    Ok(NDomain::new(filtered, node, true))
}
