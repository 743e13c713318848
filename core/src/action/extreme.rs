//! `max_all` / `min_all`: every item with the extreme key.

use super::Action;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// Whether [`Extreme`] looks for the largest or the smallest key.
///
/// ```
/// use haydi_core::action::ExtremeKind;
/// assert_ne!(ExtremeKind::Max, ExtremeKind::Min);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtremeKind {
    /// Largest key (`max_all`).
    Max,
    /// Smallest key (`min_all`).
    Min,
}

/// All items whose key is extreme, in serial order, optionally only the first `limit` of them.
/// An empty stream gives an empty `Vec`.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let best = Range::new(10).max_all(|x| x % 4).run(false).unwrap();
/// assert_eq!(best, vec![3, 7]);
/// let one = Range::new(10).min_all_limited(|x| x % 4, 1).run(false).unwrap();
/// assert_eq!(one, vec![0]);
/// ```
#[derive(Clone)]
pub struct Extreme<F> {
    key: F,
    kind: ExtremeKind,
    limit: Option<usize>,
}

impl<F> Extreme<F> {
    pub(crate) fn new(key: F, kind: ExtremeKind, limit: Option<usize>) -> Self {
        Extreme { key, kind, limit }
    }

    fn better(&self, new: Ordering) -> bool {
        match self.kind {
            ExtremeKind::Max => new == Ordering::Greater,
            ExtremeKind::Min => new == Ordering::Less,
        }
    }
}

impl<F> fmt::Debug for Extreme<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Extreme")
            .field("kind", &self.kind)
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

/// The partial of [`Extreme`]: the best key seen and its items.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// // Every chunk of a max_all keeps one of these; merged, they give the result.
/// assert_eq!(Range::new(6).max_all(|x| x / 2).run(true).unwrap(), vec![4, 5]);
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExtremePartial<K, T> {
    best: Option<(K, Vec<T>)>,
}

impl<T, K, F> Action<T> for Extreme<F>
where
    T: Send + Serialize + DeserializeOwned + 'static,
    K: Ord + Send + Serialize + DeserializeOwned + 'static,
    F: Fn(&T) -> K + Send + Sync,
{
    type Partial = ExtremePartial<K, T>;
    type Output = Vec<T>;

    fn empty(&self) -> Self::Partial {
        ExtremePartial { best: None }
    }

    #[inline]
    fn push(&self, acc: &mut Self::Partial, item: T) {
        let k = (self.key)(&item);
        match &mut acc.best {
            None => acc.best = Some((k, vec![item])),
            Some((bk, items)) => {
                let ord = k.cmp(bk);
                if self.better(ord) {
                    *bk = k;
                    items.clear();
                    items.push(item);
                } else if ord == Ordering::Equal && self.limit.is_none_or(|l| items.len() < l) {
                    items.push(item);
                }
            }
        }
    }

    fn merge(&self, left: &mut Self::Partial, right: Self::Partial) {
        let Some((rk, ritems)) = right.best else {
            return;
        };
        match &mut left.best {
            None => left.best = Some((rk, ritems)),
            Some((lk, litems)) => {
                let ord = rk.cmp(lk);
                if self.better(ord) {
                    left.best = Some((rk, ritems));
                } else if ord == Ordering::Equal {
                    litems.extend(ritems);
                    if let Some(l) = self.limit {
                        litems.truncate(l);
                    }
                }
            }
        }
    }

    fn finish(&self, acc: Self::Partial) -> Vec<T> {
        acc.best
            .map(|(_, mut v)| {
                if let Some(l) = self.limit {
                    v.truncate(l);
                }
                v
            })
            .unwrap_or_default()
    }

    fn partial_bytes(&self, acc: &Self::Partial) -> u64 {
        let items = acc.best.as_ref().map_or(0, |(_, v)| v.capacity());
        super::bytes_of::<Self::Partial>(1).saturating_add(super::bytes_of::<T>(items))
    }
}
