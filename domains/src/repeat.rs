//! [`ProductRepeat`]: `domain^k` as vectors.

use crate::util::checked_pow;
use haydi_core::domain::describe;
use haydi_core::{Domain, Error, Result, Size};
use rand::RngCore;
use std::fmt;
use std::ops::ControlFlow;

/// All vectors of length `k` whose items come from one domain, in product order (the last
/// position changes fastest). Built by [`Product::repeat`](crate::Product::repeat).
///
/// An index whose vector contains a filtered-out item yields nothing.
///
/// ```
/// use haydi_core::{Domain, Size};
/// use haydi_domains::{Product, Range};
/// let p = Product::repeat(Range::new(3), 2);
/// assert_eq!(p.size(), Size::Exact(9));
/// assert_eq!(p.item_at(5), Some(vec![1, 2]));
/// assert_eq!(Product::repeat(Range::new(3), 0).iter().collect::<Vec<_>>(), vec![Vec::<i64>::new()]);
/// ```
#[derive(Clone, Debug)]
#[must_use = "domains are lazy and do nothing unless iterated"]
pub struct ProductRepeat<D> {
    inner: D,
    k: usize,
}

impl<D: Domain> ProductRepeat<D> {
    /// `domain^k`; `k = 0` gives the domain holding one empty vector.
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{ProductRepeat, Boolean};
    /// assert_eq!(ProductRepeat::new(Boolean, 3).iter().count(), 8);
    /// ```
    pub fn new(inner: D, k: usize) -> Self {
        ProductRepeat { inner, k }
    }

    /// The domain every position ranges over.
    ///
    /// ```
    /// use haydi_domains::{ProductRepeat, Range};
    /// let p = ProductRepeat::new(Range::new(4), 3);
    /// assert_eq!(p.domain().len(), 4);
    /// ```
    pub fn domain(&self) -> &D {
        &self.inner
    }

    /// The length of every item.
    ///
    /// ```
    /// use haydi_domains::{ProductRepeat, Range};
    /// assert_eq!(ProductRepeat::new(Range::new(4), 3).len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.k
    }

    /// Whether the items are empty vectors (`k = 0`).
    ///
    /// ```
    /// use haydi_domains::{ProductRepeat, Range};
    /// assert!(ProductRepeat::new(Range::new(4), 0).is_empty());
    /// assert!(!ProductRepeat::new(Range::new(4), 2).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.k == 0
    }

    /// Size of the block of indices below position `depth` (`n^(k-1-depth)`), `None` if it
    /// overflows.
    fn block(&self, depth: usize) -> Option<u128> {
        checked_pow(self.inner.size().bound(), self.k - 1 - depth)
    }

    fn rec<F>(
        &self,
        depth: usize,
        prefix: &mut Vec<D::Item>,
        start: u128,
        end: u128,
        f: &mut F,
    ) -> ControlFlow<()>
    where
        F: FnMut(Vec<D::Item>) -> ControlFlow<()>,
    {
        if depth + 1 == self.k {
            let k = self.k;
            let prefix: &Vec<D::Item> = prefix;
            return self.inner.visit_range(start, end, &mut |x| {
                let mut v = Vec::with_capacity(k);
                v.extend_from_slice(prefix);
                v.push(x);
                f(v)
            });
        }
        let b = match self.block(depth) {
            Some(0) => return ControlFlow::Continue(()),
            Some(b) => b,
            None => {
                // The block below is larger than any index: only digit 0 is reachable.
                if let Some(x) = self.inner.item_at(0) {
                    prefix.push(x);
                    let r = self.rec(depth + 1, prefix, start, end, f);
                    prefix.pop();
                    return r;
                }
                return ControlFlow::Continue(());
            }
        };
        let first = start / b;
        let mut last = (end - 1) / b;
        if let Some(n) = self.inner.size().bound() {
            if n == 0 {
                return ControlFlow::Continue(());
            }
            last = last.min(n - 1);
        }
        let mut d = first;
        while d <= last {
            let base = d * b;
            let lo = start.max(base) - base;
            let hi = end.min(base.saturating_add(b)) - base;
            if let Some(x) = self.inner.item_at(d) {
                prefix.push(x);
                let r = self.rec(depth + 1, prefix, lo, hi, f);
                prefix.pop();
                r?;
            }
            d += 1;
        }
        ControlFlow::Continue(())
    }

    /// Visits the vectors that extend `prefix` (of length `depth`) from the one whose later
    /// positions have the indices `digits[depth..]` on, in order, however many there are: the
    /// positions whose count overflows `u128` by nested loops, the rest by
    /// [`ProductRepeat::rec`].
    fn rec_from<F>(
        &self,
        depth: usize,
        prefix: &mut Vec<D::Item>,
        digits: &[u128],
        f: &mut F,
    ) -> ControlFlow<()>
    where
        F: FnMut(Vec<D::Item>) -> ControlFlow<()>,
    {
        if depth == self.k {
            return f(prefix.clone());
        }
        let Some(n) = self.inner.size().bound() else {
            return ControlFlow::Continue(());
        };
        if let Some(total) = checked_pow(Some(n), self.k - depth) {
            // The rest fits: the index of `digits[depth..]` within it fits too.
            let offset = digits[depth..].iter().fold(0u128, |acc, &d| acc * n + d);
            if offset >= total {
                return ControlFlow::Continue(());
            }
            return self.rec(depth, prefix, offset, total, f);
        }
        let first = digits[depth];
        if let Some(x) = self.inner.item_at(first) {
            prefix.push(x);
            let r = self.rec_from(depth + 1, prefix, digits, f);
            prefix.pop();
            r?;
        }
        let zeros = vec![0u128; self.k];
        for d in first + 1..n {
            if let Some(x) = self.inner.item_at(d) {
                prefix.push(x);
                let r = self.rec_from(depth + 1, prefix, &zeros, f);
                prefix.pop();
                r?;
            }
        }
        ControlFlow::Continue(())
    }
}

impl<D: Domain> Domain for ProductRepeat<D> {
    type Item = Vec<D::Item>;

    fn size(&self) -> Size {
        self.inner.size().pow(self.k as u32)
    }

    fn item_at(&self, index: u128) -> Option<Vec<D::Item>> {
        if self.k == 0 {
            return (index == 0).then(Vec::new);
        }
        // Digits in base n, last position fastest: O(k).
        let mut digits = vec![0u128; self.k];
        match self.inner.size().bound() {
            Some(0) => return None,
            Some(n) => {
                let mut rest = index;
                for d in digits.iter_mut().rev() {
                    *d = rest % n;
                    rest /= n;
                }
                if rest != 0 {
                    return None;
                }
            }
            None => digits[self.k - 1] = index,
        }
        digits.into_iter().map(|d| self.inner.item_at(d)).collect()
    }

    fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(Vec<D::Item>) -> ControlFlow<()>,
    {
        let end = end.min(self.size().bound().unwrap_or(u128::MAX));
        if start >= end {
            return ControlFlow::Continue(());
        }
        if self.k == 0 {
            return f(Vec::new());
        }
        self.rec(0, &mut Vec::with_capacity(self.k), start, end, f)
    }

    /// Past index `u128::MAX` too, by nested loops over the positions whose count overflows.
    fn visit_from<F>(&self, start: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(Vec<D::Item>) -> ControlFlow<()>,
    {
        if self.size() != Size::Unknown {
            return self.visit_range(start, u128::MAX, f);
        }
        let Some(n) = self.inner.size().bound() else {
            return ControlFlow::Continue(());
        };
        // The digits of `start` in base n, last position fastest; the size overflows, so n >= 2
        // and `start` has at most k digits.
        let mut digits = vec![0u128; self.k];
        let mut rest = start;
        for d in digits.iter_mut().rev() {
            *d = rest % n;
            rest /= n;
        }
        self.rec_from(0, &mut Vec::with_capacity(self.k), &digits, f)
    }

    /// Whether the item domain's size fits: an item domain that overflows itself cannot be
    /// walked position by position.
    fn visits_past_u128(&self) -> bool {
        self.size() != Size::Unknown || self.inner.size().bound().is_some()
    }

    fn generate_one(&self, rng: &mut dyn RngCore) -> Result<Vec<D::Item>> {
        if self.size().bound() == Some(0) {
            return Err(Error::EmptyDomain {
                domain: self.name(),
            });
        }
        (0..self.k).map(|_| self.inner.generate_one(rng)).collect()
    }

    fn name(&self) -> String {
        "Product(repeat)".into()
    }

    fn fingerprint(&self) -> String {
        format!("Repeat({}, {})", self.inner.fingerprint(), self.k)
    }

    fn is_strict(&self) -> bool {
        self.inner.is_strict()
    }
}

impl<D: Domain> fmt::Display for ProductRepeat<D>
where
    D::Item: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(self))
    }
}
