//! [`Subsets`]: subsets of a domain's items, optionally restricted by size.

use haydi_core::domain::describe;
use haydi_core::{Domain, Error, Result, Set, Size};
use std::fmt;
use std::ops::ControlFlow;

use crate::util::binomial;

/// The subsets of the items of a domain whose size lies in `min..=max`, as [`Set`]s whose
/// elements follow the inner domain's index order.
///
/// Order: depth-first, lexicographic by index: for three items, `{} {0} {0,1} {0,1,2} {0,2} {1}
/// {1,2} {2}`. A size range beyond the number of items gives the empty domain. A subset that
/// contains a filtered-out item yields nothing. The inner domain needs a known size.
///
/// ```
/// use haydi_core::{Domain, Set, Size};
/// use haydi_domains::{Range, Subsets};
/// let s = Subsets::new(Range::new(3)).unwrap();
/// let v: Vec<Vec<i64>> = s.iter().map(Set::into_vec).collect();
/// assert_eq!(v, vec![vec![], vec![0], vec![0, 1], vec![0, 1, 2], vec![0, 2], vec![1], vec![1, 2], vec![2]]);
/// assert_eq!(Subsets::new(Range::new(10)).unwrap().size(), Size::Exact(1024));
/// ```
#[derive(Clone, Debug)]
#[must_use = "domains are lazy and do nothing unless iterated"]
pub struct Subsets<D> {
    inner: D,
    n: u128,
    min: u128,
    max: u128,
    count: Option<u128>,
}

impl<D: Domain> Subsets<D> {
    /// All subsets of `domain`'s items.
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Boolean, Subsets};
    /// assert_eq!(Subsets::new(Boolean).unwrap().iter().count(), 4);
    /// ```
    pub fn new(domain: D) -> Result<Self> {
        Self::with_sizes(domain, 0, usize::MAX)
    }

    /// The subsets with exactly `k` items; `k` above the number of items gives the empty domain.
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Range, Subsets};
    /// assert_eq!(Subsets::with_size(Range::new(5), 2).unwrap().iter().count(), 10);
    /// assert_eq!(Subsets::with_size(Range::new(3), 10).unwrap().iter().count(), 0);
    /// ```
    pub fn with_size(domain: D, k: usize) -> Result<Self> {
        Self::with_sizes(domain, k, k)
    }

    /// The subsets with `min..=max` items. `min > max`, or an inner domain of unknown size, is an
    /// [`Error::InvalidDomain`].
    ///
    /// ```
    /// use haydi_core::{Domain, Size};
    /// use haydi_domains::{Product, Range, Subsets};
    /// let s = Subsets::with_sizes(Product::new((Range::new(3), Range::new(3))), 1, 3).unwrap();
    /// assert_eq!(s.size(), Size::Exact(129));
    /// assert!(Subsets::with_sizes(Range::new(3), 2, 1).is_err());
    /// ```
    pub fn with_sizes(domain: D, min: usize, max: usize) -> Result<Self> {
        if min > max {
            return Err(Error::InvalidDomain(format!(
                "Subsets: min size {min} > max size {max}"
            )));
        }
        let n = domain.size().bound().ok_or_else(|| {
            Error::InvalidDomain(format!(
                "Subsets needs a domain of known size, {} has none",
                domain.name()
            ))
        })?;
        let mut s = Subsets {
            inner: domain,
            n,
            min: min as u128,
            max: max as u128,
            count: None,
        };
        s.count = s.subtree(0, n);
        Ok(s)
    }

    /// The domain whose items the subsets are made of.
    ///
    /// ```
    /// use haydi_domains::{Range, Subsets};
    /// let s = Subsets::with_sizes(Range::new(4), 1, 2).unwrap();
    /// assert_eq!(s.domain().len(), 4);
    /// assert_eq!(s.sizes(), (1, 2));
    /// ```
    pub fn domain(&self) -> &D {
        &self.inner
    }

    /// The smallest and the largest allowed subset size, as given (`usize::MAX` for
    /// [`Subsets::new`]).
    ///
    /// ```
    /// use haydi_domains::{Range, Subsets};
    /// assert_eq!(Subsets::with_size(Range::new(5), 2).unwrap().sizes(), (2, 2));
    /// assert_eq!(Subsets::new(Range::new(5)).unwrap().sizes(), (0, usize::MAX));
    /// ```
    pub fn sizes(&self) -> (usize, usize) {
        (self.min as usize, self.max as usize)
    }

    fn allowed(&self, m: u128) -> bool {
        self.min <= m && m <= self.max
    }

    /// Whether the subtree of a node of size `m` with `r` candidates left has an allowed node.
    fn has_allowed(&self, m: u128, r: u128) -> bool {
        m <= self.max && m.saturating_add(r) >= self.min
    }

    /// Number of allowed nodes in the subtree (root included) of a node of size `m` with `r`
    /// candidates left: the sum of `C(r, t)` over `min <= m + t <= max`. `None` on overflow.
    fn subtree(&self, m: u128, r: u128) -> Option<u128> {
        if m > self.max {
            return Some(0);
        }
        let tlo = self.min.saturating_sub(m);
        let thi = r.min(self.max - m);
        if tlo > thi {
            return Some(0);
        }
        if tlo == 0 && thi == r {
            return (r < 128).then(|| 1u128 << r);
        }
        (tlo..=thi).try_fold(0u128, |acc, t| acc.checked_add(binomial(r, t)?))
    }

    /// The index stack of the subset with rank `index`.
    fn unrank(&self, mut index: u128) -> Option<Vec<u128>> {
        if index >= self.count.unwrap_or(u128::MAX) {
            return None;
        }
        let n = self.n;
        let mut stack = Vec::new();
        if self.allowed(0) {
            if index == 0 {
                return Some(stack);
            }
            index -= 1;
        }
        let mut next = 0u128;
        loop {
            let m = stack.len() as u128;
            let mut c = next;
            loop {
                if c >= n {
                    return None;
                }
                let cnt = self.subtree(m + 1, n - 1 - c).unwrap_or(u128::MAX);
                if index < cnt {
                    break;
                }
                index -= cnt;
                c += 1;
            }
            stack.push(c);
            next = c + 1;
            if self.allowed(m + 1) {
                if index == 0 {
                    return Some(stack);
                }
                index -= 1;
            }
        }
    }

    /// Moves to the next allowed subset in preorder; `false` at the end.
    fn advance(&self, stack: &mut Vec<u128>, items: &mut Vec<Option<D::Item>>) -> bool {
        let n = self.n;
        loop {
            let m = stack.len() as u128;
            let next = stack.last().map_or(0, |l| l + 1);
            let c = if next < n && self.has_allowed(m + 1, n - 1 - next) {
                next
            } else {
                // Go to the next sibling, climbing while there is none.
                loop {
                    let Some(l) = stack.pop() else {
                        return false;
                    };
                    items.pop();
                    let m = stack.len() as u128;
                    let c = l + 1;
                    if c < n && self.has_allowed(m + 1, n - 1 - c) {
                        break c;
                    }
                }
            };
            stack.push(c);
            items.push(self.inner.item_at(c));
            if self.allowed(stack.len() as u128) {
                return true;
            }
        }
    }
}

fn to_set<T: Clone>(items: &[Option<T>]) -> Option<Set<T>> {
    items
        .iter()
        .cloned()
        .collect::<Option<Vec<T>>>()
        .map(Set::from_sorted_vec)
}

impl<D: Domain> Domain for Subsets<D> {
    type Item = Set<D::Item>;

    fn size(&self) -> Size {
        match self.count {
            Some(c) if self.inner.size().is_exact() => Size::Exact(c),
            Some(c) => Size::AtMost(c),
            None => Size::Unknown,
        }
    }

    fn item_at(&self, index: u128) -> Option<Set<D::Item>> {
        self.unrank(index)?
            .into_iter()
            .map(|i| self.inner.item_at(i))
            .collect::<Option<Vec<_>>>()
            .map(Set::from_sorted_vec)
    }

    fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(Set<D::Item>) -> ControlFlow<()>,
    {
        let end = end.min(self.count.unwrap_or(u128::MAX));
        if start >= end {
            return ControlFlow::Continue(());
        }
        let Some(mut stack) = self.unrank(start) else {
            return ControlFlow::Continue(());
        };
        let mut items: Vec<Option<D::Item>> =
            stack.iter().map(|&i| self.inner.item_at(i)).collect();
        let mut i = start;
        loop {
            if let Some(s) = to_set(&items) {
                f(s)?;
            }
            i += 1;
            if i >= end || !self.advance(&mut stack, &mut items) {
                return ControlFlow::Continue(());
            }
        }
    }

    /// Past index `u128::MAX` too (more than 127 items): stepping needs no index.
    fn visit_from<F>(&self, start: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(Set<D::Item>) -> ControlFlow<()>,
    {
        let Some(mut stack) = self.unrank(start) else {
            return ControlFlow::Continue(());
        };
        let mut items: Vec<Option<D::Item>> =
            stack.iter().map(|&i| self.inner.item_at(i)).collect();
        loop {
            if let Some(s) = to_set(&items) {
                f(s)?;
            }
            if !self.advance(&mut stack, &mut items) {
                return ControlFlow::Continue(());
            }
        }
    }

    fn visits_past_u128(&self) -> bool {
        true
    }

    fn name(&self) -> String {
        "Subsets".into()
    }

    fn fingerprint(&self) -> String {
        format!(
            "Subsets({}, sizes {}..={})",
            self.inner.fingerprint(),
            self.min,
            self.max
        )
    }

    fn is_strict(&self) -> bool {
        self.inner.is_strict()
    }
}

impl<D: Domain> fmt::Display for Subsets<D>
where
    D::Item: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(self))
    }
}
