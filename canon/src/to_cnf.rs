//! [`ToCnfValues`]: materializing a strict domain, or its largest parts that fit, into
//! [`CnfValues`].

use crate::value::Canonical;
use crate::{CnfValues, StrictShape, USet};
use haydi_core::domain::{BoxedDomain, Named};
use haydi_core::{Domain, Result};
use haydi_domains::{
    Boolean, Join, Leaf, Mappings, Materialized, Product2, Product3, Product4, Product5, Product6,
    Product7, Product8, ProductRepeat, Range, Sequences, Subsets, Values,
};

/// A strict domain either materialized into [`CnfValues`] (its canonical forms, iterated as all
/// their copies) or kept as it is, with its parts possibly materialized: the result of
/// [`ToCnfValues::to_cnf_values`]. It is haydi-domains' one [`Materialized`], with
/// [`CnfValues`] as its leaf.
///
/// It holds the same items as the original domain, but a materialized part lists them in the
/// order of [`CnfValues`] (class by class), not in the domain's order, and lists an item that
/// the domain repeats (`Values` with repeats, a `Join` of overlapping parts) once.
///
/// ```
/// use haydi_canon::{ToCnfValues, USet};
/// use haydi_core::{Domain, Size};
/// use haydi_domains::{Materialized, Product};
/// let u = USet::new(3, "u");
/// let m = Product::new((u.clone(), u)).to_cnf_values(9)?;
/// let Materialized::Leaf(c) = &m else { panic!("9 pairs fit") };
/// assert_eq!(c.representatives().len(), 2); // (u0, u0) and (u0, u1)
/// assert_eq!(m.size(), Size::Exact(9));
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub type CnfMaterialized<D> = Materialized<D, CnfValues<<D as Domain>::Item>>;

/// The canonical forms of a strict domain that fits (an error when it is not strict).
impl<D> Leaf<D> for CnfValues<D::Item>
where
    D: Domain + StrictShape,
    D::Item: Canonical + Clone + Send + Sync,
{
    fn leaf(d: &D, max_size: u128) -> Result<Option<Self>> {
        if !fits(d, max_size) {
            return Ok(None);
        }
        let reps = crate::collect_cnfs(d)?;
        Ok(Some(CnfValues::new(reps)?))
    }
}

impl<D, L> StrictShape for Materialized<D, L>
where
    D: Domain + StrictShape,
    L: Domain<Item = D::Item> + StrictShape,
{
    fn shape(&self) -> Result<crate::Shape> {
        match self {
            Materialized::Leaf(v) => v.shape(),
            Materialized::Kept(d) => d.shape(),
        }
    }
    fn cnf_plan(&self) -> Result<(crate::Shape, Option<crate::ValueFilter>)> {
        match self {
            Materialized::Leaf(v) => v.cnf_plan(),
            Materialized::Kept(d) => d.cnf_plan(),
        }
    }
}

/// Materializing a strict domain into [`CnfValues`], or recursively the largest parts that fit
/// (the Python haydi's `to_cnf_values(max_size)`): like [`haydi_domains::ToValues`], but a part
/// that fits is replaced by its canonical forms, so that `cnfs()` of the result starts from
/// the stored classes. A domain fits when its size (bound) is at most `max_size`.
///
/// ```
/// use haydi_canon::{CnfsExt, ToCnfValues, USet};
/// use haydi_domains::Materialized;
/// use haydi_core::prelude::*;
/// use haydi_domains::{Product, Subsets};
/// let v = USet::new(4, "v");
/// let edges = Subsets::with_size(v.clone(), 2)?;           // 6 items: fits
/// let p = Product::new((edges, v));                         // 24 items: does not
/// let m = p.to_cnf_values(10)?;
/// let Materialized::Kept(inner) = &m else { panic!() };
/// assert!(inner.domains().0.is_leaf() && inner.domains().1.is_leaf());
/// assert_eq!(m.cnfs()?.count().run(false)?, p.cnfs()?.count().run(false)?);
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub trait ToCnfValues: Domain
where
    Self::Item: Canonical + Sync,
{
    /// The type of the materialized domain.
    type CnfMaterialized: Domain<Item = Self::Item> + StrictShape;
    /// The same items, materialized into canonical forms as far as `max_size` allows.
    fn to_cnf_values(&self, max_size: u128) -> Result<Self::CnfMaterialized>;
}

/// Whether `d` fits as a whole.
fn fits<D: Domain>(d: &D, max_size: u128) -> bool {
    d.size().bound().is_some_and(|n| n <= max_size)
}

/// `kept` materialized as a whole when `whole` fits, else kept.
fn whole_or_kept<D>(whole: bool, kept: D, max_size: u128) -> Result<CnfMaterialized<D>>
where
    D: Domain + StrictShape,
    D::Item: Canonical + Sync,
{
    if whole {
        CnfMaterialized::fit(kept, max_size)
    } else {
        Ok(Materialized::Kept(kept))
    }
}

macro_rules! leaf_to_cnf {
    ([$($g:tt)*] $t:ty $(where $($w:tt)*)?) => {
        impl<$($g)*> ToCnfValues for $t $(where $($w)*)? {
            type CnfMaterialized = CnfMaterialized<$t>;
            fn to_cnf_values(&self, max_size: u128) -> Result<Self::CnfMaterialized> {
                CnfMaterialized::fit(self.clone(), max_size)
            }
        }
    };
}
leaf_to_cnf!([] USet);
leaf_to_cnf!([] Range);
leaf_to_cnf!([] Boolean);
leaf_to_cnf!([T: Canonical + Clone + Send + Sync] Values<T>);
leaf_to_cnf!([T: Canonical + Clone + Send + Sync + 'static] BoxedDomain<T>);
leaf_to_cnf!([D, F] crate::StrictFiltered<D, F> where crate::StrictFiltered<D, F>: Domain + StrictShape, <crate::StrictFiltered<D, F> as Domain>::Item: Canonical + Sync);

impl<T: Canonical + Clone + Send + Sync> ToCnfValues for CnfValues<T> {
    type CnfMaterialized = CnfValues<T>;
    fn to_cnf_values(&self, _max_size: u128) -> Result<CnfValues<T>> {
        Ok(self.clone())
    }
}

impl<A, B> ToCnfValues for Product2<A, B>
where
    A: ToCnfValues + StrictShape,
    B: ToCnfValues + StrictShape,
    A::Item: Canonical + Sync,
    B::Item: Canonical + Sync,
{
    type CnfMaterialized = CnfMaterialized<Product2<A::CnfMaterialized, B::CnfMaterialized>>;
    fn to_cnf_values(&self, max_size: u128) -> Result<Self::CnfMaterialized> {
        let (a, b) = self.domains();
        let kept = Product2::new(a.to_cnf_values(max_size)?, b.to_cnf_values(max_size)?);
        whole_or_kept(fits(self, max_size), kept, max_size)
    }
}

macro_rules! product_to_cnf {
    ($name:ident; $($T:ident $v:ident),+) => {
        impl<$($T),+> ToCnfValues for $name<$($T),+>
        where
            $($T: ToCnfValues + StrictShape, $T::Item: Canonical + Sync),+
        {
            type CnfMaterialized = CnfMaterialized<$name<$($T::CnfMaterialized),+>>;
            fn to_cnf_values(&self, max_size: u128) -> Result<Self::CnfMaterialized> {
                let ($($v),+) = self.domains();
                let kept = $name::new($($v.to_cnf_values(max_size)?),+);
                whole_or_kept(fits(self, max_size), kept, max_size)
            }
        }
    };
}
product_to_cnf!(Product3; A a, B b, C c);
product_to_cnf!(Product4; A a, B b, C c, D d);
product_to_cnf!(Product5; A a, B b, C c, D d, E e);
product_to_cnf!(Product6; A a, B b, C c, D d, E e, G g);
product_to_cnf!(Product7; A a, B b, C c, D d, E e, G g, H h);
product_to_cnf!(Product8; A a, B b, C c, D d, E e, G g, H h, I i);

impl<D: ToCnfValues + StrictShape> ToCnfValues for ProductRepeat<D>
where
    D::Item: Canonical + Sync,
{
    type CnfMaterialized = CnfMaterialized<ProductRepeat<D::CnfMaterialized>>;
    fn to_cnf_values(&self, max_size: u128) -> Result<Self::CnfMaterialized> {
        let kept = ProductRepeat::new(self.domain().to_cnf_values(max_size)?, self.len());
        whole_or_kept(fits(self, max_size), kept, max_size)
    }
}

impl<D: ToCnfValues + StrictShape> ToCnfValues for Sequences<D>
where
    D::Item: Canonical + Sync,
{
    type CnfMaterialized = CnfMaterialized<Sequences<D::CnfMaterialized>>;
    fn to_cnf_values(&self, max_size: u128) -> Result<Self::CnfMaterialized> {
        let (min, max) = self.lengths();
        let kept = Sequences::with_lengths(self.domain().to_cnf_values(max_size)?, min, max)?;
        whole_or_kept(fits(self, max_size), kept, max_size)
    }
}

impl<D: ToCnfValues + StrictShape> ToCnfValues for Subsets<D>
where
    D::Item: Canonical + Sync,
{
    type CnfMaterialized = CnfMaterialized<Subsets<D::CnfMaterialized>>;
    fn to_cnf_values(&self, max_size: u128) -> Result<Self::CnfMaterialized> {
        let (min, max) = self.sizes();
        let kept = Subsets::with_sizes(self.domain().to_cnf_values(max_size)?, min, max)?;
        whole_or_kept(fits(self, max_size), kept, max_size)
    }
}

impl<K, V> ToCnfValues for Mappings<K, V>
where
    K: Canonical + Clone + Send + Sync,
    V: ToCnfValues + StrictShape,
    V::Item: Canonical + Sync,
{
    type CnfMaterialized = CnfMaterialized<Mappings<K, V::CnfMaterialized>>;
    fn to_cnf_values(&self, max_size: u128) -> Result<Self::CnfMaterialized> {
        let keys = Values::new(self.keys().to_vec());
        let kept = Mappings::new(keys, self.value_domain().to_cnf_values(max_size)?)?;
        whole_or_kept(fits(self, max_size), kept, max_size)
    }
}

impl<D: ToCnfValues + StrictShape> ToCnfValues for Join<D>
where
    D::Item: Canonical + Sync,
{
    type CnfMaterialized = CnfMaterialized<Join<D::CnfMaterialized>>;
    fn to_cnf_values(&self, max_size: u128) -> Result<Self::CnfMaterialized> {
        let parts = self
            .parts()
            .iter()
            .map(|p| p.to_cnf_values(max_size))
            .collect::<Result<Vec<_>>>()?;
        whole_or_kept(fits(self, max_size), self.with_parts(parts), max_size)
    }
}

impl<D: ToCnfValues + StrictShape> ToCnfValues for Named<D>
where
    D::Item: Canonical + Sync,
{
    type CnfMaterialized = Named<D::CnfMaterialized>;
    fn to_cnf_values(&self, max_size: u128) -> Result<Self::CnfMaterialized> {
        Ok(self.rename_onto(self.inner().to_cnf_values(max_size)?))
    }
}
