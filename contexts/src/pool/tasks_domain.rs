//! The index space of a pool run: task numbers `0..n`.

use haydi_core::domain::Domain;
use haydi_core::Size;
use std::ops::ControlFlow;

/// The task numbers `0..n`, as a domain (each item its own index), so that a pool operation
/// is an ordinary run of the context.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tasks(pub u64);

impl Domain for Tasks {
    type Item = u64;

    fn size(&self) -> Size {
        Size::Exact(self.0 as u128)
    }

    fn item_at(&self, index: u128) -> Option<u64> {
        (index < self.0 as u128).then_some(index as u64)
    }

    fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(u64) -> ControlFlow<()>,
    {
        let end = end.min(self.0 as u128) as u64;
        let start = start.min(end as u128) as u64;
        (start..end).try_for_each(f)
    }

    fn name(&self) -> String {
        "tasks".into()
    }
}
