//! Typed items of the fast paths: [`BitGraph`] and [`TransitionTable`], made straight from the
//! generation tree's nodes, and [`CnfItem`], the item types a [`crate::CnfSource`] can yield.
//!
//! Why: a canonical form as a [`Value`] is a tree of vectors (one allocation per edge of a
//! graph, per key of a map), built, decoded into the domain's item type, cloned and dropped
//! once per item; for graphs that was half of the time before `count()` skipped items. A typed
//! item is a few machine words copied out of the node that the orderly generation already
//! holds, so `counts_by`, `reduce`, `max_all` or a user `map` over canonical forms cost what
//! the closure costs. The set and the order of the representatives are the same as with
//! [`crate::CnfsExt::cnfs`]: only the form of each item differs (tested item for item).

use crate::atom::{Atom, USet};
use crate::generate::{Gen, Node};
use crate::value::{Canonical, Value};
use haydi_core::{Error, Mapping, Result, Set};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

mod sealed {
    /// Only this crate decides how items are made from nodes.
    pub trait Sealed {}
}

/// The generation tree of a source, as typed items see it (opaque).
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct TreeRef<'a>(pub(crate) &'a Gen);

/// One final node of the generation tree, as typed items see it (opaque).
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct NodeRef<'a>(pub(crate) &'a Gen, pub(crate) &'a Node);

/// An item type that a [`crate::CnfSource`] can yield: every [`Canonical`] type (decoded from
/// the canonical form's [`Value`]), and the typed items of the fast paths, [`BitGraph`] and
/// [`TransitionTable`], made from the generation tree's node with no `Value` at all.
///
/// Sealed: a new item type takes part by implementing [`Canonical`].
///
/// ```
/// use haydi_canon::{BitGraph, CnfsExt, USet, Value};
/// use haydi_core::prelude::*;
/// use haydi_domains::Subsets;
/// let graphs = Subsets::new(Subsets::with_size(USet::new(4, "v"), 2)?)?;
/// // the same 11 graphs, as the domain's items, as values, and as bit masks
/// assert_eq!(graphs.cnfs()?.count().run(false)?, 11);
/// assert_eq!(graphs.cnfs_as::<Value>()?.count().run(false)?, 11);
/// assert_eq!(graphs.cnfs_as::<BitGraph>()?.count().run(false)?, 11);
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub trait CnfItem: sealed::Sealed + Send + Sized {
    /// Made from nodes (`true`) or from values (`false`).
    #[doc(hidden)]
    const FROM_NODE: bool;
    /// Whether items of this type can be made from this tree; checked when the source is made.
    #[doc(hidden)]
    fn check(tree: TreeRef<'_>) -> Result<()>;
    /// The item of a canonical form given as its value (`FROM_NODE == false`).
    #[doc(hidden)]
    fn from_value(v: &Value) -> Result<Self>;
    /// The item of a final node.
    #[doc(hidden)]
    fn from_node(node: NodeRef<'_>) -> Result<Self>;
}

impl<T: Canonical + Send> sealed::Sealed for T {}

impl<T: Canonical + Send> CnfItem for T {
    const FROM_NODE: bool = false;
    fn check(_: TreeRef<'_>) -> Result<()> {
        Ok(())
    }
    fn from_value(v: &Value) -> Result<Self> {
        crate::decode(v)
    }
    fn from_node(NodeRef(gen, node): NodeRef<'_>) -> Result<Self> {
        crate::decode(&gen.value(node))
    }
}

/// The error of a typed item asked of a tree that is not its fast path.
fn wrong_path(item: &str, needs: &str, tree: &Gen) -> Error {
    Error::InvalidArgument(format!(
        "{item} items need {needs}; this domain's canonical forms are generated as {}: use cnfs() or cnfs_as::<Value>()",
        tree.describe()
    ))
}

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
    fn check(TreeRef(gen): TreeRef<'_>) -> Result<()> {
        match gen {
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
    fn from_node(NodeRef(gen, node): NodeRef<'_>) -> Result<Self> {
        match (gen, node) {
            (Gen::Graph { n, .. }, Node::Graph(g)) => Ok(BitGraph {
                n: *n as u8,
                adj: g.adj,
            }),
            _ => unreachable!("checked when the source was made"),
        }
    }
}

/// A total map `S x L -> S` (an automaton's transitions: `n` states, `m` letters) or `S -> S`
/// (a functional graph, `m = 1`) as the array of its values: the typed item of the canonical
/// forms of `Mappings(Product(S, L), S)` and `Mappings(S, S)` for USets `S` and `L`, up to
/// renaming of states and letters (`domain.cnfs_as::<TransitionTable>()`).
///
/// State `i` is atom `i` of `S`, letter `j` atom `j` of `L`. Ordered as the domain's own items
/// are (the values in key order, compared lexicographically).
///
/// ```
/// use haydi_canon::{CnfsExt, TransitionTable, USet};
/// use haydi_core::prelude::*;
/// use haydi_domains::{Mappings, Product};
/// let (q, a) = (USet::new(3, "q"), USet::new(2, "a"));
/// let automata = Mappings::new(Product::new((q.clone(), a)), q)?;
/// // automata with 3 states and 2 letters up to renaming, by the number of states that are
/// // the image of some transition
/// let by_image = automata
///     .cnfs_as::<TransitionTable>()?
///     .counts_by(|t| t.values().iter().fold(0u32, |m, &s| m | 1 << s).count_ones())
///     .run(true)?;
/// assert_eq!(by_image.values().sum::<u64>(), automata.cnfs()?.count().run(false)?);
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawTransitionTable")]
pub struct TransitionTable {
    n: u8,
    m: u8,
    vals: [u8; crate::func::MAX_KEYS],
}

impl TransitionTable {
    /// The number of states `n`.
    pub fn states(&self) -> usize {
        self.n as usize
    }

    /// The number of letters `m` (1 for a map `S -> S`).
    pub fn letters(&self) -> usize {
        self.m as usize
    }

    /// The state reached from `state` by `letter` (`letter` 0 for a map `S -> S`).
    ///
    /// # Panics
    ///
    /// When `state >= states()` or `letter >= letters()`, like an index out of a slice's bounds.
    ///
    /// ```
    /// use haydi_canon::{CnfsExt, TransitionTable, USet};
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Mappings;
    /// let q = USet::new(3, "q");
    /// let maps = Mappings::new(q.clone(), q)?.cnfs_as::<TransitionTable>()?.collect().run(false)?;
    /// // functional graphs on 3 points up to isomorphism (OEIS A001372)
    /// assert_eq!(maps.len(), 7);
    /// assert!(maps.iter().all(|t| (0..3).all(|s| t.next(s, 0) < 3)));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    #[inline]
    pub fn next(&self, state: usize, letter: usize) -> usize {
        assert!(
            state < self.states() && letter < self.letters(),
            "state {state} or letter {letter} out of range ({} states, {} letters)",
            self.n,
            self.m
        );
        self.vals[state * self.m as usize + letter] as usize
    }

    /// The domain's own item for an automaton: the map `(state, letter) -> state` over the
    /// atoms of `states` and `letters` (the USets the domain was built on), or
    /// [`Error::InvalidArgument`] when their sizes are not `states()` and `letters()`.
    ///
    /// ```
    /// use haydi_canon::{CnfsExt, TransitionTable, USet};
    /// use haydi_core::prelude::*;
    /// use haydi_domains::{Mappings, Product};
    /// let (q, a) = (USet::new(2, "q"), USet::new(2, "a"));
    /// let automata = Mappings::new(Product::new((q.clone(), a.clone())), q.clone())?;
    /// let typed = automata.cnfs_as::<TransitionTable>()?.collect().run(false)?;
    /// let items = automata.cnfs()?.collect().run(false)?;
    /// for (t, item) in typed.iter().zip(&items) {
    ///     assert_eq!(&t.to_mapping(&q, &a)?, item);
    /// }
    /// assert!(typed[0].to_mapping(&a, &q).is_ok()); // any USets of the right sizes
    /// assert!(typed[0].to_mapping(&USet::new(3, "q"), &a).is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn to_mapping(&self, states: &USet, letters: &USet) -> Result<Mapping<(Atom, Atom), Atom>> {
        self.check_sizes(states, Some(letters))?;
        Ok(Mapping::from_sorted_pairs(
            (0..self.states())
                .flat_map(|s| (0..self.letters()).map(move |l| (s, l)))
                .map(|(s, l)| {
                    let key = (states.atom(s as u32), letters.atom(l as u32));
                    (key, states.atom(self.next(s, l) as u32))
                })
                .collect(),
        ))
    }

    /// The domain's own item for a functional graph (`letters() == 1`): the map
    /// `state -> state` over the atoms of `states`, or [`Error::InvalidArgument`] when `states`
    /// does not have `states()` atoms or the table has more than one letter.
    ///
    /// ```
    /// use haydi_canon::{CnfsExt, TransitionTable, USet};
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Mappings;
    /// let q = USet::new(3, "q");
    /// let maps = Mappings::new(q.clone(), q.clone())?;
    /// let typed = maps.cnfs_as::<TransitionTable>()?.collect().run(false)?;
    /// let items = maps.cnfs()?.collect().run(false)?;
    /// for (t, item) in typed.iter().zip(&items) {
    ///     assert_eq!(&t.to_function(&q)?, item);
    /// }
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn to_function(&self, states: &USet) -> Result<Mapping<Atom, Atom>> {
        self.check_sizes(states, None)?;
        Ok(Mapping::from_sorted_pairs(
            (0..self.states())
                .map(|s| (states.atom(s as u32), states.atom(self.next(s, 0) as u32)))
                .collect(),
        ))
    }

    /// `states` has `states()` atoms, and `letters` (or, without letters, 1) `letters()`.
    fn check_sizes(&self, states: &USet, letters: Option<&USet>) -> Result<()> {
        let m = letters.map_or(1, |l| l.len() as usize);
        if states.len() as usize != self.states() || m != self.letters() {
            return Err(Error::InvalidArgument(format!(
                "a table of {} states and {} letters, given {states:?} and {}",
                self.n,
                self.m,
                letters.map_or("no letters".to_string(), |l| format!("{l:?}"))
            )));
        }
        Ok(())
    }

    /// The values in key order: `values()[state * letters() + letter]`.
    ///
    /// ```
    /// use haydi_canon::{CnfsExt, TransitionTable, USet};
    /// use haydi_core::prelude::*;
    /// use haydi_domains::{Mappings, Product};
    /// let (q, a) = (USet::new(2, "q"), USet::new(2, "a"));
    /// let all = Mappings::new(Product::new((q.clone(), a)), q)?
    ///     .cnfs_as::<TransitionTable>()?
    ///     .collect()
    ///     .run(false)?;
    /// let t = all[0]; // the smallest: every transition goes to state 0
    /// assert_eq!((t.states(), t.letters(), t.values()), (2, 2, &[0u8, 0, 0, 0][..]));
    /// assert_eq!(t.next(1, 1), 0);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn values(&self) -> &[u8] {
        &self.vals[..self.n as usize * self.m as usize]
    }
}

impl std::fmt::Debug for TransitionTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "TransitionTable(n={}, m={}, {:?})",
            self.n,
            self.m,
            self.values()
        )
    }
}

impl Ord for TransitionTable {
    fn cmp(&self, other: &Self) -> Ordering {
        self.values()
            .cmp(other.values())
            .then((self.n, self.m).cmp(&(other.n, other.m)))
    }
}

impl PartialOrd for TransitionTable {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl sealed::Sealed for TransitionTable {}

impl CnfItem for TransitionTable {
    const FROM_NODE: bool = true;
    fn check(TreeRef(gen): TreeRef<'_>) -> Result<()> {
        match gen {
            Gen::Func { .. } => Ok(()),
            other => Err(wrong_path(
                "TransitionTable",
                "the functional fast path (Mappings from S or Product(S, L) to S, USets S and L, at most 32 keys and 6 letters)",
                other,
            )),
        }
    }
    fn from_value(_: &Value) -> Result<Self> {
        Err(Error::InvalidArgument(
            "TransitionTable items are made from the generation tree's nodes, not from values"
                .into(),
        ))
    }
    fn from_node(NodeRef(gen, node): NodeRef<'_>) -> Result<Self> {
        match (gen, node) {
            (Gen::Func { n, m, .. }, Node::Func(h)) => Ok(TransitionTable {
                n: *n as u8,
                m: *m as u8,
                vals: h.vals,
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

/// A [`TransitionTable`] as it comes off the wire, before its invariants are checked: at most
/// 32 keys, every value a state, the unused tail zero.
#[derive(Deserialize)]
struct RawTransitionTable {
    n: u8,
    m: u8,
    vals: [u8; crate::func::MAX_KEYS],
}

impl TryFrom<RawTransitionTable> for TransitionTable {
    type Error = String;
    fn try_from(r: RawTransitionTable) -> std::result::Result<TransitionTable, String> {
        let keys = r.n as usize * r.m as usize;
        if r.n == 0 || r.m == 0 || keys > crate::func::MAX_KEYS {
            return Err(format!(
                "a TransitionTable with {} states and {} letters (at least one each, at most {} keys)",
                r.n,
                r.m,
                crate::func::MAX_KEYS
            ));
        }
        if let Some(k) = (0..crate::func::MAX_KEYS).find(|&k| {
            if k < keys {
                r.vals[k] >= r.n
            } else {
                r.vals[k] != 0
            }
        }) {
            return Err(format!(
                "a TransitionTable on {} states with value {} at key {k}",
                r.n, r.vals[k]
            ));
        }
        Ok(TransitionTable {
            n: r.n,
            m: r.m,
            vals: r.vals,
        })
    }
}
