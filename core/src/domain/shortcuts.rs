//! Pipeline shortcuts on domains: `Range::new(10).collect()` means
//! `Range::new(10).iterate().collect()`.

use super::Domain;
use crate::action::*;
use crate::pipeline::{Generate, Identity, Iterate, Job, Pipeline, Take};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::ops::Add;

type It<D> = Iterate<D>;

/// Starts pipelines from a domain. Implemented for every [`Domain`].
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_core::domain::tests_support::Digits;
/// assert_eq!(Digits(5).map(|x| (x + 1) * 10).collect().run(false).unwrap(), vec![10, 20, 30, 40, 50]);
/// let a = Digits(100).generate(7).take(5).collect().run(false).unwrap();
/// let b = Digits(100).generate(7).take(5).collect().run(false).unwrap();
/// assert_eq!(a, b);
/// ```
pub trait DomainExt: Domain + Sized {
    /// A pipeline over every item, in index order.
    fn iterate(self) -> Pipeline<It<Self>, Identity> {
        Pipeline::new(Iterate::new(self))
    }

    /// An endless pipeline of uniformly random items; the same `seed` gives the same items in
    /// every context and with any number of workers. Needs a `take` or a timeout to end.
    fn generate(self, seed: u64) -> Pipeline<Generate<Self>, Identity> {
        Pipeline::new(Generate::new(self, seed))
    }

    /// `self.iterate().take(n)`.
    fn take(self, n: u64) -> Pipeline<It<Self>, Take<Identity>> {
        self.iterate().take(n)
    }

    /// `self.iterate().collect()`.
    fn collect(self) -> Job<It<Self>, Identity, Collect<Self::Item>>
    where
        Self::Item: Serialize + DeserializeOwned + 'static,
    {
        self.iterate().collect()
    }

    /// `self.iterate().count()`.
    fn count(self) -> Job<It<Self>, Identity, Count> {
        self.iterate().count()
    }

    /// `self.iterate().first()`.
    fn first(self) -> Job<It<Self>, Take<Identity>, First<Self::Item>>
    where
        Self::Item: Serialize + DeserializeOwned + 'static,
    {
        self.iterate().first()
    }

    /// `self.iterate().reduce(f)`.
    fn reduce<F>(self, f: F) -> Job<It<Self>, Identity, Reduce<F>>
    where
        F: Fn(Self::Item, Self::Item) -> Self::Item + Send + Sync,
        Self::Item: Serialize + DeserializeOwned + 'static,
    {
        self.iterate().reduce(f)
    }

    /// `self.iterate().reduce_with(init, f)`.
    fn reduce_with<F>(
        self,
        init: Self::Item,
        f: F,
    ) -> Job<It<Self>, Identity, ReduceWith<Self::Item, F>>
    where
        F: Fn(Self::Item, Self::Item) -> Self::Item + Send + Sync,
        Self::Item: Sync + Serialize + DeserializeOwned + 'static,
    {
        self.iterate().reduce_with(init, f)
    }

    /// `self.iterate().sum()`.
    fn sum(self) -> Job<It<Self>, Identity, Sum<Self::Item>>
    where
        Self::Item: Add<Output = Self::Item> + Default + Serialize + DeserializeOwned + 'static,
    {
        self.iterate().sum()
    }

    /// `self.iterate().max_all(key)`.
    fn max_all<K, F>(self, key: F) -> Job<It<Self>, Identity, Extreme<F>>
    where
        F: Fn(&Self::Item) -> K + Send + Sync,
    {
        self.iterate().max_all(key)
    }

    /// `self.iterate().max_all_limited(key, limit)`.
    fn max_all_limited<K, F>(self, key: F, limit: usize) -> Job<It<Self>, Identity, Extreme<F>>
    where
        F: Fn(&Self::Item) -> K + Send + Sync,
    {
        self.iterate().max_all_limited(key, limit)
    }

    /// `self.iterate().min_all(key)`.
    fn min_all<K, F>(self, key: F) -> Job<It<Self>, Identity, Extreme<F>>
    where
        F: Fn(&Self::Item) -> K + Send + Sync,
    {
        self.iterate().min_all(key)
    }

    /// `self.iterate().min_all_limited(key, limit)`.
    fn min_all_limited<K, F>(self, key: F, limit: usize) -> Job<It<Self>, Identity, Extreme<F>>
    where
        F: Fn(&Self::Item) -> K + Send + Sync,
    {
        self.iterate().min_all_limited(key, limit)
    }

    /// `self.iterate().groups(key)`.
    fn groups<K, F>(self, key: F) -> Job<It<Self>, Identity, Groups<F>>
    where
        F: Fn(&Self::Item) -> K + Send + Sync,
    {
        self.iterate().groups(key)
    }

    /// `self.iterate().groups_limited(key, limit)`.
    fn groups_limited<K, F>(self, key: F, limit: usize) -> Job<It<Self>, Identity, Groups<F>>
    where
        F: Fn(&Self::Item) -> K + Send + Sync,
    {
        self.iterate().groups_limited(key, limit)
    }

    /// `self.iterate().groups_counts(key)`.
    fn groups_counts<K, F>(self, key: F) -> Job<It<Self>, Identity, GroupsCounts<F>>
    where
        F: Fn(&Self::Item) -> K + Send + Sync,
    {
        self.iterate().groups_counts(key)
    }

    /// `self.iterate().groups_counts_limited(key, limit)`.
    fn groups_counts_limited<K, F>(
        self,
        key: F,
        limit: usize,
    ) -> Job<It<Self>, Identity, GroupsCounts<F>>
    where
        F: Fn(&Self::Item) -> K + Send + Sync,
    {
        self.iterate().groups_counts_limited(key, limit)
    }
}

impl<D: Domain> DomainExt for D {}
