//! `collect_as`: build any collection whose partials merge.

use super::Action;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::marker::PhantomData;

/// A collection that [`CollectAs`] can build chunk by chunk: an empty one, `extend`ed by the
/// items of a chunk and then by the collection of the next chunk, in serial order. For a `Vec`
/// that is concatenation; for sets and maps it is union, later items replacing earlier ones
/// with the same key (as `FromIterator` does).
///
/// `items` says how many elements it holds, for the run's result budget. Implemented for the
/// collections of `std`; implement it for your own.
///
/// ```
/// use haydi_core::action::Collection;
/// let v: Vec<u8> = vec![1, 2];
/// assert_eq!(Collection::<u8>::items(&v), 2);
/// ```
pub trait Collection<T>: Default + Extend<T> + IntoIterator<Item = T> {
    /// The number of elements held.
    fn items(&self) -> usize;
}

macro_rules! collection {
    ($t:ty, $item:ty, [$($g:tt)*]) => {
        impl<$($g)*> Collection<$item> for $t {
            fn items(&self) -> usize {
                self.len()
            }
        }
    };
}
collection!(Vec<T>, T, [T]);
collection!(VecDeque<T>, T, [T]);
collection!(LinkedList<T>, T, [T]);
collection!(BinaryHeap<T>, T, [T: Ord]);
collection!(BTreeSet<T>, T, [T: Ord]);
collection!(BTreeMap<K, V>, (K, V), [K: Ord, V]);
collection!(HashSet<T, S>, T, [T: Eq + Hash, S: BuildHasher + Default]);
collection!(HashMap<K, V, S>, (K, V), [K: Eq + Hash, V, S: BuildHasher + Default]);

/// Collects the items into a collection `C` (see [`Collection`]).
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// use std::collections::BTreeSet;
/// let s = Range::new(100).iterate().map(|x| x % 7).collect_as::<BTreeSet<_>>().run(true).unwrap();
/// assert_eq!(s.len(), 7);
/// ```
pub struct CollectAs<C>(PhantomData<fn() -> C>);

impl<C> Default for CollectAs<C> {
    fn default() -> Self {
        CollectAs(PhantomData)
    }
}

impl<C> fmt::Debug for CollectAs<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CollectAs<{}>", std::any::type_name::<C>())
    }
}

impl<T, C> Action<T> for CollectAs<C>
where
    C: Collection<T> + Send + Serialize + DeserializeOwned + 'static,
{
    type Partial = C;
    type Output = C;

    fn empty(&self) -> C {
        C::default()
    }
    #[inline]
    fn push(&self, acc: &mut C, item: T) {
        acc.extend(std::iter::once(item));
    }
    fn merge(&self, left: &mut C, right: C) {
        left.extend(right);
    }
    fn finish(&self, acc: C) -> C {
        acc
    }
    fn partial_bytes(&self, acc: &C) -> u64 {
        super::bytes_of::<T>(acc.items()).saturating_add(super::bytes_of::<C>(1))
    }
}
