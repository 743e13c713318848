//! [`BitGraph`]: the typed item of the undirected-graph fast path.

use super::{CnfItem, NodeRef, TreeRef, sealed, wrong_path};
use crate::atom::{Atom, USet};
use crate::generate::{Gen, Node};
use crate::value::Value;
use haydi_core::{Error, Result, Set};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// An undirected graph on the vertices `0..n` (`n <= 16`) as adjacency bit masks: the typed
/// item of the canonical forms of `Subsets(Subsets(USet(n), 2, 2))`, the graphs up to
/// isomorphism (`domain.cnfs_as::<BitGraph>()`).
///
/// Vertex `i` is atom `i` of the USet. Ordered as the domain's own items are (the sorted
/// edge lists, compared lexicographically), so `collect`, `max`, `max_all` and sorting agree
/// with [`crate::CnfsExt::cnfs`].
///
/// ```
/// use haydi_canon::{BitGraph, CnfsExt, USet};
/// use haydi_core::prelude::*;
/// use haydi_domains::Subsets;
/// let graphs = Subsets::new(Subsets::with_size(USet::new(5, "v"), 2)?)?;
/// // graphs on 5 vertices up to isomorphism, by number of edges
/// let by_edges = graphs.cnfs_as::<BitGraph>()?.counts_by(|g| g.edge_count()).run(true)?;
/// assert_eq!(by_edges.values().sum::<u64>(), 34);
/// assert_eq!(by_edges[&5], 6);
/// let triangle_free = graphs.cnfs_as::<BitGraph>()?.filter(|g| g.triangles() == 0).count().run(false)?;
/// assert_eq!(triangle_free, 14);
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawBitGraph")]
pub struct BitGraph {
    n: u8,
    adj: [u16; 16],
}

impl BitGraph {
    /// The graph on `n` vertices with these edges, or [`Error::InvalidArgument`] for `n > 16`,
    /// a vertex out of range or a loop.
    ///
    /// ```
    /// use haydi_canon::BitGraph;
    /// let path = BitGraph::from_edges(3, &[(0, 1), (1, 2)])?;
    /// assert_eq!(path.degree(1), 2);
    /// assert!(BitGraph::from_edges(3, &[(0, 3)]).is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn from_edges(n: usize, edges: &[(usize, usize)]) -> Result<BitGraph> {
        if n > 16 {
            return Err(Error::InvalidArgument(format!(
                "a BitGraph has at most 16 vertices, not {n}"
            )));
        }
        let mut adj = [0u16; 16];
        for &(i, j) in edges {
            if i >= n || j >= n || i == j {
                return Err(Error::InvalidArgument(format!(
                    "edge ({i}, {j}) of a graph on {n} vertices: vertices are 0..{n}, no loops"
                )));
            }
            adj[i] |= 1 << j;
            adj[j] |= 1 << i;
        }
        Ok(BitGraph { n: n as u8, adj })
    }

    /// The graph of a generation node: `n <= 16` vertices, symmetric masks within `0..n`.
    #[inline]
    pub(crate) fn from_parts(n: usize, adj: [u16; 16]) -> BitGraph {
        debug_assert!(n <= 16);
        BitGraph { n: n as u8, adj }
    }

    /// The number of vertices `n` (of the domain, isolated ones included).
    pub fn vertices(&self) -> usize {
        self.n as usize
    }

    /// The neighbours of vertex `i` as a bit mask (bit `j` set: `{i, j}` is an edge).
    ///
    /// # Panics
    ///
    /// When `i` is not a vertex (`i >= vertices()`), like an index out of a slice's bounds.
    #[inline]
    pub fn neighbours(&self, i: usize) -> u16 {
        self.adj[self.vertex(i)]
    }

    /// Whether `{i, j}` is an edge.
    ///
    /// # Panics
    ///
    /// When `i` or `j` is not a vertex (`>= vertices()`).
    #[inline]
    pub fn has_edge(&self, i: usize, j: usize) -> bool {
        self.adj[self.vertex(i)] >> self.vertex(j) & 1 == 1
    }

    /// The degree of vertex `i`.
    ///
    /// # Panics
    ///
    /// When `i` is not a vertex (`i >= vertices()`).
    #[inline]
    pub fn degree(&self, i: usize) -> u32 {
        self.adj[self.vertex(i)].count_ones()
    }

    /// `i`, checked to be a vertex.
    #[inline]
    fn vertex(&self, i: usize) -> usize {
        assert!(
            i < self.vertices(),
            "vertex {i} of a graph on {} vertices",
            self.n
        );
        i
    }

    /// The number of edges.
    pub fn edge_count(&self) -> u32 {
        self.adj.iter().map(|a| a.count_ones()).sum::<u32>() / 2
    }

    /// The number of triangles.
    pub fn triangles(&self) -> u32 {
        self.edges()
            .map(|(i, j)| (self.adj[i] & self.adj[j]).count_ones())
            .sum::<u32>()
            / 3
    }

    /// The domain's own item for this graph: the set of its edges `{v_i, v_j}`, vertex `i`
    /// being atom `i` of `vertices` (the USet the graphs were built on), or
    /// [`Error::InvalidArgument`] when `vertices` does not have `n` atoms. For the few items a
    /// program keeps (to print them with their atoms' names, or to hand them to
    /// [`crate::CnfValues`]).
    ///
    /// ```
    /// use haydi_canon::{BitGraph, CnfsExt, USet};
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Subsets;
    /// let v = USet::new(4, "v");
    /// let graphs = Subsets::new(Subsets::with_size(v.clone(), 2)?)?;
    /// let star = graphs
    ///     .cnfs_as::<BitGraph>()?
    ///     .filter(|g| g.edge_count() == 3 && g.degree(0) == 3)
    ///     .first()
    ///     .run(false)?
    ///     .unwrap();
    /// assert_eq!(format!("{:?}", star.to_edge_set(&v)?), "{{v0, v1}, {v0, v2}, {v0, v3}}");
    /// assert!(star.to_edge_set(&USet::new(5, "w")).is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn to_edge_set(&self, vertices: &USet) -> Result<Set<Set<Atom>>> {
        if vertices.len() as usize != self.vertices() {
            return Err(Error::InvalidArgument(format!(
                "a graph on {} vertices, given {vertices:?}",
                self.n
            )));
        }
        let v = |i: usize| vertices.atom(i as u32);
        Ok(Set::from_sorted_vec(
            self.edges()
                .map(|(i, j)| Set::from_sorted_vec(vec![v(i), v(j)]))
                .collect(),
        ))
    }

    /// Whether every vertex of `0..n` is reached from vertex 0 (the graph with no vertex and
    /// the one with a single vertex are connected).
    ///
    /// ```
    /// use haydi_canon::{BitGraph, CnfsExt, USet};
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Subsets;
    /// assert!(BitGraph::from_edges(3, &[(0, 2), (2, 1)])?.is_connected());
    /// assert!(!BitGraph::from_edges(3, &[(0, 1)])?.is_connected());
    /// // connected graphs on 6 vertices up to isomorphism (OEIS A001349)
    /// let graphs = Subsets::new(Subsets::with_size(USet::new(6, "v"), 2)?)?;
    /// let connected = graphs.cnfs_as::<BitGraph>()?.filter(|g| g.is_connected()).count();
    /// assert_eq!(connected.run(true)?, 112);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn is_connected(&self) -> bool {
        if self.n <= 1 {
            return true;
        }
        let all = ((1u32 << self.n) - 1) as u16;
        let (mut seen, mut frontier) = (1u16, 1u16);
        while frontier != 0 {
            let next = BitIter(frontier).fold(0u16, |acc, v| acc | self.adj[v]) & !seen;
            seen |= next;
            frontier = next;
        }
        seen == all
    }

    /// The edges `(i, j)`, `i < j`, in increasing order (the domain item's order).
    ///
    /// ```
    /// use haydi_canon::BitGraph;
    /// let g = BitGraph::from_edges(4, &[(2, 3), (0, 1), (1, 2), (0, 2)])?;
    /// assert_eq!(g.edges().collect::<Vec<_>>(), vec![(0, 1), (0, 2), (1, 2), (2, 3)]);
    /// assert_eq!((g.vertices(), g.edge_count(), g.triangles()), (4, 4, 1));
    /// assert_eq!((g.degree(2), g.neighbours(3)), (3, 0b0100));
    /// assert!(g.has_edge(3, 2) && !g.has_edge(0, 3));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn edges(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        (0..self.vertices()).flat_map(move |i| {
            let above = self.adj[i] & !((2u32 << i) - 1) as u16;
            BitIter(above).map(move |j| (i, j))
        })
    }
}

/// The set bits of a mask, lowest first.
struct BitIter(u16);

impl Iterator for BitIter {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        (self.0 != 0).then(|| {
            let j = self.0.trailing_zeros() as usize;
            self.0 &= self.0 - 1;
            j
        })
    }
}

impl std::fmt::Debug for BitGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BitGraph(n={}, ", self.n)?;
        f.debug_list().entries(self.edges()).finish()?;
        write!(f, ")")
    }
}

impl Ord for BitGraph {
    fn cmp(&self, other: &Self) -> Ordering {
        self.edges().cmp(other.edges()).then(self.n.cmp(&other.n))
    }
}

impl PartialOrd for BitGraph {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl sealed::Sealed for BitGraph {}

impl CnfItem for BitGraph {
    const FROM_NODE: bool = true;
    fn check(TreeRef(tree): TreeRef<'_>) -> Result<()> {
        match tree {
            Gen::Graph { .. } => Ok(()),
            other => Err(wrong_path(
                "BitGraph",
                "the undirected-graph fast path (Subsets(Subsets(USet of at most 16 atoms, 2, 2)), not boxed)",
                other,
            )),
        }
    }
    fn from_value(_: &Value) -> Result<Self> {
        Err(Error::InvalidArgument(
            "BitGraph items are made from the generation tree's nodes, not from values".into(),
        ))
    }
    fn from_node(NodeRef(tree, node): NodeRef<'_>) -> Result<Self> {
        match (tree, node) {
            (Gen::Graph { n, .. }, Node::Graph(g)) => Ok(BitGraph {
                n: *n as u8,
                adj: g.adj,
            }),
            _ => unreachable!("checked when the source was made"),
        }
    }
}

/// A [`BitGraph`] as it comes off the wire, before its invariants are checked: at most 16
/// vertices, symmetric masks, no loops, no vertex beyond `n` (a forged or corrupted message
/// must not make a graph whose methods index out of bounds or compare inconsistently).
#[derive(Deserialize)]
struct RawBitGraph {
    n: u8,
    adj: [u16; 16],
}

impl TryFrom<RawBitGraph> for BitGraph {
    type Error = String;
    fn try_from(r: RawBitGraph) -> std::result::Result<BitGraph, String> {
        let n = r.n as usize;
        if n > 16 {
            return Err(format!("a BitGraph with {n} vertices (at most 16)"));
        }
        for (i, &a) in r.adj.iter().enumerate() {
            let outside = if i < n {
                !((1u32 << n) - 1) as u16
            } else {
                u16::MAX
            };
            if a & outside != 0 || a >> i & 1 == 1 {
                return Err(format!(
                    "a BitGraph on {n} vertices with row {i} = {a:#06x}"
                ));
            }
            if let Some(j) = BitIter(a).find(|&j| r.adj[j] >> i & 1 == 0) {
                return Err(format!(
                    "a BitGraph with edge ({i}, {j}) but not ({j}, {i})"
                ));
            }
        }
        Ok(BitGraph { n: r.n, adj: r.adj })
    }
}
