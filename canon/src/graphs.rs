//! [`Graphs`]: graphs up to isomorphism of a class, pruned during generation (nauty geng's
//! switches as builder methods, and a user's monotone `prune`).

use crate::atom::USet;
use crate::generate::Gen;
use crate::graph_class::GraphClass;
use crate::prune_check::{PRUNE_CHECKED, check_graph_prune};
use crate::source::CnfSource;
use crate::typed::BitGraph;
use haydi_core::pipeline::{Filter, Identity, IntoPipeline, Map, Pipeline};
use haydi_core::{Error, Result};
use std::ops::{Bound, RangeBounds};
use std::sync::Arc;

/// The graphs on `n` vertices (`n <= 16`) up to isomorphism, of a class, as [`BitGraph`]s: one
/// canonical representative per class (the smallest edge list, as [`crate::CnfsExt::cnfs`]
/// gives for `Subsets(Subsets(USet(n), 2, 2))`), generated with the class's pruning. A source
/// of the usual chain: `count`, `counts_by`, `filter`, `map`, `collect`, ..., and `run(true)`
/// on any context.
///
/// The class methods are nauty geng's switches, and combine (a graph must satisfy all of
/// them):
///
/// | method | geng | pruned |
/// |---|---|---|
/// | [`Graphs::connected`] | `-c` | when a component can gain no edge any more |
/// | [`Graphs::biconnected`] | `-C` | as connected, and by degrees (at least 2) |
/// | [`Graphs::triangle_free`] | `-t` | at every node |
/// | [`Graphs::c4_free`] | `-f` | at every node |
/// | [`Graphs::k4_free`] | `-k` | at every node |
/// | [`Graphs::bipartite`] | `-b` | at every node |
/// | [`Graphs::min_degree`] | `-d#` | when a vertex cannot reach the degree any more |
/// | [`Graphs::max_degree`] | `-D#` | at every node |
/// | [`Graphs::edges`] | `mine:maxe` | at every node (too many), when too few are left |
/// | [`Graphs::prune`] | `PRUNE` | at every node, by a closure |
///
/// Why pruning works: the generation adds one edge at a time, each larger than those before,
/// so every node's ancestors are subgraphs of it. A property closed under removing edges
/// (the "at every node" ones) that fails at a node fails on its whole subtree, which is cut;
/// the others are tested on the final graphs, and cut a subtree once no extension can satisfy
/// them.
///
/// ```
/// use haydi_canon::Graphs;
/// use haydi_core::prelude::*;
/// // connected triangle-free graphs on 8 vertices (geng -c -t 8)
/// let g = Graphs::new(8)?.connected().triangle_free();
/// assert_eq!(g.count().run(true)?, 267);
/// // cubic graphs on 10 vertices (geng -d3 -D3 10), by girth 4 or more
/// let cubic = Graphs::new(10)?.min_degree(3).max_degree(3);
/// assert_eq!(cubic.clone().count().run(true)?, 21);
/// assert_eq!(cubic.filter(|g| g.triangles() == 0).count().run(true)?, 6);
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Graphs {
    n: usize,
    min_edges: usize,
    max_edges: usize,
    class: GraphClass,
    part: Option<(u64, u64)>,
}

impl std::fmt::Debug for Graphs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Graphs(n={}, edges {}..={}, {})",
            self.n,
            self.min_edges,
            self.max_edges,
            self.class.describe()
        )
    }
}

impl Graphs {
    /// All graphs on `n` vertices up to isomorphism; [`Error::InvalidArgument`] for `n > 16`.
    ///
    /// ```
    /// use haydi_canon::Graphs;
    /// use haydi_core::prelude::*;
    /// assert_eq!(Graphs::new(5)?.count().run(false)?, 34); // OEIS A000088
    /// assert!(Graphs::new(17).is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn new(n: usize) -> Result<Graphs> {
        if n > 16 {
            return Err(Error::InvalidArgument(format!(
                "Graphs::new({n}): at most 16 vertices (graphs are bit masks of 16 bits)"
            )));
        }
        Ok(Graphs {
            n,
            min_edges: 0,
            max_edges: n * n.saturating_sub(1) / 2,
            class: GraphClass::default(),
            part: None,
        })
    }

    /// The number of vertices.
    ///
    /// ```
    /// assert_eq!(haydi_canon::Graphs::new(7)?.vertices(), 7);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn vertices(&self) -> usize {
        self.n
    }

    /// Only connected graphs (geng `-c`; the graphs on 0 and 1 vertex are connected).
    ///
    /// ```
    /// use haydi_canon::Graphs;
    /// use haydi_core::prelude::*;
    /// assert_eq!(Graphs::new(6)?.connected().count().run(false)?, 112); // OEIS A001349
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn connected(mut self) -> Self {
        self.class.connected = true;
        self
    }

    /// Only biconnected graphs (geng `-C`): at least 3 vertices, connected, and connected
    /// after removing any one vertex.
    ///
    /// ```
    /// use haydi_canon::Graphs;
    /// use haydi_core::prelude::*;
    /// assert_eq!(Graphs::new(5)?.biconnected().count().run(false)?, 10); // OEIS A002218
    /// assert_eq!(Graphs::new(2)?.biconnected().count().run(false)?, 0);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn biconnected(mut self) -> Self {
        self.class.biconnected = true;
        self
    }

    /// Only graphs without a triangle (geng `-t`).
    ///
    /// ```
    /// use haydi_canon::Graphs;
    /// use haydi_core::prelude::*;
    /// assert_eq!(Graphs::new(7)?.triangle_free().count().run(false)?, 107); // OEIS A006785
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn triangle_free(mut self) -> Self {
        self.class.triangle_free = true;
        self
    }

    /// Only graphs without a 4-cycle as a subgraph (geng `-f`).
    ///
    /// ```
    /// use haydi_canon::Graphs;
    /// use haydi_core::prelude::*;
    /// assert_eq!(Graphs::new(7)?.c4_free().count().run(false)?, 117); // OEIS A006786
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn c4_free(mut self) -> Self {
        self.class.c4_free = true;
        self
    }

    /// Only graphs without a `K4` (geng `-k`).
    ///
    /// ```
    /// use haydi_canon::Graphs;
    /// use haydi_core::prelude::*;
    /// assert_eq!(Graphs::new(6)?.k4_free().count().run(false)?, 120);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn k4_free(mut self) -> Self {
        self.class.k4_free = true;
        self
    }

    /// Only bipartite graphs (geng `-b`).
    ///
    /// ```
    /// use haydi_canon::Graphs;
    /// use haydi_core::prelude::*;
    /// assert_eq!(Graphs::new(7)?.bipartite().count().run(false)?, 88); // OEIS A033995
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn bipartite(mut self) -> Self {
        self.class.bipartite = true;
        self
    }

    /// Only graphs whose every vertex has degree at least `d` (geng `-d#`; called twice, the
    /// larger bound holds).
    ///
    /// ```
    /// use haydi_canon::Graphs;
    /// use haydi_core::prelude::*;
    /// assert_eq!(Graphs::new(6)?.min_degree(2).count().run(false)?, 62); // OEIS A261919
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn min_degree(mut self, d: usize) -> Self {
        self.class.min_degree = self.class.min_degree.max(d);
        self
    }

    /// Only graphs whose every vertex has degree at most `d` (geng `-D#`; called twice, the
    /// smaller bound holds).
    ///
    /// ```
    /// use haydi_canon::Graphs;
    /// use haydi_core::prelude::*;
    /// assert_eq!(Graphs::new(7)?.max_degree(3).count().run(false)?, 150);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn max_degree(mut self, d: usize) -> Self {
        self.class.max_degree = Some(self.class.max_degree.map_or(d, |e| e.min(d)));
        self
    }

    /// Only graphs whose number of edges lies in `range` (geng's `mine:maxe`): `10..=12`,
    /// `9..`, `..=20`, `5..8`; called twice, both ranges hold. An empty range gives no graph.
    ///
    /// ```
    /// use haydi_canon::Graphs;
    /// use haydi_core::prelude::*;
    /// // the trees on 10 vertices (geng -c 10 9:9, OEIS A000055)
    /// assert_eq!(Graphs::new(10)?.connected().edges(9..=9).count().run(false)?, 106);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn edges(mut self, range: impl RangeBounds<usize>) -> Self {
        let lo = match range.start_bound() {
            Bound::Included(&a) => a,
            Bound::Excluded(&a) => a.saturating_add(1),
            Bound::Unbounded => 0,
        };
        let hi = match range.end_bound() {
            Bound::Included(&b) => Some(b),
            Bound::Excluded(&b) => b.checked_sub(1),
            Bound::Unbounded => Some(usize::MAX),
        };
        self.min_edges = self.min_edges.max(lo);
        match hi {
            Some(b) => self.max_edges = self.max_edges.min(b),
            // `..0`: nothing fits; an impossible lower bound says so
            None => self.min_edges = usize::MAX,
        }
        self
    }

    /// Cuts every graph for which `prune` returns `true`, during generation (geng's `PRUNE`
    /// hook): it is called on every node of the generation tree, a graph on the `n` vertices
    /// (the partial graphs of the tree are graphs with fewer edges), and a cut node's subtree
    /// is never made.
    ///
    /// **Contract.** `prune` must be *monotone*: when it cuts a graph it cuts every graph
    /// with the same vertices and more edges (if a structure fails, every extension fails), and
    /// it must not depend on the vertices' labels (isomorphic graphs are cut alike). Properties
    /// closed under removing edges qualify (no `K_{2,3}`, at most 12 edges, no cycle longer
    /// than 5, max degree 4, ...); properties kept only by induced subgraphs do not (claw-free,
    /// chordal: an edge can destroy a claw): filter those after generation.
    ///
    /// In debug builds of haydi-canon ([`crate::PRUNE_CHECKED`]) the contract is checked on
    /// [`crate::PRUNE_SAMPLE`] graphs of `n` vertices (from empty to complete): each against
    /// two renamings, and against every graph with one edge more (when cut) or one less (when
    /// kept); a violation is [`Error::InvalidArgument`] naming both graphs. Release builds
    /// skip the check, and a prune that breaks the contract then loses graphs of the class.
    ///
    /// ```
    /// use haydi_canon::Graphs;
    /// use haydi_core::prelude::*;
    /// // graphs on 7 vertices with no vertex of degree 4 or more, by a closure: geng -D3 7
    /// let g = Graphs::new(7)?.prune(|g| (0..g.vertices()).any(|v| g.degree(v) >= 4))?;
    /// assert_eq!(g.count().run(true)?, 150);
    /// // "vertex 0 has an edge" depends on the labels: refused (in debug builds)
    /// let bad = Graphs::new(7)?.prune(|g| g.degree(0) > 0);
    /// assert!(!haydi_canon::PRUNE_CHECKED || bad.is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn prune<F>(mut self, prune: F) -> Result<Self>
    where
        F: Fn(&BitGraph) -> bool + Send + Sync + 'static,
    {
        if PRUNE_CHECKED {
            check_graph_prune(self.n, &prune)?;
        }
        self.class.prunes.push(Arc::new(prune));
        Ok(self)
    }

    /// Only part `res` of `modulus` disjoint parts of the generation tree (geng's `res/mod`),
    /// to split one census over separate jobs: the tree is cut into at least
    /// `50 * modulus` subtrees (the nodes above the cut are expanded by every part), and the
    /// `k`-th entry of the cut in pre-order (a subtree, or a node above the cut that is a
    /// graph of the class) belongs to part `k mod modulus`. The parts together give every
    /// graph once, each part in pre-order; a part's share of the graphs (and of the time) is
    /// about `1 / modulus`. [`Error::InvalidArgument`] unless `res < modulus`.
    ///
    /// ```
    /// use haydi_canon::Graphs;
    /// use haydi_core::prelude::*;
    /// let parts: u64 = (0..7)
    ///     .map(|res| Graphs::new(8)?.part(res, 7)?.count().run(false))
    ///     .sum::<haydi_core::Result<u64>>()?;
    /// assert_eq!(parts, 12346); // OEIS A000088
    /// assert!(Graphs::new(8)?.part(7, 7).is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn part(mut self, res: u64, modulus: u64) -> Result<Self> {
        if res >= modulus {
            return Err(Error::InvalidArgument(format!(
                "part({res}, {modulus}): the part must be below the number of parts"
            )));
        }
        self.part = Some((res, modulus));
        Ok(self)
    }

    /// The pipeline of these graphs (what every adapter and action starts from).
    ///
    /// ```
    /// use haydi_canon::Graphs;
    /// use haydi_core::prelude::*;
    /// let edges = Graphs::new(4)?.iterate().map(|g| g.edge_count()).collect().run(false)?;
    /// assert_eq!(edges, vec![0, 1, 2, 3, 4, 5, 6, 3, 3, 4, 2]); // the tree's pre-order
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn iterate(self) -> Pipeline<CnfSource<BitGraph>, Identity> {
        let uset = USet::new(self.n as u32, "v");
        let tree = Gen::Graph {
            uset: uset.id(),
            n: self.n,
            min: self.min_edges,
            max: self.max_edges,
            class: self.class,
        };
        let mut source = CnfSource::of_typed_tree(tree);
        source.part = self.part;
        Pipeline::new(source)
    }

    /// The graphs passed through `f` (a pipeline; see [`Pipeline::map`]).
    ///
    /// ```
    /// use haydi_canon::Graphs;
    /// use haydi_core::prelude::*;
    /// let most = Graphs::new(5)?.triangle_free().map(|g| g.edge_count()).max_all(|e| *e);
    /// assert_eq!(most.run(false)?, vec![6]); // K_{2,3}
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn map<F, O>(self, f: F) -> Pipeline<CnfSource<BitGraph>, Map<Identity, F>>
    where
        F: Fn(BitGraph) -> O + Send + Sync,
    {
        self.iterate().map(f)
    }

    /// The graphs for which `pred` holds, after generation (a pipeline; see
    /// [`Pipeline::filter`]); for a monotone property, [`Graphs::prune`] cuts earlier.
    ///
    /// ```
    /// use haydi_canon::Graphs;
    /// use haydi_core::prelude::*;
    /// // claw-free graphs on 6 vertices (geng -F 6): not monotone, so a filter
    /// let claw = |g: &haydi_canon::BitGraph| {
    ///     (0..6).any(|v| {
    ///         let nb: Vec<usize> = (0..6).filter(|&u| g.has_edge(u, v)).collect();
    ///         nb.iter().any(|&a| nb.iter().any(|&b| nb.iter().any(|&c| {
    ///             a < b && b < c && !g.has_edge(a, b) && !g.has_edge(a, c) && !g.has_edge(b, c)
    ///         })))
    ///     })
    /// };
    /// assert_eq!(Graphs::new(6)?.filter(move |g| !claw(g)).count().run(false)?, 85);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn filter<F>(self, pred: F) -> Pipeline<CnfSource<BitGraph>, Filter<Identity, F>>
    where
        F: Fn(&BitGraph) -> bool + Send + Sync,
    {
        self.iterate().filter(pred)
    }
}

impl IntoPipeline for Graphs {
    type Source = CnfSource<BitGraph>;
    type Transform = Identity;
    type Item = BitGraph;

    fn into_pipeline(self) -> Pipeline<CnfSource<BitGraph>, Identity> {
        self.iterate()
    }
}
