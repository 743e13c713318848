//! [`Join`]: the concatenation of domains with one item type.

use haydi_core::domain::{GENERATE_RETRIES, describe};
use haydi_core::{Domain, Error, Result, Size};
use rand::{Rng, RngCore};
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

/// The disjoint union of domains: the items of the first part, then those of the second, and so
/// on (no deduplication). Parts of different types join through
/// [`Domain::boxed`].
///
/// ```
/// use haydi_core::{Domain, Size};
/// use haydi_domains::{Join, Range};
/// let j = Join::new(vec![Range::new(3), Range::new(0), Range::new(0), Range::new(5)]);
/// assert_eq!(j.size(), Size::Exact(8));
/// assert_eq!(j.iter().collect::<Vec<_>>(), vec![0, 1, 2, 0, 1, 2, 3, 4]);
/// let mixed = Join::new(vec![Range::new(2).boxed(), Range::new(2).map(|x| x + 10).boxed()]);
/// assert_eq!(mixed.iter().collect::<Vec<_>>(), vec![0, 1, 10, 11]);
/// ```
#[derive(Clone, Debug)]
#[must_use = "domains are lazy and do nothing unless iterated"]
pub struct Join<D> {
    parts: Arc<[D]>,
    /// `ends[j]`: index just past part `j` (saturating).
    ends: Arc<[u128]>,
    size: Size,
    /// `generate` picks a part with probability proportional to its ratio (else to its size).
    ratios: Option<Arc<[f64]>>,
}

impl<D: Domain> Join<D> {
    /// The concatenation of `parts`, in order.
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Join, Range};
    /// let j = Join::new(vec![Range::span(0, 2, 1).unwrap(), Range::span(10, 12, 1).unwrap()]);
    /// assert_eq!(j.item_at(2), Some(10));
    /// ```
    pub fn new(parts: Vec<D>) -> Self {
        let mut ends = Vec::with_capacity(parts.len());
        let mut acc = 0u128;
        let mut size = Size::Exact(0);
        for p in &parts {
            acc = acc.saturating_add(p.size().bound().unwrap_or(u128::MAX));
            ends.push(acc);
            size = size + p.size();
        }
        Join {
            parts: parts.into(),
            ends: ends.into(),
            size,
            ratios: None,
        }
    }

    /// The concatenation of `parts` (iteration, size and indices as [`Join::new`]), whose
    /// [`generate_one`](Domain::generate_one) picks part `j` with probability
    /// `ratios[j] / sum(ratios)` and then an item of that part (the Python haydi's `ratios`).
    /// A part with ratio 0 is never generated from.
    ///
    /// Fails with [`Error::InvalidDomain`] unless there is one ratio per part, every ratio is
    /// finite and non-negative, and their sum is positive. Generating from a chosen part that
    /// is empty fails with [`Error::EmptyDomain`].
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::{Join, Range};
    /// let parts = vec![Range::new(2), Range::span(2, 4, 1)?, Range::span(4, 6, 1)?];
    /// let j = Join::with_ratios(parts, vec![1.0, 0.0, 1.0])?;
    /// let seen: std::collections::BTreeSet<i64> =
    ///     j.clone().generate(1).take(200).collect().run(false)?.into_iter().collect();
    /// assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![0, 1, 4, 5]);
    /// assert_eq!(j.iter().count(), 6); // iteration is unchanged
    /// assert!(Join::with_ratios(vec![Range::new(2)], vec![-1.0]).is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn with_ratios(parts: Vec<D>, ratios: Vec<f64>) -> Result<Self> {
        if ratios.len() != parts.len() {
            return Err(Error::InvalidDomain(format!(
                "Join::with_ratios: {} ratios for {} parts",
                ratios.len(),
                parts.len()
            )));
        }
        if let Some(r) = ratios.iter().find(|r| !r.is_finite() || **r < 0.0) {
            return Err(Error::InvalidDomain(format!(
                "Join::with_ratios: the ratio {r} is not a finite non-negative number"
            )));
        }
        if ratios.iter().sum::<f64>() <= 0.0 {
            return Err(Error::InvalidDomain(
                "Join::with_ratios: the ratios sum to 0".into(),
            ));
        }
        let mut j = Join::new(parts);
        j.ratios = Some(ratios.into());
        Ok(j)
    }

    /// The ratios given to [`Join::with_ratios`], if any.
    ///
    /// ```
    /// use haydi_domains::{Join, Range};
    /// assert_eq!(Join::new(vec![Range::new(2)]).ratios(), None);
    /// let j = Join::with_ratios(vec![Range::new(2)], vec![3.0]).unwrap();
    /// assert_eq!(j.ratios(), Some(&[3.0][..]));
    /// ```
    pub fn ratios(&self) -> Option<&[f64]> {
        self.ratios.as_deref()
    }

    /// A join of other parts (one per part of this one, say transformed) with the same ratios.
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Join, Range};
    /// let j = Join::with_ratios(vec![Range::new(2), Range::new(3)], vec![1.0, 2.0]).unwrap();
    /// let k = j.with_parts(vec![Range::new(1).boxed(), Range::new(1).boxed()]);
    /// assert_eq!(k.ratios(), Some(&[1.0, 2.0][..]));
    /// ```
    pub fn with_parts<E: Domain>(&self, parts: Vec<E>) -> Join<E> {
        let mut j = Join::new(parts);
        j.ratios = self.ratios.clone();
        j
    }

    /// The parts, in order.
    ///
    /// ```
    /// use haydi_domains::{Join, Range};
    /// let j = Join::new(vec![Range::new(2), Range::new(3)]);
    /// assert_eq!(j.parts().len(), 2);
    /// assert_eq!(j.parts()[1].len(), 3);
    /// ```
    pub fn parts(&self) -> &[D] {
        &self.parts
    }

    fn part_start(&self, j: usize) -> u128 {
        if j == 0 { 0 } else { self.ends[j - 1] }
    }

    /// The part holding `index` and the index within that part.
    fn locate(&self, index: u128) -> Option<(usize, u128)> {
        let j = self.ends.partition_point(|&e| e <= index);
        (j < self.parts.len()).then(|| (j, index - self.part_start(j)))
    }
}

impl<D: Domain> Domain for Join<D> {
    type Item = D::Item;

    fn size(&self) -> Size {
        self.size
    }

    fn item_at(&self, index: u128) -> Option<D::Item> {
        let (j, local) = self.locate(index)?;
        self.parts[j].item_at(local)
    }

    fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(D::Item) -> ControlFlow<()>,
    {
        let Some((mut j, _)) = self.locate(start) else {
            return ControlFlow::Continue(());
        };
        while j < self.parts.len() {
            let ps = self.part_start(j);
            if ps >= end {
                break;
            }
            let lo = start.max(ps) - ps;
            let hi = end.min(self.ends[j]) - ps;
            if lo < hi {
                self.parts[j].visit_range(lo, hi, f)?;
            }
            j += 1;
        }
        ControlFlow::Continue(())
    }

    /// Past index `u128::MAX` too: the part holding `start` from there, then every later part
    /// whole, each by its own `visit_from`.
    fn visit_from<F>(&self, start: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(D::Item) -> ControlFlow<()>,
    {
        if self.size != Size::Unknown {
            return self.visit_range(start, u128::MAX, f);
        }
        // The part ends saturate at u128::MAX: the first part whose end does holds every
        // index from its start on, so `locate` finds the part of any u128 index.
        let Some((j, local)) = self.locate(start) else {
            return ControlFlow::Continue(());
        };
        self.parts[j].visit_from(local, f)?;
        for part in &self.parts[j + 1..] {
            part.visit_from(0, f)?;
        }
        ControlFlow::Continue(())
    }

    fn visits_past_u128(&self) -> bool {
        self.size != Size::Unknown || self.parts.iter().all(Domain::visits_past_u128)
    }

    /// A uniform item: a part is chosen with probability proportional to its size. When the
    /// total size overflows `u128` the weights cannot be computed, so only a join with at most
    /// one part that can hold items generates (from that part); any other fails with
    /// [`Error::SizeOverflow`].
    fn generate_one(&self, rng: &mut dyn RngCore) -> Result<D::Item> {
        if let Some(ratios) = &self.ratios {
            let sum: f64 = ratios.iter().sum();
            let mut x = rng.random_range(0.0..sum);
            let mut pick = ratios.iter().rposition(|r| *r > 0.0).unwrap_or(0);
            for (j, r) in ratios.iter().enumerate() {
                if x < *r {
                    pick = j;
                    break;
                }
                x -= r;
            }
            return self.parts[pick].generate_one(rng);
        }
        let Some(total) = self.size.bound() else {
            let mut live = self.parts.iter().filter(|p| p.size().bound() != Some(0));
            return match (live.next(), live.next()) {
                (Some(p), None) => p.generate_one(rng),
                _ => Err(Error::SizeOverflow {
                    domain: format!(
                        "{} (generate weights its parts by their sizes, which overflow)",
                        self.name()
                    ),
                }),
            };
        };
        if total == 0 {
            return Err(Error::EmptyDomain {
                domain: self.name(),
            });
        }
        for _ in 0..GENERATE_RETRIES {
            let (j, local) = self
                .locate(rng.random_range(0..total))
                .expect("index below the total size");
            let part = &self.parts[j];
            if part.size().is_exact() {
                // Every index of an exact part holds an item: pick the part by its weight and
                // let it generate (uniformly) by itself.
                return part.generate_one(rng);
            }
            if let Some(x) = part.item_at(local) {
                return Ok(x);
            }
        }
        Err(Error::GenerateRejected {
            domain: self.name(),
            tries: GENERATE_RETRIES,
        })
    }

    fn name(&self) -> String {
        "Join".into()
    }

    fn fingerprint(&self) -> String {
        let parts: Vec<String> = self.parts.iter().map(Domain::fingerprint).collect();
        match &self.ratios {
            // Ratios weigh `generate` only; a generated stream's items depend on them.
            Some(r) => format!("Join({}; ratios {r:?})", parts.join(", ")),
            None => format!("Join({})", parts.join(", ")),
        }
    }

    fn is_strict(&self) -> bool {
        self.parts.iter().all(Domain::is_strict)
    }
}

impl<D: Domain> fmt::Display for Join<D>
where
    D::Item: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(self))
    }
}
