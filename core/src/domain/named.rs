//! [`Named`]: a domain with a name of the user's choice.

use super::{Domain, describe};
use crate::error::{Error, Result};
use crate::size::Size;
use rand::RngCore;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

/// A domain under a name of the user's choice (the Python haydi's `name=` / `set_name`); built
/// by [`Domain::named`]. Everything but [`Domain::name`] (and so `Display` and the names in
/// error messages) is the wrapped domain's.
///
/// ```
/// use haydi_core::Domain;
/// use haydi_domains::Range;
/// let states = Range::new(3).named("states");
/// assert_eq!(states.to_string(), "states(size=3) {0, 1, 2}");
/// assert_eq!(states.iter().collect::<Vec<_>>(), vec![0, 1, 2]);
/// assert_eq!(states.inner().len(), 3);
/// ```
#[derive(Clone, Debug)]
#[must_use = "domains are lazy and do nothing unless iterated"]
pub struct Named<D> {
    inner: D,
    name: Arc<str>,
}

impl<D> Named<D> {
    pub(crate) fn new(inner: D, name: &str) -> Self {
        Named {
            inner,
            name: name.into(),
        }
    }

    /// The wrapped domain.
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::Range;
    /// assert_eq!(Range::new(4).named("r").inner().len(), 4);
    /// ```
    pub fn inner(&self) -> &D {
        &self.inner
    }

    /// The same name on another domain (used to rebuild a named domain around a transformed
    /// inner domain, as `to_values` does).
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::Range;
    /// let d = Range::new(4).named("r").rename_onto(Range::new(2));
    /// assert_eq!(d.to_string(), "r(size=2) {0, 1}");
    /// ```
    pub fn rename_onto<E>(&self, other: E) -> Named<E> {
        Named {
            inner: other,
            name: self.name.clone(),
        }
    }
}

impl<D: Domain> Domain for Named<D> {
    type Item = D::Item;
    fn size(&self) -> Size {
        self.inner.size()
    }
    fn item_at(&self, index: u128) -> Option<D::Item> {
        self.inner.item_at(index)
    }
    #[inline]
    fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(D::Item) -> ControlFlow<()>,
    {
        self.inner.visit_range(start, end, f)
    }
    fn generate_one(&self, rng: &mut dyn RngCore) -> Result<D::Item> {
        // Errors about the wrapped domain itself name it by this name.
        self.inner.generate_one(rng).map_err(|e| {
            let inner = self.inner.name();
            let rename = |d: String| if d == inner { self.name() } else { d };
            match e {
                Error::EmptyDomain { domain } => Error::EmptyDomain {
                    domain: rename(domain),
                },
                Error::SizeOverflow { domain } => Error::SizeOverflow {
                    domain: rename(domain),
                },
                Error::GenerateRejected { domain, tries } => Error::GenerateRejected {
                    domain: rename(domain),
                    tries,
                },
                e => e,
            }
        })
    }
    fn name(&self) -> String {
        self.name.to_string()
    }
    // The name only changes how the domain is shown, not its items: renaming a domain does
    // not make its checkpoint another job's.
    fn fingerprint(&self) -> String {
        self.inner.fingerprint()
    }
    fn is_strict(&self) -> bool {
        self.inner.is_strict()
    }
}

impl<D: Domain> fmt::Display for Named<D>
where
    D::Item: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(self))
    }
}
