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

mod bit_graph;
mod partial_table;
mod transition_table;

pub use bit_graph::BitGraph;
pub use partial_table::PartialTable;
pub use transition_table::TransitionTable;

use crate::generate::{Gen, Node};
use crate::value::{Canonical, Value};
use haydi_core::{Error, Result};

pub(crate) mod sealed {
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
    fn from_node(NodeRef(tree, node): NodeRef<'_>) -> Result<Self> {
        crate::decode(&tree.value(node))
    }
}

/// The error of a typed item asked of a tree that is not its fast path.
pub(crate) fn wrong_path(item: &str, needs: &str, tree: &Gen) -> Error {
    Error::InvalidArgument(format!(
        "{item} items need {needs}; this domain's canonical forms are generated as {}: use cnfs() or cnfs_as::<Value>()",
        tree.describe()
    ))
}
