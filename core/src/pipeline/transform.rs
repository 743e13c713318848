//! The [`Transform`] trait: how `map`, `filter` and `take` wrap the consumer below them.

use std::cell::Cell;
use std::ops::ControlFlow;

/// Per-chunk state shared by the transformations of one chunk: the count of items that passed
/// each `take`, and the budget each `take` may still let through in this chunk.
///
/// Budgets are set by the scheduler: a chunk is first run with budgets that are upper bounds, and
/// re-run with exact budgets only if the merge in index order shows it let too many through.
///
/// ```
/// use haydi_core::pipeline::ChunkCtx;
/// let ctx = ChunkCtx::new(&[2, 0]);
/// assert!(ctx.any_exhausted());
/// assert_eq!(ctx.counts(), vec![0, 0]);
/// ```
#[derive(Debug)]
pub struct ChunkCtx {
    counts: Vec<Cell<u64>>,
    budgets: Vec<u64>,
}

impl ChunkCtx {
    /// A context for a chunk whose `take`s may let through `budgets[j]` items each.
    pub fn new(budgets: &[u64]) -> Self {
        ChunkCtx {
            counts: budgets.iter().map(|_| Cell::new(0)).collect(),
            budgets: budgets.to_vec(),
        }
    }

    /// How many items passed each `take`.
    pub fn counts(&self) -> Vec<u64> {
        self.counts.iter().map(Cell::get).collect()
    }

    /// Whether some `take` has no budget left at all (the chunk can be skipped).
    pub fn any_exhausted(&self) -> bool {
        self.budgets.contains(&0)
    }

    /// Counts one item through `take` number `slot`; `Break` once its budget is used up.
    #[inline]
    pub(crate) fn pass(&self, slot: usize) -> Option<ControlFlow<()>> {
        let c = &self.counts[slot];
        let budget = self.budgets[slot];
        if c.get() >= budget {
            return None;
        }
        c.set(c.get() + 1);
        Some(if c.get() >= budget {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        })
    }
}

/// A chain of transformations from items of type `In` to items of type [`Self::Out`].
///
/// `wrap` builds, for one chunk, the function that pushes one input item through the chain into
/// `down`. Everything is generic, so a chain compiles into one loop body with no virtual calls.
///
/// ```
/// use haydi_core::pipeline::{ChunkCtx, Identity, Transform};
/// use std::ops::ControlFlow;
/// let ctx = ChunkCtx::new(&[]);
/// let mut out = Vec::new();
/// {
///     let mut push = Identity.wrap(&ctx, |x: u8| { out.push(x); ControlFlow::Continue(()) });
///     let _ = push(7);
/// }
/// assert_eq!(out, vec![7]);
/// ```
pub trait Transform<In>: Send + Sync {
    /// The item type at the end of the chain.
    type Out;

    /// Wraps the consumer `down` into a consumer of `In` items.
    fn wrap<'a, D>(&'a self, ctx: &'a ChunkCtx, down: D) -> impl FnMut(In) -> ControlFlow<()> + 'a
    where
        D: FnMut(Self::Out) -> ControlFlow<()> + 'a,
        In: 'a;

    /// Appends the limits of the chain's `take`s, in chain order.
    fn take_limits(&self, out: &mut Vec<u64>);

    /// Whether the `n`-th item out of the chain (in serial order) is always the one made from
    /// source index `n`: true for chains of `map`, `inspect` and `take` only. `enumerate` then
    /// numbers items by their source index and needs no counting pass. `false` is always safe.
    fn keeps_positions(&self) -> bool {
        false
    }

    /// Whether every item passes unchanged and nothing runs per item: true only for the empty
    /// chain. A `count` over such a chain may then ask the source for the number of items
    /// ([`super::Source::count_range`]) instead of the items (a `map` or `inspect` closure
    /// must still run on each, for its side effects and its panics). `false` is always safe.
    ///
    /// ```
    /// use haydi_core::pipeline::{Identity, Transform};
    /// assert!(<Identity as Transform<u8>>::is_identity(&Identity));
    /// ```
    fn is_identity(&self) -> bool {
        false
    }
}

/// The empty chain: items pass unchanged.
///
/// ```
/// use haydi_core::pipeline::{Identity, Transform};
/// assert!(<Identity as Transform<u8>>::keeps_positions(&Identity));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Identity;

impl<In> Transform<In> for Identity {
    type Out = In;

    #[inline]
    fn wrap<'a, D>(&'a self, _ctx: &'a ChunkCtx, down: D) -> impl FnMut(In) -> ControlFlow<()> + 'a
    where
        D: FnMut(In) -> ControlFlow<()> + 'a,
        In: 'a,
    {
        down
    }

    fn take_limits(&self, _out: &mut Vec<u64>) {}

    fn keeps_positions(&self) -> bool {
        true
    }

    fn is_identity(&self) -> bool {
        true
    }
}
