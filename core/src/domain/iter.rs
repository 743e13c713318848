//! A serial external iterator over a domain.

use super::Domain;

/// Iterates the items with index in `[next, end)` by unranking each index.
///
/// Pipelines use the faster internal [`Domain::visit_range`]; this iterator is for plain `for`
/// loops and tests.
///
/// ```
/// use haydi_core::Domain;
/// use haydi_domains::Range;
/// let v: Vec<i64> = Range::new(10).iter_range(3, 6).collect();
/// assert_eq!(v, vec![3, 4, 5]);
/// ```
#[derive(Debug, Clone)]
pub struct DomainIter<D> {
    domain: D,
    next: u128,
    end: u128,
}

impl<D: Domain> DomainIter<D> {
    pub(crate) fn new(domain: D, start: u128, end: u128) -> Self {
        let end = end.min(domain.size().bound().unwrap_or(u128::MAX));
        DomainIter {
            domain,
            next: start,
            end,
        }
    }
}

impl<D: Domain> Iterator for DomainIter<D> {
    type Item = D::Item;

    fn next(&mut self) -> Option<D::Item> {
        while self.next < self.end {
            let i = self.next;
            self.next += 1;
            if let Some(x) = self.domain.item_at(i) {
                return Some(x);
            }
        }
        None
    }
}
