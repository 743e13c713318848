//! `any` / `all`: whether an item reached the action (behind a `take(1)`).

use super::Action;

/// Whether any item reaches the action; with `negate`, whether none does.
///
/// [`crate::IntoPipeline::any`] puts it behind `filter(pred).take(1)` and
/// [`crate::IntoPipeline::all`] behind a filter that keeps counterexamples and a `take(1)`, so
/// both stop handing out work as soon as the answer is known, like `take`.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// assert!(Range::new(1000).any(|x| x * x == 144).run(true).unwrap());
/// assert!(!Range::new(1000).all(|x| x < 999).run(true).unwrap());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Found {
    negate: bool,
}

impl Found {
    pub(crate) fn new(negate: bool) -> Self {
        Found { negate }
    }
}

impl<T> Action<T> for Found {
    type Partial = bool;
    type Output = bool;

    fn empty(&self) -> bool {
        false
    }
    #[inline]
    fn push(&self, acc: &mut bool, _item: T) {
        *acc = true;
    }
    fn merge(&self, left: &mut bool, right: bool) {
        *left |= right;
    }
    fn finish(&self, acc: bool) -> bool {
        acc != self.negate
    }
}
