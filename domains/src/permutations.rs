//! [`Permutations`]: all orderings of a finite domain's items.

use crate::util::factorial;
use haydi_core::domain::describe;
use haydi_core::{Domain, Error, Result, Size};
use rand::RngCore;
use rand::seq::SliceRandom;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

/// All orderings of the items of a finite domain, as vectors, in lexicographic order of their
/// index sequences (unranked through the factorial number system). The size is `n!`.
///
/// The items are materialized when the domain is built (filtered-out items are dropped).
///
/// ```
/// use haydi_core::{Domain, Size};
/// use haydi_domains::{Permutations, Values};
/// let p = Permutations::new(Values::new(vec!['A', 'B', 'C'])).unwrap();
/// assert_eq!(p.size(), Size::Exact(6));
/// assert_eq!(p.item_at(1), Some(vec!['A', 'C', 'B']));
/// assert_eq!(p.item_at(5), Some(vec!['C', 'B', 'A']));
/// ```
#[derive(Clone, Debug)]
#[must_use = "domains are lazy and do nothing unless iterated"]
pub struct Permutations<T> {
    items: Arc<[T]>,
    strict: bool,
}

impl<T: Clone + Send + Sync> Permutations<T> {
    /// The orderings of `domain`'s items. The domain is iterated once here, so it must be
    /// finite; one of unknown size is an [`Error::InvalidDomain`].
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Permutations, Range};
    /// assert_eq!(Permutations::new(Range::new(4)).unwrap().iter().count(), 24);
    /// ```
    pub fn new<D: Domain<Item = T>>(domain: D) -> Result<Self> {
        let bound = domain.size().bound().ok_or_else(|| {
            Error::InvalidDomain(format!(
                "Permutations needs a domain of known size, {} has none",
                domain.name()
            ))
        })?;
        let mut items = Vec::new();
        let _ = domain.visit_range(0, bound, &mut |x| {
            items.push(x);
            ControlFlow::Continue(())
        });
        Ok(Permutations {
            items: items.into(),
            strict: domain.is_strict(),
        })
    }

    fn n(&self) -> usize {
        self.items.len()
    }

    /// The index sequence of the permutation with rank `index` (Lehmer code).
    fn unrank(&self, mut index: u128) -> Option<Vec<usize>> {
        let n = self.n();
        if let Some(total) = factorial(n as u128) {
            if index >= total {
                return None;
            }
        }
        let mut left: Vec<usize> = (0..n).collect();
        let mut out = Vec::with_capacity(n);
        for p in 0..n {
            let d = match factorial((n - 1 - p) as u128) {
                Some(f) => {
                    let d = index / f;
                    index %= f;
                    d as usize
                }
                None => 0,
            };
            out.push(left.remove(d));
        }
        Some(out)
    }

    fn pick(&self, idx: &[usize]) -> Vec<T> {
        idx.iter().map(|&i| self.items[i].clone()).collect()
    }
}

/// Next permutation in lexicographic order; `false` after the last one.
fn next_permutation(v: &mut [usize]) -> bool {
    let n = v.len();
    if n < 2 {
        return false;
    }
    let mut i = n - 1;
    while i > 0 && v[i - 1] >= v[i] {
        i -= 1;
    }
    if i == 0 {
        return false;
    }
    let mut j = n - 1;
    while v[j] <= v[i - 1] {
        j -= 1;
    }
    v.swap(i - 1, j);
    v[i..].reverse();
    true
}

impl<T: Clone + Send + Sync> Domain for Permutations<T> {
    type Item = Vec<T>;

    fn size(&self) -> Size {
        factorial(self.n() as u128).map_or(Size::Unknown, Size::Exact)
    }

    fn item_at(&self, index: u128) -> Option<Vec<T>> {
        self.unrank(index).map(|idx| self.pick(&idx))
    }

    fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(Vec<T>) -> ControlFlow<()>,
    {
        let end = end.min(self.size().bound().unwrap_or(u128::MAX));
        if start >= end {
            return ControlFlow::Continue(());
        }
        let Some(mut idx) = self.unrank(start) else {
            return ControlFlow::Continue(());
        };
        let mut i = start;
        loop {
            f(self.pick(&idx))?;
            i += 1;
            if i >= end || !next_permutation(&mut idx) {
                return ControlFlow::Continue(());
            }
        }
    }

    /// Past index `u128::MAX` too (more than 34 items): stepping needs no index.
    fn visit_from<F>(&self, start: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(Vec<T>) -> ControlFlow<()>,
    {
        let Some(mut idx) = self.unrank(start) else {
            return ControlFlow::Continue(());
        };
        loop {
            f(self.pick(&idx))?;
            if !next_permutation(&mut idx) {
                return ControlFlow::Continue(());
            }
        }
    }

    fn visits_past_u128(&self) -> bool {
        true
    }

    fn generate_one(&self, rng: &mut dyn RngCore) -> Result<Vec<T>> {
        let mut v = self.items.to_vec();
        v.shuffle(rng);
        Ok(v)
    }

    fn name(&self) -> String {
        "Permutations".into()
    }

    fn fingerprint(&self) -> String {
        format!(
            "Permutations({} items; items not described)",
            self.items.len()
        )
    }

    fn is_strict(&self) -> bool {
        self.strict
    }
}

impl<T: Clone + Send + Sync + fmt::Debug> fmt::Display for Permutations<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(self))
    }
}
