//! Lazy pipelines: a source, a chain of transformations, and (in a [`Job`]) an action.
//!
//! Nothing runs until [`Job::run`]. Each adapter lives in a file of its own.

mod filter;
mod job;
mod map;
mod source;
mod take;
mod transform;

pub use filter::Filter;
pub use job::Job;
pub use map::Map;
pub use source::{Extent, Generate, Iterate, Source, GENERATE_BLOCK};
pub use take::Take;
pub use transform::{ChunkCtx, Identity, Transform};

use crate::action::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;
use std::ops::Add;

/// A lazy stream of items: a source and a chain of `map`/`filter`/`take`.
///
/// Start one with [`crate::DomainExt::iterate`] or [`crate::DomainExt::generate`]; end it with an
/// action (`collect`, `count`, ...), which gives a [`Job`] to run.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_core::domain::tests_support::Digits;
/// let v = Digits(7).iterate().map(|x| x * 10).filter(|x| *x != 20).collect().run(false).unwrap();
/// assert_eq!(v, vec![0, 10, 30, 40, 50, 60]);
/// ```
#[must_use = "pipelines are lazy and do nothing unless an action is run"]
#[derive(Clone)]
pub struct Pipeline<S, T> {
    source: S,
    transform: T,
    takes: usize,
}

impl<S: fmt::Debug, T: fmt::Debug> fmt::Debug for Pipeline<S, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pipeline")
            .field("source", &self.source)
            .field("transform", &self.transform)
            .finish()
    }
}

impl<S: Source> Pipeline<S, Identity> {
    /// A pipeline that yields the source's items unchanged.
    pub fn new(source: S) -> Self {
        Pipeline {
            source,
            transform: Identity,
            takes: 0,
        }
    }
}

impl<S, T> Pipeline<S, T>
where
    S: Source,
    T: Transform<S::Item>,
{
    /// Applies `f` to every item.
    pub fn map<F, O>(self, f: F) -> Pipeline<S, Map<T, F>>
    where
        F: Fn(T::Out) -> O + Send + Sync,
    {
        Pipeline {
            source: self.source,
            transform: Map::new(self.transform, f),
            takes: self.takes,
        }
    }

    /// Keeps the items for which `pred` holds.
    pub fn filter<F>(self, pred: F) -> Pipeline<S, Filter<T, F>>
    where
        F: Fn(&T::Out) -> bool + Send + Sync,
    {
        Pipeline {
            source: self.source,
            transform: Filter::new(self.transform, pred),
            takes: self.takes,
        }
    }

    /// Keeps the first `n` items that reach this point, in serial order. Parallel runs stop
    /// handing out work once these `n` items are known.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_core::domain::tests_support::Digits;
    /// let v = Digits(10).iterate().take(3).filter(|x| *x > 5).collect().run(false).unwrap();
    /// assert!(v.is_empty()); // take acts where it stands: [0, 1, 2], then the filter
    /// ```
    pub fn take(self, n: u64) -> Pipeline<S, Take<T>> {
        Pipeline {
            source: self.source,
            transform: Take::new(self.transform, n, self.takes),
            takes: self.takes + 1,
        }
    }

    /// Ends the pipeline with a custom [`Action`].
    pub fn with_action<A>(self, action: A) -> Job<S, T, A> {
        Job::new(self.source, self.transform, action)
    }

    /// Collects all items, in serial order.
    pub fn collect(self) -> Job<S, T, Collect<T::Out>>
    where
        T::Out: Send + Serialize + DeserializeOwned + 'static,
    {
        self.with_action(Collect::default())
    }

    /// Counts the items.
    pub fn count(self) -> Job<S, T, Count> {
        self.with_action(Count)
    }

    /// The first item in serial order, or `None`.
    pub fn first(self) -> Job<S, Take<T>, First<T::Out>>
    where
        T::Out: Send + Serialize + DeserializeOwned + 'static,
    {
        self.take(1).with_action(First::default())
    }

    /// Folds the items with an associative `f`; `None` when there are none.
    pub fn reduce<F>(self, f: F) -> Job<S, T, Reduce<F>>
    where
        F: Fn(T::Out, T::Out) -> T::Out + Send + Sync,
        T::Out: Send + Serialize + DeserializeOwned + 'static,
    {
        self.with_action(Reduce::new(f))
    }

    /// Folds the items with an associative `f`, starting from `init`.
    pub fn reduce_with<F>(self, init: T::Out, f: F) -> Job<S, T, ReduceWith<T::Out, F>>
    where
        F: Fn(T::Out, T::Out) -> T::Out + Send + Sync,
        T::Out: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    {
        self.with_action(ReduceWith::new(init, f))
    }

    /// Adds the items up.
    pub fn sum(self) -> Job<S, T, Sum<T::Out>>
    where
        T::Out: Add<Output = T::Out> + Default + Send + Serialize + DeserializeOwned + 'static,
    {
        self.with_action(Sum::default())
    }

    /// All items with the largest key, in serial order.
    pub fn max_all<K, F>(self, key: F) -> Job<S, T, Extreme<F>>
    where
        F: Fn(&T::Out) -> K + Send + Sync,
    {
        self.with_action(Extreme::new(key, ExtremeKind::Max, None))
    }

    /// The first `limit` items with the largest key.
    pub fn max_all_limited<K, F>(self, key: F, limit: usize) -> Job<S, T, Extreme<F>>
    where
        F: Fn(&T::Out) -> K + Send + Sync,
    {
        self.with_action(Extreme::new(key, ExtremeKind::Max, Some(limit)))
    }

    /// All items with the smallest key, in serial order.
    pub fn min_all<K, F>(self, key: F) -> Job<S, T, Extreme<F>>
    where
        F: Fn(&T::Out) -> K + Send + Sync,
    {
        self.with_action(Extreme::new(key, ExtremeKind::Min, None))
    }

    /// The first `limit` items with the smallest key.
    pub fn min_all_limited<K, F>(self, key: F, limit: usize) -> Job<S, T, Extreme<F>>
    where
        F: Fn(&T::Out) -> K + Send + Sync,
    {
        self.with_action(Extreme::new(key, ExtremeKind::Min, Some(limit)))
    }

    /// The items grouped by `key`, each group in serial order.
    pub fn groups<K, F>(self, key: F) -> Job<S, T, Groups<F>>
    where
        F: Fn(&T::Out) -> K + Send + Sync,
    {
        self.with_action(Groups::new(key, None))
    }

    /// The first `limit` items of each group.
    pub fn groups_limited<K, F>(self, key: F, limit: usize) -> Job<S, T, Groups<F>>
    where
        F: Fn(&T::Out) -> K + Send + Sync,
    {
        self.with_action(Groups::new(key, Some(limit)))
    }

    /// The size and the items of each group.
    pub fn groups_counts<K, F>(self, key: F) -> Job<S, T, GroupsCounts<F>>
    where
        F: Fn(&T::Out) -> K + Send + Sync,
    {
        self.with_action(GroupsCounts::new(key, None))
    }

    /// The size and the first `limit` items of each group.
    pub fn groups_counts_limited<K, F>(self, key: F, limit: usize) -> Job<S, T, GroupsCounts<F>>
    where
        F: Fn(&T::Out) -> K + Send + Sync,
    {
        self.with_action(GroupsCounts::new(key, Some(limit)))
    }
}
