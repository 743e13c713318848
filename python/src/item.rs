//! [`Item`]: the items of Python domains and pipelines, as Rust values.
//!
//! Plain values (None, booleans, integers, floats, strings, atoms, tuples, haydi `Set`/`Map`,
//! `frozenset`, `dict`) are held natively, so domains are enumerated, compared and sent
//! without the interpreter; anything else is a [`PyObj`]. The order is the canonical-form
//! order of `haydi_canon::Value` (`bool < numbers < str < atoms < None < tuples < sets <
//! maps`), extended by numbers (int and float compare by value, as in Python) and by other
//! Python objects (after everything, in Python's order).

use crate::atom::PyAtom;
use crate::engine::{Atom, Value};
use crate::errors::raise_in_engine;
use crate::pyobj::PyObj;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyFrozenSet, PyInt, PyString, PyTuple, PyType};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// An item.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) enum Item {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An `int` that fits 64 bits (larger ones are objects).
    Int(i64),
    /// A `float`.
    Float(f64),
    /// A `str`.
    Str(Arc<str>),
    /// An atom of a USet.
    Atom(Atom),
    /// A `tuple`.
    Tuple(Arc<[Item]>),
    /// A haydi `Set`: distinct elements, sorted.
    Set(Arc<[Item]>),
    /// A `frozenset`: distinct elements, sorted.
    FrozenSet(Arc<[Item]>),
    /// A haydi `Map`: pairs sorted by distinct keys.
    Map(Arc<[(Item, Item)]>),
    /// A `dict`: pairs sorted by distinct keys.
    Dict(Arc<[(Item, Item)]>),
    /// Any other Python object.
    Obj(PyObj),
}

impl Item {
    /// Rank of the variant in the order (numbers share one rank, sets too, maps too).
    fn rank(&self) -> u8 {
        match self {
            Item::Bool(_) => 0,
            Item::Int(_) | Item::Float(_) => 1,
            Item::Str(_) => 2,
            Item::Atom(_) => 3,
            Item::None => 4,
            Item::Tuple(_) => 6,
            Item::Set(_) | Item::FrozenSet(_) => 7,
            Item::Map(_) | Item::Dict(_) => 8,
            Item::Obj(_) => 9,
        }
    }

    /// A tuple of items.
    pub(crate) fn tuple(v: Vec<Item>) -> Item {
        Item::Tuple(v.into())
    }

    /// Distinct items, sorted.
    pub(crate) fn sorted_unique(mut v: Vec<Item>) -> Vec<Item> {
        if !v.windows(2).all(|w| w[0] < w[1]) {
            v.sort();
            v.dedup();
        }
        v
    }

    /// Pairs sorted by key, the last of a repeated key kept.
    pub(crate) fn sorted_pairs(mut v: Vec<(Item, Item)>) -> Vec<(Item, Item)> {
        if !v.windows(2).all(|w| w[0].0 < w[1].0) {
            v.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out: Vec<(Item, Item)> = Vec::with_capacity(v.len());
            for p in v {
                match out.last_mut() {
                    Some(last) if last.0 == p.0 => *last = p,
                    _ => out.push(p),
                }
            }
            return out;
        }
        v
    }

    /// The canonical-form value of a plain item; `None` for floats and other objects.
    pub(crate) fn to_value(&self) -> Option<Value> {
        Some(match self {
            Item::None => Value::None,
            Item::Bool(b) => Value::Bool(*b),
            Item::Int(i) => Value::Int(*i as i128),
            Item::Str(s) => Value::Str(s.to_string()),
            Item::Atom(a) => Value::Atom(*a),
            Item::Tuple(xs) => Value::Seq(xs.iter().map(Item::to_value).collect::<Option<_>>()?),
            Item::Set(xs) | Item::FrozenSet(xs) => {
                Value::Set(xs.iter().map(Item::to_value).collect::<Option<_>>()?)
            }
            Item::Map(xs) | Item::Dict(xs) => Value::Mapping(
                xs.iter()
                    .map(|(k, v)| Some((k.to_value()?, v.to_value()?)))
                    .collect::<Option<_>>()?,
            ),
            Item::Float(_) | Item::Obj(_) => return None,
        })
    }

    /// The item of a canonical-form value: sequences become tuples, sets haydi `Set`s, maps
    /// haydi `Map`s.
    pub(crate) fn from_value(v: &Value) -> Item {
        match v {
            Value::Bool(b) => Item::Bool(*b),
            Value::Int(i) => Item::Int(*i as i64),
            Value::Str(s) => Item::Str(s.as_str().into()),
            Value::Atom(a) => Item::Atom(*a),
            Value::None => Item::None,
            Value::Some(x) => Item::from_value(x),
            Value::Seq(xs) => Item::Tuple(xs.iter().map(Item::from_value).collect()),
            Value::Set(xs) => Item::Set(xs.iter().map(Item::from_value).collect()),
            Value::Mapping(xs) => Item::Map(
                xs.iter()
                    .map(|(k, x)| (Item::from_value(k), Item::from_value(x)))
                    .collect(),
            ),
        }
    }
}

fn cmp_f64(a: f64, b: f64) -> Ordering {
    a.partial_cmp(&b)
        .unwrap_or_else(|| a.is_nan().cmp(&b.is_nan()))
}

/// `i` against `f` by value.
fn cmp_int_float(i: i64, f: f64) -> Ordering {
    if f.is_nan() {
        return Ordering::Less;
    }
    let fi = i as f64;
    match fi.partial_cmp(&f) {
        Some(Ordering::Equal) => {
            // Equal as floats: compare exactly when f is integral and in range.
            if f.fract() == 0.0 && (-9.2e18..=9.2e18).contains(&f) {
                i.cmp(&(f as i64))
            } else {
                Ordering::Equal
            }
        }
        Some(o) => o,
        None => Ordering::Less,
    }
}

impl Ord for Item {
    fn cmp(&self, other: &Self) -> Ordering {
        use Item::*;
        let r = self.rank().cmp(&other.rank());
        if r != Ordering::Equal {
            return r;
        }
        match (self, other) {
            (None, None) => Ordering::Equal,
            (Bool(a), Bool(b)) => a.cmp(b),
            (Int(a), Int(b)) => a.cmp(b),
            (Float(a), Float(b)) => cmp_f64(*a, *b),
            (Int(a), Float(b)) => cmp_int_float(*a, *b),
            (Float(a), Int(b)) => cmp_int_float(*b, *a).reverse(),
            (Str(a), Str(b)) => a.cmp(b),
            (Atom(a), Atom(b)) => a.cmp(b),
            (Tuple(a), Tuple(b)) => a.iter().cmp(b.iter()),
            (Set(a) | FrozenSet(a), Set(b) | FrozenSet(b)) => a
                .iter()
                .cmp(b.iter())
                .then_with(|| self.kind().cmp(&other.kind())),
            (Map(a) | Dict(a), Map(b) | Dict(b)) => a
                .iter()
                .cmp(b.iter())
                .then_with(|| self.kind().cmp(&other.kind())),
            (Obj(a), Obj(b)) => a.order(b),
            _ => Ordering::Equal,
        }
    }
}

impl Item {
    /// Tells apart variants of one rank (haydi `Set` from `frozenset`, `Map` from `dict`).
    fn kind(&self) -> u8 {
        match self {
            Item::FrozenSet(_) | Item::Dict(_) => 1,
            _ => 0,
        }
    }
}

impl PartialOrd for Item {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Item {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Item {}

impl Hash for Item {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Item::None => state.write_u8(0),
            Item::Bool(b) => b.hash(state),
            Item::Int(i) => i.hash(state),
            Item::Float(f) => {
                // Integral floats hash as the equal integer (1.0 == 1).
                if f.fract() == 0.0 && (-9.2e18..=9.2e18).contains(f) {
                    (*f as i64).hash(state)
                } else {
                    f.to_bits().hash(state)
                }
            }
            Item::Str(s) => s.hash(state),
            Item::Atom(a) => a.hash(state),
            Item::Tuple(xs) | Item::Set(xs) | Item::FrozenSet(xs) => {
                state.write_u8(self.rank());
                xs.hash(state)
            }
            Item::Map(xs) | Item::Dict(xs) => {
                state.write_u8(8);
                xs.hash(state)
            }
            Item::Obj(o) => o.hash(state),
        }
    }
}

/// The Python classes `haydi_rs.basictypes.Set` and `Map`.
pub(crate) struct Classes {
    pub(crate) set: Py<PyType>,
    pub(crate) map: Py<PyType>,
}

static CLASSES: PyOnceLock<Classes> = PyOnceLock::new();

pub(crate) fn classes(py: Python<'_>) -> PyResult<&Classes> {
    CLASSES.get_or_try_init(py, || -> PyResult<_> {
        let m = py.import("haydi_rs.basictypes")?;
        Ok(Classes {
            set: m.getattr("Set")?.cast_into::<PyType>()?.unbind(),
            map: m.getattr("Map")?.cast_into::<PyType>()?.unbind(),
        })
    })
}

impl Item {
    /// The item of a Python object.
    pub(crate) fn from_py(x: &Bound<'_, PyAny>) -> PyResult<Item> {
        let py = x.py();
        if x.is_none() {
            return Ok(Item::None);
        }
        if x.is_exact_instance_of::<PyBool>() {
            return Ok(Item::Bool(x.is_truthy()?));
        }
        if x.is_exact_instance_of::<PyInt>() {
            return Ok(match x.extract::<i64>() {
                Ok(i) => Item::Int(i),
                Err(_) => Item::Obj(PyObj(x.clone().unbind())),
            });
        }
        if x.is_exact_instance_of::<PyFloat>() {
            return Ok(Item::Float(x.extract::<f64>()?));
        }
        if x.is_exact_instance_of::<PyString>() {
            return Ok(Item::Str(x.extract::<String>()?.into()));
        }
        if x.is_exact_instance_of::<PyTuple>() {
            let t = x.cast::<PyTuple>()?;
            let mut v = Vec::with_capacity(t.len());
            for e in t.iter() {
                v.push(Item::from_py(&e)?);
            }
            return Ok(Item::Tuple(v.into()));
        }
        if let Ok(a) = x.cast::<PyAtom>() {
            return Ok(Item::Atom(a.get().atom));
        }
        let ty = x.get_type();
        let cls = classes(py)?;
        if ty.is(cls.set.bind(py)) {
            let items = x.getattr("_items")?;
            let t = items.cast::<PyTuple>()?;
            let v = t
                .iter()
                .map(|e| Item::from_py(&e))
                .collect::<PyResult<_>>()?;
            return Ok(Item::Set(Item::sorted_unique(v).into()));
        }
        if ty.is(cls.map.bind(py)) {
            let items = x.getattr("_items")?;
            return Ok(Item::Map(pairs_of(items.cast::<PyTuple>()?)?.into()));
        }
        if x.is_exact_instance_of::<PyFrozenSet>() {
            let v = x
                .try_iter()?
                .map(|e| Item::from_py(&e?))
                .collect::<PyResult<_>>()?;
            return Ok(Item::FrozenSet(Item::sorted_unique(v).into()));
        }
        if x.is_exact_instance_of::<PyDict>() {
            let d = x.cast::<PyDict>()?;
            let mut v = Vec::with_capacity(d.len());
            for (k, val) in d.iter() {
                v.push((Item::from_py(&k)?, Item::from_py(&val)?));
            }
            return Ok(Item::Dict(Item::sorted_pairs(v).into()));
        }
        Ok(Item::Obj(PyObj(x.clone().unbind())))
    }

    /// The Python object of the item.
    pub(crate) fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(match self {
            Item::None => py.None().into_bound(py),
            Item::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
            Item::Int(i) => i.into_pyobject(py)?.into_any(),
            Item::Float(f) => PyFloat::new(py, *f).into_any(),
            Item::Str(s) => PyString::new(py, s).into_any(),
            Item::Atom(a) => crate::atom::atom_object(py, *a)?.into_any(),
            Item::Tuple(xs) => tuple_of(py, xs)?.into_any(),
            Item::Set(xs) => {
                let cls = classes(py)?.set.bind(py);
                cls.call_method1("_from_sorted", (tuple_of(py, xs)?,))?
            }
            Item::FrozenSet(xs) => {
                let v = xs
                    .iter()
                    .map(|x| x.to_py(py))
                    .collect::<PyResult<Vec<_>>>()?;
                PyFrozenSet::new(py, &v)?.into_any()
            }
            Item::Map(xs) => {
                let cls = classes(py)?.map.bind(py);
                let pairs = xs
                    .iter()
                    .map(|(k, v)| PyTuple::new(py, [k.to_py(py)?, v.to_py(py)?]))
                    .collect::<PyResult<Vec<_>>>()?;
                cls.call_method1("_from_sorted", (PyTuple::new(py, pairs)?,))?
            }
            Item::Dict(xs) => {
                let d = PyDict::new(py);
                for (k, v) in xs.iter() {
                    d.set_item(k.to_py(py)?, v.to_py(py)?)?;
                }
                d.into_any()
            }
            Item::Obj(o) => o.bind(py).clone(),
        })
    }

    /// [`Item::from_py`] inside the engine: an exception fails the chunk.
    pub(crate) fn from_py_in_engine(x: &Bound<'_, PyAny>) -> Item {
        Item::from_py(x).unwrap_or_else(|e| raise_in_engine(x.py(), e))
    }

    /// [`Item::to_py`] inside the engine: an exception fails the chunk.
    pub(crate) fn to_py_in_engine<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
        self.to_py(py).unwrap_or_else(|e| raise_in_engine(py, e))
    }
}

fn tuple_of<'py>(py: Python<'py>, xs: &[Item]) -> PyResult<Bound<'py, PyTuple>> {
    let v = xs
        .iter()
        .map(|x| x.to_py(py))
        .collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, v)
}

/// Sorted pairs of a tuple of `(key, value)` tuples.
fn pairs_of(t: &Bound<'_, PyTuple>) -> PyResult<Vec<(Item, Item)>> {
    let mut v = Vec::with_capacity(t.len());
    for p in t.iter() {
        let (k, x): (Bound<'_, PyAny>, Bound<'_, PyAny>) = p.extract()?;
        v.push((Item::from_py(&k)?, Item::from_py(&x)?));
    }
    Ok(Item::sorted_pairs(v))
}

/// A list of Python objects as items.
pub(crate) fn items_of(xs: &Bound<'_, PyAny>) -> PyResult<Vec<Item>> {
    xs.try_iter()?.map(|x| Item::from_py(&x?)).collect()
}

/// A SHA-256 digest of `xs` that every process of one program computes alike, for the
/// fingerprint of `Values` (a distributed run refuses a worker whose list differs from the
/// driver's: an unseeded shuffle, say). Plain items count in full; another Python object
/// counts by its type only: Python's `hash` and `pickle` may differ between processes for
/// equal objects (string hashing is salted per process), and a false divergence would be an
/// error in a correct program.
pub(crate) fn digest_of(py: Python<'_>, xs: &[Item]) -> String {
    struct Sha(Sha256);
    impl Hasher for Sha {
        fn finish(&self) -> u64 {
            0
        }
        fn write(&mut self, bytes: &[u8]) {
            self.0.update(bytes);
        }
    }
    fn walk(py: Python<'_>, x: &Item, h: &mut Sha) {
        match x {
            Item::Obj(o) => {
                h.write_u8(x.rank());
                let t = o.bind(py).get_type();
                let name = t.fully_qualified_name().map(|n| n.to_string());
                h.write(name.unwrap_or_default().as_bytes());
                h.write_u8(0xff);
            }
            Item::Tuple(ys) | Item::Set(ys) | Item::FrozenSet(ys) => {
                h.write_u8(x.rank());
                h.write_usize(ys.len());
                ys.iter().for_each(|y| walk(py, y, h));
            }
            Item::Map(ps) | Item::Dict(ps) => {
                h.write_u8(x.rank());
                h.write_usize(ps.len());
                for (k, v) in ps.iter() {
                    walk(py, k, h);
                    walk(py, v, h);
                }
            }
            plain => plain.hash(h),
        }
    }
    let mut h = Sha(Sha256::new());
    h.write_usize(xs.len());
    xs.iter().for_each(|x| walk(py, x, &mut h));
    format!("sha256 {}", hex::encode(h.0.finalize()))
}

/// Items as a Python list.
pub(crate) fn list_of<'py>(
    py: Python<'py>,
    xs: &[Item],
) -> PyResult<Bound<'py, pyo3::types::PyList>> {
    let v = xs
        .iter()
        .map(|x| x.to_py(py))
        .collect::<PyResult<Vec<_>>>()?;
    pyo3::types::PyList::new(py, v)
}
