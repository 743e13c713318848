//! The generation tree of undirected graphs ([`Gen::Graph`]): a node's children (one edge
//! more, after every edge so far, through the class's checks and the incremental canonicity
//! test), and the count of a subtree without a callback per node.

use crate::generate::{Gen, Node};
use crate::graph::Graph;
use std::ops::ControlFlow;

impl Gen {
    /// Whether the graph node `g` is a graph of the domain (its edge count in range, a member
    /// of the class).
    #[inline]
    pub(crate) fn graph_is_final(&self, g: &Graph) -> bool {
        let Gen::Graph {
            n, min, max, class, ..
        } = self
        else {
            unreachable!("a graph node of another tree")
        };
        (*min..=*max).contains(&(g.edges as usize))
            && (!class.checks_members() || class.is_member(g, *n))
    }

    /// Calls `f` on the children of the graph node `g`, in order: each adds an edge `(i, j)`
    /// after the largest one, `j` an existing vertex or the first unused one. The cheap tests
    /// come first (an automorphism of `g` mapping `{i, j}` to a smaller pair, the class's
    /// tests), then canonicity, then the user's prunes (called on the tree's nodes only). A
    /// child is made in place in one node, given to `f` by reference.
    #[inline]
    pub(crate) fn graph_children<F>(&self, g: &Graph, mut f: F) -> ControlFlow<()>
    where
        F: FnMut(&Node) -> ControlFlow<()>,
    {
        let Gen::Graph {
            n, min, max, class, ..
        } = self
        else {
            unreachable!("a graph node of another tree")
        };
        let n = *n;
        if g.edges as usize >= *max {
            return ControlFlow::Continue(());
        }
        let (edge_checks, ahead) = (class.checks_edges(), class.looks_ahead(n, *max) || *min > 0);
        let mut child = Node::Graph(Graph::empty());
        for (i, js) in g.child_edges(n) {
            for j in js {
                if g.orbit_has_smaller(i, j) || (edge_checks && !class.admits_edge(g, i, j)) {
                    continue;
                }
                let Node::Graph(h) = &mut child else {
                    unreachable!()
                };
                g.child_into(i, j, h);
                if ahead && !class.viable_child(g, h, n, *min, *max) {
                    continue;
                }
                if g.is_canonical_child(i, j, h) && class.kept_by_prunes(h, n) {
                    f(&child)?;
                }
            }
        }
        ControlFlow::Continue(())
    }

    /// The number of final nodes in the subtree of the graph node `g` ([`Gen::count`] for
    /// graphs: the children are walked by a monomorphic closure, not through `children`).
    pub(crate) fn count_graphs(&self, g: &Graph) -> u64 {
        let mut count = u64::from(self.graph_is_final(g));
        let _ = self.graph_children(g, |c| {
            let Node::Graph(h) = c else {
                unreachable!("a graph child")
            };
            count += self.count_graphs(h);
            ControlFlow::Continue(())
        });
        count
    }
}
