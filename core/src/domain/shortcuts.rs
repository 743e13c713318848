//! How pipelines start from a domain: [`DomainExt::iterate`] and [`DomainExt::generate`].
//! Every other adapter and action is on [`crate::IntoPipeline`], which domains implement.

use super::Domain;
use crate::pipeline::{Generate, Identity, Iterate, Pipeline};

/// The two ways a pipeline starts from a domain. Implemented for every [`Domain`].
///
/// `d.take(3)`, `d.collect()` and the other adapters and actions need no `iterate()`: they come
/// from [`crate::IntoPipeline`], which starts from `iterate()`.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// assert_eq!(Range::new(5).iterate().map(|x| (x + 1) * 10).collect().run(false).unwrap(), vec![10, 20, 30, 40, 50]);
/// let a = Range::new(100).generate(7).take(5).collect().run(false).unwrap();
/// let b = Range::new(100).generate(7).take(5).collect().run(true).unwrap();
/// assert_eq!(a, b);
/// ```
pub trait DomainExt: Domain + Sized {
    /// A pipeline over every item, in index order.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// assert_eq!(Range::new(3).iterate().count().run(false).unwrap(), 3);
    /// ```
    fn iterate(self) -> Pipeline<Iterate<Self>, Identity> {
        Pipeline::new(Iterate::new(self))
    }

    /// An endless pipeline of uniformly random items; the same `seed` gives the same items in
    /// every context and with any number of workers. Needs a `take` or a timeout to end.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let v = Range::new(10).generate(1).take(4).collect().run(true).unwrap();
    /// assert_eq!(v.len(), 4);
    /// assert!(v.iter().all(|x| *x < 10));
    /// ```
    fn generate(self, seed: u64) -> Pipeline<Generate<Self>, Identity> {
        Pipeline::new(Generate::new(self, seed))
    }
}

impl<D: Domain> DomainExt for D {}
