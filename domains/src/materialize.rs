//! [`ToValues`]: materializing a domain, or its largest parts that fit, into [`Values`].

use crate::{
    Boolean, Join, Mappings, Permutations, Product2, Product3, Product4, Product5, Product6,
    Product7, Product8, ProductRepeat, ProductUnordered, Range, Sequences, Subsets, Values,
};
use haydi_core::domain::{BoxedDomain, Filtered, Mapped, Named, describe};
use haydi_core::{Domain, Result, Size};
use rand::RngCore;
use std::fmt;
use std::ops::ControlFlow;

/// A domain either materialized into a leaf domain `L` or kept as it is (with its parts
/// possibly materialized): the result of [`ToValues::to_values`] (`L` is [`Values`], the
/// default: same items, same order as the original domain) and of haydi-canon's
/// `ToCnfValues::to_cnf_values` (`L` is `CnfValues`: the canonical forms). What a leaf is
/// made of is the leaf type's [`Leaf`] policy.
///
/// ```
/// use haydi_core::{Domain, Size};
/// use haydi_domains::{Materialized, Range, ToValues};
/// let m = Range::new(4).filter(|x| x % 2 == 0).to_values(10);
/// assert!(matches!(m, Materialized::Leaf(_)));
/// assert_eq!(m.size(), Size::Exact(2)); // only the surviving items are kept
/// assert!(matches!(Range::new(40).to_values(10), Materialized::Kept(_)));
/// ```
#[derive(Clone, Debug)]
pub enum Materialized<D: Domain, L = Values<<D as Domain>::Item>> {
    /// The domain, materialized.
    Leaf(L),
    /// The domain, kept (too large to materialize).
    Kept(D),
}

/// How a domain `D` becomes a leaf of [`Materialized`]: [`Values`] holds its surviving items;
/// haydi-canon's `CnfValues` its canonical forms.
///
/// ```
/// use haydi_domains::{Leaf, Range, Values};
/// assert!(<Values<i64> as Leaf<Range>>::leaf(&Range::new(3), 3)?.is_some());
/// assert!(<Values<i64> as Leaf<Range>>::leaf(&Range::new(4), 3)?.is_none()); // too large
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub trait Leaf<D: Domain>: Domain<Item = D::Item> + Sized {
    /// `d` as a leaf, or `None` when its size bound passes `max_size`.
    fn leaf(d: &D, max_size: u128) -> Result<Option<Self>>;
}

impl<D: Domain> Leaf<D> for Values<D::Item>
where
    D::Item: Clone + Send + Sync,
{
    fn leaf(d: &D, max_size: u128) -> Result<Option<Self>> {
        Ok(match d.size().bound() {
            Some(n) if n <= max_size => {
                let mut v = Vec::with_capacity(usize::try_from(n).unwrap_or(0).min(1 << 20));
                let _ = d.visit_range(0, n, &mut |x| {
                    v.push(x);
                    ControlFlow::Continue(())
                });
                Some(Values::new(v))
            }
            _ => None,
        })
    }
}

impl<D: Domain, L: Leaf<D>> Materialized<D, L> {
    /// `d` as a leaf when its size bound is at most `max_size`, else `Kept(d)`; the leaf's
    /// error when it cannot be made (canonical forms of a domain that is not strict).
    ///
    /// ```
    /// use haydi_domains::{Materialized, Range};
    /// assert!(matches!(Materialized::<_>::fit(Range::new(3), 3)?, Materialized::Leaf(_)));
    /// assert!(matches!(Materialized::<_>::fit(Range::new(4), 3)?, Materialized::Kept(_)));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn fit(d: D, max_size: u128) -> Result<Self> {
        Ok(match L::leaf(&d, max_size)? {
            Some(l) => Materialized::Leaf(l),
            None => Materialized::Kept(d),
        })
    }

    /// [`fit`](Self::fit), keeping `d` also when its leaf cannot be made (a [`Values`] leaf
    /// always can).
    ///
    /// ```
    /// use haydi_domains::{Materialized, Range};
    /// assert!(Materialized::<_>::fit_or_keep(Range::new(3), 3).is_leaf());
    /// ```
    pub fn fit_or_keep(d: D, max_size: u128) -> Self {
        match L::leaf(&d, max_size) {
            Ok(Some(l)) => Materialized::Leaf(l),
            _ => Materialized::Kept(d),
        }
    }
}

impl<D: Domain, L> Materialized<D, L> {
    /// Whether the domain was materialized.
    ///
    /// ```
    /// use haydi_domains::{Range, ToValues};
    /// assert!(Range::new(3).to_values(3).is_leaf());
    /// assert!(!Range::new(4).to_values(3).is_leaf());
    /// ```
    pub fn is_leaf(&self) -> bool {
        matches!(self, Materialized::Leaf(_))
    }
}

impl<D: Domain, L: Domain<Item = D::Item>> Domain for Materialized<D, L> {
    type Item = D::Item;
    fn size(&self) -> Size {
        match self {
            Materialized::Leaf(v) => v.size(),
            Materialized::Kept(d) => d.size(),
        }
    }
    fn item_at(&self, index: u128) -> Option<D::Item> {
        match self {
            Materialized::Leaf(v) => v.item_at(index),
            Materialized::Kept(d) => d.item_at(index),
        }
    }
    fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(D::Item) -> ControlFlow<()>,
    {
        match self {
            Materialized::Leaf(v) => v.visit_range(start, end, f),
            Materialized::Kept(d) => d.visit_range(start, end, f),
        }
    }
    fn generate_one(&self, rng: &mut dyn RngCore) -> Result<D::Item> {
        match self {
            Materialized::Leaf(v) => v.generate_one(rng),
            Materialized::Kept(d) => d.generate_one(rng),
        }
    }
    fn name(&self) -> String {
        match self {
            Materialized::Leaf(v) => v.name(),
            Materialized::Kept(d) => d.name(),
        }
    }
    fn fingerprint(&self) -> String {
        match self {
            Materialized::Leaf(v) => v.fingerprint(),
            Materialized::Kept(d) => d.fingerprint(),
        }
    }
    fn is_strict(&self) -> bool {
        match self {
            Materialized::Leaf(v) => v.is_strict(),
            Materialized::Kept(d) => d.is_strict(),
        }
    }
}

impl<D: Domain, L: Domain<Item = D::Item>> fmt::Display for Materialized<D, L>
where
    D::Item: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(self))
    }
}

/// Materializing a domain into [`Values`], or recursively the largest parts that fit (the
/// Python haydi's `to_values(max_size)`).
///
/// `to_values(max_size)` returns a domain with the same items in the same order. A domain whose
/// size (its bound, for a filtered domain) is at most `max_size` becomes a [`Values`] holding
/// its surviving items; a larger compound domain (a product, [`Sequences`], [`Subsets`],
/// [`Mappings`], [`Join`]) keeps its structure and materializes its parts recursively; a larger
/// leaf is kept as it is. The result type is expressible: every domain type `D` maps to
/// `D::Materialized`, which is [`Materialized`] (either `Values` or the kept domain) around the
/// same structure with materialized parts.
///
/// ```
/// use haydi_core::Domain;
/// use haydi_domains::{Materialized, Product, Range, ToValues};
/// let p = Product::new((Range::new(3), Range::new(5), Range::new(6)));
/// let m = p.to_values(5);
/// // The product (90 items) does not fit; its factors of size <= 5 do.
/// let Materialized::Kept(inner) = &m else { panic!("the product is too large") };
/// let (a, b, c) = inner.domains();
/// assert!(matches!(a, Materialized::Leaf(_)) && matches!(b, Materialized::Leaf(_)));
/// assert!(matches!(c, Materialized::Kept(_)));
/// assert_eq!(m.iter().collect::<Vec<_>>(), p.iter().collect::<Vec<_>>());
/// ```
///
/// ```
/// use haydi_core::Domain;
/// use haydi_domains::{Range, Subsets, ToValues};
/// let s = Subsets::new(Range::new(6)).unwrap(); // 64 subsets of 6 items
/// let m = s.to_values(10);
/// assert!(!m.is_leaf()); // the subsets are kept, their 6 items materialized
/// assert_eq!(m.iter().collect::<Vec<_>>(), s.iter().collect::<Vec<_>>());
/// ```
pub trait ToValues: Domain
where
    Self::Item: Sync,
{
    /// The type of the materialized domain.
    type Materialized: Domain<Item = Self::Item>;
    /// The same items in the same order, materialized as far as `max_size` allows.
    fn to_values(&self, max_size: u128) -> Self::Materialized;
}

/// `ToValues` for a domain materialized only as a whole.
#[macro_export]
#[doc(hidden)]
macro_rules! leaf_to_values {
    ([$($g:tt)*] $t:ty $(where $($w:tt)*)?) => {
        impl<$($g)*> $crate::ToValues for $t $(where $($w)*)? {
            type Materialized = $crate::Materialized<$t>;
            fn to_values(&self, max_size: u128) -> Self::Materialized {
                $crate::Materialized::fit_or_keep(self.clone(), max_size)
            }
        }
    };
}

leaf_to_values!([] Range);
leaf_to_values!([] Boolean);
leaf_to_values!([T: Clone + Send + Sync] Permutations<T>);
leaf_to_values!([D: Domain] ProductUnordered<D> where D::Item: Sync);
leaf_to_values!([T: Clone + Send + Sync + 'static] BoxedDomain<T>);
leaf_to_values!([D: Domain, F] Mapped<D, F> where Mapped<D, F>: Domain, <Mapped<D, F> as Domain>::Item: Sync);
leaf_to_values!([D: Domain, F] Filtered<D, F> where Filtered<D, F>: Domain, <Filtered<D, F> as Domain>::Item: Sync);

impl<T: Clone + Send + Sync> ToValues for Values<T> {
    type Materialized = Values<T>;
    fn to_values(&self, _max_size: u128) -> Values<T> {
        self.clone()
    }
}

/// Whether `d` fits as a whole.
fn fits<D: Domain>(d: &D, max_size: u128) -> bool {
    d.size().bound().is_some_and(|n| n <= max_size)
}

impl<A, B> ToValues for Product2<A, B>
where
    A: ToValues,
    B: ToValues,
    A::Item: Sync,
    B::Item: Sync,
{
    type Materialized = Materialized<Product2<A::Materialized, B::Materialized>>;
    fn to_values(&self, max_size: u128) -> Self::Materialized {
        let (a, b) = self.domains();
        let kept = Product2::new(a.to_values(max_size), b.to_values(max_size));
        if fits(self, max_size) {
            Materialized::fit_or_keep(kept, max_size)
        } else {
            Materialized::Kept(kept)
        }
    }
}

macro_rules! product_to_values {
    ($name:ident; $($T:ident $v:ident),+) => {
        impl<$($T),+> ToValues for $name<$($T),+>
        where
            $($T: ToValues, $T::Item: Sync),+
        {
            type Materialized = Materialized<$name<$($T::Materialized),+>>;
            fn to_values(&self, max_size: u128) -> Self::Materialized {
                let ($($v),+) = self.domains();
                let kept = $name::new($($v.to_values(max_size)),+);
                if fits(self, max_size) {
                    Materialized::fit_or_keep(kept, max_size)
                } else {
                    Materialized::Kept(kept)
                }
            }
        }
    };
}
product_to_values!(Product3; A a, B b, C c);
product_to_values!(Product4; A a, B b, C c, D d);
product_to_values!(Product5; A a, B b, C c, D d, E e);
product_to_values!(Product6; A a, B b, C c, D d, E e, G g);
product_to_values!(Product7; A a, B b, C c, D d, E e, G g, H h);
product_to_values!(Product8; A a, B b, C c, D d, E e, G g, H h, I i);

impl<D: ToValues> ToValues for ProductRepeat<D>
where
    D::Item: Sync,
{
    type Materialized = Materialized<ProductRepeat<D::Materialized>>;
    fn to_values(&self, max_size: u128) -> Self::Materialized {
        let kept = ProductRepeat::new(self.domain().to_values(max_size), self.len());
        if fits(self, max_size) {
            Materialized::fit_or_keep(kept, max_size)
        } else {
            Materialized::Kept(kept)
        }
    }
}

impl<D: ToValues> ToValues for Sequences<D>
where
    D::Item: Sync,
{
    type Materialized = Materialized<Sequences<D::Materialized>>;
    fn to_values(&self, max_size: u128) -> Self::Materialized {
        let (min, max) = self.lengths();
        let kept = Sequences::with_lengths(self.domain().to_values(max_size), min, max)
            .expect("the lengths were accepted for the same domain before");
        if fits(self, max_size) {
            Materialized::fit_or_keep(kept, max_size)
        } else {
            Materialized::Kept(kept)
        }
    }
}

impl<D: ToValues> ToValues for Subsets<D>
where
    D::Item: Sync,
{
    type Materialized = Materialized<Subsets<D::Materialized>>;
    fn to_values(&self, max_size: u128) -> Self::Materialized {
        let (min, max) = self.sizes();
        let kept = Subsets::with_sizes(self.domain().to_values(max_size), min, max)
            .expect("the sizes were accepted for a domain of the same size before");
        if fits(self, max_size) {
            Materialized::fit_or_keep(kept, max_size)
        } else {
            Materialized::Kept(kept)
        }
    }
}

impl<K, V> ToValues for Mappings<K, V>
where
    K: Clone + Send + Sync,
    V: ToValues,
    V::Item: Sync,
{
    type Materialized = Materialized<Mappings<K, V::Materialized>>;
    fn to_values(&self, max_size: u128) -> Self::Materialized {
        let keys = Values::new(self.keys().to_vec());
        let kept = Mappings::new(keys, self.value_domain().to_values(max_size))
            .expect("explicit keys have a known size");
        if fits(self, max_size) {
            Materialized::fit_or_keep(kept, max_size)
        } else {
            Materialized::Kept(kept)
        }
    }
}

impl<D: ToValues> ToValues for Join<D>
where
    D::Item: Sync,
{
    type Materialized = Materialized<Join<D::Materialized>>;
    fn to_values(&self, max_size: u128) -> Self::Materialized {
        let kept = self.with_parts(self.parts().iter().map(|p| p.to_values(max_size)).collect());
        if fits(self, max_size) {
            Materialized::fit_or_keep(kept, max_size)
        } else {
            Materialized::Kept(kept)
        }
    }
}

impl<D: ToValues> ToValues for Named<D>
where
    D::Item: Sync,
{
    type Materialized = Named<D::Materialized>;
    fn to_values(&self, max_size: u128) -> Self::Materialized {
        self.rename_onto(self.inner().to_values(max_size))
    }
}
