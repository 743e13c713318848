//! [`CnfSource`]: the generation tree as an indexable pipeline source.

use crate::generate::{Gen, Node};
use crate::typed::{CnfItem, NodeRef, TreeRef};
use haydi_core::Result;
use haydi_core::pipeline::{Extent, Source};
use std::marker::PhantomData;
use std::ops::ControlFlow;
use std::sync::{Arc, OnceLock};

/// Aim for at least this many subtrees in the index space.
const TARGET_SUBTREES: usize = 4096;

/// With a part of `modulus` parts (geng's res/mod), aim for this many subtrees per part, so
/// that every part holds about the same share of the tree (geng's default multiplicity).
pub(crate) const PART_SUBTREES: usize = 50;

#[derive(Clone, Debug)]
enum Entry {
    /// A node above the cut: yields itself when final (its children are later entries).
    Emit(Node),
    /// A node at the cut: yields its whole subtree.
    Subtree(Node),
}

/// A pipeline source yielding one canonical representative per isomorphism class.
///
/// Its index space is the *frontier* of the generation tree, in pre-order: expanded nodes
/// (each yields itself) and unexpanded subtrees (each yields its whole subtree). The subtrees
/// with the largest estimated size are expanded first, until there are at least 4096 subtrees. Chunks of that index space go
/// to different workers, so a parallel run splits the tree itself; items come in pre-order, so
/// `collect` gives the same list whatever the context. The frontier is computed once, on first
/// use, by the thread that asks for the extent.
pub struct CnfSource<T> {
    tree: Arc<Gen>,
    frontier: OnceLock<Vec<Entry>>,
    /// Canonical forms failing this filter are skipped (a strict filter's predicate).
    pub(crate) keep: Option<crate::ValueFilter>,
    /// Only part `res` of `modulus` (geng's res/mod): the frontier's entries whose index is
    /// `res` modulo `modulus`, the frontier cut into at least `PART_SUBTREES * modulus`
    /// subtrees.
    pub(crate) part: Option<(u64, u64)>,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for CnfSource<T> {
    fn clone(&self) -> Self {
        CnfSource {
            tree: self.tree.clone(),
            frontier: self.frontier.clone(),
            keep: self.keep.clone(),
            part: self.part,
            _t: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for CnfSource<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CnfSource({})", self.tree.describe())
    }
}

impl<T: CnfItem> CnfSource<T> {
    /// The source of `tree`, or the error of an item type that cannot be made from it.
    pub(crate) fn new(tree: Gen) -> Result<Self> {
        T::check(TreeRef(&tree))?;
        Ok(CnfSource {
            tree: Arc::new(tree),
            frontier: OnceLock::new(),
            keep: None,
            part: None,
            _t: PhantomData,
        })
    }
}

impl<T: CnfItem> CnfSource<T> {
    /// The source of a tree made by [`crate::Graphs`] or [`crate::Automata`], whose typed
    /// items `T` are always makeable from it.
    pub(crate) fn of_typed_tree(tree: Gen) -> Self {
        debug_assert!(T::check(TreeRef(&tree)).is_ok());
        CnfSource {
            tree: Arc::new(tree),
            frontier: OnceLock::new(),
            keep: None,
            part: None,
            _t: PhantomData,
        }
    }
}

impl<T> CnfSource<T> {
    /// Builds the frontier: starting from the root, repeatedly expands in place (a subtree
    /// entry becomes its own emit entry followed by its children's subtree entries, so
    /// pre-order is kept) the subtrees whose estimated size is the largest, until there are
    /// enough subtrees or none can be expanded. Subtree sizes of orderly generation are very
    /// skewed (early, sparse prefixes hold most objects), hence expanding by weight rather than
    /// by depth.
    fn frontier(&self) -> &[Entry] {
        self.frontier.get_or_init(|| {
            let mut entries = if self.tree.root_kept() {
                vec![Entry::Subtree(self.tree.root())]
            } else {
                Vec::new()
            };
            for _ in 0..1000 {
                let weights: Vec<u32> = entries
                    .iter()
                    .map(|e| match e {
                        Entry::Subtree(n) => self.tree.weight(n),
                        Entry::Emit(_) => 0,
                    })
                    .collect();
                let subtrees = entries
                    .iter()
                    .filter(|e| matches!(e, Entry::Subtree(_)))
                    .count();
                let top = weights.iter().copied().max().unwrap_or(0);
                let target = match self.part {
                    Some((_, modulus)) => TARGET_SUBTREES.max(PART_SUBTREES * modulus as usize),
                    None => TARGET_SUBTREES,
                };
                if subtrees >= target || top == 0 {
                    break;
                }
                let mut next = Vec::with_capacity(entries.len() * 2);
                for (e, w) in entries.into_iter().zip(weights) {
                    match e {
                        Entry::Subtree(node) if w + 1 >= top => {
                            if self.tree.is_final(&node) {
                                next.push(Entry::Emit(node.clone()));
                            }
                            let _ = self.tree.children(&node, &mut |c| {
                                next.push(Entry::Subtree(c.clone()));
                                ControlFlow::Continue(())
                            });
                        }
                        other => next.push(other),
                    }
                }
                entries = next;
            }
            match self.part {
                Some((res, modulus)) => entries
                    .into_iter()
                    .enumerate()
                    .filter(|(k, _)| *k as u64 % modulus == res)
                    .map(|(_, e)| e)
                    .collect(),
                None => entries,
            }
        })
    }
}

impl<T> CnfSource<T> {
    /// The frontier entries of the index range `[start, end)`, clamped to the frontier.
    fn entries(&self, start: u128, end: u128) -> &[Entry] {
        let fr = self.frontier();
        let end = end.min(fr.len() as u128) as usize;
        let start = (start as usize).min(end);
        &fr[start..end]
    }
}

impl<T: CnfItem> Source for CnfSource<T> {
    type Item = T;

    fn extent(&self) -> Result<Extent> {
        Ok(Extent::Finite(self.frontier().len() as u128))
    }

    /// Items made from values ([`crate::Canonical`] types) come from `Gen::walk`, which
    /// extends one graph value in place; typed items ([`crate::BitGraph`],
    /// [`crate::TransitionTable`]) straight from the nodes, building a value only for a strict
    /// filter's predicate.
    fn visit<F>(&self, start: u128, end: u128, f: &mut F) -> Result<()>
    where
        F: FnMut(T) -> ControlFlow<()>,
    {
        let entries = self.entries(start, end);
        let mut failed = None;
        let keep = self.keep.as_ref();
        let mut give = |x: Result<T>, failed: &mut Option<haydi_core::Error>| match x {
            Ok(x) => f(x),
            Err(e) => {
                *failed = Some(e);
                ControlFlow::Break(())
            }
        };
        let tree = &*self.tree;
        for e in entries {
            let flow = if T::FROM_NODE {
                let mut emit = |n: &Node| {
                    if keep.is_some() && !admit(keep, &tree.value(n), &mut failed)? {
                        return ControlFlow::Continue(());
                    }
                    let x = T::from_node(NodeRef(tree, n));
                    give(x, &mut failed)
                };
                match e {
                    Entry::Emit(n) => emit(n),
                    Entry::Subtree(n) => tree.walk_nodes(n, &mut emit),
                }
            } else {
                let mut emit = |v: &crate::Value| {
                    if !admit(keep, v, &mut failed)? {
                        return ControlFlow::Continue(());
                    }
                    let x = T::from_value(v);
                    give(x, &mut failed)
                };
                match e {
                    Entry::Emit(n) => emit(&tree.value(n)),
                    Entry::Subtree(n) => tree.walk(n, &mut emit),
                }
            };
            if flow.is_break() {
                break;
            }
        }
        failed.map_or(Ok(()), Err)
    }

    /// Counts the final nodes of the range's entries without building their values. Under a
    /// strict filter every value must be built for its predicate: `None`. The first item is
    /// still made, so a `T` whose decoding fails is an error here as in `visit` (all items
    /// of one shape decode alike).
    fn count_range(&self, start: u128, end: u128) -> Option<Result<u64>> {
        if self.keep.is_some() {
            return None;
        }
        let entries = self.entries(start, end);
        let mut first = Ok(());
        if let Some(Entry::Emit(n) | Entry::Subtree(n)) = entries.first() {
            let _ = self.tree.walk_nodes(n, &mut |n| {
                first = T::from_node(NodeRef(&self.tree, n)).map(drop);
                ControlFlow::Break(())
            });
        }
        if let Err(e) = first {
            return Some(Err(e));
        }
        Some(Ok(entries
            .iter()
            .map(|e| match e {
                Entry::Emit(_) => 1,
                Entry::Subtree(n) => self.tree.count(n),
            })
            .sum()))
    }

    fn describe(&self) -> String {
        format!("cnfs({})", self.tree.describe())
    }
}

/// Whether a strict filter `keep` admits the canonical form `v` (`Continue(true)`: yield it);
/// an error of the predicate is stored in `failed` and ends the walk.
fn admit(
    keep: Option<&crate::ValueFilter>,
    v: &crate::Value,
    failed: &mut Option<haydi_core::Error>,
) -> ControlFlow<(), bool> {
    match keep.map(|k| k(v)) {
        Some(Ok(false)) => ControlFlow::Continue(false),
        Some(Err(e)) => {
            *failed = Some(e);
            ControlFlow::Break(())
        }
        _ => ControlFlow::Continue(true),
    }
}
