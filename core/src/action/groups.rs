//! `groups` and `groups_counts`: items grouped by a key.

use super::Action;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The items of each key in serial order, at most `limit` per key when a limit is given.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let g = Range::new(10).groups(|x| x % 3).run(false).unwrap();
/// assert_eq!(g[&0], vec![0, 3, 6, 9]);
/// let g = Range::new(10).groups_limited(|x| x % 3, 2).run(false).unwrap();
/// assert_eq!(g[&1], vec![1, 4]);
/// ```
#[derive(Clone)]
pub struct Groups<F> {
    key: F,
    limit: Option<usize>,
}

impl<F> Groups<F> {
    pub(crate) fn new(key: F, limit: Option<usize>) -> Self {
        Groups { key, limit }
    }
}

impl<F> fmt::Debug for Groups<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Groups")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

fn extend_limited<T>(v: &mut Vec<T>, more: Vec<T>, limit: Option<usize>) {
    match limit {
        None => v.extend(more),
        Some(l) => v.extend(more.into_iter().take(l.saturating_sub(v.len()))),
    }
}

impl<T, K, F> Action<T> for Groups<F>
where
    T: Send + Serialize + DeserializeOwned + 'static,
    K: Ord + Send + Serialize + DeserializeOwned + 'static,
    F: Fn(&T) -> K + Send + Sync,
{
    type Partial = BTreeMap<K, Vec<T>>;
    type Output = BTreeMap<K, Vec<T>>;

    fn empty(&self) -> Self::Partial {
        BTreeMap::new()
    }
    #[inline]
    fn push(&self, acc: &mut Self::Partial, item: T) {
        let items = acc.entry((self.key)(&item)).or_default();
        if self.limit.is_none_or(|l| items.len() < l) {
            items.push(item);
        }
    }
    fn merge(&self, left: &mut Self::Partial, right: Self::Partial) {
        for (k, items) in right {
            extend_limited(left.entry(k).or_default(), items, self.limit);
        }
    }
    fn finish(&self, acc: Self::Partial) -> Self::Output {
        acc
    }
    fn partial_bytes(&self, acc: &Self::Partial) -> u64 {
        map_bytes::<K, Vec<T>>(acc.len())
    }
}

/// Shallow size of a map of `len` entries: the entries' own `Vec`s are not walked (that would
/// cost a pass over every key at every merge).
fn map_bytes<K, V>(len: usize) -> u64 {
    super::bytes_of::<std::collections::BTreeMap<K, V>>(1)
        .saturating_add(super::bytes_of::<(K, V)>(len))
}

/// One group of [`GroupsCounts`]: how many items had the key, and the first of them.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_core::action::Group;
/// use haydi_domains::Range;
/// let g = Range::new(9).groups_counts_limited(|x| x % 3, 1).run(true).unwrap();
/// assert_eq!(g[&2], Group { count: 3, items: vec![2] });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group<T> {
    /// Number of items with this key.
    pub count: u64,
    /// The first items with this key in serial order (at most the limit).
    pub items: Vec<T>,
}

/// Like [`Groups`], but each group also counts all its items, beyond the kept ones.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let g = Range::new(10).groups_counts_limited(|x| x % 3, 2).run(false).unwrap();
/// assert_eq!(g[&0].count, 4);
/// assert_eq!(g[&0].items, vec![0, 3]);
/// ```
#[derive(Clone)]
pub struct GroupsCounts<F> {
    key: F,
    limit: Option<usize>,
}

impl<F> GroupsCounts<F> {
    pub(crate) fn new(key: F, limit: Option<usize>) -> Self {
        GroupsCounts { key, limit }
    }
}

impl<F> fmt::Debug for GroupsCounts<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupsCounts")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl<T, K, F> Action<T> for GroupsCounts<F>
where
    T: Send + Serialize + DeserializeOwned + 'static,
    K: Ord + Send + Serialize + DeserializeOwned + 'static,
    F: Fn(&T) -> K + Send + Sync,
{
    type Partial = BTreeMap<K, Group<T>>;
    type Output = BTreeMap<K, Group<T>>;

    fn empty(&self) -> Self::Partial {
        BTreeMap::new()
    }
    #[inline]
    fn push(&self, acc: &mut Self::Partial, item: T) {
        let g = acc.entry((self.key)(&item)).or_insert_with(|| Group {
            count: 0,
            items: Vec::new(),
        });
        g.count += 1;
        if self.limit.is_none_or(|l| g.items.len() < l) {
            g.items.push(item);
        }
    }
    fn merge(&self, left: &mut Self::Partial, right: Self::Partial) {
        for (k, g) in right {
            let l = left.entry(k).or_insert_with(|| Group {
                count: 0,
                items: Vec::new(),
            });
            l.count += g.count;
            extend_limited(&mut l.items, g.items, self.limit);
        }
    }
    fn finish(&self, acc: Self::Partial) -> Self::Output {
        acc
    }
    fn partial_bytes(&self, acc: &Self::Partial) -> u64 {
        map_bytes::<K, Group<T>>(acc.len())
    }
}
