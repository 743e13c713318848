//! Graphviz `dot` export of transition systems and explorations.

use super::HashMap;
use super::{Dlts, Exploration, Successors};
use std::fmt::{Debug, Write};
use std::hash::Hash;

/// Escapes a label for a double-quoted dot string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes the graph of `states` (nodes `s0, s1, ...` in this order, labelled by `Debug`; the
/// first `init` filled gray) with the edges `edges` gives for each state, to states among them.
fn write_dot<S, E>(states: &[S], init: usize, mut edges: E) -> String
where
    S: Debug + Eq + Hash,
    E: FnMut(&S, &mut dyn FnMut(Option<String>, S)),
{
    let index: HashMap<&S, usize> = states.iter().enumerate().map(|(i, s)| (s, i)).collect();
    let mut out = String::from("digraph {\n");
    for (i, s) in states.iter().enumerate() {
        let label = quote(&format!("{s:?}"));
        if i < init {
            let _ = writeln!(out, "  s{i} [label={label}, style=filled, fillcolor=gray];");
        } else {
            let _ = writeln!(out, "  s{i} [label={label}];");
        }
    }
    for (i, s) in states.iter().enumerate() {
        edges(s, &mut |label, t| {
            if let Some(j) = index.get(&t) {
                match label {
                    Some(l) => {
                        let _ = writeln!(out, "  s{i} -> s{j} [label={}];", quote(&l));
                    }
                    None => {
                        let _ = writeln!(out, "  s{i} -> s{j};");
                    }
                }
            }
        });
    }
    out.push_str("}\n");
    out
}

impl<S: Debug + Eq + Hash> Exploration<S> {
    /// The explored part of `system` as a Graphviz `dot` digraph: one node per state (`s0`,
    /// `s1`, ... in breadth-first order, labelled by `Debug`, the initial states filled gray),
    /// and an edge for every transition between explored states, in order (edges leaving the
    /// explored states, past a bound, are left out).
    ///
    /// ```
    /// use haydi_domains::systems::{Bfs, System};
    /// let s = System::new(|x: &u8| [(x + 1) % 3]);
    /// let e = Bfs::new(s.clone(), [0]).max_depth(1).explore(false).unwrap();
    /// assert_eq!(
    ///     e.to_dot(&s),
    ///     "digraph {\n  s0 [label=\"0\", style=filled, fillcolor=gray];\n  s1 [label=\"1\"];\n  s0 -> s1;\n}\n"
    /// );
    /// ```
    pub fn to_dot<G: Successors<State = S>>(&self, system: &G) -> String {
        let init = self.levels.get(1).copied().unwrap_or(self.states.len());
        write_dot(&self.states, init, |s, f| {
            system.successors(s, &mut |t| f(None, t))
        })
    }
}

/// The states of `system` reachable from `init` within `max_depth` steps (`None`: all) as a
/// Graphviz `dot` digraph, explored serially (see [`Exploration::to_dot`] for the format).
///
/// ```
/// use haydi_domains::systems::{to_dot, System};
/// let s = System::new(|x: &u8| (*x < 1).then_some(x + 1));
/// assert_eq!(
///     to_dot(&s, [0], None),
///     "digraph {\n  s0 [label=\"0\", style=filled, fillcolor=gray];\n  s1 [label=\"1\"];\n  s0 -> s1;\n}\n"
/// );
/// ```
pub fn to_dot<G, I>(system: &G, init: I, max_depth: Option<u32>) -> String
where
    G: Successors,
    G::State: Debug + Eq + Hash + Clone,
    I: IntoIterator<Item = G::State>,
{
    let (states, init) = reach(system, init, max_depth);
    write_dot(&states, init, |s, f| {
        system.successors(s, &mut |t| f(None, t))
    })
}

/// Like [`to_dot`] for a [`Dlts`], with every edge labelled by its action (`Debug`): the Python
/// `DLTS.make_graph`.
///
/// ```
/// use haydi_domains::systems::{dlts_from_map, dlts_to_dot};
/// use std::collections::BTreeMap;
/// let m = dlts_from_map(BTreeMap::from([((0, 'a'), 1), ((0, 'b'), 0), ((1, 'a'), 0)]));
/// assert_eq!(
///     dlts_to_dot(&m, [0], None),
///     "digraph {\n  s0 [label=\"0\", style=filled, fillcolor=gray];\n  s1 [label=\"1\"];\n  \
///      s0 -> s1 [label=\"'a'\"];\n  s0 -> s0 [label=\"'b'\"];\n  s1 -> s0 [label=\"'a'\"];\n}\n"
/// );
/// ```
pub fn dlts_to_dot<D, I>(dlts: &D, init: I, max_depth: Option<u32>) -> String
where
    D: Dlts,
    D::State: Debug + Eq + Hash,
    D::Action: Debug,
    I: IntoIterator<Item = D::State>,
{
    let (states, init) = reach(dlts, init, max_depth);
    write_dot(&states, init, |s, f| {
        for a in dlts.actions(s) {
            if let Some(t) = dlts.step(s, &a) {
                f(Some(format!("{a:?}")), t);
            }
        }
    })
}

/// The states reachable within `max_depth`, breadth first, and how many are initial.
fn reach<G, I>(system: &G, init: I, max_depth: Option<u32>) -> (Vec<G::State>, usize)
where
    G: Successors,
    G::State: Eq + Hash + Clone,
    I: IntoIterator<Item = G::State>,
{
    let mut seen: super::HashSet<_> = super::HashSet::default();
    let mut states = Vec::new();
    for s in init {
        if seen.insert(s.clone()) {
            states.push(s);
        }
    }
    let n_init = states.len();
    let (mut start, mut depth) = (0usize, 0u32);
    while start < states.len() && max_depth.is_none_or(|d| depth < d) {
        let end = states.len();
        for i in start..end {
            let s = states[i].clone();
            system.successors(&s, &mut |t| {
                if seen.insert(t.clone()) {
                    states.push(t);
                }
            });
        }
        start = end;
        depth += 1;
    }
    (states, n_init)
}
