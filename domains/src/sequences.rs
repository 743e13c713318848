//! [`Sequences`]: vectors of items of one domain, of one or several lengths.

use crate::join::Join;
use crate::repeat::ProductRepeat;
use haydi_core::domain::{GENERATE_RETRIES, describe};
use haydi_core::{Domain, Error, Result, Size};
use rand::{Rng, RngCore};
use std::fmt;
use std::ops::ControlFlow;

/// All vectors of items of a domain whose length lies in `min..=max`: shorter lengths first,
/// each length in product order (last position fastest).
///
/// ```
/// use haydi_core::{Domain, Size};
/// use haydi_domains::{Range, Sequences};
/// let s = Sequences::with_lengths(Range::new(3), 0, 2).unwrap();
/// assert_eq!(s.size(), Size::Exact(13));
/// let v: Vec<Vec<i64>> = s.iter().take(5).collect();
/// assert_eq!(v, vec![vec![], vec![0], vec![1], vec![2], vec![0, 0]]);
/// ```
#[derive(Clone, Debug)]
#[must_use = "domains are lazy and do nothing unless iterated"]
pub struct Sequences<D> {
    inner: Join<ProductRepeat<D>>,
    min: usize,
    max: usize,
}

impl<D: Domain> Sequences<D> {
    /// All vectors of exactly `len` items of `domain`.
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Range, Sequences};
    /// assert_eq!(Sequences::new(Range::new(3), 0).iter().collect::<Vec<_>>(), vec![Vec::<i64>::new()]);
    /// assert_eq!(Sequences::new(Range::new(3), 2).iter().count(), 9);
    /// ```
    pub fn new(domain: D, len: usize) -> Self {
        Sequences {
            inner: Join::new(vec![ProductRepeat::new(domain, len)]),
            min: len,
            max: len,
        }
    }

    /// All vectors of `min..=max` items of `domain`; `min > max` is an
    /// [`Error::InvalidDomain`].
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Boolean, Sequences};
    /// assert_eq!(Sequences::with_lengths(Boolean, 1, 2).unwrap().iter().count(), 6);
    /// assert!(Sequences::with_lengths(Boolean, 2, 1).is_err());
    /// ```
    pub fn with_lengths(domain: D, min: usize, max: usize) -> Result<Self> {
        if min > max {
            return Err(Error::InvalidDomain(format!(
                "Sequences: min length {min} > max length {max}"
            )));
        }
        let parts = (min..=max)
            .map(|len| ProductRepeat::new(domain.clone(), len))
            .collect();
        Ok(Sequences {
            inner: Join::new(parts),
            min,
            max,
        })
    }

    /// The shortest and the longest length.
    ///
    /// ```
    /// use haydi_domains::{Range, Sequences};
    /// assert_eq!(Sequences::with_lengths(Range::new(2), 1, 3).unwrap().lengths(), (1, 3));
    /// assert_eq!(Sequences::new(Range::new(2), 4).lengths(), (4, 4));
    /// ```
    pub fn lengths(&self) -> (usize, usize) {
        (self.min, self.max)
    }

    /// The domain every position ranges over.
    ///
    /// ```
    /// use haydi_domains::{Range, Sequences};
    /// assert_eq!(Sequences::new(Range::new(3), 2).domain().len(), 3);
    /// ```
    pub fn domain(&self) -> &D {
        // `min <= max`, so there is at least one part.
        self.inner.parts()[0].domain()
    }

    /// A uniform random sequence when the total size overflows `u128`, so the lengths cannot be
    /// weighted by their counts directly. With `n` indices per position, each try draws a length
    /// `L` uniformly, keeps it with probability `n^-(max-L)` (`max - L` random indices that must
    /// all be 0) and draws `L` uniform indices, retried when one is filtered out: every sequence
    /// is kept with the same probability `n^-max / (max - min + 1)`, so the result is uniform.
    /// At most [`GENERATE_RETRIES`] tries, then [`Error::GenerateRejected`].
    fn generate_weighted(&self, rng: &mut dyn RngCore) -> Result<Vec<D::Item>> {
        let d = self.domain();
        let Some(n) = d.size().bound() else {
            return Err(Error::SizeOverflow {
                domain: format!("{} (its item domain {})", self.name(), d.name()),
            });
        };
        if n == 0 {
            // Only the empty sequence, if `min == 0`; the size would not overflow then.
            return Err(Error::EmptyDomain {
                domain: self.name(),
            });
        }
        'tries: for _ in 0..GENERATE_RETRIES {
            let len = rng.random_range(self.min..=self.max);
            for _ in len..self.max {
                if rng.random_range(0..n) != 0 {
                    continue 'tries;
                }
            }
            let mut v = Vec::with_capacity(len);
            for _ in 0..len {
                match d.item_at(rng.random_range(0..n)) {
                    Some(x) => v.push(x),
                    None => continue 'tries,
                }
            }
            return Ok(v);
        }
        Err(Error::GenerateRejected {
            domain: self.name(),
            tries: GENERATE_RETRIES,
        })
    }
}

impl<D: Domain> Domain for Sequences<D> {
    type Item = Vec<D::Item>;

    fn size(&self) -> Size {
        self.inner.size()
    }

    fn item_at(&self, index: u128) -> Option<Vec<D::Item>> {
        self.inner.item_at(index)
    }

    fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(Vec<D::Item>) -> ControlFlow<()>,
    {
        self.inner.visit_range(start, end, f)
    }

    fn visit_from<F>(&self, start: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(Vec<D::Item>) -> ControlFlow<()>,
    {
        self.inner.visit_from(start, f)
    }

    fn visits_past_u128(&self) -> bool {
        self.inner.visits_past_u128()
    }

    fn generate_one(&self, rng: &mut dyn RngCore) -> Result<Vec<D::Item>> {
        if self.inner.size() == Size::Unknown && self.min < self.max {
            return self.generate_weighted(rng);
        }
        self.inner.generate_one(rng).map_err(|e| match e {
            Error::EmptyDomain { .. } => Error::EmptyDomain {
                domain: self.name(),
            },
            e => e,
        })
    }

    fn name(&self) -> String {
        "Sequences".into()
    }

    fn fingerprint(&self) -> String {
        format!(
            "Sequences({}, lengths {}..={})",
            self.domain().fingerprint(),
            self.min,
            self.max
        )
    }

    fn is_strict(&self) -> bool {
        self.inner.is_strict()
    }
}

impl<D: Domain> fmt::Display for Sequences<D>
where
    D::Item: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(self))
    }
}
