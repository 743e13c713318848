//! `min_by_key` / `max_by_key`: one item with the extreme key.

use super::{Action, ExtremeKind};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::cmp::Ordering;
use std::fmt;

/// One item with the smallest or largest key, with that key: `Option<(item, key)>`, `None` for
/// an empty stream. Ties go as in `std`'s `Iterator::min_by_key` / `max_by_key`: the *first*
/// item with the smallest key, the *last* item with the largest key, in serial order.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// assert_eq!(Range::new(10).max_by_key(|x| x % 4).run(true).unwrap(), Some((7, 3)));
/// assert_eq!(Range::new(10).min_by_key(|x| x % 4).run(true).unwrap(), Some((0, 0)));
/// ```
#[derive(Clone)]
pub struct ByKey<F> {
    key: F,
    kind: ExtremeKind,
}

impl<F> ByKey<F> {
    pub(crate) fn new(key: F, kind: ExtremeKind) -> Self {
        ByKey { key, kind }
    }

    /// Whether `new` (later in serial order) replaces the best so far.
    fn replaces(&self, new: Ordering) -> bool {
        match self.kind {
            ExtremeKind::Max => new != Ordering::Less,
            ExtremeKind::Min => new == Ordering::Less,
        }
    }
}

impl<F> fmt::Debug for ByKey<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByKey")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl<T, K, F> Action<T> for ByKey<F>
where
    T: Send + Serialize + DeserializeOwned + 'static,
    K: Ord + Send + Serialize + DeserializeOwned + 'static,
    F: Fn(&T) -> K + Send + Sync,
{
    type Partial = Option<(T, K)>;
    type Output = Option<(T, K)>;

    fn empty(&self) -> Self::Partial {
        None
    }

    #[inline]
    fn push(&self, acc: &mut Self::Partial, item: T) {
        let k = (self.key)(&item);
        self.merge(acc, Some((item, k)));
    }

    fn merge(&self, left: &mut Self::Partial, right: Self::Partial) {
        let Some((item, k)) = right else { return };
        match left {
            Some((_, bk)) if !self.replaces(k.cmp(bk)) => {}
            _ => *left = Some((item, k)),
        }
    }

    fn finish(&self, acc: Self::Partial) -> Self::Output {
        acc
    }
}
