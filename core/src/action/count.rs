//! `count`: the number of items.

use super::Action;

/// Counts the items.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// assert_eq!(Range::new(10).filter(|x| x % 3 == 0).count().run(false).unwrap(), 4);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Count;

impl<T> Action<T> for Count {
    type Partial = u64;
    type Output = u64;

    fn empty(&self) -> u64 {
        0
    }
    #[inline]
    fn push(&self, acc: &mut u64, _item: T) {
        *acc += 1;
    }
    fn push_unseen(&self, acc: &mut u64, n: u64) -> bool {
        *acc += n;
        true
    }
    fn merge(&self, left: &mut u64, right: u64) {
        *left += right;
    }
    fn finish(&self, acc: u64) -> u64 {
        acc
    }
}
