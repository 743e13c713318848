//! The item types of `Subsets` and `Mappings`: a sorted set and a sorted map.
//!
//! Both keep their elements in a vector in the order of the domain they came from (for integers
//! and atoms that is ascending order), so they compare, hash and serialize cheaply and two equal
//! sets always have the same representation.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A set stored as a sorted vector without duplicates.
///
/// ```
/// use haydi_core::Set;
/// let s = Set::from_iter_sorted([3, 1, 2, 3]);
/// assert_eq!(s.as_slice(), &[1, 2, 3]);
/// assert!(s.contains(&2));
/// assert_eq!(format!("{s:?}"), "{1, 2, 3}");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub struct Set<T>(Vec<T>);

impl<T> Set<T> {
    /// Wraps a vector that is already sorted (in the domain's order) and free of duplicates.
    ///
    /// ```
    /// use haydi_core::Set;
    /// let s = Set::from_sorted_vec(vec![1, 4, 9]);
    /// assert_eq!(s.len(), 3);
    /// ```
    pub fn from_sorted_vec(items: Vec<T>) -> Self {
        Set(items)
    }

    /// The empty set.
    ///
    /// ```
    /// use haydi_core::Set;
    /// let s: Set<u8> = Set::new();
    /// assert!(s.is_empty());
    /// assert_eq!(s, Set::default());
    /// ```
    pub fn new() -> Self {
        Set(Vec::new())
    }

    /// Number of elements.
    ///
    /// ```
    /// use haydi_core::Set;
    /// assert_eq!(Set::from_iter_sorted([2, 2, 1]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the set is empty.
    ///
    /// ```
    /// use haydi_core::Set;
    /// assert!(Set::<u8>::new().is_empty());
    /// assert!(!Set::from_sorted_vec(vec![0]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The elements in order.
    ///
    /// ```
    /// use haydi_core::Set;
    /// let s = Set::from_iter_sorted([3, 1]);
    /// assert_eq!(s.iter().copied().collect::<Vec<_>>(), vec![1, 3]);
    /// ```
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    /// The elements as a slice.
    ///
    /// ```
    /// use haydi_core::Set;
    /// assert_eq!(Set::from_iter_sorted(['b', 'a']).as_slice(), &['a', 'b']);
    /// ```
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// The elements as a vector.
    ///
    /// ```
    /// use haydi_core::Set;
    /// assert_eq!(Set::from_iter_sorted([2, 1, 2]).into_vec(), vec![1, 2]);
    /// ```
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }

    /// Whether `x` is an element.
    ///
    /// ```
    /// use haydi_core::Set;
    /// let s = Set::from_iter_sorted([1, 2]);
    /// assert!(s.contains(&2) && !s.contains(&3));
    /// ```
    pub fn contains(&self, x: &T) -> bool
    where
        T: PartialEq,
    {
        self.0.contains(x)
    }
}

impl<T: Ord> Set<T> {
    /// Sorts and deduplicates the items.
    ///
    /// ```
    /// use haydi_core::Set;
    /// assert_eq!(Set::from_iter_sorted([3, 1, 3]), Set::from_sorted_vec(vec![1, 3]));
    /// ```
    pub fn from_iter_sorted(items: impl IntoIterator<Item = T>) -> Self {
        let mut v: Vec<T> = items.into_iter().collect();
        v.sort();
        v.dedup();
        Set(v)
    }
}

impl<T: fmt::Debug> fmt::Debug for Set<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(&self.0).finish()
    }
}

impl<'a, T> IntoIterator for &'a Set<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// A map stored as a vector of `(key, value)` pairs sorted by key (in the key domain's order).
///
/// ```
/// use haydi_core::Mapping;
/// let m = Mapping::from_sorted_pairs(vec![(0, 'a'), (1, 'b')]);
/// assert_eq!(m.get(&1), Some(&'b'));
/// assert_eq!(format!("{m:?}"), "{0: 'a', 1: 'b'}");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub struct Mapping<K, V>(Vec<(K, V)>);

impl<K, V> Mapping<K, V> {
    /// Wraps pairs already sorted by key, with distinct keys.
    ///
    /// ```
    /// use haydi_core::Mapping;
    /// let m = Mapping::from_sorted_pairs(vec![(1, "one"), (2, "two")]);
    /// assert_eq!(m.get(&2), Some(&"two"));
    /// ```
    pub fn from_sorted_pairs(pairs: Vec<(K, V)>) -> Self {
        Mapping(pairs)
    }

    /// Number of keys.
    ///
    /// ```
    /// use haydi_core::Mapping;
    /// assert_eq!(Mapping::from_sorted_pairs(vec![(0, 'x'), (1, 'y')]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the map is empty.
    ///
    /// ```
    /// use haydi_core::Mapping;
    /// assert!(Mapping::<u8, u8>::default().is_empty());
    /// assert!(!Mapping::from_sorted_pairs(vec![(0, 0)]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value of `key`.
    ///
    /// ```
    /// use haydi_core::Mapping;
    /// let m = Mapping::from_sorted_pairs(vec![(0, 'a'), (1, 'b')]);
    /// assert_eq!((m.get(&1), m.get(&5)), (Some(&'b'), None));
    /// ```
    pub fn get(&self, key: &K) -> Option<&V>
    where
        K: PartialEq,
    {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The pairs in key order.
    ///
    /// ```
    /// use haydi_core::Mapping;
    /// let m = Mapping::from_sorted_pairs(vec![(0, 'a'), (1, 'b')]);
    /// assert_eq!(m.iter().collect::<Vec<_>>(), vec![(&0, &'a'), (&1, &'b')]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// The keys in order.
    ///
    /// ```
    /// use haydi_core::Mapping;
    /// let m = Mapping::from_sorted_pairs(vec![(0, 'a'), (1, 'b')]);
    /// assert_eq!(m.keys().copied().collect::<Vec<_>>(), vec![0, 1]);
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.0.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    ///
    /// ```
    /// use haydi_core::Mapping;
    /// let m = Mapping::from_sorted_pairs(vec![(0, 'a'), (1, 'b')]);
    /// assert_eq!(m.values().copied().collect::<String>(), "ab");
    /// ```
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }

    /// The pairs as a slice.
    ///
    /// ```
    /// use haydi_core::Mapping;
    /// let m = Mapping::from_sorted_pairs(vec![(0, 'a')]);
    /// assert_eq!(m.as_slice(), &[(0, 'a')]);
    /// ```
    pub fn as_slice(&self) -> &[(K, V)] {
        &self.0
    }

    /// The pairs as a vector.
    ///
    /// ```
    /// use haydi_core::Mapping;
    /// let m = Mapping::from_sorted_pairs(vec![(0, 'a'), (1, 'b')]);
    /// assert_eq!(m.into_vec(), vec![(0, 'a'), (1, 'b')]);
    /// ```
    pub fn into_vec(self) -> Vec<(K, V)> {
        self.0
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Mapping<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}
