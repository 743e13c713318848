//! [`Values`]: an explicit list of items.

use haydi_core::domain::describe;
use haydi_core::{Domain, Error, Result, Size};
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

/// An explicit list of items, in the given order (duplicates are kept). Cloning is cheap: the
/// items live behind an `Arc`.
///
/// It is strict ([`Domain::is_strict`]); canonical forms (`haydi-canon`) accept it when its
/// items are plain values or, holding atoms, when the list is closed under renaming atoms (a
/// materialized strict domain, see [`crate::ToValues`]), and refuse it otherwise.
///
/// ```
/// use haydi_core::Domain;
/// use haydi_domains::Values;
/// let v = Values::new(vec!["a", "b", "c", "d"]);
/// assert_eq!(v.iter_range(2, 10).collect::<Vec<_>>(), vec!["c", "d"]);
/// let w: Values<i32> = (1..4).collect();
/// assert_eq!(w.item_at(1), Some(2));
/// ```
#[derive(Clone, Debug)]
#[must_use = "domains are lazy and do nothing unless iterated"]
pub struct Values<T> {
    items: Arc<[T]>,
    /// What the items are, for [`Domain::fingerprint`] (see [`Values::with_contents`]).
    contents: Option<Arc<str>>,
}

impl<T> Values<T> {
    /// The domain of the items of `items`, in order.
    ///
    /// ```
    /// use haydi_core::{Domain, Size};
    /// use haydi_domains::Values;
    /// assert_eq!(Values::new(vec![1, 1, 2]).size(), Size::Exact(3));
    /// ```
    pub fn new(items: Vec<T>) -> Values<T> {
        Values {
            items: items.into(),
            contents: None,
        }
    }

    /// The same list, with `description` saying what its items are in its
    /// [`fingerprint`](Domain::fingerprint), which checkpoints, crops and distributed runs
    /// compare. Without one a list's fingerprint shows only its length (its items need no
    /// `Debug` or `Serialize`), so lists of one length built differently (shuffled by an
    /// unseeded RNG on each process, say) look alike; see [`Values::hashed`] for a digest of
    /// the items themselves.
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::Values;
    /// let v = Values::new(vec![1, 2]).with_contents("pair, v2");
    /// assert_eq!(v.fingerprint(), "Values(2 items; pair, v2)");
    /// ```
    pub fn with_contents(mut self, description: impl Into<String>) -> Values<T> {
        self.contents = Some(description.into().into());
        self
    }

    /// The same list, its fingerprint holding a SHA-256 digest of its items (their bincode
    /// encoding, computed once, here): a distributed run refuses a worker whose list differs
    /// from the driver's, and a checkpoint of another list is not resumed.
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::Values;
    /// let a = Values::new(vec![3, 1, 2]).hashed()?;
    /// let b = Values::new(vec![1, 2, 3]).hashed()?;
    /// assert_ne!(a.fingerprint(), b.fingerprint());
    /// assert!(a.fingerprint().starts_with("Values(3 items; sha256 "));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn hashed(self) -> Result<Values<T>>
    where
        T: serde::Serialize,
    {
        let mut h = Sha256::new();
        for item in self.items.iter() {
            let bytes = haydi_core::plumbing::encode_value(item)?;
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(&bytes);
        }
        Ok(self.with_contents(format!("sha256 {}", hex::encode(h.finalize()))))
    }

    /// The items as a slice.
    ///
    /// ```
    /// use haydi_domains::Values;
    /// assert_eq!(Values::new(vec![1, 2]).as_slice(), &[1, 2]);
    /// ```
    pub fn as_slice(&self) -> &[T] {
        &self.items
    }
}

impl<T> FromIterator<T> for Values<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Values::new(iter.into_iter().collect())
    }
}

impl<T: Clone + Send + Sync> Domain for Values<T> {
    type Item = T;

    fn size(&self) -> Size {
        Size::Exact(self.items.len() as u128)
    }

    fn item_at(&self, index: u128) -> Option<T> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.items.get(i))
            .cloned()
    }

    fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(T) -> ControlFlow<()>,
    {
        let n = self.items.len();
        let e = end.min(n as u128) as usize;
        let s = start.min(e as u128) as usize;
        self.items[s..e].iter().cloned().try_for_each(f)
    }

    fn generate_one(&self, rng: &mut dyn RngCore) -> Result<T> {
        if self.items.is_empty() {
            return Err(Error::EmptyDomain {
                domain: self.name(),
            });
        }
        Ok(self.items[rng.random_range(0..self.items.len())].clone())
    }

    fn name(&self) -> String {
        "Values".into()
    }

    fn fingerprint(&self) -> String {
        match &self.contents {
            Some(c) => format!("Values({} items; {c})", self.items.len()),
            // Items carry no bound that would show them (no `Debug`, no `Serialize`).
            None => format!("Values({} items; items not described)", self.items.len()),
        }
    }

    fn is_strict(&self) -> bool {
        true
    }
}

impl<T: Clone + Send + Sync + fmt::Debug> fmt::Display for Values<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(self))
    }
}
