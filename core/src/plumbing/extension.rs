//! Extensions: values keyed by their type that one layer offers and another looks for, so that
//! core's traits carry no concept of the layers above them. A context that runs on devices looks
//! for its device form in a job; a pool looks in a context for how many worker processes it has;
//! a pool asks a context to place index `w` on worker `w`. Core only passes the values along:
//! whoever does not know a type ignores it, and the result of a run never depends on an
//! extension (only where and how it runs).
//!
//! - A job offers values through [`ErasedJob::extension`](super::ErasedJob::extension),
//!   a context through [`ParallelContext::extension`](crate::ParallelContext::extension); both
//!   are found by type with `extension_of::<T>()` on the trait object.
//! - A run's options carry [`Extensions`] ([`RunOptions::with_extension`](crate::RunOptions::with_extension)).

use std::any::{Any, TypeId};
use std::fmt;
use std::sync::Arc;

/// A set of values, at most one per type, for code that knows the type (see the module docs).
/// Clones share the values.
///
/// ```
/// use haydi_core::plumbing::Extensions;
/// #[derive(Debug, PartialEq)]
/// struct Placement(u32);
/// let mut ext = Extensions::new();
/// assert!(ext.get::<Placement>().is_none());
/// ext.insert(Placement(3));
/// ext.insert(Placement(4)); // one value per type: the last one
/// assert_eq!(ext.get::<Placement>(), Some(&Placement(4)));
/// assert_eq!(ext.len(), 1);
/// ```
#[derive(Clone, Default)]
pub struct Extensions {
    values: Vec<(TypeId, &'static str, Arc<dyn Any + Send + Sync>)>,
}

impl Extensions {
    /// No values.
    ///
    /// ```
    /// assert!(haydi_core::plumbing::Extensions::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the value of type `T` (replacing one set before).
    ///
    /// ```
    /// let mut ext = haydi_core::plumbing::Extensions::new();
    /// ext.insert(7u8);
    /// assert_eq!(ext.get::<u8>(), Some(&7));
    /// ```
    pub fn insert<T: Any + Send + Sync>(&mut self, value: T) {
        let id = TypeId::of::<T>();
        self.values.retain(|(t, _, _)| *t != id);
        self.values
            .push((id, std::any::type_name::<T>(), Arc::new(value)));
    }

    /// The value of type `T`, if one was set.
    ///
    /// ```
    /// let ext = haydi_core::plumbing::Extensions::new();
    /// assert_eq!(ext.get::<u8>(), None);
    /// ```
    pub fn get<T: Any>(&self) -> Option<&T> {
        let id = TypeId::of::<T>();
        self.values
            .iter()
            .find(|(t, _, _)| *t == id)
            .and_then(|(_, _, v)| v.downcast_ref())
    }

    /// How many values are set.
    ///
    /// ```
    /// assert_eq!(haydi_core::plumbing::Extensions::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no value is set.
    ///
    /// ```
    /// assert!(haydi_core::plumbing::Extensions::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

impl fmt::Debug for Extensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.values.iter().map(|(_, name, _)| name))
            .finish()
    }
}
