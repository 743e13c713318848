//! The fast path for undirected graphs: `Subsets(Subsets(U, 2, 2))` with at most 16 atoms.
//!
//! A graph is kept as adjacency bit masks. Its value is the set of its edges `{i, j}`, so in the
//! value order it is the sorted edge list `(i, j)`, `i < j`, compared lexicographically: row by
//! row, where row `i` is the set of neighbours `j > i`. The canonicity test is the same search
//! as the general one (relabel one index at a time, cut by a bound, prune by automorphisms),
//! specialised: at a node with `k` vertices placed, row `i < k` of any completion consists of
//! the known neighbours plus `c_i` pending neighbours that will get distinct indices `>= k`, so
//! the row is at least `known | {k, ..., k + c_i - 1}` element-wise, and these lower-bound rows
//! compared with the graph's own rows decide "greater" (cut), "smaller" (when every row up to
//! the difference is already exact: the graph is not canonical) or "undecided".

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

struct Test<'a> {
    g: &'a Graph,
    m: usize,
    rows: [u16; 16],
    perm: [u8; 16],
    inv: [u8; 16],
    img: [u16; 16],
    assigned: u16,
    gens: Vec<[u8; 16]>,
    smaller: bool,
}

#[derive(PartialEq, Eq)]
enum Bound {
    Greater,
    Undecided,
    Smaller,
}

impl Test<'_> {
    /// The bound at a node with `k` vertices placed, and the vertices allowed at index `k`:
    /// every row `i` whose lower bound already equals the graph's row (with all rows before it)
    /// must stay equal in any completion that is not greater, so its pending neighbours must
    /// take the next indices: index `k` goes to a pending neighbour of each such row.
    fn bound(&self, k: usize) -> (Bound, u16) {
        let mut exact = true;
        let mut allowed = !self.assigned;
        for i in 0..k {
            let v = self.perm[i] as usize;
            let above = !((2u32 << i) - 1) as u16;
            let known = self.img[v] & above;
            let pending = self.g.adj[v] & !self.assigned;
            let c = pending.count_ones();
            let lb = known | ((((1u32 << c) - 1) << k) as u16);
            if c > 0 {
                exact = false;
            }
            let r = self.rows[i];
            if lb != r {
                let d = lb ^ r;
                let low = d & d.wrapping_neg();
                let b = if low & lb != 0 {
                    if exact {
                        Bound::Smaller
                    } else {
                        Bound::Undecided
                    }
                } else {
                    Bound::Greater
                };
                return (b, allowed);
            }
            if c > 0 {
                allowed &= pending;
            }
        }
        (Bound::Undecided, allowed)
    }

    fn dfs(&mut self, k: usize) {
        let mut allowed = !self.assigned;
        if k > 0 {
            let (b, a) = self.bound(k);
            match b {
                Bound::Greater => return,
                Bound::Smaller => {
                    self.smaller = true;
                    return;
                }
                Bound::Undecided => {}
            }
            allowed = a;
        }
        if k == self.m {
            // every row equal: an automorphism perm (index i -> vertex perm[i]; the identity
            // labelling gives the graph itself)
            let mut a = [0u8; 16];
            for (i, x) in a.iter_mut().enumerate() {
                *x = i as u8;
            }
            a[..self.m].copy_from_slice(&self.perm[..self.m]);
            if a.iter().enumerate().any(|(i, &x)| i != x as usize) {
                self.gens.push(a);
            }
            return;
        }
        let mut tried: u16 = 0;
        let candidates = ((1u32 << self.m) - 1) as u16 & !self.assigned & allowed;
        let mut cs = candidates;
        while cs != 0 {
            let w = cs.trailing_zeros() as usize;
            cs &= cs - 1;
            if tried != 0 && self.same_orbit_as_tried(k, w, tried) {
                continue;
            }
            tried |= 1 << w;
            self.perm[k] = w as u8;
            self.inv[w] = k as u8;
            self.assigned |= 1 << w;
            let mut nb = self.g.adj[w];
            while nb != 0 {
                let u = nb.trailing_zeros() as usize;
                nb &= nb - 1;
                self.img[u] |= 1 << k;
            }
            self.dfs(k + 1);
            let mut nb = self.g.adj[w];
            while nb != 0 {
                let u = nb.trailing_zeros() as usize;
                nb &= nb - 1;
                self.img[u] &= !(1 << k);
            }
            self.assigned &= !(1 << w);
            self.inv[w] = u8::MAX;
            if self.smaller {
                return;
            }
        }
    }

    fn same_orbit_as_tried(&self, k: usize, w: usize, tried: u16) -> bool {
        if self.gens.is_empty() {
            return false;
        }
        // orbit of w under the generators fixing perm[0..k] pointwise
        let fixes = |g: &[u8; 16]| (0..k).all(|i| g[self.perm[i] as usize] == self.perm[i]);
        let mut orbit: u16 = 1 << w;
        let mut frontier = orbit;
        while frontier != 0 {
            let x = frontier.trailing_zeros() as usize;
            frontier &= frontier - 1;
            for g in self.gens.iter().filter(|g| fixes(g)) {
                let y = g[x] as usize;
                if orbit >> y & 1 == 0 {
                    orbit |= 1 << y;
                    frontier |= 1 << y;
                }
            }
        }
        orbit & tried != 0
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
        g,
        m,
        rows,
        perm: [0; 16],
        inv: [u8::MAX; 16],
        img: [0; 16],
        assigned: 0,
        gens: Vec::new(),
        smaller: false,
    };
    t.dfs(0);
    !t.smaller
}
