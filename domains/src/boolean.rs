//! [`Boolean`]: `false` and `true`.

use haydi_core::domain::describe;
use haydi_core::{Domain, Result, Size};
use rand::{Rng, RngCore};
use std::fmt;
use std::ops::ControlFlow;

/// The two booleans, `[false, true]`.
///
/// ```
/// use haydi_core::Domain;
/// use haydi_domains::Boolean;
/// assert_eq!(Boolean.iter().collect::<Vec<_>>(), vec![false, true]);
/// assert_eq!(Boolean.to_string(), "Boolean(size=2) {false, true}");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[must_use = "domains are lazy and do nothing unless iterated"]
pub struct Boolean;

impl Domain for Boolean {
    type Item = bool;

    fn size(&self) -> Size {
        Size::Exact(2)
    }

    fn item_at(&self, index: u128) -> Option<bool> {
        match index {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(bool) -> ControlFlow<()>,
    {
        (start.min(2)..end.min(2)).try_for_each(|i| f(i == 1))
    }

    fn generate_one(&self, rng: &mut dyn RngCore) -> Result<bool> {
        Ok(rng.random_bool(0.5))
    }

    fn name(&self) -> String {
        "Boolean".into()
    }

    fn fingerprint(&self) -> String {
        "Boolean".into()
    }

    fn is_strict(&self) -> bool {
        true
    }
}

impl fmt::Display for Boolean {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(self))
    }
}
