//! Lazy pipelines: a source, a chain of transformations, and (in a [`Job`]) an action.
//!
//! Every adapter and action is written once, on [`IntoPipeline`], which every [`Domain`] and
//! every [`Pipeline`] implements (rayon's `IntoParallelIterator` idea): `Range::new(9).take(3)`
//! and `Range::new(9).iterate().take(3)` are the same call. Nothing runs until [`Job::run`].
//! Each adapter lives in a file of its own.
//!
//! [`Domain`]: crate::Domain

mod enumerate;
mod filter;
mod filter_map;
mod flat_map;
mod inspect;
mod into_pipeline;
mod job;
mod map;
mod range;
mod source;
mod take;
mod transform;

pub use enumerate::Enumerate;
pub use filter::Filter;
pub use filter_map::FilterMap;
pub use flat_map::FlatMap;
pub use inspect::Inspect;
pub use into_pipeline::IntoPipeline;
pub use job::Job;
pub use map::Map;
pub use source::{Extent, FirstPass, GENERATE_BLOCK, Generate, Iterate, PassRunner, Source};
pub use take::Take;
pub use transform::{ChunkCtx, Identity, Transform};

use std::fmt;

/// A lazy stream of items: a source and a chain of transformations.
///
/// Start one from a domain: [`crate::DomainExt::iterate`] (every item, in index order),
/// [`crate::DomainExt::generate`] (random items), or any method of [`IntoPipeline`] called on
/// the domain itself. End it with an action (`collect`, `count`, ...), which gives a [`Job`] to
/// run. `map` and `filter` are the pipeline's own methods; every other adapter and action comes
/// from [`IntoPipeline`].
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let v = Range::new(7).iterate().map(|x| x * 10).filter(|x| *x != 20).collect().run(false).unwrap();
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
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_core::pipeline::{Iterate, Pipeline};
    /// use haydi_domains::Range;
    /// let p = Pipeline::new(Iterate::new(Range::new(3)));
    /// assert_eq!(p.collect().run(false).unwrap(), vec![0, 1, 2]);
    /// ```
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
    /// Applies `f` to every item. The closure may capture anything `Send + Sync` (an
    /// `AtomicU64`, a reference-counted table); it is never cloned.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let v = Range::new(4).iterate().map(|x| x * x).collect().run(false).unwrap();
    /// assert_eq!(v, vec![0, 1, 4, 9]);
    /// ```
    pub fn map<F, O>(self, f: F) -> Pipeline<S, Map<T, F>>
    where
        F: Fn(T::Out) -> O + Send + Sync,
    {
        self.chain(|t| Map::new(t, f))
    }

    /// Keeps the items for which `pred` holds.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let v = Range::new(10).iterate().filter(|x| x % 4 == 1).collect().run(false).unwrap();
    /// assert_eq!(v, vec![1, 5, 9]);
    /// ```
    pub fn filter<F>(self, pred: F) -> Pipeline<S, Filter<T, F>>
    where
        F: Fn(&T::Out) -> bool + Send + Sync,
    {
        self.chain(|t| Filter::new(t, pred))
    }

    /// Replaces the transformation chain by `wrap(chain)`, keeping the source.
    fn chain<U>(self, wrap: impl FnOnce(T) -> U) -> Pipeline<S, U> {
        Pipeline {
            source: self.source,
            transform: wrap(self.transform),
            takes: self.takes,
        }
    }
}
