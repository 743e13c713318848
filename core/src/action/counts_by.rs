//! `counts_by`: how many items have each key.

use super::Action;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::fmt;

/// The number of items of each key, in a `BTreeMap` (keys in order).
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let c = Range::new(10).counts_by(|x| x % 3).run(true).unwrap();
/// assert_eq!(c.into_iter().collect::<Vec<_>>(), vec![(0, 4), (1, 3), (2, 3)]);
/// ```
#[derive(Clone)]
pub struct CountsBy<F> {
    key: F,
}

impl<F> CountsBy<F> {
    pub(crate) fn new(key: F) -> Self {
        CountsBy { key }
    }
}

impl<F> fmt::Debug for CountsBy<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CountsBy").finish_non_exhaustive()
    }
}

impl<T, K, F> Action<T> for CountsBy<F>
where
    K: Ord + Send + Serialize + DeserializeOwned + 'static,
    F: Fn(&T) -> K + Send + Sync,
{
    type Partial = BTreeMap<K, u64>;
    type Output = BTreeMap<K, u64>;

    fn empty(&self) -> Self::Partial {
        BTreeMap::new()
    }
    #[inline]
    fn push(&self, acc: &mut Self::Partial, item: T) {
        *acc.entry((self.key)(&item)).or_insert(0) += 1;
    }
    fn merge(&self, left: &mut Self::Partial, right: Self::Partial) {
        for (k, n) in right {
            *left.entry(k).or_insert(0) += n;
        }
    }
    fn finish(&self, acc: Self::Partial) -> Self::Output {
        acc
    }
    fn partial_bytes(&self, acc: &Self::Partial) -> u64 {
        super::bytes_of::<(K, u64)>(acc.len())
    }
}
