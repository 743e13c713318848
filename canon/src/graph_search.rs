//! The search of the undirected-graph canonicity test (see [`crate::graph`]): whether a
//! graph's sorted edge list is the smallest of its isomorphism class.
//!
//! The search relabels the vertices one index at a time, as the general search does
//! (`crate::search`), specialised with partition refinement: a node at depth `k` has placed
//! vertices `perm[0..k]` at indices `0..k` and keeps the other vertices in an ordered partition
//! (`cells`, vertex masks): the vertices of the first cell take the next indices, then those of
//! the second cell, and so on. Placing vertex `w` at index `k` splits every cell into its
//! neighbours of `w` (first) and the rest: any labelling that does not respect this order has
//! a strictly larger row `k` than one that does (with the same rows before), so only
//! labellings that respect it can be minimal. Row `k` is then fully determined (the neighbours
//! of `w` in each cell take that cell's first indices) and is compared exactly with the
//! graph's own row `k`: greater cuts the branch, smaller proves the graph is not canonical,
//! equal goes on. Automorphisms found at leaves prune children in one orbit, and a leaf that
//! is an automorphism returns the search to the identity path (as in nauty).
//!
//! Partitions are written in place, element by element, and read back element by element: a
//! partition returned by value is read back as whole vectors right after its elements were
//! stored, which the processor cannot forward from its store buffer and stalls on (measured:
//! a quarter of the generation's time went to such stalls).

use std::cmp::Ordering;

/// The most automorphisms a canonicity test keeps for pruning (beyond, they are dropped:
/// pruning by fewer automorphisms only searches more), and a graph for its children.
pub(crate) const MAX_GENERATORS: usize = 6;

/// The identity map of 16 vertices.
const IDENTITY: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

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
pub(crate) fn pop(x: u16) -> u32 {
    if cfg!(target_feature = "popcnt") {
        x.count_ones()
    } else {
        POP8[(x & 0xff) as usize] as u32 + POP8[(x >> 8) as usize] as u32
    }
}

/// Writes the partition after placing `w` (a vertex of the first cell of `cells`, with
/// neighbours `a`) into `next` and returns its number of cells: every cell split into its
/// neighbours of `w` (first) and the rest, `w` itself removed.
#[inline]
pub(crate) fn refine(
    cells: &[u16; 16],
    nc: usize,
    w: usize,
    a: u16,
    next: &mut [u16; 16],
) -> usize {
    let mut nn = 0;
    let rest = cells[0] & !(1 << w);
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
    nn
}

/// How one branch of a graph's test was refuted: an alternative at a node of the identity
/// labelling's path (a vertex other than the identity's whose row equalled the graph's
/// there), searched to the end. A child's test reuses the refutation when it holds for the
/// child too (see [`Refutation::holds_for`]), instead of searching the branch again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Refutation {
    /// The depth of the node.
    pub at: u8,
    /// The alternative vertex.
    pub vertex: u8,
    /// The vertices the branch's search placed or compared.
    pub touched: u16,
    /// The deepest depth at which it compared rows.
    pub depth: u8,
    /// [`Refutation::DIRTY`], [`Refutation::ZERO_FIRST`].
    pub flags: u8,
}

impl Refutation {
    /// No search met yet.
    pub(crate) const CLEAN: Refutation = Refutation {
        at: 0,
        vertex: 0,
        touched: 0,
        depth: 0,
        flags: 0,
    };
    /// The search reached a labelling with every row equal, or skipped a candidate by an
    /// automorphism: its outcome depends on more than row comparisons, and is not reused.
    pub(crate) const DIRTY: u8 = 1;
    /// A cell with no placed neighbour played a part (where a child's new vertex would join).
    pub(crate) const ZERO_FIRST: u8 = 2;

    /// Whether the same search in the child with the new edge `{i, j}` (whose rows before
    /// `i` are the parent's) refutes the branch again: it compared only rows before `i`, by
    /// vertices other than `i` and `j` (the only ones whose neighbours changed), met no
    /// automorphism, and no new vertex of the child could have joined it.
    #[inline]
    pub(crate) fn holds_for(&self, i: usize, j: usize, j_is_new: bool) -> bool {
        self.flags & Refutation::DIRTY == 0
            && (self.depth as usize) < i
            && self.touched & ((1 << i) | (1 << j)) == 0
            && !(j_is_new && self.flags & Refutation::ZERO_FIRST != 0)
    }
}

/// The graph's row at one depth, per cell of the partition there (see [`Test::target`]).
pub(crate) struct Target {
    lead: [u8; 16],
    exact: u16,
}

/// The search state of one canonicity test (see the module's documentation).
pub(crate) struct Test {
    pub adj: [u16; 16],
    pub m: usize,
    /// The graph's own rows (neighbours `j > i` of `i`).
    pub rows: [u16; 16],
    pub perm: [u8; 16],
    /// Automorphisms found (vertex `i -> gens[g].0[i]`), with their fixed-point masks: the
    /// first `ngens`.
    pub gens: [([u8; 16], u16); MAX_GENERATORS],
    pub ngens: usize,
    /// Children tried so far at each depth.
    pub tried_at: [u16; 16],
    /// The vertices `perm[0..k]`.
    pub placed: u16,
    /// The last non-empty row of the graph (every edge lies in rows `0..=last_row`).
    pub last_row: usize,
    /// Depth to return to after an automorphism made the current branch redundant.
    pub jump: usize,
    /// Whether a labelling with a smaller edge list was found.
    pub smaller: bool,
    /// What the branch being searched met (see [`Refutation`]).
    pub seen: Refutation,
}

/// Whether the graph with adjacency `adj` (vertices `0..m` all used) is the smallest of its
/// isomorphism class: the whole search, from the root (the generation runs the incremental
/// one, [`crate::graph::Graph::canonical_child`]; this is its oracle in the tests).
#[cfg(test)]
pub(crate) fn is_canonical(adj: &[u16; 16], m: usize) -> bool {
    let mut t = Test::new(adj, m);
    let mut cells = [0u16; 16];
    cells[0] = ((1u32 << m) - 1) as u16;
    t.dfs(0, &cells, if m == 0 { 0 } else { 1 });
    !t.smaller
}

impl Test {
    /// The search state for the graph with adjacency `adj` on the vertices `0..m`, at the
    /// root.
    pub(crate) fn new(adj: &[u16; 16], m: usize) -> Test {
        let mut t = Test {
            adj: [0; 16],
            m: 0,
            rows: [0; 16],
            perm: [0; 16],
            gens: [([0; 16], 0); MAX_GENERATORS],
            ngens: 0,
            tried_at: [0; 16],
            placed: 0,
            last_row: 0,
            jump: usize::MAX,
            smaller: false,
            seen: Refutation::CLEAN,
        };
        t.reset(adj, m);
        t
    }

    /// Makes this the root state for the graph with adjacency `adj` on `0..m`. The arrays
    /// that the search writes before it reads them (`perm`, `tried_at`, `gens` past
    /// `ngens`) keep what they held, so that a state reused for test after test costs no
    /// clearing.
    pub(crate) fn reset(&mut self, adj: &[u16; 16], m: usize) {
        self.adj = *adj;
        self.m = m;
        self.ngens = 0;
        self.placed = 0;
        self.last_row = 0;
        self.jump = usize::MAX;
        self.smaller = false;
        self.seen = Refutation::CLEAN;
        // in place (see the module's documentation on why)
        for (i, &a) in adj.iter().enumerate() {
            let r = a & !((2u32 << i) - 1) as u16;
            self.rows[i] = r;
            if r != 0 {
                self.last_row = i;
            }
        }
    }

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
            self.add_generator(a, fixed);
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
            let v = self.perm[p] as usize;
            let mut nb = self.adj[v];
            let mut row: u32 = 0;
            while nb != 0 {
                let u = nb.trailing_zeros() as usize;
                nb &= nb - 1;
                row |= 1 << inv[u];
            }
            let row = (row & !((2u32 << p) - 1)) as u16;
            let target = self.rows[p];
            // this row compared, placed by v: a child changing v's neighbours or row p sees
            // another outcome
            self.seen.touched |= 1 << v;
            self.seen.depth = self.seen.depth.max(p as u8);
            if row != target {
                let d = row ^ target;
                if d & d.wrapping_neg() & row != 0 {
                    self.smaller = true;
                }
                return;
            }
        }
        self.seen.flags |= Refutation::DIRTY;
        self.leaf(k);
    }

    /// The rest of a branch whose rows `0..=k` equal the graph's with `k >= last_row`: those
    /// rows hold every edge, so the unplaced vertices have no edges among them and every
    /// completion that respects the partition has the graph's rows. Completes `perm` with the
    /// cells in order; on the identity path also records the transpositions of vertices in one
    /// cell (same neighbours, all placed) as automorphisms.
    pub(crate) fn complete(&mut self, k: usize, next: &[u16; 16], nn: usize) {
        let on_identity = self.perm[..=k]
            .iter()
            .enumerate()
            .all(|(i, &v)| v as usize == i);
        let mut p = k + 1;
        let mut identity = on_identity;
        for &cell in &next[..nn] {
            let mut c = cell;
            let mut prev = usize::MAX;
            while c != 0 {
                let v = c.trailing_zeros() as usize;
                c &= c - 1;
                self.perm[p] = v as u8;
                identity &= v == p;
                p += 1;
                if on_identity && prev != usize::MAX {
                    let mut a = IDENTITY;
                    a.swap(prev, v);
                    self.add_generator(a, !((1u16 << prev) | (1u16 << v)));
                }
                prev = v;
            }
        }
        if !identity {
            self.leaf(k);
        }
    }

    /// [`Test::complete`] on the identity labelling's path at depth `k` (its last row): the
    /// completion is the identity when each cell holds the next indices in order (then there
    /// is nothing to record but the transpositions of vertices in one cell, which are twins);
    /// otherwise it is another labelling with every row equal, an automorphism.
    pub(crate) fn complete_identity(&mut self, k: usize, next: &[u16; 16], nn: usize) {
        let mut p = k + 1;
        let mut identity = true;
        for &cell in &next[..nn] {
            let size = pop(cell) as usize;
            identity &= u32::from(cell) == ((1u32 << size) - 1) << p;
            p += size;
            if size > 1 {
                let mut c = cell;
                let mut prev = c.trailing_zeros() as usize;
                c &= c - 1;
                while c != 0 {
                    let v = c.trailing_zeros() as usize;
                    c &= c - 1;
                    let mut a = IDENTITY;
                    a.swap(prev, v);
                    self.add_generator(a, !((1u16 << prev) | (1u16 << v)));
                    prev = v;
                }
            }
        }
        if !identity {
            let mut p = k + 1;
            for &cell in &next[..nn] {
                let mut c = cell;
                while c != 0 {
                    self.perm[p] = c.trailing_zeros() as u8;
                    c &= c - 1;
                    p += 1;
                }
            }
            self.leaf(k);
        }
    }

    /// Keeps an automorphism found (beyond [`MAX_GENERATORS`] they are dropped: pruning by
    /// fewer automorphisms only searches more).
    #[inline]
    pub(crate) fn add_generator(&mut self, a: [u8; 16], fixed: u16) {
        if self.ngens < MAX_GENERATORS {
            self.gens[self.ngens] = (a, fixed);
            self.ngens += 1;
        }
    }

    /// The graph's row `k` as each cell of `cells` (the partition at depth `k`) sees it.
    /// Row `k` of a child is fixed by how many neighbours of its vertex each cell holds (they
    /// take the cell's first positions), and the cells' positions are the same for every child
    /// (cell 0 loses the child's own vertex, never its neighbour). So the graph's row `k` is
    /// read once per cell: `lead[c]` leading ones of the cell's stretch, bit `c` of `exact`
    /// when there is nothing after them.
    #[inline]
    pub(crate) fn target(&self, k: usize, cells: &[u16; 16], nc: usize) -> Target {
        let target = self.rows[k];
        let mut t = Target {
            lead: [0; 16],
            exact: 0,
        };
        let mut pos = k + 1;
        for (i, &cell) in cells[..nc].iter().enumerate() {
            let size = pop(cell) as usize - usize::from(i == 0);
            let bits = (target as u32 >> pos) & ((1u32 << size) - 1);
            let z = bits.trailing_ones();
            t.lead[i] = z as u8;
            if bits >> z == 0 {
                t.exact |= 1 << i;
            }
            pos += size;
        }
        t
    }

    /// How row `k` of the child placing `w` (a vertex of the first cell) compares with the
    /// graph's: a child with more neighbours than the target's leading ones in the first cell
    /// that differs has a smaller row, one with fewer (or an inexact stretch) a greater one.
    #[inline]
    pub(crate) fn compare(&self, cells: &[u16; 16], nc: usize, t: &Target, w: usize) -> Ordering {
        let a = self.adj[w];
        for (i, &cell) in cells[..nc].iter().enumerate() {
            let c = pop(cell & a) as u8;
            if c != t.lead[i] || t.exact >> i & 1 == 0 {
                return if c > t.lead[i] {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
            }
        }
        Ordering::Equal
    }

    /// Places `w` (whose row `k` equals the graph's) at index `k`, refines the partition by
    /// its neighbours and searches on.
    #[inline]
    pub(crate) fn explore(&mut self, k: usize, cells: &[u16; 16], nc: usize, w: usize) {
        let mut next = [0u16; 16];
        let nn = refine(cells, nc, w, self.adj[w], &mut next);
        self.perm[k] = w as u8;
        if k >= self.last_row {
            self.seen.flags |= Refutation::DIRTY;
            self.complete(k, &next, nn);
        } else if nn + k + 1 == self.m {
            // a new vertex of a child would join a cell with no placed neighbour: then the
            // partition is not discrete there
            let placed = self.placed | 1 << w;
            if next[..nn]
                .iter()
                .any(|&c| self.adj[c.trailing_zeros() as usize] & placed == 0)
            {
                self.seen.flags |= Refutation::ZERO_FIRST;
            }
            self.discrete(k, &next, nn);
        } else {
            let placed = self.placed;
            self.placed = placed | 1 << w;
            self.dfs(k + 1, &next, nn);
            self.placed = placed;
        }
    }

    /// Whether the search must leave depth `k` after a branch: the graph is not canonical, or
    /// an automorphism sent it back to a shallower depth (at `k` itself it goes on).
    #[inline]
    fn leave(&mut self, k: usize) -> bool {
        if self.smaller {
            return true;
        }
        if self.jump != usize::MAX {
            if self.jump < k {
                return true;
            }
            self.jump = usize::MAX;
        }
        false
    }

    pub(crate) fn dfs(&mut self, k: usize, cells: &[u16; 16], nc: usize) {
        if k == self.m {
            self.seen.flags |= Refutation::DIRTY;
            self.leaf(k.saturating_sub(1));
            return;
        }
        let mut tried: u16 = 0;
        let placed = self.placed;
        let mut cs = cells[0];
        self.seen.touched |= cs;
        self.seen.depth = self.seen.depth.max(k as u8);
        if self.adj[cs.trailing_zeros() as usize] & placed == 0 {
            self.seen.flags |= Refutation::ZERO_FIRST;
        }
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
        let t = self.target(k, cells, nc);
        while cs != 0 {
            let w = cs.trailing_zeros() as usize;
            cs &= cs - 1;
            if tried != 0 && self.same_orbit_as_tried(placed, w, tried) {
                self.seen.flags |= Refutation::DIRTY;
                continue;
            }
            tried |= 1 << w;
            self.tried_at[k] = tried;
            match self.compare(cells, nc, &t, w) {
                Ordering::Less => {
                    // a smaller row k with equal rows before: not canonical
                    self.smaller = true;
                    return;
                }
                Ordering::Greater => continue,
                Ordering::Equal => self.explore(k, cells, nc, w),
            }
            if self.leave(k) {
                return;
            }
        }
    }

    /// Whether `w` is in the orbit of a vertex of `tried` under the automorphisms found that
    /// fix every vertex of `placed`.
    pub(crate) fn same_orbit_as_tried(&self, placed: u16, w: usize, tried: u16) -> bool {
        if self.ngens == 0 {
            return false;
        }
        let mut orbit: u16 = 1 << w;
        let mut frontier = orbit;
        while frontier != 0 {
            let x = frontier.trailing_zeros() as usize;
            frontier &= frontier - 1;
            for (g, fixed) in &self.gens[..self.ngens] {
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
