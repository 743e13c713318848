//! Orderly generation: the tree whose nodes are canonical partial objects.
//!
//! The top-level container of a shape is built one component at a time: a `Product` or a
//! `Sequences` appends a coordinate, a `Subsets` appends an element larger than every element
//! so far, a `Mappings` assigns a value to the next key in sorted order. A child is kept only if
//! the new partial value is canonical. In each case the new component is larger (in the value
//! order) than everything already present at its level, and then a partial object that is not
//! canonical has no canonical extension: if a renaming makes the prefix smaller, the same
//! renaming makes every extension smaller (the image of the new component is inserted after a
//! position that already decides the comparison, or before it and smaller than what it meets).
//! So pruning non-canonical nodes loses nothing, and every canonical object is reached exactly
//! once (through its own prefixes).
//!
//! Components are picked whole from the sorted values of the component domain. A candidate
//! must introduce new atoms of each USet exactly as the next unused indices (a canonical value
//! uses the first atoms of every USet, with no gap), which skips most renamed duplicates
//! before the canonicity test.

use crate::atom::UsetId;
use crate::func::{Func, is_canonical_func, letter_perms};
use crate::func_class::FuncClass;
use crate::graph::Graph;
use crate::graph_class::GraphClass;
use crate::search::is_canonical_value;
use crate::shape::Shape;
use crate::value::Value;
use haydi_core::Result;
use std::ops::ControlFlow;

/// The generation tree of one shape.
#[derive(Debug)]
pub(crate) enum Gen {
    /// Leaf-like shapes: the canonical elements, in domain order.
    Flat(Vec<Value>),
    /// Tuples.
    Product(Vec<Vec<Value>>),
    /// Sequences of `min..=max` items.
    Seq {
        items: Vec<Value>,
        min: usize,
        max: usize,
    },
    /// Sets of `min..=max` items (sorted).
    Subsets {
        items: Vec<Value>,
        min: usize,
        max: usize,
    },
    /// Total functions (keys sorted).
    Mappings {
        keys: Vec<Value>,
        values: Vec<Value>,
    },
    /// Functional structures `S x L -> S` or `S -> S` (see [`crate::func`]): `n` states,
    /// `m` letters (1 without letters), the permutations of every letter prefix.
    Func {
        states: UsetId,
        letters: Option<UsetId>,
        n: usize,
        m: usize,
        perms: Vec<Vec<Vec<u8>>>,
        class: FuncClass,
    },
    /// Undirected graphs on a USet of at most 16 atoms, with `min..=max` edges, of a class
    /// (every graph for a `Subsets` domain; [`crate::Graphs`] sets one).
    Graph {
        uset: UsetId,
        n: usize,
        min: usize,
        max: usize,
        class: GraphClass,
    },
}

/// A node of the generation tree.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    /// A partial object of a general shape: the chosen components, the index of the last
    /// chosen subset element, and the depth.
    Gen { parts: Vec<Value>, last: usize },
    /// A graph.
    Graph(Graph),
    /// A functional structure.
    Func(Func),
}

impl Gen {
    pub(crate) fn new(shape: &Shape) -> Result<Gen> {
        shape.validate()?;
        Ok(match shape {
            Shape::Subsets { item, min, max } => match &**item {
                Shape::Subsets {
                    item: inner,
                    min: 2,
                    max: 2,
                } if matches!(&**inner, Shape::USet(u) if u.len() <= 16) => {
                    let Shape::USet(u) = &**inner else {
                        unreachable!()
                    };
                    Gen::Graph {
                        uset: u.id(),
                        n: u.len() as usize,
                        min: *min,
                        max: *max,
                        class: GraphClass::default(),
                    }
                }
                _ => {
                    let mut items = item.elements()?;
                    items.sort();
                    items.dedup();
                    Gen::Subsets {
                        items,
                        min: *min,
                        max: *max,
                    }
                }
            },
            Shape::Product(ps) => Gen::Product(
                ps.iter()
                    .map(|p| p.elements().map(first_occurrences))
                    .collect::<Result<_>>()?,
            ),
            Shape::Sequences { item, min, max } => Gen::Seq {
                items: first_occurrences(item.elements()?),
                min: *min,
                max: *max,
            },
            Shape::Mappings { keys, values } => match func_layout(keys, values) {
                Some((states, letters, n, m)) => Gen::Func {
                    states,
                    letters,
                    n,
                    m,
                    perms: letter_perms(m),
                    class: FuncClass::default(),
                },
                None => {
                    let mut ks = keys.elements()?;
                    ks.sort();
                    ks.dedup();
                    Gen::Mappings {
                        keys: ks,
                        values: first_occurrences(values.elements()?),
                    }
                }
            },
            other => {
                let mut seen = std::collections::BTreeSet::new();
                Gen::Flat(
                    other
                        .elements()?
                        .into_iter()
                        .filter(|v| is_canonical_value(v) && seen.insert(v.clone()))
                        .collect(),
                )
            }
        })
    }

    /// What kind of tree this is, for messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Gen::Flat(_) => "flat".into(),
            Gen::Product(_) => "product".into(),
            Gen::Seq { .. } => "sequences".into(),
            Gen::Subsets { .. } => "subsets".into(),
            Gen::Mappings { .. } => "mappings".into(),
            Gen::Graph { class, .. } if class.is_everything() => "graphs".into(),
            Gen::Graph { class, .. } => format!("graphs ({})", class.describe()),
            Gen::Func { class, .. } if class.describe() == "all" => "functions".into(),
            Gen::Func { class, .. } => format!("functions ({})", class.describe()),
        }
    }

    /// Whether the root is a node of the tree: a class may hold no structure at all (its
    /// lookahead or a user's prune cuts the empty structure), and then the tree is empty.
    pub(crate) fn root_kept(&self) -> bool {
        match self {
            Gen::Graph {
                n, min, max, class, ..
            } => {
                let root = Graph::empty();
                class.viable(&root, *n, *min, *max) && class.kept_by_prunes(&root, *n)
            }
            Gen::Func { n, m, class, .. } => class.kept_by_prunes(&Func::empty(), *n, *m),
            _ => true,
        }
    }

    pub(crate) fn root(&self) -> Node {
        match self {
            Gen::Graph { .. } => Node::Graph(Graph::empty()),
            Gen::Func { .. } => Node::Func(Func::empty()),
            _ => Node::Gen {
                parts: Vec::new(),
                last: usize::MAX,
            },
        }
    }

    /// The value of a node (meaningful when it is final).
    pub(crate) fn value(&self, node: &Node) -> Value {
        match (self, node) {
            (Gen::Graph { uset, .. }, Node::Graph(g)) => Value::Set(
                g.edge_list()
                    .into_iter()
                    .map(|(i, j)| {
                        Value::Set(vec![
                            Value::Atom(crate::Atom::new(*uset, i as u32)),
                            Value::Atom(crate::Atom::new(*uset, j as u32)),
                        ])
                    })
                    .collect(),
            ),
            (
                Gen::Func {
                    states, letters, m, ..
                },
                Node::Func(h),
            ) => {
                let atom = |u: UsetId, i: usize| Value::Atom(crate::Atom::new(u, i as u32));
                Value::Mapping(
                    h.vals[..h.len as usize]
                        .iter()
                        .enumerate()
                        .map(|(t, &v)| {
                            let key = match letters {
                                None => atom(*states, t),
                                Some(l) => Value::Seq(vec![atom(*states, t / m), atom(*l, t % m)]),
                            };
                            (key, atom(*states, v as usize))
                        })
                        .collect(),
                )
            }
            (_, Node::Gen { parts, .. }) => self.partial(parts),
            _ => unreachable!("node of another tree"),
        }
    }

    fn partial(&self, parts: &[Value]) -> Value {
        match self {
            Gen::Flat(_) => parts[0].clone(),
            Gen::Product(_) | Gen::Seq { .. } => Value::Seq(parts.to_vec()),
            Gen::Subsets { .. } => Value::Set(parts.to_vec()),
            Gen::Mappings { keys, .. } => {
                Value::Mapping(keys.iter().cloned().zip(parts.iter().cloned()).collect())
            }
            Gen::Graph { .. } | Gen::Func { .. } => unreachable!(),
        }
    }

    /// Whether the node is an object of the domain (yielded), not only a prefix.
    pub(crate) fn is_final(&self, node: &Node) -> bool {
        match (self, node) {
            (Gen::Graph { .. }, Node::Graph(g)) => self.graph_is_final(g),
            (Gen::Func { n, m, .. }, Node::Func(h)) => h.len as usize == n * m,
            (_, Node::Gen { parts, .. }) => {
                let len = parts.len();
                match self {
                    Gen::Flat(_) => len == 1,
                    Gen::Product(ps) => len == ps.len(),
                    Gen::Seq { min, max, .. } | Gen::Subsets { min, max, .. } => {
                        (*min..=*max).contains(&len)
                    }
                    Gen::Mappings { keys, .. } => len == keys.len(),
                    Gen::Graph { .. } | Gen::Func { .. } => unreachable!(),
                }
            }
            _ => unreachable!("node of another tree"),
        }
    }

    /// Calls `f` on the children of `node`, in order. (By reference: a graph node carries its
    /// canonicity test's caches, and is made in place for each child rather than moved.)
    pub(crate) fn children(
        &self,
        node: &Node,
        f: &mut dyn FnMut(&Node) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        match (self, node) {
            (Gen::Graph { .. }, Node::Graph(g)) => self.graph_children(g, f),
            (
                Gen::Func {
                    n, m, perms, class, ..
                },
                Node::Func(h),
            ) => {
                if h.len as usize >= n * m {
                    return ControlFlow::Continue(());
                }
                let (checks, fix_first) = (class.checks(), class.initial);
                for v in h.next_values(*n, *m) {
                    let c = h.with(v, *m);
                    if checks && !class.admits(&c, *n, *m) {
                        continue;
                    }
                    if is_canonical_func(&c, *m, perms, fix_first)
                        && class.kept_by_prunes(&c, *n, *m)
                    {
                        f(&Node::Func(c))?;
                    }
                }
                ControlFlow::Continue(())
            }
            (_, Node::Gen { parts, last }) => {
                let len = parts.len();
                let base = if len == 0 {
                    None
                } else {
                    self.partial(parts).compact_counts()
                };
                let counts = base.unwrap_or_default();
                let try_child = |cand_atoms: Value,
                                 part: &Value,
                                 idx: usize,
                                 f: &mut dyn FnMut(&Node) -> ControlFlow<()>|
                 -> ControlFlow<()> {
                    if !fresh_ok(&counts, &cand_atoms) {
                        return ControlFlow::Continue(());
                    }
                    let mut p = parts.clone();
                    p.push(part.clone());
                    if is_canonical_value(&self.partial(&p)) {
                        f(&Node::Gen {
                            parts: p,
                            last: idx,
                        })?;
                    }
                    ControlFlow::Continue(())
                };
                match self {
                    Gen::Flat(items) => {
                        if len == 0 {
                            for (i, x) in items.iter().enumerate() {
                                f(&Node::Gen {
                                    parts: vec![x.clone()],
                                    last: i,
                                })?;
                            }
                        }
                    }
                    Gen::Product(ps) => {
                        if len < ps.len() {
                            for (i, x) in ps[len].iter().enumerate() {
                                try_child(x.clone(), x, i, f)?;
                            }
                        }
                    }
                    Gen::Seq { items, max, .. } => {
                        if len < *max {
                            for (i, x) in items.iter().enumerate() {
                                try_child(x.clone(), x, i, f)?;
                            }
                        }
                    }
                    Gen::Subsets { items, max, min } => {
                        let start = if len == 0 { 0 } else { last + 1 };
                        if len < *max {
                            for (i, x) in items.iter().enumerate().skip(start) {
                                // enough items left to reach min?
                                if len + 1 + (items.len() - i - 1) < *min {
                                    break;
                                }
                                try_child(x.clone(), x, i, f)?;
                            }
                        }
                    }
                    Gen::Mappings { keys, values } => {
                        if len < keys.len() {
                            for (i, x) in values.iter().enumerate() {
                                let pair = Value::Seq(vec![keys[len].clone(), x.clone()]);
                                try_child(pair, x, i, f)?;
                            }
                        }
                    }
                    Gen::Graph { .. } | Gen::Func { .. } => unreachable!(),
                }
                ControlFlow::Continue(())
            }
            _ => unreachable!("node of another tree"),
        }
    }

    /// A rough estimate of the log of the subtree size of `node` (the number of choices left);
    /// 0 means a leaf.
    pub(crate) fn weight(&self, node: &Node) -> u32 {
        match (self, node) {
            (Gen::Graph { n, max, .. }, Node::Graph(g)) => {
                if g.edges as usize >= *max {
                    return 0;
                }
                let n = *n as u32;
                let pairs = n * n.saturating_sub(1) / 2;
                let pos = match g.last {
                    None => return pairs,
                    Some(e) => {
                        let (i, j) = ((e / 16) as u32, (e % 16) as u32);
                        // pairs before row i, plus position in row i
                        i * n - i * (i + 1) / 2 + (j - i - 1)
                    }
                };
                pairs - pos - 1
            }
            (Gen::Func { n, m, .. }, Node::Func(h)) => (n * m - h.len as usize) as u32,
            (_, Node::Gen { parts, last }) => {
                let len = parts.len();
                match self {
                    Gen::Flat(_) => 0,
                    Gen::Product(ps) => (ps.len() - len) as u32,
                    Gen::Seq { max, .. } => max.saturating_sub(len).min(64) as u32,
                    Gen::Subsets { items, max, .. } => {
                        let left = if len == 0 {
                            items.len()
                        } else {
                            items.len() - last - 1
                        };
                        if len >= *max { 0 } else { left as u32 }
                    }
                    Gen::Mappings { keys, .. } => (keys.len() - len) as u32,
                    Gen::Graph { .. } | Gen::Func { .. } => 0,
                }
            }
            _ => 0,
        }
    }

    /// The number of final nodes in the subtree of `node` (itself included), found without
    /// building any value: what `count` over the subtree gives.
    pub(crate) fn count(&self, node: &Node) -> u64 {
        if let (Gen::Graph { .. }, Node::Graph(g)) = (self, node) {
            return self.count_graphs(g);
        }
        let mut n = 0;
        let _ = self.walk_nodes(node, &mut |_| {
            n += 1;
            ControlFlow::Continue(())
        });
        n
    }

    /// Pre-order walk of the subtree of `node`, calling `f` on the final nodes.
    pub(crate) fn walk_nodes(
        &self,
        node: &Node,
        f: &mut dyn FnMut(&Node) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        if self.is_final(node) {
            f(node)?;
        }
        self.children(node, &mut |c| self.walk_nodes(c, f))
    }

    /// Pre-order walk of the subtree of `node`, calling `f` on the final nodes' values.
    pub(crate) fn walk(
        &self,
        node: &Node,
        f: &mut dyn FnMut(&Value) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        match (self, node) {
            (Gen::Graph { .. }, Node::Graph(_)) => {
                let mut cur = self.value(node);
                self.walk_graph(node, &mut cur, f)
            }
            _ => self.walk_nodes(node, &mut |n| f(&self.value(n))),
        }
    }

    /// [`Gen::walk`] for graphs: `cur` is the value of `node`; a child's value is its parent's
    /// with the child's (largest) edge appended, so one value is extended and shrunk in place
    /// instead of building every graph's value from scratch.
    fn walk_graph(
        &self,
        node: &Node,
        cur: &mut Value,
        f: &mut dyn FnMut(&Value) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        let Gen::Graph { uset, .. } = self else {
            unreachable!("graph walk of another tree")
        };
        if self.is_final(node) {
            f(cur)?;
        }
        self.children(node, &mut |c| {
            let Node::Graph(h) = c else {
                unreachable!("graph child")
            };
            let e = h.last.expect("a child has an edge") as u32;
            let edge = Value::Set(vec![
                Value::Atom(crate::Atom::new(*uset, e / 16)),
                Value::Atom(crate::Atom::new(*uset, e % 16)),
            ]);
            let Value::Set(es) = cur else { unreachable!() };
            es.push(edge);
            let flow = self.walk_graph(c, cur, f);
            let Value::Set(es) = cur else { unreachable!() };
            es.pop();
            flow
        })
    }
}

/// `(states, letters, n, m)` when a `Mappings` is a functional structure of the fast path:
/// keys `S` or `Product(S, L)` and values `S` (USets, `L` another USet of at most 6 atoms),
/// `1 <= n * m <= 32`.
fn func_layout(keys: &Shape, values: &Shape) -> Option<(UsetId, Option<UsetId>, usize, usize)> {
    let Shape::USet(s) = values else { return None };
    let n = s.len() as usize;
    let (letters, m) = match keys {
        Shape::USet(k) if k.id() == s.id() => (None, 1),
        Shape::Product(ps) => match ps.as_slice() {
            [Shape::USet(k), Shape::USet(l)] if k.id() == s.id() && l.id() != s.id() => {
                (Some(l.id()), l.len() as usize)
            }
            _ => return None,
        },
        Shape::Items(vs) | Shape::Values(vs) => grid_layout(vs, s.id(), n)?,
        _ => return None,
    };
    (n >= 1 && (1..=6).contains(&m) && n * m <= crate::func::MAX_KEYS).then_some((
        s.id(),
        letters,
        n,
        m,
    ))
}

/// `(letters, m)` when the explicit keys `vs` are exactly the states `q_0..q_n` of `s` (no
/// letters), or exactly the pairs `(q_i, a_j)` for every state and every atom of one other
/// USet of `m` atoms (a materialized `Product(S, L)`).
fn grid_layout(vs: &[Value], s: UsetId, n: usize) -> Option<(Option<UsetId>, usize)> {
    let mut ks = vs.to_vec();
    ks.sort();
    ks.dedup();
    let q = |i: usize| Value::Atom(crate::Atom::new(s, i as u32));
    match ks.first()? {
        Value::Atom(_) => ((0..n).map(q).eq(ks.iter().cloned())).then_some((None, 1)),
        Value::Seq(p) => {
            let [_, Value::Atom(a)] = p.as_slice() else {
                return None;
            };
            let (l, m) = (a.uset(), a.uset().size() as usize);
            if l == s || m == 0 {
                return None;
            }
            let grid = (0..n * m).map(|t| {
                Value::Seq(vec![
                    q(t / m),
                    Value::Atom(crate::Atom::new(l, (t % m) as u32)),
                ])
            });
            grid.eq(ks.iter().cloned()).then_some((Some(l), m))
        }
        _ => None,
    }
}

/// The values without repeats, each at its first position (a `Join` may repeat items; a
/// component listed twice would give the same child twice).
fn first_occurrences(vs: Vec<Value>) -> Vec<Value> {
    let mut seen = std::collections::HashSet::new();
    vs.into_iter().filter(|v| seen.insert(v.clone())).collect()
}

/// Whether the atoms of `cand` not used yet (index `>= counts[uset]`) are exactly the next
/// indices of their USet.
fn fresh_ok(counts: &[(UsetId, u32)], cand: &Value) -> bool {
    let atoms = cand.atoms();
    let mut cur: Option<(UsetId, u32)> = None;
    for a in atoms {
        let used = counts
            .iter()
            .find(|(u, _)| *u == a.uset())
            .map(|c| c.1)
            .unwrap_or(0);
        if a.index() < used {
            continue;
        }
        let expect = match cur {
            Some((u, next)) if u == a.uset() => next,
            _ => used,
        };
        if a.index() != expect {
            return false;
        }
        cur = Some((a.uset(), expect + 1));
    }
    true
}
