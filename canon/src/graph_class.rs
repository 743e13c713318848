//! Classes of graphs pruned during the orderly generation (what [`crate::Graphs`] builds):
//! geng's switches and a user's monotone `prune`.
//!
//! The generation tree adds one edge at a time, each larger (in the edge order `(i, j)`,
//! `i < j`) than every edge so far, so a node's parent is the node minus its largest edge: every
//! ancestor of a graph is a subgraph of it on the same vertices. Hence, for a property closed
//! under removing edges (triangle-free, C4-free, K4-free, bipartite, maximum degree, a user's
//! monotone prune), a node outside the class has no descendant inside it: the child is tested
//! when it is made, and only the new edge needs checking, since the parent is in the class
//! (`admits_edge`). Properties that edges can still create (connected, biconnected, minimum
//! degree, at least `a` edges) are tested on the final graphs (`is_member`) and cut a subtree
//! only when no extension can reach them (`viable`): once the largest edge is `(i, j)`, the
//! vertices `v < i` can gain no edge any more (every pair holding one is at or before `(i, j)`),
//! vertex `i` only edges to vertices after `j`, and a vertex `v > i` edges to vertices after
//! `i`, so degrees and components that cannot grow any more decide.

use crate::graph::Graph;
use crate::typed::BitGraph;
use std::sync::Arc;

/// A user's prune: `true` cuts the graph and (by its contract) every graph with more edges.
pub(crate) type GraphPrune = Arc<dyn Fn(&BitGraph) -> bool + Send + Sync>;

/// The vertices `lo..n` as a mask (empty when `lo >= n`).
#[inline]
fn from(lo: usize, n: usize) -> u16 {
    if lo >= n {
        0
    } else {
        (((1u32 << n) - 1) & !((1u32 << lo) - 1)) as u16
    }
}

/// A class of graphs on `n` vertices (all fields off: every graph).
#[derive(Clone, Default)]
pub(crate) struct GraphClass {
    pub connected: bool,
    pub biconnected: bool,
    pub triangle_free: bool,
    pub c4_free: bool,
    pub k4_free: bool,
    pub bipartite: bool,
    /// Every vertex has at least this degree (0: no bound).
    pub min_degree: usize,
    /// Every vertex has at most this degree.
    pub max_degree: Option<usize>,
    /// The user's monotone prunes (a graph is cut when any of them cuts it).
    pub prunes: Vec<GraphPrune>,
}

impl std::fmt::Debug for GraphClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl GraphClass {
    /// Whether the class is every graph (nothing to check).
    pub fn is_everything(&self) -> bool {
        !self.checks_edges() && !self.checks_members() && self.prunes.is_empty()
    }

    /// Whether some edge needs checking when it is added (a hereditary property).
    #[inline]
    pub fn checks_edges(&self) -> bool {
        self.triangle_free
            || self.c4_free
            || self.k4_free
            || self.bipartite
            || self.max_degree.is_some()
    }

    /// Whether the final graphs need checking: a property that edges can still create.
    #[inline]
    pub fn checks_members(&self) -> bool {
        self.connected || self.biconnected || self.min_degree > 0
    }

    /// Whether subtrees are worth cutting before their final graphs (by [`GraphClass::viable`])
    /// for graphs on `n` vertices with at most `max_edges` edges. Connectivity alone is not:
    /// nearly every graph can still become connected, so the lookahead would cost more than
    /// the few subtrees it cuts (geng, too, tests it on the final graphs only), unless few
    /// edges are allowed; degrees of 2 or more are.
    #[inline]
    pub fn looks_ahead(&self, n: usize, max_edges: usize) -> bool {
        self.biconnected
            || self.min_degree > 1
            || (self.connected && max_edges < n * n.saturating_sub(1) / 2)
    }

    /// The least degree every vertex of a member has (connected graphs on 2 or more vertices
    /// have no isolated vertex, biconnected ones no vertex of degree 1).
    fn degree_floor(&self, n: usize) -> usize {
        let mut d = self.min_degree;
        if self.connected && n >= 2 {
            d = d.max(1);
        }
        if self.biconnected {
            d = d.max(2);
        }
        d
    }

    /// Whether `g` plus the edge `{i, j}` (not an edge of `g`) stays in the hereditary part of
    /// the class, given that `g` is in it: only subgraphs through the new edge can break it.
    #[inline]
    pub fn admits_edge(&self, g: &Graph, i: usize, j: usize) -> bool {
        let (a, b) = (g.adj[i], g.adj[j]);
        if let Some(d) = self.max_degree {
            if a.count_ones() as usize >= d || b.count_ones() as usize >= d {
                return false;
            }
        }
        let common = a & b;
        if self.triangle_free && common != 0 {
            return false;
        }
        if self.k4_free && common != 0 {
            // a K4 through {i, j}: two adjacent common neighbours
            let mut c = common;
            while c != 0 {
                let x = c.trailing_zeros() as usize;
                c &= c - 1;
                if g.adj[x] & common != 0 {
                    return false;
                }
            }
        }
        if self.c4_free {
            // a 4-cycle i - j - x - y - i: a neighbour x of j adjacent to a neighbour y of i
            // (one not through the new edge would be in g already)
            let mut nj = b;
            while nj != 0 {
                let x = nj.trailing_zeros() as usize;
                nj &= nj - 1;
                if g.adj[x] & a != 0 {
                    return false;
                }
            }
        }
        if self.bipartite && same_side(g, i, j) {
            return false;
        }
        true
    }

    /// [`GraphClass::viable`] for a child `h` of the viable node `parent`, cheaply when it can
    /// be: a child whose new edge lies in the parent's last row (and does not reach the last
    /// vertex) freezes no vertex and only merges components, so, without an upper bound on the
    /// edges, only the new edge's first vertex has lost prospects (the pairs it skipped).
    #[inline]
    pub fn viable_child(
        &self,
        parent: &Graph,
        h: &Graph,
        n: usize,
        min_edges: usize,
        max_edges: usize,
    ) -> bool {
        let pairs = n * n.saturating_sub(1) / 2;
        if let (Some(p), Some(e)) = (parent.last, h.last) {
            let (pi, i, j) = ((p / 16) as usize, (e / 16) as usize, (e % 16) as usize);
            if i == pi && j + 1 < n && max_edges >= pairs {
                let done = i * n - i * (i + 1) / 2 + (j - i);
                let floor = self.degree_floor(n) as u32;
                return h.edges as usize + (pairs - done) >= min_edges
                    && (floor == 0 || (h.adj[i] | from(j + 1, n)).count_ones() >= floor);
            }
        }
        self.viable(h, n, min_edges, max_edges)
    }

    /// Whether some extension of `h` (edges after its largest one added, at most `max_edges`
    /// edges in all) can be a member of the class with at least `min_edges` edges. Never false
    /// for a node with a member below it.
    pub fn viable(&self, h: &Graph, n: usize, min_edges: usize, max_edges: usize) -> bool {
        let edges = h.edges as usize;
        let pairs = n * n.saturating_sub(1) / 2;
        let (li, lj) = match h.last {
            None => (0, 0),
            Some(e) => ((e / 16) as usize, (e % 16) as usize),
        };
        // pairs after (li, lj): the ones still free
        let done = match h.last {
            None => 0,
            Some(_) => li * n - li * (li + 1) / 2 + (lj - li),
        };
        if edges + (pairs - done) < min_edges {
            return false;
        }
        if !self.checks_members() {
            return true;
        }
        // what each vertex can still gain (a pair {v, w}, v < w, is free when it comes after
        // (li, lj): v > li, or v == li and w > lj): `li` the vertices after `lj`, a later
        // vertex those after `li`, and `li` itself when it lies after `lj`
        let can_gain = |v: usize| -> u16 {
            let free = if h.last.is_none() {
                from(0, n)
            } else if v < li {
                0
            } else if v == li {
                from(lj + 1, n)
            } else if v > lj {
                from(li, n)
            } else {
                from(li + 1, n)
            };
            free & !h.adj[v] & !(1 << v)
        };
        // (a floor of 1 always holds: every vertex before the last row has an edge)
        let floor = self.degree_floor(n);
        if floor > 1 {
            for v in 0..n {
                if (h.adj[v] | can_gain(v)).count_ones() < floor as u32 {
                    return false;
                }
            }
        }
        let pairs_left = pairs - done;
        if (self.connected || self.biconnected) && max_edges >= edges + pairs_left {
            // no edge budget to share: every component must reach a vertex that can still
            // gain an edge (unless the graph is already one component)
            let mut open: u16 = 0;
            for v in li..n {
                if can_gain(v) != 0 {
                    open |= 1 << v;
                }
            }
            let reach = closure(h, open);
            return reach == from(0, n) || (reach == 0 && component(h, 0) == from(0, n));
        }
        if self.connected || self.biconnected {
            // every component must reach a vertex that can still gain an edge, and the
            // components need that many more edges to join
            let all = from(0, n);
            let mut seen: u16 = 0;
            let mut components = 0;
            while seen != all {
                let start = (!seen & all).trailing_zeros() as usize;
                let comp = component(h, start);
                seen |= comp;
                components += 1;
                let mut open = false;
                let mut c = comp;
                while c != 0 {
                    let v = c.trailing_zeros() as usize;
                    c &= c - 1;
                    if can_gain(v) != 0 {
                        open = true;
                        break;
                    }
                }
                if !open && comp != all {
                    return false;
                }
            }
            if edges + components - 1 > max_edges {
                return false;
            }
        }
        true
    }

    /// Whether a final graph of the tree (in the hereditary part of the class) is a member:
    /// the properties that edges can still create.
    pub fn is_member(&self, h: &Graph, n: usize) -> bool {
        // degree 1 everywhere: every vertex in use
        let floor = self.degree_floor(n);
        if floor == 1 && (h.m as usize) < n {
            return false;
        }
        if floor > 1 && (0..n).any(|v| (h.adj[v].count_ones() as usize) < floor) {
            return false;
        }
        let all = from(0, n);
        if self.connected && n >= 1 && component(h, 0) != all {
            return false;
        }
        if self.biconnected {
            if n < 3 || component(h, 0) != all {
                return false;
            }
            for v in 0..n {
                // removing v leaves one component
                let rest = all & !(1 << v);
                let start = rest.trailing_zeros() as usize;
                if component_within(h, start, rest) != rest {
                    return false;
                }
            }
        }
        true
    }

    /// Whether the user's prunes keep the graph `h` (as a graph on `n` vertices).
    #[inline]
    pub fn kept_by_prunes(&self, h: &Graph, n: usize) -> bool {
        if self.prunes.is_empty() {
            return true;
        }
        let g = BitGraph::from_parts(n, h.adj);
        !self.prunes.iter().any(|p| p(&g))
    }

    /// The class in words (`connected, triangle-free, max degree 3`), or `all graphs`.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for (on, name) in [
            (self.connected, "connected"),
            (self.biconnected, "biconnected"),
            (self.triangle_free, "triangle-free"),
            (self.c4_free, "C4-free"),
            (self.k4_free, "K4-free"),
            (self.bipartite, "bipartite"),
        ] {
            if on {
                parts.push(name.into());
            }
        }
        if self.min_degree > 0 {
            parts.push(format!("min degree {}", self.min_degree));
        }
        if let Some(d) = self.max_degree {
            parts.push(format!("max degree {d}"));
        }
        if !self.prunes.is_empty() {
            parts.push(format!("{} user prune(s)", self.prunes.len()));
        }
        if parts.is_empty() {
            "all graphs".into()
        } else {
            parts.join(", ")
        }
    }
}

/// The component of `start` in `h`.
#[inline]
fn component(h: &Graph, start: usize) -> u16 {
    closure(h, 1 << start)
}

/// The vertices reachable in `h` from those of `set`.
#[inline]
fn closure(h: &Graph, set: u16) -> u16 {
    let mut seen = set;
    let mut frontier = set;
    while frontier != 0 {
        let next = neighbours(h, frontier);
        frontier = next & !seen;
        seen |= next;
    }
    seen
}

/// The vertices adjacent to some vertex of `set` (bit masks).
#[inline]
fn neighbours(g: &Graph, set: u16) -> u16 {
    let (mut out, mut f) = (0u16, set);
    while f != 0 {
        let v = f.trailing_zeros() as usize;
        f &= f - 1;
        out |= g.adj[v];
    }
    out
}

/// The component of `start` in the subgraph of `h` induced by `within` (which holds `start`).
fn component_within(h: &Graph, start: usize, within: u16) -> u16 {
    let mut seen: u16 = 1 << start;
    let mut frontier = seen;
    while frontier != 0 {
        let next = neighbours(h, frontier) & within & !seen;
        seen |= next;
        frontier = next;
    }
    seen
}

/// Whether `i` and `j` lie in one component of the bipartite graph `g` on the same side (at
/// even distance), so that the edge `{i, j}` would close an odd cycle.
fn same_side(g: &Graph, i: usize, j: usize) -> bool {
    // breadth first from i, alternating sides
    let (mut even, mut odd): (u16, u16) = (1 << i, 0);
    let mut frontier: u16 = 1 << i;
    let mut parity_even = true;
    while frontier != 0 {
        let next = neighbours(g, frontier) & !(even | odd);
        parity_even = !parity_even;
        if parity_even {
            even |= next;
        } else {
            odd |= next;
        }
        frontier = next;
    }
    even >> j & 1 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(usize, usize)]) -> Graph {
        edges
            .iter()
            .fold(Graph::empty(), |g, &(i, j)| g.with_edge(i, j))
    }

    #[test]
    fn edge_checks_see_the_subgraph_through_the_new_edge() {
        let path = graph(&[(0, 1), (1, 2), (2, 3)]);
        let tf = GraphClass {
            triangle_free: true,
            ..Default::default()
        };
        assert!(!tf.admits_edge(&path, 0, 2));
        assert!(tf.admits_edge(&path, 0, 3));
        let c4 = GraphClass {
            c4_free: true,
            ..Default::default()
        };
        assert!(!c4.admits_edge(&path, 0, 3));
        assert!(c4.admits_edge(&path, 0, 2));
        let bip = GraphClass {
            bipartite: true,
            ..Default::default()
        };
        assert!(bip.admits_edge(&path, 0, 3)); // closes a 4-cycle
        assert!(!bip.admits_edge(&path, 0, 2)); // closes a triangle
        assert!(bip.admits_edge(&path, 3, 4)); // a new vertex
        let k4 = GraphClass {
            k4_free: true,
            ..Default::default()
        };
        let almost = graph(&[(0, 1), (0, 2), (0, 3), (1, 2), (1, 3)]);
        assert!(!k4.admits_edge(&almost, 2, 3));
        assert!(k4.admits_edge(&path, 0, 2));
        let deg = GraphClass {
            max_degree: Some(2),
            ..Default::default()
        };
        assert!(!deg.admits_edge(&path, 1, 3));
        assert!(deg.admits_edge(&path, 0, 3));
    }

    #[test]
    fn members_and_lookahead() {
        let conn = GraphClass {
            connected: true,
            ..Default::default()
        };
        let path = graph(&[(0, 1), (1, 2), (2, 3)]);
        assert!(conn.is_member(&path, 4));
        assert!(!conn.is_member(&path, 5));
        // {0, 1} is closed once the largest edge starts at vertex 2
        let split = graph(&[(0, 1), (2, 3)]);
        assert!(!conn.viable(&split, 4, 0, 6));
        let open = graph(&[(0, 1), (1, 2)]);
        assert!(conn.viable(&open, 4, 0, 6));
        assert!(!conn.viable(&open, 4, 0, 2)); // needs a third edge
        let bic = GraphClass {
            biconnected: true,
            ..Default::default()
        };
        assert!(!bic.is_member(&path, 4));
        assert!(bic.is_member(&graph(&[(0, 1), (0, 2), (1, 3), (2, 3)]), 4));
        let md = GraphClass {
            min_degree: 2,
            ..Default::default()
        };
        // vertex 0 has degree 1 and can gain nothing once the largest edge starts at 1
        assert!(!md.viable(&graph(&[(0, 1), (1, 2)]), 4, 0, 6));
        assert!(md.viable(&graph(&[(0, 1), (0, 2)]), 4, 0, 6));
    }
}
