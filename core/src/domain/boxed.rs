//! A type-erased domain handle.

use super::Domain;
use crate::error::Result;
use crate::size::Size;
use rand::RngCore;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

/// The object-safe part of [`Domain`], used behind [`BoxedDomain`].
trait DynDomain<T>: Send + Sync {
    fn size(&self) -> Size;
    fn item_at(&self, index: u128) -> Option<T>;
    fn visit_range_dyn(
        &self,
        start: u128,
        end: u128,
        f: &mut dyn FnMut(T) -> ControlFlow<()>,
    ) -> ControlFlow<()>;
    fn visit_from_dyn(
        &self,
        start: u128,
        f: &mut dyn FnMut(T) -> ControlFlow<()>,
    ) -> ControlFlow<()>;
    fn visits_past_u128(&self) -> bool;
    fn generate_one(&self, rng: &mut dyn RngCore) -> Result<T>;
    fn name(&self) -> String;
    fn fingerprint(&self) -> String;
    fn is_strict(&self) -> bool;
}

impl<D: Domain> DynDomain<D::Item> for D {
    fn size(&self) -> Size {
        Domain::size(self)
    }
    fn item_at(&self, index: u128) -> Option<D::Item> {
        Domain::item_at(self, index)
    }
    fn visit_range_dyn(
        &self,
        start: u128,
        end: u128,
        f: &mut dyn FnMut(D::Item) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        Domain::visit_range(self, start, end, &mut |x| f(x))
    }
    fn visit_from_dyn(
        &self,
        start: u128,
        f: &mut dyn FnMut(D::Item) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        Domain::visit_from(self, start, &mut |x| f(x))
    }
    fn visits_past_u128(&self) -> bool {
        Domain::visits_past_u128(self)
    }
    fn generate_one(&self, rng: &mut dyn RngCore) -> Result<D::Item> {
        Domain::generate_one(self, rng)
    }
    fn name(&self) -> String {
        Domain::name(self)
    }
    fn fingerprint(&self) -> String {
        Domain::fingerprint(self)
    }
    fn is_strict(&self) -> bool {
        Domain::is_strict(self)
    }
}

/// A domain of any concrete type behind an `Arc`, so that domains of different types with the
/// same item type can be stored together (in a `Join`, say). Cloning is cheap.
///
/// ```
/// use haydi_core::Domain;
/// use haydi_domains::Range;
/// let ds = vec![Range::new(2).boxed(), Range::new(3).map(|x| x + 10).boxed()];
/// let all: Vec<i64> = ds.iter().flat_map(|d| d.iter()).collect();
/// assert_eq!(all, vec![0, 1, 10, 11, 12]);
/// ```
pub struct BoxedDomain<T> {
    inner: Arc<dyn DynDomain<T>>,
}

impl<T> Clone for BoxedDomain<T> {
    fn clone(&self) -> Self {
        BoxedDomain {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T: Clone + Send + 'static> BoxedDomain<T> {
    /// Boxes `domain`.
    pub fn new<D: Domain<Item = T> + 'static>(domain: D) -> Self {
        BoxedDomain {
            inner: Arc::new(domain),
        }
    }
}

impl<T> fmt::Debug for BoxedDomain<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Boxed({}, size={})",
            self.inner.name(),
            self.inner.size()
        )
    }
}

impl<T: Clone + Send + 'static> Domain for BoxedDomain<T> {
    type Item = T;
    fn size(&self) -> Size {
        self.inner.size()
    }
    fn item_at(&self, index: u128) -> Option<T> {
        self.inner.item_at(index)
    }
    fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(T) -> ControlFlow<()>,
    {
        self.inner.visit_range_dyn(start, end, f)
    }
    fn visit_from<F>(&self, start: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(T) -> ControlFlow<()>,
    {
        self.inner.visit_from_dyn(start, f)
    }
    fn visits_past_u128(&self) -> bool {
        self.inner.visits_past_u128()
    }
    fn generate_one(&self, rng: &mut dyn RngCore) -> Result<T> {
        self.inner.generate_one(rng)
    }
    fn name(&self) -> String {
        self.inner.name()
    }
    fn fingerprint(&self) -> String {
        self.inner.fingerprint()
    }
    fn is_strict(&self) -> bool {
        self.inner.is_strict()
    }
    fn boxed(self) -> BoxedDomain<T> {
        self
    }
}
