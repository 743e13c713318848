//! The fast path for undirected graphs: `Subsets(Subsets(U, 2, 2))` with at most 16 atoms.
//!
//! A graph is kept as adjacency bit masks. Its value is the set of its edges `{i, j}`, so in the
//! value order it is the sorted edge list `(i, j)`, `i < j`, compared lexicographically: row by
//! row, where row `i` is the set of neighbours `j > i`, and of two rows the one holding the
//! smallest element of their symmetric difference is the smaller.
//!
//! The generation adds one edge at a time, each larger than the ones before, and keeps a child
//! when it is canonical ([`Graph::canonical_child`]). The test is the search of
//! [`crate::graph_search`], run incrementally: a graph carries what its own test found (which
//! alternatives continued the search along the identity labelling's path, how the search
//! refuted them, the automorphisms it met), and its children's tests reuse that for the rows
//! the new edge leaves alone.

use crate::graph_search::{MAX_GENERATORS, Refutation, Test, refine};
use std::cell::RefCell;
use std::cmp::Ordering;
use std::ops::Range;

/// The most refutations a graph keeps for its children's tests.
const MAX_REFUTED: usize = 6;

/// What a canonicity test works in, kept per thread: clearing it for every test would cost
/// more than some tests do.
struct Scratch {
    test: Test,
    /// The partitions along the identity path, by depth, and their numbers of cells.
    path: [[u16; 16]; 17],
    ncs: [u8; 17],
    /// For each level of the tree (number of edges), the identity-path partitions of the last
    /// graph accepted there: the walk is depth first, so when a graph's children are tested
    /// these are its own, and a child's partitions before its new row are its parent's (its
    /// new vertex, if any, joins the cell of vertices with no placed neighbour).
    levels: Vec<Level>,
}

/// The identity-path partitions `path[0..=depth]` of the graph with adjacency `adj`.
#[derive(Clone)]
struct Level {
    adj: [u16; 16],
    depth: usize,
    path: [[u16; 16]; 17],
    ncs: [u8; 17],
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch {
        test: Test::new(&[0; 16], 0),
        path: [[0; 16]; 17],
        ncs: [0; 17],
        levels: vec![
            Level {
                adj: [0; 16],
                depth: 0,
                path: [[0; 16]; 17],
                ncs: [0; 17],
            };
            16 * 15 / 2 + 2
        ],
    });
}

/// A graph on vertices `0..m` as adjacency masks, with what its canonicity test found for its
/// children's tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Graph {
    /// Neighbour masks.
    pub adj: [u16; 16],
    /// Vertices in use (all of `0..m` have an edge, except in the empty graph).
    pub m: u8,
    /// Number of edges.
    pub edges: u16,
    /// The largest edge, encoded `i * 16 + j` (`None` for the empty graph).
    pub last: Option<u16>,
    /// For each depth `d < m` of the identity labelling's path in this graph's test: the
    /// vertices other than `d` of the first cell there whose row `d` equals the graph's (the
    /// alternatives the search must refute).
    eq: [u16; 16],
    /// How the test refuted some of those alternatives, the first `nref`.
    refuted: [Refutation; MAX_REFUTED],
    nref: u8,
    /// Automorphisms of this graph its test met, the first `ngens`, as the images of the 16
    /// vertices in 4 bits each (vertex `v` goes to `gens[g] >> 4 * v & 15`): small, since
    /// every child node is made afresh.
    gens: [u64; MAX_GENERATORS],
    ngens: u8,
}

impl Graph {
    /// The empty graph (the root of the generation; its caches are trivially right).
    pub fn empty() -> Graph {
        Graph {
            adj: [0; 16],
            m: 0,
            edges: 0,
            last: None,
            eq: [0; 16],
            refuted: [Refutation::CLEAN; MAX_REFUTED],
            nref: 0,
            gens: [0; MAX_GENERATORS],
            ngens: 0,
        }
    }

    /// The edges a child of this graph may add on `n` vertices, in generation order: for each
    /// first vertex `i`, the range of second vertices `j` (the edge after the largest one, `j`
    /// an existing vertex or the first unused one). Generation and its tests walk the tree by
    /// this one rule.
    #[inline]
    pub(crate) fn child_edges(&self, n: usize) -> impl Iterator<Item = (usize, Range<usize>)> {
        let m = self.m as usize;
        let last = self.last.map(|e| ((e / 16) as usize, (e % 16) as usize));
        let first = last.map_or(0, |(i, _)| i);
        (first..n.min(m + 1)).map(move |i| {
            let from = match last {
                Some((li, lj)) if i == li => lj + 1,
                _ => i + 1,
            };
            // new vertices must be the next unused ones
            let (lo, hi) = if i < m {
                (from, m + 1)
            } else {
                (from.max(m + 1), m + 2)
            };
            (i, lo..hi.min(n))
        })
    }

    /// The graph with edge `{i, j}` (`i < j`) added, its caches not filled (for the tests).
    #[cfg(test)]
    pub fn with_edge(&self, i: usize, j: usize) -> Graph {
        let mut g = *self;
        g.adj[i] |= 1 << j;
        g.adj[j] |= 1 << i;
        g.m = g.m.max(j as u8 + 1);
        g.edges += 1;
        g.last = Some((i * 16 + j) as u16);
        g
    }

    /// The edges `(i, j)`, `i < j`, in increasing order.
    pub fn edge_list(&self) -> Vec<(usize, usize)> {
        let mut v = Vec::new();
        for i in 0..self.m as usize {
            for j in i + 1..self.m as usize {
                if self.adj[i] >> j & 1 == 1 {
                    v.push((i, j));
                }
            }
        }
        v
    }

    /// Writes the child `self + {i, j}` into `h` (with `(i, j)` after every edge of `self`,
    /// `j` at most the first unused vertex), without its caches: what the class checks of the
    /// generation look at before the test.
    #[inline]
    pub fn child_into(&self, i: usize, j: usize, h: &mut Graph) {
        h.adj = self.adj;
        h.adj[i] |= 1 << j;
        h.adj[j] |= 1 << i;
        h.m = self.m.max(j as u8 + 1);
        h.edges = self.edges + 1;
        h.last = Some((i * 16 + j) as u16);
    }

    /// Whether `h`, the child `self + {i, j}` written by [`Graph::child_into`], is canonical;
    /// when it is, its caches are filled for its own children. `self` must be canonical with
    /// its caches filled, as the root and every graph accepted here are.
    ///
    /// Why the parent's work carries over. Row `i` is the child's last non-empty row and the
    /// first that differs from the parent's. Along the identity labelling's path, the
    /// partition at a depth `d < i` depends only on the neighbourhoods of the vertices `0..d`,
    /// which the new edge leaves alone, and so do the rows `0..d`. So a vertex other than `i`
    /// and `j` in the first cell there compares with the graph's row `d` as it did in the
    /// parent: the parent's `eq[d]` says which continue the search (the others give a greater
    /// row and are cut), and only `i` and `j` are compared again. A branch the parent refuted
    /// by comparing rows before `i` only, without `i` or `j`, is refuted alike here
    /// ([`Refutation::holds_for`]), and the parent's automorphisms that fix the new edge are
    /// the child's. The search then runs at depth `i` and backs up the path trying the other
    /// alternatives, in the order of the full search ([`crate::graph_search::is_canonical`],
    /// which the tests check it against on every child).
    pub fn is_canonical_child(&self, i: usize, j: usize, h: &mut Graph) -> bool {
        h.eq = [0; 16];
        h.nref = 0;
        h.ngens = 0;
        SCRATCH.with(|s| self.test_child(i, j, h, &mut s.borrow_mut()))
    }

    /// [`Graph::is_canonical_child`] with this thread's scratch space.
    fn test_child(&self, i: usize, j: usize, h: &mut Graph, scratch: &mut Scratch) -> bool {
        let m = h.m as usize;
        let Scratch {
            test: t,
            path,
            ncs,
            levels,
        } = scratch;
        // the search state from the parent's adjacency, then the new edge (a copy of the
        // child's just written adjacency would stall, see `crate::graph_search`)
        t.reset(&self.adj, m);
        t.adj[i] |= 1 << j;
        t.adj[j] |= 1 << i;
        t.rows[i] |= 1 << j;
        t.last_row = t.last_row.max(i);
        for &packed in &self.gens[..self.ngens as usize] {
            let image = |v: usize| (packed >> (4 * v) & 15) as usize;
            let (ai, aj) = (image(i), image(j));
            if (ai, aj) == (i, j) || (ai, aj) == (j, i) {
                let mut a = [0u8; 16];
                let mut fixed = 0u16;
                for (v, x) in a.iter_mut().enumerate() {
                    *x = image(v) as u8;
                    fixed |= u16::from(*x as usize == v) << v;
                }
                t.add_generator(a, fixed);
            }
        }
        // down the identity path to depth i, keeping each depth's partition: the parent's
        // where they are known, the new vertices added to the last cell if that cell has no
        // placed neighbour (and as a cell of its own otherwise)
        let level = self.edges as usize;
        let known = if levels[level].adj == self.adj {
            levels[level].depth.min(i)
        } else {
            0
        };
        // (the new edge may bring one new vertex, j, or two, i and j)
        let new_vertex = (((1u32 << m) - 1) & !((1u32 << self.m) - 1)) as u16;
        for d in 0..=known {
            let (from, nc) = (&levels[level].path[d], levels[level].ncs[d] as usize);
            path[d] = *from;
            ncs[d] = nc as u8;
            if new_vertex != 0 {
                let last = path[d][nc.saturating_sub(1)];
                let placed = ((1u32 << d) - 1) as u16;
                if nc > 0 && t.adj[last.trailing_zeros() as usize] & placed == 0 {
                    path[d][nc - 1] |= new_vertex;
                } else {
                    path[d][nc] = new_vertex;
                    ncs[d] += 1;
                }
            }
        }
        if known == 0 {
            path[0] = [0; 16];
            path[0][0] = ((1u32 << m) - 1) as u16;
            ncs[0] = 1;
        }
        let special = (1u16 << i) | (1u16 << j);
        for d in 0..i {
            let (done, rest) = path.split_at_mut(d + 1);
            let (cells, nc) = (&done[d], ncs[d] as usize);
            let mut a = self.eq[d] & !special;
            let mut s = cells[0] & special;
            if s != 0 {
                let target = t.target(d, cells, nc);
                while s != 0 {
                    let w = s.trailing_zeros() as usize;
                    s &= s - 1;
                    match t.compare(cells, nc, &target, w) {
                        Ordering::Less => return false,
                        Ordering::Equal => a |= 1 << w,
                        Ordering::Greater => {}
                    }
                }
            }
            h.eq[d] = a;
            t.perm[d] = d as u8;
            t.tried_at[d] = 1 << d;
            if d + 1 > known {
                ncs[d + 1] = refine(cells, nc, d, t.adj[d], &mut rest[0]) as u8;
            }
        }
        // depth i, the new row: the identity's child first (its row, with i's neighbours
        // packed first in each cell, is smaller than the graph's unless the new edge left no
        // gap; every row after it is empty, so the rest of its labelling follows), then the
        // others, searched as usual
        let (cells, nc) = (&path[i], ncs[i] as usize);
        t.placed = ((1u32 << i) - 1) as u16;
        let target = t.target(i, cells, nc);
        if t.compare(cells, nc, &target, i) == Ordering::Less {
            return false;
        }
        t.perm[i] = i as u8;
        t.tried_at[i] = 1 << i;
        let mut next = [0u16; 16];
        let nn = refine(cells, nc, i, t.adj[i], &mut next);
        t.complete_identity(i, &next, nn);
        let mut others = cells[0] & !(1 << i);
        while others != 0 {
            let w = others.trailing_zeros() as usize;
            others &= others - 1;
            match t.compare(cells, nc, &target, w) {
                Ordering::Less => return false,
                Ordering::Greater => continue,
                Ordering::Equal => h.eq[i] |= 1 << w,
            }
            let tried = (1u16 << i) | (cells[0] & ((1u32 << w) - 1) as u16);
            if t.jump != usize::MAX || t.same_orbit_as_tried(t.placed, w, tried) {
                continue; // (after a jump back to a shallower depth: only eq[i] is wanted)
            }
            t.tried_at[i] = tried | 1 << w;
            t.explore(i, cells, nc, w);
            if t.smaller {
                return false;
            }
            if t.jump == i {
                t.jump = usize::MAX;
            }
        }
        // back up the identity path: the other children of its nodes, in the order the full
        // search tries them (after the identity's), so that automorphisms prune as there
        let j_is_new = j >= self.m as usize;
        for d in (0..i).rev() {
            if t.jump != usize::MAX {
                if t.jump < d {
                    continue;
                }
                t.jump = usize::MAX;
            }
            let (cs, cn) = (&path[d], ncs[d] as usize);
            t.placed = ((1u32 << d) - 1) as u16;
            let mut a = h.eq[d];
            while a != 0 {
                let w = a.trailing_zeros() as usize;
                a &= a - 1;
                let reused = self.refuted[..self.nref as usize].iter().find(|r| {
                    r.at as usize == d && r.vertex as usize == w && r.holds_for(i, j, j_is_new)
                });
                if let Some(r) = reused {
                    h.keep(*r);
                    continue;
                }
                // the first cell's vertices before w were tried (or cut) by the full search
                let tried = (1u16 << d) | (cs[0] & ((1u32 << w) - 1) as u16);
                if t.same_orbit_as_tried(t.placed, w, tried) {
                    continue;
                }
                t.tried_at[d] = tried | 1 << w;
                t.seen = Refutation {
                    at: d as u8,
                    vertex: w as u8,
                    touched: 1 << w,
                    depth: d as u8,
                    flags: 0,
                };
                t.explore(d, cs, cn, w);
                if t.smaller {
                    return false;
                }
                h.keep(t.seen);
                if t.jump != usize::MAX {
                    if t.jump < d {
                        break;
                    }
                    t.jump = usize::MAX;
                }
            }
        }
        // after row i every row is empty: a vertex w > d continues the identity path's node at
        // depth d exactly when it is a twin of d (the same neighbours, all before d; the first
        // cell there holds the vertices with d's neighbours among 0..d)
        for d in i + 1..m {
            for w in d + 1..m {
                if t.adj[w] == t.adj[d] {
                    h.eq[d] |= 1 << w;
                }
            }
        }
        for (g, (a, _)) in h.gens.iter_mut().zip(&t.gens[..t.ngens]) {
            *g = a
                .iter()
                .enumerate()
                .fold(0u64, |p, (v, &x)| p | u64::from(x) << (4 * v));
        }
        h.ngens = t.ngens as u8;
        // this graph's partitions, for its children
        let mine = &mut levels[level + 1];
        mine.adj = h.adj;
        mine.depth = i;
        mine.path[..=i].copy_from_slice(&path[..=i]);
        mine.ncs[..=i].copy_from_slice(&ncs[..=i]);
        true
    }

    /// Whether a known automorphism of this graph maps the pair `{i, j}` to a smaller pair:
    /// then the child with edge `{i, j}` is isomorphic to the child with that pair, whose edge
    /// list is smaller, and is not canonical (no test needed).
    #[inline]
    pub fn orbit_has_smaller(&self, i: usize, j: usize) -> bool {
        self.gens[..self.ngens as usize].iter().any(|&p| {
            let (a, b) = ((p >> (4 * i) & 15) as usize, (p >> (4 * j) & 15) as usize);
            (a.min(b), a.max(b)) < (i, j)
        })
    }

    /// Keeps a refutation for the children, if there is room and it can ever hold.
    #[inline]
    fn keep(&mut self, r: Refutation) {
        if r.flags & Refutation::DIRTY == 0 && (self.nref as usize) < MAX_REFUTED {
            self.refuted[self.nref as usize] = r;
            self.nref += 1;
        }
    }
}

/// Whether the graph (vertices `0..m` all used) is the smallest of its isomorphism class, by
/// the whole search.
#[cfg(test)]
pub fn is_canonical_graph(g: &Graph) -> bool {
    crate::graph_search::is_canonical(&g.adj, g.m as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether no relabelling of `0..m` gives a smaller sorted edge list (all `m!` of them).
    fn brute_canonical(g: &Graph) -> bool {
        let m = g.m as usize;
        let own = g.edge_list();
        let mut p: Vec<usize> = (0..m).collect();
        loop {
            let mut es: Vec<(usize, usize)> = own
                .iter()
                .map(|&(i, j)| (p[i].min(p[j]), p[i].max(p[j])))
                .collect();
            es.sort();
            if es < own {
                return false;
            }
            // next permutation
            let Some(i) = (1..m).rev().find(|&i| p[i - 1] < p[i]) else {
                return true;
            };
            let j = (i..m).rev().find(|&j| p[j] > p[i - 1]).unwrap();
            p.swap(i - 1, j);
            p[i..].reverse();
        }
    }

    /// The smallest relabelling of `g` (all `m!` of them).
    fn brute_canonize(g: &Graph) -> Graph {
        let m = g.m as usize;
        let own = g.edge_list();
        let mut best = own.clone();
        let mut p: Vec<usize> = (0..m).collect();
        while let Some(i) = (1..m).rev().find(|&i| p[i - 1] < p[i]) {
            let j = (i..m).rev().find(|&j| p[j] > p[i - 1]).unwrap();
            p.swap(i - 1, j);
            p[i..].reverse();
            let mut es: Vec<(usize, usize)> = own
                .iter()
                .map(|&(i, j)| (p[i].min(p[j]), p[i].max(p[j])))
                .collect();
            es.sort();
            best = best.min(es);
        }
        best.iter()
            .fold(Graph::empty(), |h, &(i, j)| h.with_edge(i, j))
    }

    #[test]
    fn accepts_brute_force_canonical_forms() {
        let mut seed: u64 = 12345;
        for round in 0..300 {
            let n = 3 + round % 5;
            let mut g = Graph::empty();
            for i in 0..n {
                for j in i + 1..n {
                    seed = seed
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    if (seed >> 33) % 8 < 1 + (round as u64 / 5) % 7 {
                        g = g.with_edge(i, j);
                    }
                }
            }
            let c = brute_canonize(&g);
            assert!(is_canonical_graph(&c), "{:?}", c.edge_list());
        }
    }

    #[test]
    fn agrees_with_all_relabellings() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as u32
        };
        let (mut yes, mut no) = (0, 0);
        for round in 0..600 {
            let n = 2 + round % 6;
            let density = 1 + next() % 7;
            let mut g = Graph::empty();
            for i in 0..n {
                for j in i + 1..n {
                    if next() % 8 < density {
                        g = g.with_edge(i, j);
                    }
                }
            }
            // is_canonical_graph expects `m` to be one past the largest vertex with an edge
            let expect = brute_canonical(&g);
            assert_eq!(is_canonical_graph(&g), expect, "{:?}", g.edge_list());
            if expect {
                yes += 1;
            } else {
                no += 1;
            }
        }
        assert!(yes > 20 && no > 20, "{yes} canonical, {no} not");
    }

    /// Walks the whole generation tree of graphs on `n` vertices (as the generation does:
    /// edges after the last, new vertices in order), checking the incremental test against
    /// the full search on every child; returns the number of graphs.
    fn walk_checked(g: &Graph, n: usize) -> u64 {
        let mut count = 1;
        let mut h = Graph::empty();
        for (i, js) in g.child_edges(n) {
            for j in js {
                g.child_into(i, j, &mut h);
                let full = is_canonical_graph(&h);
                if g.orbit_has_smaller(i, j) {
                    assert!(!full, "{:?} + ({i}, {j}) is canonical", g.edge_list());
                    continue;
                }
                assert_eq!(
                    g.is_canonical_child(i, j, &mut h),
                    full,
                    "{:?} + ({i}, {j})",
                    g.edge_list()
                );
                if full {
                    count += walk_checked(&h, n);
                }
            }
        }
        count
    }

    #[test]
    fn incremental_test_equals_the_full_search_on_every_child() {
        // OEIS A000088
        for (n, want) in [(5, 34), (6, 156), (7, 1044), (8, 12346), (9, 274_668)] {
            assert_eq!(walk_checked(&Graph::empty(), n), want, "n={n}");
        }
    }
}
