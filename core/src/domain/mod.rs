//! The [`Domain`] trait: a lazy, indexable, finite set of items.
//!
//! Every domain numbers its items `0..size` in its documented order. Work is split by index
//! ranges: [`Domain::visit_range`] produces the items whose index lies in `[start, end)` by
//! unranking the first one (cost: one item) and stepping from there, never by iterating from 0.
//! A filtered domain keeps its parent's index space: an index whose item is filtered out yields
//! nothing, so splitting stays exact.

mod boxed;
mod filtered;
mod indices;
mod iter;
mod mapped;
mod named;
mod shortcuts;
pub use shortcuts::DomainExt;

pub use boxed::BoxedDomain;
pub use filtered::Filtered;
pub use indices::Indices;
pub use iter::DomainIter;
pub use mapped::Mapped;
pub use named::Named;

use crate::error::{Error, Result};
use crate::size::Size;
use rand::{Rng, RngCore};
use std::fmt;
use std::ops::ControlFlow;

/// How many candidates `generate_one` draws from a filtered domain before it gives up.
pub const GENERATE_RETRIES: u32 = 100_000;

/// A lazy, immutable, cheap-to-clone set of items with a fixed order.
///
/// Implementors provide [`size`](Domain::size), [`item_at`](Domain::item_at) (unranking) and
/// [`name`](Domain::name); [`visit_range`](Domain::visit_range) should be overridden when
/// stepping is cheaper than unranking each index (it is for every built-in domain).
///
/// ```
/// use haydi_core::{Domain, Size};
/// use haydi_domains::Range;
/// let d = Range::new(4);
/// assert_eq!(d.size(), Size::Exact(4));
/// assert_eq!(d.item_at(2), Some(2));
/// assert_eq!(d.iter().collect::<Vec<_>>(), vec![0, 1, 2, 3]);
/// ```
pub trait Domain: Clone + Send + Sync {
    /// The type of the items.
    type Item: Clone + Send;

    /// Number of items: exact, an upper bound (filtered domains), or unknown (overflow).
    fn size(&self) -> Size;

    /// The item with index `index`, or `None` when that index is filtered out or out of range.
    fn item_at(&self, index: u128) -> Option<Self::Item>;

    /// Calls `f` on every item whose index lies in `[start, end)`, in index order, until `f` breaks.
    ///
    /// `end` is clamped to the size. Returns `Break` when `f` broke.
    fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(Self::Item) -> ControlFlow<()>,
    {
        let end = end.min(self.size().bound().unwrap_or(u128::MAX));
        let mut i = start;
        while i < end {
            if let Some(x) = self.item_at(i) {
                f(x)?;
            }
            i += 1;
        }
        ControlFlow::Continue(())
    }

    /// Calls `f` on every item whose index is `start` or more, in order, up to the real end of
    /// the domain, past index `u128::MAX` if there are more items, until `f` breaks.
    ///
    /// Indices are `u128`, so a domain whose size overflows ([`Size::Unknown`]) numbers only
    /// its first `u128::MAX` items ([`item_at`](Domain::item_at) and
    /// [`visit_range`](Domain::visit_range) address those). This method reaches the others:
    /// a pipeline over such a domain gives each of its first items an index of its own and lets
    /// its last index stand for all the rest (see [`crate::pipeline::Iterate`]). Domains whose
    /// size can overflow override it (with nested loops that need no index) together with
    /// [`visits_past_u128`](Domain::visits_past_u128). The default is
    /// `visit_range(start, u128::MAX, f)`: everything when the size fits.
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_core::domain::tests_support::{Digits, Wide};
    /// use std::ops::ControlFlow;
    /// let mut v = Vec::new();
    /// let _ = Digits(5).visit_from(3, &mut |x| { v.push(x); ControlFlow::Continue(()) });
    /// assert_eq!(v, vec![3, 4]);
    /// // 2 x u128::MAX pairs: the items past index u128::MAX are reached too.
    /// let w = Wide { rows: 2, cols: u128::MAX };
    /// let mut last = Vec::new();
    /// let _ = w.visit_from(u128::MAX - 2, &mut |x| {
    ///     last.push(x);
    ///     if last.len() == 3 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    /// });
    /// assert_eq!(last, vec![(0, u128::MAX - 2), (0, u128::MAX - 1), (1, 0)]);
    /// ```
    fn visit_from<F>(&self, start: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(Self::Item) -> ControlFlow<()>,
    {
        self.visit_range(start, u128::MAX, f)
    }

    /// Whether [`visit_from`](Domain::visit_from) reaches the real end of the domain: always
    /// when the size fits `u128` (the default says so), and for an overflowing domain when it
    /// overrides `visit_from` for that. Pipelines over an overflowing domain without it fail
    /// with [`Error::SizeOverflow`] rather than stop at index `u128::MAX`.
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_core::domain::tests_support::{Digits, Wide};
    /// assert!(Digits(4).visits_past_u128());
    /// assert!(Wide { rows: 2, cols: u128::MAX }.visits_past_u128());
    /// ```
    fn visits_past_u128(&self) -> bool {
        self.size() != Size::Unknown
    }

    /// A uniformly random item.
    ///
    /// The default draws a uniform index and unranks it; for a filtered domain it retries until an
    /// index survives the filter (at most [`GENERATE_RETRIES`] times, then
    /// [`Error::GenerateRejected`]), which keeps the choice uniform among surviving items.
    fn generate_one(&self, rng: &mut dyn RngCore) -> Result<Self::Item> {
        let bound = self.size().bound().ok_or_else(|| Error::SizeOverflow {
            domain: self.name(),
        })?;
        if bound == 0 {
            return Err(Error::EmptyDomain {
                domain: self.name(),
            });
        }
        for _ in 0..GENERATE_RETRIES {
            if let Some(x) = self.item_at(rng.random_range(0..bound)) {
                return Ok(x);
            }
        }
        Err(Error::GenerateRejected {
            domain: self.name(),
            tries: GENERATE_RETRIES,
        })
    }

    /// A short name, such as `Range` or `Product`.
    fn name(&self) -> String;

    /// A stable description of what this domain holds (its bounds and structure), which
    /// checkpoints and crops record to tell jobs apart: `Range::new(10)` and
    /// `Range::span(5, 15, 1)` have the same type and size but differ here. It must be the
    /// same in every process and every build of a program (no addresses, no random seeds).
    ///
    /// The default is honest about what it cannot see: the [`name`](Domain::name) and the
    /// size, marked `contents not described`. Domains whose bounds or items are not implied
    /// by their type and size should override it (every domain of `haydi-domains` does, as
    /// far as its items can be described). A closure (a `map`, a `filter`) is never visible:
    /// what it captures needs the program's arguments (the default) or an identity
    /// (`RunOptions::checkpoint_identity`, `Crop::identity`).
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_core::domain::tests_support::Wide;
    /// use haydi_domains::Range;
    /// assert_ne!(Range::new(10).fingerprint(), Range::span(5, 15, 1).unwrap().fingerprint());
    /// let w = Wide { rows: 2, cols: 3 };
    /// assert_eq!(w.fingerprint(), "Wide(size 6; contents not described)");
    /// ```
    fn fingerprint(&self) -> String {
        format!(
            "{}(size {}; contents not described)",
            self.name(),
            self.size()
        )
    }

    /// Whether canonical forms can be enumerated for this domain: the
    /// domain holds only plain values and is closed under renaming of atoms.
    ///
    /// This is the structural answer (no user `map`, no plain `filter`, no label-ordered
    /// domain such as `Permutations`). Domains of explicit items (`Values`, boxed domains,
    /// nested strict filters) answer `true` without looking at their items; `cnfs()` checks
    /// those items, accepts them when they are plain values or closed under renaming atoms,
    /// and refuses them with [`Error::NotStrict`] otherwise.
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Range, Values};
    /// assert!(Range::new(3).is_strict());
    /// assert!(Values::new(vec![1, 2]).is_strict());
    /// assert!(!Range::new(3).map(|x| x + 1).is_strict());
    /// ```
    fn is_strict(&self) -> bool {
        false
    }

    /// A serial iterator over all items, for use outside pipelines.
    fn iter(&self) -> DomainIter<Self>
    where
        Self: Sized,
    {
        DomainIter::new(self.clone(), 0, self.size().bound().unwrap_or(u128::MAX))
    }

    /// A serial iterator over the items whose index lies in `[start, end)`.
    fn iter_range(&self, start: u128, end: u128) -> DomainIter<Self>
    where
        Self: Sized,
    {
        DomainIter::new(self.clone(), start, end)
    }

    /// A domain of `f(x)` for every item `x`, with the same size, order and index space.
    ///
    /// Domain-level: the result is a domain, so it can go into a `Product` or a `Join`, be
    /// unranked, and have canonical forms. For running it, every pipeline adapter and action
    /// applies to it as to any domain ([`crate::IntoPipeline`]); on a pipeline, `map` is
    /// [`crate::Pipeline::map`], which takes the same closures and gives the same items. The
    /// closure is shared, never cloned, so it may capture anything `Send + Sync`. Items of a
    /// domain must be `Clone`; for items that are not, map after `iterate()`.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_core::domain::tests_support::Digits;
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// let calls = AtomicU64::new(0);
    /// let d = Digits(4).map(move |x| { calls.fetch_add(1, Ordering::Relaxed); x * 2 });
    /// assert_eq!(d.item_at(3), Some(6));
    /// assert_eq!(d.collect().run(true).unwrap(), vec![0, 2, 4, 6]);
    /// ```
    fn map<F, O>(self, f: F) -> Mapped<Self, F>
    where
        Self: Sized,
        F: Fn(Self::Item) -> O + Send + Sync,
        O: Clone + Send,
    {
        Mapped::new(self, f)
    }

    /// The items for which `pred` holds. The size becomes an upper bound
    /// ([`Size::AtMost`]); indices of rejected items yield nothing.
    ///
    /// Domain-level, like [`Domain::map`]: the result is a domain (for products, joins and
    /// canonical forms); on a pipeline, `filter` is [`crate::Pipeline::filter`], with the same
    /// closures and the same items.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_core::domain::tests_support::Digits;
    /// let d = Digits(10).filter(|x| x % 3 == 0);
    /// assert_eq!(d.size(), Size::AtMost(10));
    /// assert_eq!(d.take(2).collect().run(true).unwrap(), vec![0, 3]);
    /// ```
    fn filter<F>(self, pred: F) -> Filtered<Self, F>
    where
        Self: Sized,
        F: Fn(&Self::Item) -> bool + Send + Sync,
    {
        Filtered::new(self, pred)
    }

    /// This domain under the name `name`, shown by `Display` and in error messages; the items,
    /// order and strictness are unchanged. See [`Named`].
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Product, Range};
    /// let p = Product::new((Range::new(2).named("bit"), Range::new(3)));
    /// assert_eq!(p.domains().0.name(), "bit");
    /// assert_eq!(Range::new(2).named("bit").to_string(), "bit(size=2) {0, 1}");
    /// ```
    fn named(self, name: &str) -> Named<Self>
    where
        Self: Sized,
    {
        Named::new(self, name)
    }

    /// This domain behind a type-erased, cheaply clonable handle (for [`Join`-ing] domains of
    /// different types with one item type).
    ///
    /// [`Join`-ing]: BoxedDomain
    fn boxed(self) -> BoxedDomain<Self::Item>
    where
        Self: Sized + 'static,
    {
        BoxedDomain::new(self)
    }
}

/// Writes `Name(size=N) {a, b, c, ...}` with at most five items: the common `Display` of domains.
///
/// ```
/// use haydi_core::domain::describe;
/// use haydi_domains::Range;
/// assert_eq!(describe(&Range::new(3)), "Range(size=3) {0, 1, 2}");
/// assert_eq!(describe(&Range::new(9)), "Range(size=9) {0, 1, 2, 3, 4, ...}");
/// ```
pub fn describe<D: Domain>(d: &D) -> String
where
    D::Item: fmt::Debug,
{
    const SHOWN: usize = 5;
    let mut items = Vec::new();
    let mut more = false;
    let _ = d.visit_range(0, u128::MAX, &mut |x| {
        if items.len() == SHOWN {
            more = true;
            return ControlFlow::Break(());
        }
        items.push(format!("{x:?}"));
        ControlFlow::Continue(())
    });
    if more {
        items.push("...".into());
    }
    format!("{}(size={}) {{{}}}", d.name(), d.size(), items.join(", "))
}

/// Small domains used by doc examples and unit tests of the core crate.
#[doc(hidden)]
pub mod tests_support {
    use super::*;

    /// The integers `0..n` as a minimal domain (the tests' name for [`Indices`]).
    pub use super::Indices as Digits;

    /// Pairs `(b, i)` for `b < rows`, `i < cols`, in that order: a minimal domain whose size
    /// may overflow `u128` (and which then visits past index `u128::MAX`).
    ///
    /// ```
    /// use haydi_core::{Domain, Size};
    /// use haydi_core::domain::tests_support::Wide;
    /// let w = Wide { rows: 4, cols: u128::MAX };
    /// assert_eq!(w.size(), Size::Unknown);
    /// assert_eq!(w.item_at(u128::MAX - 1), Some((0, u128::MAX - 1)));
    /// assert_eq!(Wide { rows: 2, cols: 3 }.size(), Size::Exact(6));
    /// ```
    #[derive(Clone, Copy, Debug)]
    pub struct Wide {
        /// The number of values of the first coordinate.
        pub rows: u128,
        /// The number of values of the second coordinate.
        pub cols: u128,
    }

    impl Domain for Wide {
        type Item = (u128, u128);
        fn size(&self) -> Size {
            self.rows
                .checked_mul(self.cols)
                .map_or(Size::Unknown, Size::Exact)
        }
        fn item_at(&self, index: u128) -> Option<(u128, u128)> {
            if self.cols == 0 || self.size().exact().is_some_and(|n| index >= n) {
                return None;
            }
            Some((index / self.cols, index % self.cols))
        }
        fn visit_from<F>(&self, start: u128, f: &mut F) -> ControlFlow<()>
        where
            F: FnMut((u128, u128)) -> ControlFlow<()>,
        {
            if self.cols == 0 {
                return ControlFlow::Continue(());
            }
            let (b0, i0) = (start / self.cols, start % self.cols);
            for b in b0..self.rows {
                let from = if b == b0 { i0 } else { 0 };
                for i in from..self.cols {
                    f((b, i))?;
                }
            }
            ControlFlow::Continue(())
        }
        fn visits_past_u128(&self) -> bool {
            true
        }
        fn name(&self) -> String {
            "Wide".into()
        }
    }
}
