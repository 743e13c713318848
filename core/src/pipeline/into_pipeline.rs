//! [`IntoPipeline`]: the one trait on which every adapter and action is written.

use super::{
    Enumerate, Filter, FilterMap, FlatMap, Identity, Inspect, Iterate, Job, Map, Pipeline, Source,
    Take, Transform,
};
use crate::action::*;
use crate::domain::Domain;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::iter::Product;
use std::ops::Add;

/// A job on the pipeline `I` converts into, with the chain `T` and action `A`.
type J<I, T, A> = Job<<I as IntoPipeline>::Source, T, A>;
/// The chain of the pipeline `I` converts into.
type Ch<I> = <I as IntoPipeline>::Transform;

/// Anything that converts into a [`Pipeline`]: every [`Domain`] (its items in index order)
/// and every pipeline (itself). Every adapter and action is a provided method of this trait,
/// written once, so it behaves the same on a domain and on a pipeline:
/// `Range::new(9).take(3)` is `Range::new(9).iterate().take(3)`.
///
/// `map` and `filter` are not here: on a domain they are [`Domain::map`] and [`Domain::filter`],
/// which give domains (that can go into a `Product`, have a size, and be unranked), and on a
/// pipeline they are [`Pipeline::map`] and [`Pipeline::filter`]. Both take the same closures
/// (anything `Fn + Send + Sync`, never cloned) and give the same items.
///
/// Closures run on whichever worker runs the chunk of the item: on a thread of a thread
/// context, or in another process under a distributed context (which is why items and keys that
/// cross processes need `Serialize + DeserializeOwned`).
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let squares = Range::new(10).filter_map(|x| (x % 2 == 1).then(|| x * x));
/// assert_eq!(squares.collect().run(true).unwrap(), vec![1, 9, 25, 49, 81]);
/// ```
pub trait IntoPipeline: Sized {
    /// Where the items come from.
    type Source: Source;
    /// The chain of transformations.
    type Transform: Transform<<Self::Source as Source>::Item, Out = Self::Item>;
    /// The items at the end of the chain.
    type Item;

    /// The pipeline itself.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let p = Range::new(3).into_pipeline().map(|x| x + 1);
    /// assert_eq!(p.collect().run(false).unwrap(), vec![1, 2, 3]);
    /// ```
    fn into_pipeline(self) -> Pipeline<Self::Source, Self::Transform>;

    // ---- adapters ----

    /// Keeps the first `n` items that reach this point, in serial order. Parallel runs stop
    /// handing out work once these `n` items are known. `take` acts where it stands in the
    /// chain (unlike the Python haydi's).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let v = Range::new(10).take(3).filter(|x| *x > 5).collect().run(false).unwrap();
    /// assert!(v.is_empty()); // take acts where it stands: [0, 1, 2], then the filter
    /// assert_eq!(Range::new(10).filter(|x| *x > 5).take(3).collect().run(true).unwrap(), vec![6, 7, 8]);
    /// ```
    fn take(self, n: u64) -> Pipeline<Self::Source, Take<Ch<Self>>> {
        let p = self.into_pipeline();
        let slot = p.takes;
        Pipeline {
            source: p.source,
            transform: Take::new(p.transform, n, slot),
            takes: slot + 1,
        }
    }

    /// Maps every item to an `Option` and keeps the `Some` values.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let v = Range::new(20).filter_map(|x| (x % 7 == 0).then_some(x / 7)).collect().run(true).unwrap();
    /// assert_eq!(v, vec![0, 1, 2]);
    /// ```
    fn filter_map<F, O>(self, f: F) -> Pipeline<Self::Source, FilterMap<Ch<Self>, F>>
    where
        F: Fn(Self::Item) -> Option<O> + Send + Sync,
    {
        self.into_pipeline().chain(|t| FilterMap::new(t, f))
    }

    /// Replaces every item by the items of what `f` returns (anything `IntoIterator`), in
    /// serial order: all of one item's outputs come before the next item's. A `take` after it
    /// may stop in the middle of one item's outputs.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let v = Range::new(4).flat_map(|x| 0..x).collect().run(true).unwrap();
    /// assert_eq!(v, vec![0, 0, 1, 0, 1, 2]);
    /// ```
    fn flat_map<F, I>(self, f: F) -> Pipeline<Self::Source, FlatMap<Ch<Self>, F>>
    where
        F: Fn(Self::Item) -> I + Send + Sync,
        I: IntoIterator,
    {
        self.into_pipeline().chain(|t| FlatMap::new(t, f))
    }

    /// Calls `f` on a reference to every item that reaches this point and passes it on. Like
    /// every closure, `f` runs on the worker of the item's chunk (see [`IntoPipeline::for_each`]).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// let seen = AtomicU64::new(0);
    /// let n = Range::new(100)
    ///     .inspect(|_| { seen.fetch_add(1, Ordering::Relaxed); })
    ///     .filter(|x| x % 10 == 0)
    ///     .count()
    ///     .run(true)
    ///     .unwrap();
    /// assert_eq!((n, seen.into_inner()), (10, 100));
    /// ```
    fn inspect<F>(self, f: F) -> Pipeline<Self::Source, Inspect<Ch<Self>, F>>
    where
        F: Fn(&Self::Item) + Send + Sync,
    {
        self.into_pipeline().chain(|t| Inspect::new(t, f))
    }

    /// Pairs every item with its position `i` (from 0) among the items that reach this point,
    /// in serial order: `(i, item)`, whatever context runs it.
    ///
    /// How parallel runs know `i`: when the chain before `enumerate` can drop or add items
    /// (`filter`, `filter_map`, `flat_map`), the run makes two passes. The first runs only the
    /// chain before `enumerate`, in parallel, counting the items of each chunk; the second
    /// runs the whole pipeline over the same chunks, numbering each chunk from the counts
    /// before it. So the chain before `enumerate` runs twice: keep it cheap, or put
    /// `enumerate` where the items are few. Before `map`, `inspect` and `take` only, `i` is the
    /// source index and there is one pass. An endless source (`generate`) filtered before
    /// `enumerate`, or a domain whose size overflows `u128`, needs a `take` before it or a
    /// timeout (otherwise the counting pass would never end: an error says so).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let v = Range::new(100).filter(|x| x % 30 == 0).enumerate().collect().run(true).unwrap();
    /// assert_eq!(v, vec![(0, 0), (1, 30), (2, 60), (3, 90)]);
    /// ```
    fn enumerate(self) -> Pipeline<Enumerate<Self::Source, Ch<Self>>, Identity> {
        let p = self.into_pipeline();
        Pipeline::new(Enumerate::new(p.source, p.transform))
    }

    // ---- actions ----

    /// Ends the pipeline with a custom [`Action`].
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_core::action::Count;
    /// use haydi_domains::Range;
    /// assert_eq!(Range::new(7).with_action(Count).run(false).unwrap(), 7);
    /// ```
    fn with_action<A>(self, action: A) -> J<Self, Ch<Self>, A> {
        let p = self.into_pipeline();
        Job::new(p.source, p.transform, action)
    }

    /// Collects all items into a `Vec`, in serial order.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// assert_eq!(Range::new(3).collect().run(true).unwrap(), vec![0, 1, 2]);
    /// ```
    fn collect(self) -> J<Self, Ch<Self>, Collect<Self::Item>>
    where
        Self::Item: Send + Serialize + DeserializeOwned + 'static,
    {
        self.with_action(Collect::default())
    }

    /// Collects the items into any [`Collection`] (the `std` collections and yours), as std's
    /// `collect::<C>()` does: chunks build their own and the collections of neighbouring
    /// chunks merge in serial order (concatenation for sequences, union for sets and maps).
    /// (Not `collect_into`: in std and rayon that name extends a collection one already has.)
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// use std::collections::HashMap;
    /// let squares = Range::new(5).iterate().map(|x| (x, x * x)).collect_as::<HashMap<_, _>>();
    /// assert_eq!(squares.run(true).unwrap()[&4], 16);
    /// ```
    fn collect_as<C>(self) -> J<Self, Ch<Self>, CollectAs<C>>
    where
        C: Collection<Self::Item> + Send + Serialize + DeserializeOwned + 'static,
    {
        self.with_action(CollectAs::default())
    }

    /// Counts the items.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// assert_eq!(Range::new(10).filter(|x| x % 3 == 0).count().run(true).unwrap(), 4);
    /// ```
    fn count(self) -> J<Self, Ch<Self>, Count> {
        self.with_action(Count)
    }

    /// The first item in serial order, or `None`; stops the run as soon as it is known.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// assert_eq!(Range::new(100).filter(|x| x % 17 == 16).first().run(true).unwrap(), Some(16));
    /// ```
    fn first(self) -> J<Self, Take<Ch<Self>>, First<Self::Item>>
    where
        Self::Item: Send + Serialize + DeserializeOwned + 'static,
    {
        self.take(1).with_action(First::default())
    }

    /// Whether some item satisfies `pred`, which takes the item by value (as
    /// `Iterator::any` and rayon's `any`); stops the run at the first one, like `take`.
    /// `false` for no items.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// assert!(Range::new(1_000_000_000).any(|x| x == 12).run(true).unwrap()); // instant
    /// assert!(!Range::new(100).any(|x| x > 100).run(true).unwrap());
    /// ```
    #[allow(clippy::type_complexity)]
    fn any<F>(self, pred: F) -> J<Self, Take<Filter<Map<Ch<Self>, F>, fn(&bool) -> bool>>, Found>
    where
        F: Fn(Self::Item) -> bool + Send + Sync,
    {
        self.into_pipeline()
            .map(pred)
            .filter(is_true as fn(&bool) -> bool)
            .take(1)
            .with_action(Found::new(false))
    }

    /// Whether every item satisfies `pred`, which takes the item by value (as
    /// `Iterator::all` and rayon's `all`); stops the run at the first that does not, like
    /// `take`. `true` for no items.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// assert!(Range::new(100).all(|x| x < 100).run(true).unwrap());
    /// assert!(!Range::new(1_000_000_000).all(|x| x < 5).run(true).unwrap()); // instant
    /// ```
    #[allow(clippy::type_complexity)]
    fn all<F>(self, pred: F) -> J<Self, Take<Filter<Map<Ch<Self>, F>, fn(&bool) -> bool>>, Found>
    where
        F: Fn(Self::Item) -> bool + Send + Sync,
    {
        self.into_pipeline()
            .map(pred)
            .filter(is_false as fn(&bool) -> bool)
            .take(1)
            .with_action(Found::new(true))
    }

    /// Calls `f` on every item for its side effects. `f` runs on the worker of the item's
    /// chunk: a thread here, or another process under a distributed context (see
    /// [`ForEach`]).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// let odd = AtomicU64::new(0);
    /// Range::new(9).for_each(|x| if x % 2 == 1 { odd.fetch_add(1, Ordering::Relaxed); }).run(true).unwrap();
    /// assert_eq!(odd.into_inner(), 4);
    /// ```
    fn for_each<F>(self, f: F) -> J<Self, Ch<Self>, ForEach<F>>
    where
        F: Fn(Self::Item) + Send + Sync,
    {
        self.with_action(ForEach::new(f))
    }

    /// Folds the items with an associative `op` from `identity()` (rayon's `reduce`): the
    /// result is `op(identity(), x0 ⊕ ... ⊕ xn)`, `identity()` for no items (see [`Reduce`]
    /// on identities that are not neutral).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// assert_eq!(Range::new(5).reduce(|| 0, |a, b| a.max(b)).run(true).unwrap(), 4);
    /// let s = Range::new(4).iterate().map(|x| x.to_string()).reduce(String::new, |a, b| a + &b);
    /// assert_eq!(s.run(true).unwrap(), "0123");
    /// ```
    fn reduce<ID, F>(self, identity: ID, op: F) -> J<Self, Ch<Self>, Reduce<ID, F>>
    where
        ID: Fn() -> Self::Item + Send + Sync,
        F: Fn(Self::Item, Self::Item) -> Self::Item + Send + Sync,
        Self::Item: Send + Serialize + DeserializeOwned + 'static,
    {
        self.with_action(Reduce::new(identity, op))
    }

    /// Folds the items with an associative `op`, in serial order (rayon's `reduce_with`, std's
    /// `Iterator::reduce`); `None` when there are none.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let s = Range::new(4).iterate().map(|x| x.to_string()).reduce_with(|a, b| a + &b);
    /// assert_eq!(s.run(true).unwrap(), Some("0123".to_string()));
    /// assert_eq!(Range::new(0).reduce_with(|a, b| a + b).run(true).unwrap(), None);
    /// ```
    fn reduce_with<F>(self, op: F) -> J<Self, Ch<Self>, ReduceWith<F>>
    where
        F: Fn(Self::Item, Self::Item) -> Self::Item + Send + Sync,
        Self::Item: Send + Serialize + DeserializeOwned + 'static,
    {
        self.with_action(ReduceWith::new(op))
    }

    /// Adds the items up, from `Default::default()` (zero).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// assert_eq!(Range::new(101).sum().run(true).unwrap(), 5050);
    /// ```
    fn sum(self) -> J<Self, Ch<Self>, Sum<Self::Item>>
    where
        Self::Item:
            Add<Output = Self::Item> + Default + Send + Serialize + DeserializeOwned + 'static,
    {
        self.with_action(Sum::default())
    }

    /// Multiplies the items (one for no items); see [`Multiply`] on overflow.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// assert_eq!(Range::new(5).iterate().map(|x| x + 1).product().run(true).unwrap(), 120);
    /// ```
    fn product(self) -> J<Self, Ch<Self>, Multiply<Self::Item>>
    where
        Self::Item: Product + Send + Serialize + DeserializeOwned + 'static,
    {
        self.with_action(Multiply::default())
    }

    /// The item with the smallest key, with its key (the first such item in serial order, as
    /// `Iterator::min_by_key`); `None` for no items.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// assert_eq!(Range::new(10).min_by_key(|x| (x + 3) % 5).run(true).unwrap(), Some((2, 0)));
    /// ```
    fn min_by_key<K, F>(self, key: F) -> J<Self, Ch<Self>, ByKey<F>>
    where
        F: Fn(&Self::Item) -> K + Send + Sync,
    {
        self.with_action(ByKey::new(key, ExtremeKind::Min))
    }

    /// The item with the largest key, with its key (the last such item in serial order, as
    /// `Iterator::max_by_key`); `None` for no items. For every item with the largest key, see
    /// [`IntoPipeline::max_all`].
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// assert_eq!(Range::new(10).max_by_key(|x| (x + 3) % 5).run(true).unwrap(), Some((6, 4)));
    /// ```
    fn max_by_key<K, F>(self, key: F) -> J<Self, Ch<Self>, ByKey<F>>
    where
        F: Fn(&Self::Item) -> K + Send + Sync,
    {
        self.with_action(ByKey::new(key, ExtremeKind::Max))
    }

    /// Every item with the largest key, in serial order (empty for no items).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// assert_eq!(Range::new(10).max_all(|x| x % 4).run(true).unwrap(), vec![3, 7]);
    /// ```
    fn max_all<K, F>(self, key: F) -> J<Self, Ch<Self>, Extreme<F>>
    where
        F: Fn(&Self::Item) -> K + Send + Sync,
    {
        self.with_action(Extreme::new(key, ExtremeKind::Max, None))
    }

    /// The first `limit` items with the largest key, in serial order.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// assert_eq!(Range::new(20).max_all_limited(|x| x % 4, 2).run(true).unwrap(), vec![3, 7]);
    /// ```
    fn max_all_limited<K, F>(self, key: F, limit: usize) -> J<Self, Ch<Self>, Extreme<F>>
    where
        F: Fn(&Self::Item) -> K + Send + Sync,
    {
        self.with_action(Extreme::new(key, ExtremeKind::Max, Some(limit)))
    }

    /// Every item with the smallest key, in serial order (empty for no items).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// assert_eq!(Range::new(10).min_all(|x| x % 4).run(true).unwrap(), vec![0, 4, 8]);
    /// ```
    fn min_all<K, F>(self, key: F) -> J<Self, Ch<Self>, Extreme<F>>
    where
        F: Fn(&Self::Item) -> K + Send + Sync,
    {
        self.with_action(Extreme::new(key, ExtremeKind::Min, None))
    }

    /// The first `limit` items with the smallest key, in serial order.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// assert_eq!(Range::new(10).min_all_limited(|x| x % 4, 1).run(true).unwrap(), vec![0]);
    /// ```
    fn min_all_limited<K, F>(self, key: F, limit: usize) -> J<Self, Ch<Self>, Extreme<F>>
    where
        F: Fn(&Self::Item) -> K + Send + Sync,
    {
        self.with_action(Extreme::new(key, ExtremeKind::Min, Some(limit)))
    }

    /// The number of items of each key, keys in order.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let c = Range::new(10).counts_by(|x| x % 2 == 0).run(true).unwrap();
    /// assert_eq!((c[&true], c[&false]), (5, 5));
    /// ```
    fn counts_by<K, F>(self, key: F) -> J<Self, Ch<Self>, CountsBy<F>>
    where
        F: Fn(&Self::Item) -> K + Send + Sync,
    {
        self.with_action(CountsBy::new(key))
    }

    /// The items of each key, each group in serial order.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let g = Range::new(10).groups(|x| x % 3).run(true).unwrap();
    /// assert_eq!(g[&2], vec![2, 5, 8]);
    /// ```
    fn groups<K, F>(self, key: F) -> J<Self, Ch<Self>, Groups<F>>
    where
        F: Fn(&Self::Item) -> K + Send + Sync,
    {
        self.with_action(Groups::new(key, None))
    }

    /// The first `limit` items of each key.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let g = Range::new(10).groups_limited(|x| x % 3, 2).run(true).unwrap();
    /// assert_eq!(g[&0], vec![0, 3]);
    /// ```
    fn groups_limited<K, F>(self, key: F, limit: usize) -> J<Self, Ch<Self>, Groups<F>>
    where
        F: Fn(&Self::Item) -> K + Send + Sync,
    {
        self.with_action(Groups::new(key, Some(limit)))
    }

    /// The size and the items of each group ([`Group`]).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let g = Range::new(10).groups_counts(|x| x % 3).run(true).unwrap();
    /// assert_eq!((g[&0].count, g[&0].items.len()), (4, 4));
    /// ```
    fn groups_counts<K, F>(self, key: F) -> J<Self, Ch<Self>, GroupsCounts<F>>
    where
        F: Fn(&Self::Item) -> K + Send + Sync,
    {
        self.with_action(GroupsCounts::new(key, None))
    }

    /// The size and the first `limit` items of each group (`limit` 0: sizes only; see
    /// [`IntoPipeline::counts_by`] for that).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let g = Range::new(10).groups_counts_limited(|x| x % 3, 1).run(true).unwrap();
    /// assert_eq!((g[&1].count, g[&1].items.clone()), (3, vec![1]));
    /// ```
    fn groups_counts_limited<K, F>(self, key: F, limit: usize) -> J<Self, Ch<Self>, GroupsCounts<F>>
    where
        F: Fn(&Self::Item) -> K + Send + Sync,
    {
        self.with_action(GroupsCounts::new(key, Some(limit)))
    }
}

impl<D: Domain> IntoPipeline for D {
    type Source = Iterate<D>;
    type Transform = Identity;
    type Item = D::Item;

    fn into_pipeline(self) -> Pipeline<Iterate<D>, Identity> {
        Pipeline::new(Iterate::new(self))
    }
}

impl<S, T> IntoPipeline for Pipeline<S, T>
where
    S: Source,
    T: Transform<S::Item>,
{
    type Source = S;
    type Transform = T;
    type Item = T::Out;

    fn into_pipeline(self) -> Self {
        self
    }
}

/// `any`'s filter: the items whose predicate held.
fn is_true(b: &bool) -> bool {
    *b
}

/// `all`'s filter: the counterexamples.
fn is_false(b: &bool) -> bool {
    !*b
}
