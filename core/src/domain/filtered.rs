//! Domain-level `filter`.

use super::{Domain, GENERATE_RETRIES};
use crate::error::{Error, Result};
use crate::size::Size;
use rand::RngCore;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

/// The items of `D` for which a predicate holds.
///
/// The index space stays the parent's, so the size is an upper bound ([`Size::AtMost`]) and an
/// index whose item is rejected yields nothing. `generate_one` draws from the parent and retries
/// rejected candidates (at most [`GENERATE_RETRIES`] times).
///
/// ```
/// use haydi_core::{Domain, Size};
/// use haydi_domains::Range;
/// let d = Range::new(6).filter(|x| 2 < *x && *x < 5);
/// assert_eq!(d.size(), Size::AtMost(6));
/// assert_eq!(d.iter().collect::<Vec<_>>(), vec![3, 4]);
/// assert_eq!(d.item_at(1), None);
/// assert_eq!(d.to_string(), "Filter(Range)(size=at most 6) {3, 4}");
/// ```
#[must_use = "domains are lazy and do nothing unless iterated"]
pub struct Filtered<D, F> {
    inner: D,
    /// Shared, not cloned: the closure needs no `Clone` (it may own an `AtomicU64`, say).
    pred: Arc<F>,
}

impl<D, F> Filtered<D, F> {
    pub(crate) fn new(inner: D, pred: F) -> Self {
        Filtered {
            inner,
            pred: Arc::new(pred),
        }
    }

    /// The domain being filtered.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let d = Range::new(10).filter(|x| x % 2 == 0);
    /// assert_eq!(d.inner().size(), Size::Exact(10));
    /// ```
    pub fn inner(&self) -> &D {
        &self.inner
    }

    /// The predicate, shared by every clone of this domain.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let d = Range::new(10).filter(|x| x % 2 == 0);
    /// assert!((d.predicate())(&4) && !(d.predicate())(&5));
    /// ```
    pub fn predicate(&self) -> &Arc<F> {
        &self.pred
    }
}

impl<D: Clone, F> Clone for Filtered<D, F> {
    fn clone(&self) -> Self {
        Filtered {
            inner: self.inner.clone(),
            pred: Arc::clone(&self.pred),
        }
    }
}

impl<D: fmt::Debug, F> fmt::Debug for Filtered<D, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Filtered")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<D, F> Domain for Filtered<D, F>
where
    D: Domain,
    F: Fn(&D::Item) -> bool + Send + Sync,
{
    type Item = D::Item;

    fn size(&self) -> Size {
        self.inner.size().loosen()
    }

    fn item_at(&self, index: u128) -> Option<D::Item> {
        self.inner.item_at(index).filter(|x| (self.pred)(x))
    }

    #[inline]
    fn visit_range<G>(&self, start: u128, end: u128, g: &mut G) -> ControlFlow<()>
    where
        G: FnMut(D::Item) -> ControlFlow<()>,
    {
        self.inner.visit_range(start, end, &mut |x| {
            if (self.pred)(&x) {
                g(x)
            } else {
                ControlFlow::Continue(())
            }
        })
    }

    fn visit_from<G>(&self, start: u128, g: &mut G) -> ControlFlow<()>
    where
        G: FnMut(D::Item) -> ControlFlow<()>,
    {
        self.inner.visit_from(start, &mut |x| {
            if (self.pred)(&x) {
                g(x)
            } else {
                ControlFlow::Continue(())
            }
        })
    }

    fn visits_past_u128(&self) -> bool {
        self.inner.visits_past_u128()
    }

    fn generate_one(&self, rng: &mut dyn RngCore) -> Result<D::Item> {
        for _ in 0..GENERATE_RETRIES {
            let x = self.inner.generate_one(rng)?;
            if (self.pred)(&x) {
                return Ok(x);
            }
        }
        Err(Error::GenerateRejected {
            domain: self.name(),
            tries: GENERATE_RETRIES,
        })
    }

    fn name(&self) -> String {
        format!("Filter({})", self.inner.name())
    }

    fn fingerprint(&self) -> String {
        format!(
            "filter({}; predicate not described)",
            self.inner.fingerprint()
        )
    }
}

impl<D, F> fmt::Display for Filtered<D, F>
where
    D: Domain,
    D::Item: fmt::Debug,
    F: Fn(&D::Item) -> bool + Send + Sync,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::describe(self))
    }
}
