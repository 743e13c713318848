//! `Indices`: the numbers `0..n` as a domain whose items are their own indices.

use super::Domain;
use crate::size::Size;
use std::ops::ControlFlow;

/// The numbers `0..n` (as `u64`), each item its own index: the index space of runs that number
/// their work, such as a worker pool's tasks. (`haydi_domains::Range` is the general range.)
///
/// ```
/// use haydi_core::domain::Indices;
/// use haydi_core::prelude::*;
/// assert_eq!(Indices(4).size(), Size::Exact(4));
/// assert_eq!(Indices(4).item_at(3), Some(3));
/// assert_eq!(Indices(5).iterate().sum().run(false)?, 10);
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Indices(pub u64);

impl Domain for Indices {
    type Item = u64;

    fn size(&self) -> Size {
        Size::Exact(self.0 as u128)
    }

    fn item_at(&self, index: u128) -> Option<u64> {
        (index < self.0 as u128).then_some(index as u64)
    }

    #[inline]
    fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(u64) -> ControlFlow<()>,
    {
        let end = end.min(self.0 as u128) as u64;
        let start = start.min(end as u128) as u64;
        (start..end).try_for_each(f)
    }

    fn name(&self) -> String {
        "Indices".into()
    }

    fn fingerprint(&self) -> String {
        format!("Indices({})", self.0)
    }

    fn is_strict(&self) -> bool {
        true
    }
}
