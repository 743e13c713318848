//! Unlabelled atoms and the [`USet`] domain.

use haydi_core::{Domain, Size};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

/// The identity of a [`USet`]: a stable 64-bit FNV-1a hash of its name, plus its size.
///
/// It is computed from the declaration only, so every process of a distributed run that
/// declares `USet::new(n, name)` gets the same identity. Consequently two USets with the same
/// name and size **are the same USet** (their atoms are equal); give distinct USets distinct
/// names.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct UsetId {
    hash: u64,
    size: u32,
}

impl UsetId {
    /// The identity of the USet declared as `USet::new(size, name)`.
    ///
    /// ```
    /// use haydi_canon::UsetId;
    /// assert_eq!(UsetId::of("a", 3), UsetId::of("a", 3));
    /// assert_ne!(UsetId::of("a", 3), UsetId::of("b", 3));
    /// ```
    pub fn of(name: &str, size: u32) -> UsetId {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in name.as_bytes() {
            h ^= *b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        UsetId { hash: h, size }
    }

    /// Number of atoms of the USet.
    pub fn size(&self) -> u32 {
        self.size
    }
}

impl fmt::Debug for UsetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "U{:04x}/{}", self.hash & 0xffff, self.size)
    }
}

/// An unlabelled atom: the `index`-th atom of a [`USet`].
///
/// Atoms are plain values: `Copy`, equal, hashable, ordered by `(uset, index)` and serializable.
///
/// ```
/// use haydi_canon::USet;
/// let u = USet::new(3, "u");
/// assert!(u.atom(0) < u.atom(1));
/// assert_eq!(u.atom(2).index(), 2);
/// assert_eq!(u.atom(2).uset(), u.id());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Atom {
    uset: UsetId,
    index: u32,
}

impl Atom {
    /// The atom `index` of the USet `uset` (no bound check).
    pub fn new(uset: UsetId, index: u32) -> Atom {
        Atom { uset, index }
    }
    /// The USet this atom belongs to.
    pub fn uset(&self) -> UsetId {
        self.uset
    }
    /// The position of the atom in its USet.
    pub fn index(&self) -> u32 {
        self.index
    }
}

impl fmt::Debug for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}#{}", self.uset, self.index)
    }
}

/// A domain of `n` unlabelled atoms (strict: canonical forms are available).
///
/// ```
/// use haydi_canon::USet;
/// use haydi_core::{Domain, Size};
/// let u = USet::new(3, "a");
/// assert_eq!(u.size(), Size::Exact(3));
/// assert_eq!(u.item_at(1), Some(u.atom(1)));
/// assert!(u.is_strict());
/// assert_eq!(u, USet::new(3, "a")); // identity comes from the declaration
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct USet {
    id: UsetId,
    name: Arc<str>,
}

impl USet {
    /// `n` atoms called `name`. The identity is derived from `(name, n)`.
    pub fn new(n: u32, name: &str) -> USet {
        USet {
            id: UsetId::of(name, n),
            name: name.into(),
        }
    }
    /// The identity shared by all atoms of this USet.
    pub fn id(&self) -> UsetId {
        self.id
    }
    /// The name given at declaration.
    pub fn label(&self) -> &str {
        &self.name
    }
    /// Number of atoms.
    pub fn len(&self) -> u32 {
        self.id.size
    }
    /// Whether the USet has no atoms.
    pub fn is_empty(&self) -> bool {
        self.id.size == 0
    }
    /// The atom with index `i` (panics when `i >= len`).
    pub fn atom(&self, i: u32) -> Atom {
        assert!(i < self.id.size, "atom index {i} out of range");
        Atom::new(self.id, i)
    }
}

impl fmt::Debug for USet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "USet({}, {:?})", self.id.size, self.name)
    }
}

impl Domain for USet {
    type Item = Atom;
    fn size(&self) -> Size {
        Size::Exact(self.id.size as u128)
    }
    fn item_at(&self, index: u128) -> Option<Atom> {
        (index < self.id.size as u128).then(|| Atom::new(self.id, index as u32))
    }
    fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(Atom) -> ControlFlow<()>,
    {
        let end = end.min(self.id.size as u128) as u32;
        let start = start.min(end as u128) as u32;
        (start..end).try_for_each(|i| f(Atom::new(self.id, i)))
    }
    fn name(&self) -> String {
        format!("USet({})", self.name)
    }
    fn is_strict(&self) -> bool {
        true
    }
}
