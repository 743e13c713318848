//! The fast path for undirected graphs: `Subsets(Subsets(U, 2, 2))` with at most 16 atoms.
//!
//! A graph is kept as adjacency bit masks. Its value is the set of its edges `{i, j}`, so in the
//! value order it is the sorted edge list `(i, j)`, `i < j`, compared lexicographically: row by
//! row, where row `i` is the set of neighbours `j > i`, and of two rows the one holding the
//! smallest element of their symmetric difference is the smaller.
//!
//! The canonicity test is the same search as the general one (relabel one index at a time,
//! prune by automorphisms), specialised with partition refinement: the unplaced vertices are
//! kept in an ordered partition refined by the neighbourhood of each placed vertex, which
//! fixes every placed vertex's row exactly, so each node is compared exactly with the graph's
//! own row (see `Test`). Automorphisms found at leaves prune children in one orbit, and a leaf
//! that is an automorphism returns the search to the identity path (as in nauty).

/// Bits set in each byte.
const POP8: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).count_ones() as u8;
        i += 1;
    }
    t
};

/// The number of bits set: `count_ones` where the target has a popcount instruction, else two
/// table look-ups (cheaper than the generic bit-twiddling sequence, and this is the inner loop).
#[inline]
fn pop(x: u16) -> u32 {
    if cfg!(target_feature = "popcnt") {
        x.count_ones()
    } else {
        POP8[(x & 0xff) as usize] as u32 + POP8[(x >> 8) as usize] as u32
    }
}

/// A graph on vertices `0..m` as adjacency masks.
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
}

impl Graph {
    /// The empty graph.
    pub fn empty() -> Graph {
        Graph {
            adj: [0; 16],
            m: 0,
            edges: 0,
            last: None,
        }
    }

    /// The graph with edge `{i, j}` (`i < j`) added.
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
}

/// The search state of one canonicity test. A node at depth `k` has placed vertices
/// `perm[0..k]` at indices `0..k` and keeps the other vertices in an ordered partition
/// (`cells`, vertex masks): the vertices of the first cell take the next indices, then those of
/// the second cell, and so on. Placing vertex `w` at index `k` splits every cell into its
/// neighbours of `w` (first) and the rest: any labelling that does not respect this order has a
/// strictly larger row `k` than one that does (with the same rows before), so only labellings
/// that respect it can be minimal. Row `k` is then fully determined (the neighbours of `w` in
/// each cell take that cell's first indices) and is compared exactly with the graph's own row
/// `k`: greater cuts the branch, smaller proves the graph is not canonical, equal goes on.
struct Test {
    adj: [u16; 16],
    m: usize,
    /// The graph's own rows (neighbours `j > i` of `i`).
    rows: [u16; 16],
    perm: [u8; 16],
    /// Automorphisms found (vertex `i -> gens[g][i]`), with their fixed-point masks.
    gens: Vec<([u8; 16], u16)>,
    /// Children tried so far at each depth.
    tried_at: [u16; 16],
    /// The vertices `perm[0..k]`.
    placed: u16,
    /// The last non-empty row of the graph (every edge lies in rows `0..=last_row`).
    last_row: usize,
    /// Depth to return to after an automorphism made the current branch redundant.
    jump: usize,
    smaller: bool,
}

impl Test {
    /// A complete labelling `perm` whose rows all equal the graph's: `i -> perm[i]` is an
    /// automorphism. `depth` is the deepest search node of the current branch.
    fn leaf(&mut self, depth: usize) {
        let mut a = [0u8; 16];
        let mut fixed: u16 = 0;
        let mut first_moved = usize::MAX;
        for (i, x) in a.iter_mut().enumerate() {
            *x = if i < self.m { self.perm[i] } else { i as u8 };
            if *x as usize == i {
                fixed |= 1 << i;
            } else if first_moved == usize::MAX {
                first_moved = i;
            }
        }
        if first_moved != usize::MAX {
            self.gens.push((a, fixed));
            // the node at depth `d = first_moved` lies on the identity path; if its child `d`
            // was explored, the current child `perm[d]` (the image of `d` under an automorphism
            // fixing `0..d`) leads to the same images: return to depth `d`
            let d = first_moved;
            if d <= depth && self.tried_at[d] >> d & 1 == 1 {
                self.jump = d;
            }
        }
    }

    /// The rest of a branch whose partition is discrete after placing `perm[k]`: the labelling
    /// is `perm[0..=k]` followed by the singleton cells `next[0..nn]` in order. Compares its
    /// rows `k + 1..m` with the graph's (rows `0..=k` are equal).
    fn discrete(&mut self, k: usize, next: &[u16; 16], nn: usize) {
        let mut inv = [0u8; 16];
        let mut identity = true;
        for (p, &c) in next[..nn].iter().enumerate() {
            let v = c.trailing_zeros() as u8;
            self.perm[k + 1 + p] = v;
        }
        for p in 0..self.m {
            let v = self.perm[p];
            inv[v as usize] = p as u8;
            identity &= v as usize == p;
        }
        if identity {
            // the graph's own labelling
            return;
        }
        for p in k + 1..self.m {
            let mut nb = self.adj[self.perm[p] as usize];
            let mut row: u32 = 0;
            while nb != 0 {
                let u = nb.trailing_zeros() as usize;
                nb &= nb - 1;
                row |= 1 << inv[u];
            }
            let row = (row & !((2u32 << p) - 1)) as u16;
            let target = self.rows[p];
            if row != target {
                let d = row ^ target;
                if d & d.wrapping_neg() & row != 0 {
                    self.smaller = true;
                }
                return;
            }
        }
        self.leaf(k);
    }

    /// The rest of a branch whose rows `0..=k` equal the graph's with `k >= last_row`: those
    /// rows hold every edge, so the unplaced vertices have no edges among them and every
    /// completion that respects the partition has the graph's rows. Completes `perm` with the
    /// cells in order; on the identity path also records the transpositions of vertices in one
    /// cell (same neighbours, all placed) as automorphisms.
    fn complete(&mut self, k: usize, next: &[u16; 16], nn: usize) {
        let on_identity = self.perm[..=k]
            .iter()
            .enumerate()
            .all(|(i, &v)| v as usize == i);
        let mut p = k + 1;
        for &cell in &next[..nn] {
            let mut c = cell;
            let mut prev = usize::MAX;
            while c != 0 {
                let v = c.trailing_zeros() as usize;
                c &= c - 1;
                self.perm[p] = v as u8;
                p += 1;
                if on_identity && prev != usize::MAX {
                    let mut a = [0u8; 16];
                    for (i, x) in a.iter_mut().enumerate() {
                        *x = i as u8;
                    }
                    a.swap(prev, v);
                    self.gens.push((a, !((1u16 << prev) | (1u16 << v))));
                }
                prev = v;
            }
        }
        self.leaf(k);
    }

    fn dfs(&mut self, k: usize, cells: &[u16; 16], nc: usize) {
        if k == self.m {
            self.leaf(k.saturating_sub(1));
            return;
        }
        let first = cells[0];
        let target = self.rows[k];
        let mut tried: u16 = 0;
        let placed = self.placed;
        let mut cs = first;
        if k == 0 {
            // row 0 of a vertex of degree d is {1, ..., d}: a vertex of larger degree than
            // vertex 0 gives a smaller row 0, one of smaller degree a greater one
            let d0 = pop(self.adj[0]);
            let mut same = 0u16;
            for v in 0..self.m {
                let d = pop(self.adj[v]);
                if d > d0 {
                    self.smaller = true;
                    return;
                }
                if d == d0 {
                    same |= 1 << v;
                }
            }
            cs &= same;
        }
        // Row k of a child is fixed by how many neighbours of its vertex each cell holds (they
        // take the cell's first positions), and the cells' positions are the same for every
        // child (cell 0 loses the child's own vertex, never its neighbour). So the graph's row
        // k is read once per cell: `lead[i]` leading ones of the cell's stretch, `exact[i]`
        // when there is nothing after them. A child with more neighbours in the first cell
        // that differs has a smaller row, one with fewer (or an inexact stretch) a greater one.
        let mut lead = [0u8; 16];
        let mut exact: u16 = 0;
        let mut pos = k + 1;
        for (i, &cell) in cells[..nc].iter().enumerate() {
            let size = pop(cell) as usize - usize::from(i == 0);
            let t = (target as u32 >> pos) & ((1u32 << size) - 1);
            let z = t.trailing_ones();
            lead[i] = z as u8;
            if t >> z == 0 {
                exact |= 1 << i;
            }
            pos += size;
        }
        'child: while cs != 0 {
            let w = cs.trailing_zeros() as usize;
            cs &= cs - 1;
            if tried != 0 && self.same_orbit_as_tried(placed, w, tried) {
                continue;
            }
            tried |= 1 << w;
            self.tried_at[k] = tried;
            let a = self.adj[w];
            for (i, &cell) in cells[..nc].iter().enumerate() {
                let c = pop(cell & a) as u8;
                if c != lead[i] || exact >> i & 1 == 0 {
                    if c > lead[i] {
                        // a smaller row k with equal rows before: not canonical
                        self.smaller = true;
                        return;
                    }
                    continue 'child;
                }
            }
            // row k equals the graph's: refine by the neighbours of w
            let mut next = [0u16; 16];
            let mut nn = 0;
            let rest = first & !(1 << w);
            for (i, &cell) in cells[..nc].iter().enumerate() {
                let c = if i == 0 { rest } else { cell };
                let x = c & a;
                let y = c & !a;
                if x != 0 {
                    next[nn] = x;
                    nn += 1;
                }
                if y != 0 {
                    next[nn] = y;
                    nn += 1;
                }
            }
            self.perm[k] = w as u8;
            if k >= self.last_row {
                self.complete(k, &next, nn);
            } else if nn + k + 1 == self.m {
                self.discrete(k, &next, nn);
            } else {
                self.placed = placed | 1 << w;
                self.dfs(k + 1, &next, nn);
                self.placed = placed;
            }
            if self.smaller {
                return;
            }
            if self.jump != usize::MAX {
                if self.jump < k {
                    return;
                }
                self.jump = usize::MAX;
            }
        }
    }

    /// Whether `w` is in the orbit of a vertex of `tried` under the automorphisms found that
    /// fix every vertex of `placed`.
    fn same_orbit_as_tried(&self, placed: u16, w: usize, tried: u16) -> bool {
        if self.gens.is_empty() {
            return false;
        }
        let mut orbit: u16 = 1 << w;
        let mut frontier = orbit;
        while frontier != 0 {
            let x = frontier.trailing_zeros() as usize;
            frontier &= frontier - 1;
            for (g, fixed) in &self.gens {
                if placed & !fixed != 0 {
                    continue;
                }
                let y = g[x] as usize;
                if orbit >> y & 1 == 0 {
                    if tried >> y & 1 == 1 {
                        return true;
                    }
                    orbit |= 1 << y;
                    frontier |= 1 << y;
                }
            }
        }
        false
    }
}

/// Whether the graph (vertices `0..m` all used) is the smallest of its isomorphism class.
pub fn is_canonical_graph(g: &Graph) -> bool {
    let m = g.m as usize;
    let mut rows = [0u16; 16];
    for (i, r) in rows.iter_mut().enumerate().take(m) {
        *r = g.adj[i] & !((2u32 << i) - 1) as u16;
    }
    let mut t = Test {
        adj: g.adj,
        m,
        rows,
        perm: [0; 16],
        gens: Vec::new(),
        tried_at: [0; 16],
        placed: 0,
        last_row: (0..m).rev().find(|&i| rows[i] != 0).unwrap_or(0),
        jump: usize::MAX,
        smaller: false,
    };
    let mut cells = [0u16; 16];
    cells[0] = ((1u32 << m) - 1) as u16;
    t.dfs(0, &cells, if m == 0 { 0 } else { 1 });
    !t.smaller
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
}
