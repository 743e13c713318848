//! Domain-level `map`.

use super::Domain;
use crate::error::Result;
use crate::size::Size;
use rand::RngCore;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

/// The domain of `f(x)` for each item `x` of `D`: same size, same order, same index space.
///
/// ```
/// use haydi_core::Domain;
/// use haydi_domains::Range;
/// let d = Range::new(3).map(|x| x * 10);
/// assert_eq!(d.iter().collect::<Vec<_>>(), vec![0, 10, 20]);
/// ```
#[must_use = "domains are lazy and do nothing unless iterated"]
pub struct Mapped<D, F> {
    inner: D,
    /// Shared, not cloned: the closure needs no `Clone` (it may own an `AtomicU64`, say).
    f: Arc<F>,
}

impl<D, F> Mapped<D, F> {
    pub(crate) fn new(inner: D, f: F) -> Self {
        Mapped {
            inner,
            f: Arc::new(f),
        }
    }
}

impl<D: Clone, F> Clone for Mapped<D, F> {
    fn clone(&self) -> Self {
        Mapped {
            inner: self.inner.clone(),
            f: Arc::clone(&self.f),
        }
    }
}

impl<D: fmt::Debug, F> fmt::Debug for Mapped<D, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mapped")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<D, F, O> Domain for Mapped<D, F>
where
    D: Domain,
    F: Fn(D::Item) -> O + Send + Sync,
    O: Clone + Send,
{
    type Item = O;

    fn size(&self) -> Size {
        self.inner.size()
    }

    fn item_at(&self, index: u128) -> Option<O> {
        self.inner.item_at(index).map(&*self.f)
    }

    #[inline]
    fn visit_range<G>(&self, start: u128, end: u128, g: &mut G) -> ControlFlow<()>
    where
        G: FnMut(O) -> ControlFlow<()>,
    {
        self.inner.visit_range(start, end, &mut |x| g((self.f)(x)))
    }

    fn visit_from<G>(&self, start: u128, g: &mut G) -> ControlFlow<()>
    where
        G: FnMut(O) -> ControlFlow<()>,
    {
        self.inner.visit_from(start, &mut |x| g((self.f)(x)))
    }

    fn visits_past_u128(&self) -> bool {
        self.inner.visits_past_u128()
    }

    fn generate_one(&self, rng: &mut dyn RngCore) -> Result<O> {
        self.inner.generate_one(rng).map(&*self.f)
    }

    fn name(&self) -> String {
        format!("Map({})", self.inner.name())
    }

    fn fingerprint(&self) -> String {
        format!("map({}; closure not described)", self.inner.fingerprint())
    }
}

impl<D, F, O> fmt::Display for Mapped<D, F>
where
    D: Domain,
    F: Fn(D::Item) -> O + Send + Sync,
    O: Clone + Send + fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::describe(self))
    }
}
