//! [`ProductUnordered`]: `k`-combinations of a domain's items.

use crate::util::binomial;
use haydi_core::domain::describe;
use haydi_core::{Domain, Error, Result, Size};
use std::fmt;
use std::ops::ControlFlow;

/// The `k`-element combinations (no repetition) of the items of a domain, built by
/// [`Product::unordered`](crate::Product::unordered).
///
/// Each item is a vector of `k` items in increasing index order; the combinations come in
/// lexicographic order of their index tuples (`(0,1), (0,2), (0,3), (1,2), (1,3), (2,3)` for
/// `n = 4, k = 2`). The size is `C(n, k)`; `k > n` gives the empty domain. A combination that
/// contains a filtered-out item yields nothing. When `C(n, k)` overflows `u128` the size is
/// [`Size::Unknown`] and the domain cannot be indexed (it yields nothing).
///
/// ```
/// use haydi_core::{Domain, Size};
/// use haydi_domains::{Product, Range};
/// let p = Product::unordered(Range::new(4), 2).unwrap();
/// assert_eq!(p.size(), Size::Exact(6));
/// assert_eq!(p.iter().collect::<Vec<_>>(),
///            vec![vec![0, 1], vec![0, 2], vec![0, 3], vec![1, 2], vec![1, 3], vec![2, 3]]);
/// ```
#[derive(Clone, Debug)]
#[must_use = "domains are lazy and do nothing unless iterated"]
pub struct ProductUnordered<D> {
    inner: D,
    n: u128,
    k: usize,
    count: Option<u128>,
}

impl<D: Domain> ProductUnordered<D> {
    /// The `k`-combinations of `inner`'s items. The inner domain needs a known size
    /// ([`Error::InvalidDomain`] otherwise).
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{ProductUnordered, Range};
    /// assert_eq!(ProductUnordered::new(Range::new(5), 3).unwrap().iter().count(), 10);
    /// assert_eq!(ProductUnordered::new(Range::new(2), 3).unwrap().iter().count(), 0);
    /// ```
    pub fn new(inner: D, k: usize) -> Result<Self> {
        let n = inner.size().bound().ok_or_else(|| {
            Error::InvalidDomain(format!(
                "unordered product needs a domain of known size, {} has none",
                inner.name()
            ))
        })?;
        let count = binomial(n, k as u128);
        Ok(ProductUnordered { inner, n, k, count })
    }

    /// The index tuple of the combination with rank `index`.
    fn unrank(&self, mut index: u128) -> Option<Vec<u128>> {
        let count = self.count?;
        if index >= count {
            return None;
        }
        let n = self.n;
        let k = self.k as u128;
        let mut out = Vec::with_capacity(self.k);
        let mut lo = 0u128;
        for p in 0..k {
            let r = k - p;
            // All binomials here are at most C(n, k), so they fit.
            let total = binomial(n - lo, r)?;
            let target = total - index;
            // Largest c in [lo, n - r] with C(n - c, r) >= target (monotone decreasing in c).
            let (mut a, mut b) = (lo, n - r);
            while a < b {
                let mid = a + (b - a).div_ceil(2);
                if binomial(n - mid, r)? >= target {
                    a = mid;
                } else {
                    b = mid - 1;
                }
            }
            index -= total - binomial(n - a, r)?;
            out.push(a);
            lo = a + 1;
        }
        Some(out)
    }
}

impl<D: Domain> Domain for ProductUnordered<D> {
    type Item = Vec<D::Item>;

    fn size(&self) -> Size {
        match self.count {
            Some(c) if self.inner.size().is_exact() => Size::Exact(c),
            Some(c) => Size::AtMost(c),
            None => Size::Unknown,
        }
    }

    fn item_at(&self, index: u128) -> Option<Vec<D::Item>> {
        self.unrank(index)?
            .into_iter()
            .map(|i| self.inner.item_at(i))
            .collect()
    }

    fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(Vec<D::Item>) -> ControlFlow<()>,
    {
        let Some(count) = self.count else {
            return ControlFlow::Continue(());
        };
        let end = end.min(count);
        if start >= end {
            return ControlFlow::Continue(());
        }
        let Some(mut idx) = self.unrank(start) else {
            return ControlFlow::Continue(());
        };
        let k = self.k;
        let n = self.n;
        let mut items: Vec<Option<D::Item>> = idx.iter().map(|&i| self.inner.item_at(i)).collect();
        let mut i = start;
        loop {
            if items.iter().all(Option::is_some) {
                f(items.iter().map(|x| x.clone().unwrap()).collect())?;
            }
            i += 1;
            if i >= end {
                return ControlFlow::Continue(());
            }
            // Next combination: rightmost position that can still grow.
            let Some(p) = (0..k).rev().find(|&p| idx[p] < n - (k - p) as u128) else {
                return ControlFlow::Continue(());
            };
            idx[p] += 1;
            items[p] = self.inner.item_at(idx[p]);
            for q in p + 1..k {
                idx[q] = idx[q - 1] + 1;
                items[q] = self.inner.item_at(idx[q]);
            }
        }
    }

    fn name(&self) -> String {
        "Product(unordered)".into()
    }

    fn fingerprint(&self) -> String {
        format!("Unordered({}, {})", self.inner.fingerprint(), self.k)
    }

    fn is_strict(&self) -> bool {
        self.inner.is_strict()
    }
}

impl<D: Domain> fmt::Display for ProductUnordered<D>
where
    D::Item: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(self))
    }
}
