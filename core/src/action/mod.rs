//! Actions: what a run computes from the items that reach the end of a pipeline.
//!
//! An action is a monoid over chunks: every chunk folds its items into a *partial* result
//! ([`Action::push`]), partials of neighbouring chunks merge in index order ([`Action::merge`]),
//! and the merged partial becomes the output ([`Action::finish`]). Partials are
//! `Serialize + DeserializeOwned` because distributed contexts move them between processes.

mod by_key;
mod collect;
mod collect_as;
mod count;
mod counts_by;
mod extreme;
mod first;
mod for_each;
mod found;
mod groups;
mod multiply;
mod reduce;
mod sum;

pub use by_key::ByKey;
pub use collect::Collect;
pub use collect_as::{CollectAs, Collection};
pub use count::Count;
pub use counts_by::CountsBy;
pub use extreme::{Extreme, ExtremeKind};
pub use first::First;
pub use for_each::ForEach;
pub use found::Found;
pub use groups::{Group, Groups, GroupsCounts};
pub use multiply::Multiply;
pub use reduce::{Reduce, ReduceWith};
pub use sum::Sum;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A terminal operation of a pipeline, split into per-chunk folding and an in-order merge.
///
/// For every split of the items into consecutive chunks, merging the chunks' partials from left
/// to right must give what folding all items into one partial gives. That is what makes parallel
/// runs equal serial ones.
///
/// ```
/// use haydi_core::action::{Action, Count};
/// let a = Count;
/// let mut left = <Count as Action<char>>::empty(&a);
/// a.push(&mut left, 'x');
/// let mut right = <Count as Action<char>>::empty(&a);
/// a.push(&mut right, 'y');
/// <Count as Action<char>>::merge(&a, &mut left, right);
/// assert_eq!(<Count as Action<char>>::finish(&a, left), 2);
/// ```
pub trait Action<T>: Send + Sync {
    /// What a chunk produces.
    type Partial: Send + Serialize + DeserializeOwned + 'static;
    /// What the run returns.
    type Output;

    /// The partial of a chunk with no items.
    fn empty(&self) -> Self::Partial;
    /// The partial a chunk of `indices` indices starts from: by default [`Action::empty`]. A
    /// collecting action may reserve room for the items (see [`Action::end_chunk`]).
    ///
    /// ```
    /// use haydi_core::action::{Action, Collect};
    /// let c = Collect::<u64>::default();
    /// assert!(c.empty_for(100).capacity() >= 100);
    /// ```
    fn empty_for(&self, indices: u128) -> Self::Partial {
        let _ = indices;
        self.empty()
    }
    /// Called when all of a chunk's items are pushed, before its partial is merged, sent or
    /// stored: a collecting action gives back room it reserved and did not use (a filter kept
    /// few items). By default nothing.
    ///
    /// ```
    /// use haydi_core::action::{Action, Collect};
    /// let c = Collect::<u64>::default();
    /// let mut acc = c.empty_for(1000);
    /// c.push(&mut acc, 7);
    /// c.end_chunk(&mut acc);
    /// assert!(acc.capacity() < 1000);
    /// ```
    fn end_chunk(&self, acc: &mut Self::Partial) {
        let _ = acc;
    }
    /// Folds one item into a partial.
    fn push(&self, acc: &mut Self::Partial, item: T);
    /// Folds `n` items into a partial without seeing them, when the action does not look at
    /// its items (`count`); returns `false`, changing nothing, when it does (the default).
    /// `n = 0` asks which of the two it is.
    /// A source that can count a range without producing its items
    /// ([`crate::pipeline::Source::count_range`]) is then never asked for them.
    ///
    /// ```
    /// use haydi_core::action::{Action, Collect, Count};
    /// let mut n = 2u64;
    /// assert!(<Count as Action<char>>::push_unseen(&Count, &mut n, 5));
    /// assert_eq!(n, 7);
    /// let c = Collect::<char>::default();
    /// let mut v = c.empty();
    /// assert!(!c.push_unseen(&mut v, 5));
    /// assert!(v.is_empty());
    /// ```
    fn push_unseen(&self, acc: &mut Self::Partial, n: u64) -> bool {
        let _ = (acc, n);
        false
    }
    /// Appends `right` (the partial of the chunk after `left`) to `left`.
    fn merge(&self, left: &mut Self::Partial, right: Self::Partial);
    /// Turns the merged partial into the output.
    fn finish(&self, acc: Self::Partial) -> Self::Output;

    /// An estimate of the memory `acc` takes, in bytes, checked against the run's result budget
    /// (the field `max_result_bytes` of [`crate::RunOptions`]) after every merge. Shallow:
    /// containers count what they allocated for their elements (a `Vec`'s capacity), not what
    /// the elements own on the heap. It is called often, so it must be cheap (no walk over
    /// the elements). The default, `size_of::<Self::Partial>()`, suits fixed-size partials.
    ///
    /// ```
    /// use haydi_core::action::{Action, Collect, Count};
    /// let c = Collect::<u64>::default();
    /// let mut acc = c.empty();
    /// c.push(&mut acc, 7);
    /// assert!(c.partial_bytes(&acc) >= 8);
    /// assert_eq!(<Count as Action<u64>>::partial_bytes(&Count, &5), 8);
    /// ```
    fn partial_bytes(&self, acc: &Self::Partial) -> u64 {
        let _ = acc;
        std::mem::size_of::<Self::Partial>() as u64
    }
}

/// `size_of::<T>() × n` as `u64`, saturating.
pub(crate) fn bytes_of<T>(n: usize) -> u64 {
    (std::mem::size_of::<T>() as u64).saturating_mul(n as u64)
}
