//! Unlabelled atoms and the [`USet`] domain.

use haydi_core::{Domain, Size};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::{Arc, OnceLock, RwLock};

/// The names of the USets declared in this process, by identity: atoms carry only the
/// identity, and print with the name found here.
fn names() -> &'static RwLock<HashMap<UsetId, Arc<str>>> {
    static NAMES: OnceLock<RwLock<HashMap<UsetId, Arc<str>>>> = OnceLock::new();
    NAMES.get_or_init(Default::default)
}

/// Records `name` as the name of `id` (the first declaration wins; a later one with the same
/// identity has the same name anyway, barring a 64-bit hash collision).
fn register(id: UsetId, name: &Arc<str>) {
    let known = names().read().map(|m| m.contains_key(&id)).unwrap_or(true);
    if !known {
        if let Ok(mut m) = names().write() {
            m.entry(id).or_insert_with(|| name.clone());
        }
    }
}

/// The name of the USet `id`, if one with that identity was declared in this process.
fn name_of(id: UsetId) -> Option<Arc<str>> {
    names().read().ok()?.get(&id).cloned()
}

/// The identity of a [`USet`], derived from its declaration (name and size).
///
/// It is computed from the declaration only, so every process of a distributed run that
/// declares `USet::new(n, name)` gets the same identity, and atoms of the USet are equal in
/// every process. Identities (and so atoms of different USets) are **ordered by name, then
/// size**: the first 8 bytes of the name compare bytewise, then (for longer names sharing those
/// 8 bytes) a 32-bit FNV-1a hash of the whole name, then the size. So `USet::new(3, "a")`'s
/// atoms come before `USet::new(2, "b")`'s, in every process.
///
/// Two USets declared separately with the same name and size have the same identity; a domain
/// holding both is refused by `cnfs()` ([`haydi_core::Error::InvalidDomain`]): declare a USet
/// once and clone it, or give distinct USets distinct names.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct UsetId {
    /// The first 8 bytes of the name, big-endian, zero-padded: the readable part of the order.
    prefix: u64,
    hash: u32,
    size: u32,
}

impl UsetId {
    /// The identity of the USet declared as `USet::new(size, name)`.
    ///
    /// ```
    /// use haydi_canon::UsetId;
    /// assert_eq!(UsetId::of("a", 3), UsetId::of("a", 3));
    /// assert_ne!(UsetId::of("a", 3), UsetId::of("b", 3));
    /// // ordered by name, then size
    /// assert!(UsetId::of("a", 9) < UsetId::of("b", 1));
    /// assert!(UsetId::of("q", 3) < UsetId::of("q", 4));
    /// assert!(UsetId::of("alpha", 2) < UsetId::of("beta", 2));
    /// ```
    pub fn of(name: &str, size: u32) -> UsetId {
        let mut prefix = [0u8; 8];
        for (p, b) in prefix.iter_mut().zip(name.as_bytes()) {
            *p = *b;
        }
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in name.as_bytes() {
            h ^= *b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        UsetId {
            prefix: u64::from_be_bytes(prefix),
            hash: (h ^ (h >> 32)) as u32,
            size,
        }
    }

    /// Number of atoms of the USet.
    ///
    /// ```
    /// use haydi_canon::{USet, UsetId};
    /// assert_eq!(UsetId::of("a", 3).size(), 3);
    /// assert_eq!(USet::new(5, "b").id().size(), 5);
    /// ```
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
///
/// # Printing
///
/// `Debug` and `Display` print the USet's name followed by the index, so the atoms of
/// `USet::new(3, "q")` print as `q0`, `q1`, `q2` and an automaton reads as
/// `{(q0, a0): q1, ...}`. An atom carries only its USet's identity ([`UsetId`]); the name is
/// the one given to `USet::new` in this process (every process of a distributed run declares
/// the same USets). An atom whose USet was never declared here (one built by [`Atom::new`]
/// from a bare identity, or received from elsewhere) prints as its identity and index,
/// `U07bc/4#0`.
///
/// USets with the same name but different sizes are different USets whose atoms print alike;
/// [`Atom::qualified`] tells them apart (`q0@U07bc/4`: name, index, and the identity, whose
/// hash depends on the name and whose size is the USet's).
///
/// ```
/// use haydi_canon::USet;
/// use haydi_core::Mapping;
/// let q = USet::new(3, "q");
/// let a = USet::new(2, "a");
/// assert_eq!(format!("{:?}", q.atom(0)), "q0");
/// assert_eq!(q.atom(2).to_string(), "q2");
/// let delta = Mapping::from_sorted_pairs(vec![((q.atom(0), a.atom(0)), q.atom(1))]);
/// assert_eq!(format!("{delta:?}"), "{(q0, a0): q1}");
/// let q4 = USet::new(4, "q");
/// assert_eq!(format!("{:?}", q4.atom(0)), "q0");
/// assert_ne!(q.atom(0).qualified().to_string(), q4.atom(0).qualified().to_string());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Atom {
    uset: UsetId,
    index: u32,
}

impl Atom {
    /// The atom `index` of the USet `uset` (no bound check).
    ///
    /// ```
    /// use haydi_canon::{Atom, USet};
    /// let u = USet::new(3, "u");
    /// assert_eq!(Atom::new(u.id(), 2), u.atom(2));
    /// ```
    pub fn new(uset: UsetId, index: u32) -> Atom {
        Atom { uset, index }
    }
    /// The USet this atom belongs to.
    ///
    /// ```
    /// use haydi_canon::USet;
    /// let (u, v) = (USet::new(3, "u"), USet::new(3, "v"));
    /// assert_eq!(u.atom(1).uset(), u.id());
    /// assert_ne!(u.atom(1).uset(), v.atom(1).uset());
    /// ```
    pub fn uset(&self) -> UsetId {
        self.uset
    }
    /// The position of the atom in its USet.
    ///
    /// ```
    /// use haydi_canon::USet;
    /// assert_eq!(USet::new(3, "u").atom(2).index(), 2);
    /// ```
    pub fn index(&self) -> u32 {
        self.index
    }
    /// The atom printed with its USet's identity as well as its name: `q0@U07bc/3`, so atoms of
    /// different USets that share a name (`USet::new(3, "q")` and `USet::new(4, "q")`) print
    /// differently. An atom of an undeclared USet prints as `U07bc/3#0`, as with `Debug`.
    ///
    /// ```
    /// use haydi_canon::USet;
    /// let q = USet::new(3, "q");
    /// let shown = q.atom(1).qualified().to_string();
    /// assert!(shown.starts_with("q1@U") && shown.ends_with("/3"), "{shown}");
    /// assert_eq!(shown, format!("q1@{:?}", q.id()));
    /// ```
    pub fn qualified(&self) -> impl fmt::Display + '_ {
        struct Qualified<'a>(&'a Atom);
        impl fmt::Display for Qualified<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let a = self.0;
                match name_of(a.uset) {
                    Some(name) => write!(f, "{name}{}@{:?}", a.index, a.uset),
                    None => write!(f, "{:?}#{}", a.uset, a.index),
                }
            }
        }
        Qualified(self)
    }
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match name_of(self.uset) {
            Some(name) => write!(f, "{name}{}", self.index),
            None => write!(f, "{:?}#{}", self.uset, self.index),
        }
    }
}

impl fmt::Debug for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
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
#[derive(Clone)]
pub struct USet {
    id: UsetId,
    name: Arc<str>,
    /// Which `USet::new` call of this process made it (clones share it).
    decl: u64,
}

/// Equality is identity ([`UsetId`], from the name and the size), as for their atoms.
impl PartialEq for USet {
    fn eq(&self, other: &USet) -> bool {
        self.id == other.id
    }
}
impl Eq for USet {}
impl std::hash::Hash for USet {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.id.hash(h)
    }
}

impl USet {
    /// `n` atoms called `name`. The identity is derived from `(name, n)`.
    ///
    /// ```
    /// use haydi_canon::USet;
    /// let q = USet::new(4, "q");
    /// assert_eq!((q.len(), q.label()), (4, "q"));
    /// assert_eq!(q, USet::new(4, "q"));
    /// assert_ne!(q, USet::new(5, "q"));
    /// ```
    pub fn new(n: u32, name: &str) -> USet {
        static DECLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let id = UsetId::of(name, n);
        let name: Arc<str> = name.into();
        register(id, &name);
        let decl = DECLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        USet { id, name, decl }
    }

    /// Whether `self` and `other` come from the same `USet::new` call (one is a clone of the
    /// other). Two separate declarations with the same name and size are equal USets (same
    /// identity, same atoms), but not the same declaration; `cnfs()` refuses a domain holding
    /// both, since they would silently act as one set.
    ///
    /// ```
    /// use haydi_canon::USet;
    /// let a = USet::new(2, "a");
    /// let again = USet::new(2, "a");
    /// assert!(a.same_declaration(&a.clone()));
    /// assert!(a == again && !a.same_declaration(&again));
    /// ```
    pub fn same_declaration(&self, other: &USet) -> bool {
        self.id == other.id && self.decl == other.decl
    }
    /// The identity shared by all atoms of this USet.
    ///
    /// ```
    /// use haydi_canon::{USet, UsetId};
    /// assert_eq!(USet::new(2, "x").id(), UsetId::of("x", 2));
    /// ```
    pub fn id(&self) -> UsetId {
        self.id
    }
    /// The name given at declaration.
    ///
    /// ```
    /// use haydi_canon::USet;
    /// assert_eq!(USet::new(2, "states").label(), "states");
    /// ```
    pub fn label(&self) -> &str {
        &self.name
    }
    /// Number of atoms.
    ///
    /// ```
    /// use haydi_canon::USet;
    /// assert_eq!(USet::new(7, "v").len(), 7);
    /// ```
    pub fn len(&self) -> u32 {
        self.id.size
    }
    /// Whether the USet has no atoms.
    ///
    /// ```
    /// use haydi_canon::USet;
    /// assert!(USet::new(0, "none").is_empty());
    /// assert!(!USet::new(1, "one").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.id.size == 0
    }
    /// The atom with index `i` (panics when `i >= len`).
    ///
    /// ```
    /// use haydi_canon::USet;
    /// let u = USet::new(2, "u");
    /// assert_eq!(u.atom(1).index(), 1);
    /// assert!(std::panic::catch_unwind(|| u.atom(2)).is_err());
    /// ```
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

haydi_domains::leaf_to_values!([] USet);
