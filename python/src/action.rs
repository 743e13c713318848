//! The Python haydi's actions as one engine action (a monoid over chunks): `collect`,
//! `count`, `reduce`, `max`, `groups`, `groups_counts`.
//!
//! One action type with one partial type keeps the number of job types the binding
//! instantiates small (one per source and `take`); what the partial means depends on the
//! [`Kind`]. Key and reduce functions are Python callables; keys are items, compared in the
//! item order (numbers by value, strings and tuples as Python compares them).

use crate::calls::{call1, call2};
use crate::engine::Action;
use crate::errors::raise_in_engine;
use crate::item::Item;
use crate::pyobj::PyObj;
use pyo3::prelude::*;
use pyo3::types::PyList;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashMap;

/// What a run computes.
pub(crate) enum Kind {
    /// Every item, in order.
    Collect,
    /// Every item, in order, appended to a Python list as it comes: a serial run that
    /// holds the GIL (its callables' results go into the list with no conversion).
    CollectList,
    /// The number of items.
    Count,
    /// `reduce(f)`: chunks fold without the initial value, partials merge with `f` (the
    /// Python haydi's `associative=True`); the initial value is applied at the end.
    Reduce(Py<PyAny>),
    /// The items with the largest key (`key(x)`, or `x`), at most `size` of them.
    Max {
        key: Option<Py<PyAny>>,
        size: Option<usize>,
    },
    /// Items by key (`None` keys dropped), at most `limit` per key, with their counts.
    Groups {
        key: Py<PyAny>,
        limit: Option<usize>,
    },
}

/// The engine action of a Python pipeline.
pub(crate) struct PyAction(pub(crate) Kind);

/// Groups in order of first appearance, with an index rebuilt after decoding.
#[derive(Serialize, Deserialize, Default)]
pub(crate) struct Grouped {
    pub(crate) entries: Vec<(Item, u64, Vec<Item>)>,
    #[serde(skip)]
    index: HashMap<Item, usize>,
}

impl Grouped {
    fn slot(&mut self, key: Item) -> &mut (Item, u64, Vec<Item>) {
        if self.index.len() != self.entries.len() {
            self.index = self
                .entries
                .iter()
                .enumerate()
                .map(|(i, e)| (e.0.clone(), i))
                .collect();
        }
        let i = match self.index.get(&key) {
            Some(i) => *i,
            None => {
                self.entries.push((key.clone(), 0, Vec::new()));
                self.index.insert(key, self.entries.len() - 1);
                self.entries.len() - 1
            }
        };
        &mut self.entries[i]
    }
}

/// A chunk's partial result.
#[derive(Serialize, Deserialize)]
pub(crate) enum Partial {
    /// Collect.
    Items(Vec<Item>),
    /// CollectList.
    List(PyListAcc),
    /// Count.
    Count(u64),
    /// Reduce: the fold so far (`None`: no item yet).
    Acc(Option<Item>),
    /// Max: the best key and its items.
    Best(Option<(Item, Vec<Item>)>),
    /// Groups and groups_counts.
    Groups(Grouped),
}

impl PyAction {
    fn key_of(key: &Option<Py<PyAny>>, x: &Item) -> Item {
        match key {
            Some(f) => call1(f, x.clone()),
            None => x.clone(),
        }
    }
}

fn take_up_to(dst: &mut Vec<Item>, src: Vec<Item>, limit: Option<usize>) {
    let room = limit.map_or(usize::MAX, |l| l.saturating_sub(dst.len()));
    dst.extend(src.into_iter().take(room));
}

impl Action<Item> for PyAction {
    type Partial = Partial;
    type Output = Partial;

    fn empty(&self) -> Partial {
        match &self.0 {
            Kind::Collect => Partial::Items(Vec::new()),
            Kind::CollectList => Partial::List(PyListAcc::new()),
            Kind::Count => Partial::Count(0),
            Kind::Reduce(_) => Partial::Acc(None),
            Kind::Max { .. } => Partial::Best(None),
            Kind::Groups { .. } => Partial::Groups(Grouped::default()),
        }
    }

    fn push(&self, acc: &mut Partial, x: Item) {
        match (&self.0, acc) {
            (Kind::Collect, Partial::Items(v)) => v.push(x),
            (Kind::CollectList, Partial::List(l)) => l.push(x),
            (Kind::Count, Partial::Count(n)) => *n += 1,
            (Kind::Reduce(f), Partial::Acc(a)) => {
                *a = Some(match a.take() {
                    None => x,
                    Some(prev) => call2(f, prev, x),
                })
            }
            (Kind::Max { key, size }, Partial::Best(best)) => {
                let k = Self::key_of(key, &x);
                match best {
                    None => *best = Some((k, vec![x])),
                    Some((bk, items)) => match k.cmp(bk) {
                        Ordering::Greater => *best = Some((k, vec![x])),
                        Ordering::Equal => take_up_to(items, vec![x], *size),
                        Ordering::Less => {}
                    },
                }
            }
            (Kind::Groups { key, limit }, Partial::Groups(g)) => {
                let k = call1(key, x.clone());
                if matches!(k, Item::None) {
                    return;
                }
                let slot = g.slot(k);
                slot.1 += 1;
                take_up_to(&mut slot.2, vec![x], *limit);
            }
            _ => unreachable!("a partial of another action"),
        }
    }

    fn push_unseen(&self, acc: &mut Partial, n: u64) -> bool {
        match acc {
            Partial::Count(c) => {
                *c += n;
                true
            }
            _ => false,
        }
    }

    fn merge(&self, left: &mut Partial, right: Partial) {
        match (&self.0, left, right) {
            (Kind::Collect, Partial::Items(l), Partial::Items(r)) => l.extend(r),
            (Kind::CollectList, Partial::List(l), Partial::List(r)) => l.extend(r),
            (Kind::Count, Partial::Count(l), Partial::Count(r)) => *l += r,
            (Kind::Reduce(f), Partial::Acc(l), Partial::Acc(r)) => {
                if let Some(r) = r {
                    *l = Some(match l.take() {
                        None => r,
                        Some(prev) => call2(f, prev, r),
                    })
                }
            }
            (Kind::Max { size, .. }, Partial::Best(l), Partial::Best(r)) => {
                if let Some((rk, ritems)) = r {
                    match l {
                        None => *l = Some((rk, ritems)),
                        Some((lk, litems)) => match rk.cmp(lk) {
                            Ordering::Greater => *l = Some((rk, ritems)),
                            Ordering::Equal => take_up_to(litems, ritems, *size),
                            Ordering::Less => {}
                        },
                    }
                }
            }
            (Kind::Groups { limit, .. }, Partial::Groups(l), Partial::Groups(r)) => {
                for (k, n, items) in r.entries {
                    let slot = l.slot(k);
                    slot.1 += n;
                    take_up_to(&mut slot.2, items, *limit);
                }
            }
            _ => unreachable!("partials of another action"),
        }
    }

    fn finish(&self, acc: Partial) -> Partial {
        acc
    }

    fn partial_bytes(&self, acc: &Partial) -> u64 {
        let item = std::mem::size_of::<Item>() as u64;
        match acc {
            Partial::Items(v) => v.capacity() as u64 * item,
            Partial::List(l) => l.len() as u64 * 8,
            Partial::Best(Some((_, v))) => v.capacity() as u64 * item,
            Partial::Groups(g) => g
                .entries
                .iter()
                .map(|e| (e.2.capacity() as u64 + 2) * item)
                .sum(),
            _ => std::mem::size_of::<Partial>() as u64,
        }
    }
}

/// A Python list as a partial result (it travels pickled, as any Python object).
pub(crate) struct PyListAcc(pub(crate) Py<PyList>);

impl PyListAcc {
    fn new() -> Self {
        PyListAcc(Python::attach(|py| PyList::empty(py).unbind()))
    }

    fn push(&mut self, x: Item) {
        Python::attach(|py| {
            let obj = match x {
                Item::Obj(PyObj(o)) => o.into_bound(py),
                other => other.to_py_in_engine(py),
            };
            self.0
                .bind(py)
                .append(obj)
                .unwrap_or_else(|e| raise_in_engine(py, e));
        })
    }

    fn extend(&mut self, right: PyListAcc) {
        Python::attach(|py| {
            self.0
                .bind(py)
                .call_method1("extend", (right.0.bind(py),))
                .unwrap_or_else(|e| raise_in_engine(py, e));
        })
    }

    fn len(&self) -> usize {
        Python::attach(|py| self.0.bind(py).len())
    }
}

impl Serialize for PyListAcc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Python::attach(|py| PyObj(self.0.clone_ref(py).into_any())).serialize(s)
    }
}

impl<'de> Deserialize<'de> for PyListAcc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let o = PyObj::deserialize(d)?;
        Python::attach(|py| {
            o.bind(py)
                .cast::<PyList>()
                .map(|l| PyListAcc(l.clone().unbind()))
                .map_err(|_| serde::de::Error::custom("a collected partial is not a list"))
        })
    }
}
