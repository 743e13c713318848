//! [`Mappings`]: all total functions from a finite key domain to a value domain.

use crate::repeat::ProductRepeat;
use haydi_core::domain::describe;
use haydi_core::{Domain, Error, Mapping, Result, Size};
use rand::RngCore;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

/// All total functions from the items of a key domain to the items of a value domain, as
/// [`Mapping`]s with keys in key-domain order.
///
/// The keys are materialized when the domain is built (filtered-out keys are dropped); the
/// values range over `values^|keys|` in product order, the first key changing slowest.
///
/// ```
/// use haydi_core::{Domain, Mapping, Size};
/// use haydi_domains::{Mappings, Range};
/// let m = Mappings::new(Range::new(2), Range::new(2)).unwrap();
/// assert_eq!(m.item_at(1), Some(Mapping::from_sorted_pairs(vec![(0, 0), (1, 1)])));
/// assert_eq!(m.iter().count(), 4);
/// assert_eq!(Mappings::new(Range::new(10), Range::new(2)).unwrap().size(), Size::Exact(1024));
/// ```
#[derive(Clone, Debug)]
#[must_use = "domains are lazy and do nothing unless iterated"]
pub struct Mappings<K, V> {
    keys: Arc<[K]>,
    keys_strict: bool,
    values: ProductRepeat<V>,
}

impl<K: Clone + Send + Sync, V: Domain> Mappings<K, V> {
    /// The functions from `keys` to `values`. The key domain is iterated once here, so it must
    /// be finite; one of unknown size is an [`Error::InvalidDomain`].
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Boolean, Mappings, Range};
    /// let m = Mappings::new(Range::new(3).filter(|x| *x != 1), Boolean).unwrap();
    /// assert_eq!(m.iter().count(), 4);
    /// ```
    pub fn new<KD: Domain<Item = K>>(keys: KD, values: V) -> Result<Self> {
        let bound = keys.size().bound().ok_or_else(|| {
            Error::InvalidDomain(format!(
                "Mappings needs a key domain of known size, {} has none",
                keys.name()
            ))
        })?;
        let mut ks = Vec::new();
        let _ = keys.visit_range(0, bound, &mut |k| {
            ks.push(k);
            ControlFlow::Continue(())
        });
        Ok(Mappings {
            values: ProductRepeat::new(values, ks.len()),
            keys: ks.into(),
            keys_strict: keys.is_strict(),
        })
    }

    /// The keys, in order.
    ///
    /// ```
    /// use haydi_domains::{Boolean, Mappings, Range};
    /// let m = Mappings::new(Range::new(3), Boolean).unwrap();
    /// assert_eq!(m.keys(), &[0, 1, 2]);
    /// ```
    pub fn keys(&self) -> &[K] {
        &self.keys
    }

    /// The domain every key is mapped into.
    ///
    /// ```
    /// use haydi_domains::{Mappings, Range};
    /// let m = Mappings::new(Range::new(2), Range::new(5)).unwrap();
    /// assert_eq!(m.value_domain().len(), 5);
    /// ```
    pub fn value_domain(&self) -> &V {
        self.values.domain()
    }

    fn to_mapping(&self, vs: Vec<V::Item>) -> Mapping<K, V::Item> {
        Mapping::from_sorted_pairs(self.keys.iter().cloned().zip(vs).collect())
    }
}

impl<K: Clone + Send + Sync, V: Domain> Domain for Mappings<K, V> {
    type Item = Mapping<K, V::Item>;

    fn size(&self) -> Size {
        self.values.size()
    }

    fn item_at(&self, index: u128) -> Option<Self::Item> {
        self.values.item_at(index).map(|vs| self.to_mapping(vs))
    }

    fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(Self::Item) -> ControlFlow<()>,
    {
        self.values
            .visit_range(start, end, &mut |vs| f(self.to_mapping(vs)))
    }

    fn visit_from<F>(&self, start: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(Self::Item) -> ControlFlow<()>,
    {
        self.values
            .visit_from(start, &mut |vs| f(self.to_mapping(vs)))
    }

    fn visits_past_u128(&self) -> bool {
        self.values.visits_past_u128()
    }

    fn generate_one(&self, rng: &mut dyn RngCore) -> Result<Self::Item> {
        if self.size().bound() == Some(0) {
            return Err(Error::EmptyDomain {
                domain: self.name(),
            });
        }
        self.values.generate_one(rng).map(|vs| self.to_mapping(vs))
    }

    fn name(&self) -> String {
        "Mappings".into()
    }

    fn fingerprint(&self) -> String {
        // Keys carry no bound that would show them.
        format!(
            "Mappings({} keys, keys not described, to {})",
            self.keys.len(),
            self.value_domain().fingerprint()
        )
    }

    fn is_strict(&self) -> bool {
        self.keys_strict && self.values.is_strict()
    }
}

impl<K: Clone + Send + Sync + fmt::Debug, V: Domain> fmt::Display for Mappings<K, V>
where
    V::Item: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(self))
    }
}
