//! Domains with more than `u128::MAX` items: the block view.
//!
//! Indices are `u128`, so a domain whose size overflows (a product of eight `Range::new(10^6)`
//! has 10^48 items) cannot number its items. It can still number coarse **blocks**: consecutive
//! runs of items which together hold every item once, in the domain's order
//! ([`Domain::block_count`], [`Domain::visit_blocks`]). A pipeline over such a domain
//! (`iterate`, and so `take`, `first`, filtered searches, ...) splits the block numbers the way it
//! splits indices elsewhere: a chunk is a range of blocks, each visited lazily in order, so the
//! items arrive in serial order and a `take` ends the visit as soon as it has its items.
//!
//! A product numbers its blocks by the outer coordinates: with coordinates of `n0, n1, ...`
//! items, the longest prefix whose count fits `u128` (and, when room is left, a split of the
//! next coordinate into sub-ranges) forms the block number; a block holds every item with that
//! prefix, the inner coordinates visited by nested loops that need no index at all. Compound
//! domains build their blocks from the *units* of their parts: the items of a part whose size
//! fits, the blocks of one that overflows ([`units`], [`visit_units`]).
//!
//! ```
//! use haydi_core::Domain;
//! use haydi_core::domain::blocks::{grouping, units};
//! use haydi_core::domain::tests_support::{Digits, Wide};
//! assert_eq!(units(&Digits(7)), Some(7)); // items
//! let w = Wide { blocks: 3, per: u128::MAX };
//! assert_eq!(units(&w), Some(3)); // blocks
//! // 10^6 outer items times 10^36 inner units: groups of 2939 inner units per block.
//! let (group, per_outer) = grouping(1_000_000, 10u128.pow(36)).unwrap();
//! assert_eq!(group, 2939);
//! assert!(1_000_000u128.checked_mul(per_outer).is_some());
//! ```

use super::Domain;
use std::ops::ControlFlow;

/// The number of units of `d`: its index space when its size fits `u128`, else its block count
/// (`None` when it has neither).
///
/// ```
/// use haydi_core::domain::blocks::units;
/// use haydi_core::domain::tests_support::Digits;
/// assert_eq!(units(&Digits(3)), Some(3));
/// ```
pub fn units<D: Domain>(d: &D) -> Option<u128> {
    d.size().bound().or_else(|| d.block_count())
}

/// Visits the units `[start, end)` of `d` (see [`units`]): its indices when its size fits, else
/// its blocks.
///
/// ```
/// use haydi_core::domain::blocks::visit_units;
/// use haydi_core::domain::tests_support::Digits;
/// use std::ops::ControlFlow;
/// let mut v = Vec::new();
/// let _ = visit_units(&Digits(9), 2, 5, &mut |x| { v.push(x); ControlFlow::Continue(()) });
/// assert_eq!(v, vec![2, 3, 4]);
/// ```
pub fn visit_units<D, F>(d: &D, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
where
    D: Domain,
    F: FnMut(D::Item) -> ControlFlow<()>,
{
    if d.size().bound().is_some() {
        d.visit_range(start, end, f)
    } else {
        d.visit_blocks(start, end, f)
    }
}

/// Visits every item of `d`, in order, however many there are (nothing when `d` overflows and
/// has no block view).
///
/// ```
/// use haydi_core::domain::blocks::visit_all;
/// use haydi_core::domain::tests_support::Wide;
/// use std::ops::ControlFlow;
/// let mut n = 0;
/// let w = Wide { blocks: 2, per: u128::MAX };
/// let _ = visit_all(&w, &mut |_| { n += 1; if n == 5 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) } });
/// assert_eq!(n, 5);
/// ```
pub fn visit_all<D, F>(d: &D, f: &mut F) -> ControlFlow<()>
where
    D: Domain,
    F: FnMut(D::Item) -> ControlFlow<()>,
{
    match units(d) {
        Some(n) => visit_units(d, 0, n, f),
        None => ControlFlow::Continue(()),
    }
}

/// How to number the blocks of `outer` items times `inner` units (the items of a product's
/// first coordinate times the units of the rest): `(group, per_outer)` where every block holds
/// `group` consecutive inner units (the last one of each outer item possibly fewer) and each
/// outer item has `per_outer = ceil(inner / group)` blocks. `group` is the smallest that keeps
/// `outer × per_outer` within `u128`; `None` when `outer` or `inner` is 0.
///
/// ```
/// use haydi_core::domain::blocks::grouping;
/// assert_eq!(grouping(10, 20), Some((1, 20))); // fits: one unit per block
/// let (g, per) = grouping(u128::MAX, 3).unwrap();
/// assert_eq!((g, per), (3, 1));
/// assert_eq!(grouping(0, 5), None);
/// ```
pub fn grouping(outer: u128, inner: u128) -> Option<(u128, u128)> {
    if outer == 0 || inner == 0 {
        return None;
    }
    if outer.checked_mul(inner).is_some() {
        return Some((1, inner));
    }
    // At most `room` blocks per outer item keep the total within u128 (`room >= 1`).
    let room = u128::MAX / outer;
    let group = inner.div_ceil(room);
    let per = inner.div_ceil(group);
    debug_assert!(per <= room);
    Some((group, per))
}

/// The inner units `[lo, hi)` of the blocks `[j0, j1)` of one outer item, for a
/// [`grouping`] of `group` units per block over `inner` units.
///
/// ```
/// use haydi_core::domain::blocks::group_range;
/// assert_eq!(group_range(3, 10, 1, 3), (3, 9));
/// assert_eq!(group_range(3, 10, 3, 4), (9, 10)); // the last block is short
/// ```
pub fn group_range(group: u128, inner: u128, j0: u128, j1: u128) -> (u128, u128) {
    let lo = j0.saturating_mul(group).min(inner);
    let hi = j1.saturating_mul(group).min(inner);
    (lo, hi)
}

/// Visits the blocks `[start, end)` of `outer` items times `inner` units (see [`grouping`]):
/// calls `visit(outer_index, lo, hi)` once per outer item the range touches, with the inner
/// units `[lo, hi)` of that item the range covers, in order, until `visit` breaks.
///
/// ```
/// use haydi_core::domain::blocks::for_each_outer;
/// use std::ops::ControlFlow;
/// let mut seen = Vec::new();
/// // 2 outer items, 5 inner units each, one unit per block: blocks 3..7.
/// let _ = for_each_outer(2, 5, 3, 7, &mut |a, lo, hi| { seen.push((a, lo, hi)); ControlFlow::Continue(()) });
/// assert_eq!(seen, vec![(0, 3, 5), (1, 0, 2)]);
/// ```
pub fn for_each_outer<F>(
    outer: u128,
    inner: u128,
    start: u128,
    end: u128,
    visit: &mut F,
) -> ControlFlow<()>
where
    F: FnMut(u128, u128, u128) -> ControlFlow<()>,
{
    let Some((group, per)) = grouping(outer, inner) else {
        return ControlFlow::Continue(());
    };
    // `outer * per` fits by construction of the grouping.
    let end = end.min(outer * per);
    let mut t = start;
    while t < end {
        let a = t / per;
        let base = a * per;
        let j0 = t - base;
        let j1 = (end - base).min(per);
        let (lo, hi) = group_range(group, inner, j0, j1);
        if lo < hi {
            visit(a, lo, hi)?;
        }
        t = base + j1;
    }
    ControlFlow::Continue(())
}
