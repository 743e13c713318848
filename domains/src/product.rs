//! [`Product`]: ordered tuples of 2 to 8 domains ([`Product2`] ... [`Product8`]).
//!
//! [`Product2`] is the primitive: it visits a range by unranking the first coordinate once per
//! outer value and letting the second domain visit its own sub-range. Wider products are nested
//! pairs (`Product2<A, Product2<B, C>>`) whose items are flattened into a tuple.

use crate::repeat::ProductRepeat;
use crate::unordered::ProductUnordered;
use haydi_core::domain::describe;
use haydi_core::{Domain, Error, Result, Size};
use rand::RngCore;
use std::fmt;
use std::ops::ControlFlow;

/// Constructors of product domains.
///
/// ```
/// use haydi_core::{Domain, Size};
/// use haydi_domains::{Product, Range, Boolean};
/// let p = Product::new((Range::new(2), Boolean));
/// assert_eq!(p.iter().collect::<Vec<_>>(), vec![(0, false), (0, true), (1, false), (1, true)]);
/// let q = Product::new((Range::new(2), Range::new(3), Boolean));
/// assert_eq!(q.size(), Size::Exact(12));
/// assert_eq!(q.item_at(11), Some((1, 2, true)));
/// ```
///
/// # Named fields (the Python `NamedProduct`)
///
/// A product whose items are a struct of the user's, with named fields, is a product mapped
/// into the struct: the map keeps the size, order and index space (unranking, parallel
/// splitting), and [`Domain::named`] gives the domain a name. For canonical forms (a mapped
/// domain is not strict), take the canonical forms of the product and map them in the
/// pipeline.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::{Boolean, Product, Range};
///
/// #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
/// struct Light {
///     id: i64,
///     on: bool,
/// }
///
/// let lights = Product::new((Range::new(3), Boolean))
///     .map(|(id, on)| Light { id, on })
///     .named("lights");
/// assert_eq!(lights.size(), Size::Exact(6));
/// assert_eq!(lights.item_at(3), Some(Light { id: 1, on: true }));
/// assert!(lights.to_string().starts_with("lights(size=6) {Light { id: 0, on: false }"));
/// let on = lights.filter(|l| l.on).collect().run(true)?;
/// assert_eq!(on.iter().map(|l| l.id).collect::<Vec<_>>(), vec![0, 1, 2]);
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Product;

impl Product {
    /// The ordered product of a tuple of 2 to 8 domains; the last coordinate changes fastest.
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Product, Range};
    /// let p = Product::new((Range::new(4), Range::new(2)));
    /// assert_eq!(p.iter().count(), 8);
    /// ```
    #[allow(clippy::new_ret_no_self)] // `Product` is only a namespace of constructors.
    pub fn new<T: IntoProduct>(domains: T) -> T::Output {
        domains.into_product()
    }

    /// All vectors of `k` items of `domain` (`domain^k`), in product order; `k = 0` gives one
    /// empty vector.
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Product, Range};
    /// let p = Product::repeat(Range::new(2), 2);
    /// assert_eq!(p.iter().collect::<Vec<_>>(), vec![vec![0, 0], vec![0, 1], vec![1, 0], vec![1, 1]]);
    /// ```
    pub fn repeat<D: Domain>(domain: D, k: usize) -> ProductRepeat<D> {
        ProductRepeat::new(domain, k)
    }

    /// The `k`-combinations (without repetition) of the items of `domain`, see
    /// [`ProductUnordered`]. `k` larger than the size gives the empty domain.
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Product, Range};
    /// let p = Product::unordered(Range::new(5), 3).unwrap();
    /// assert_eq!(p.iter().count(), 10);
    /// ```
    pub fn unordered<D: Domain>(domain: D, k: usize) -> Result<ProductUnordered<D>> {
        ProductUnordered::new(domain, k)
    }
}

/// Tuples of domains that [`Product::new`] accepts (arity 2 to 8).
pub trait IntoProduct {
    /// The product domain.
    type Output: Domain;
    /// Builds the product domain.
    fn into_product(self) -> Self::Output;
}

/// The ordered product of two domains: pairs `(a, b)`, `b` changing fastest.
///
/// ```
/// use haydi_core::Domain;
/// use haydi_domains::{Product, Range};
/// let a = Range::new(10).filter(|x| x % 2 == 0 && *x < 8);
/// let p = Product::new((a.clone(), a));
/// assert_eq!(p.iter_range(10, 24).collect::<Vec<_>>(), vec![(2, 0), (2, 2)]);
/// ```
#[derive(Clone, Debug)]
#[must_use = "domains are lazy and do nothing unless iterated"]
pub struct Product2<A, B> {
    a: A,
    b: B,
}

impl<A: Domain, B: Domain> Product2<A, B> {
    /// The product of `a` and `b`.
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Product2, Range};
    /// assert_eq!(Product2::new(Range::new(2), Range::new(2)).iter().count(), 4);
    /// ```
    pub fn new(a: A, b: B) -> Self {
        Product2 { a, b }
    }

    /// The two component domains.
    ///
    /// ```
    /// use haydi_domains::{Boolean, Product, Range};
    /// let p = Product::new((Range::new(3), Boolean));
    /// assert_eq!(p.domains().0.len(), 3);
    /// ```
    pub fn domains(&self) -> (&A, &B) {
        (&self.a, &self.b)
    }
}

impl<A: Domain, B: Domain> Domain for Product2<A, B> {
    type Item = (A::Item, B::Item);

    fn size(&self) -> Size {
        self.a.size() * self.b.size()
    }

    fn item_at(&self, index: u128) -> Option<Self::Item> {
        let (ai, bi) = match self.b.size().bound() {
            Some(0) => return None,
            Some(nb) => (index / nb, index % nb),
            None => (0, index),
        };
        let a = self.a.item_at(ai)?;
        let b = self.b.item_at(bi)?;
        Some((a, b))
    }

    #[inline]
    fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(Self::Item) -> ControlFlow<()>,
    {
        let end = end.min(self.size().bound().unwrap_or(u128::MAX));
        if start >= end {
            return ControlFlow::Continue(());
        }
        let nb = match self.b.size().bound() {
            Some(0) => return ControlFlow::Continue(()),
            Some(nb) => nb,
            None => {
                return match self.a.item_at(0) {
                    Some(a) => self.b.visit_range(start, end, &mut |b| f((a.clone(), b))),
                    None => ControlFlow::Continue(()),
                };
            }
        };
        let first = start / nb;
        let mut last = (end - 1) / nb;
        if let Some(na) = self.a.size().bound() {
            if na == 0 {
                return ControlFlow::Continue(());
            }
            last = last.min(na - 1);
        }
        let mut ai = first;
        while ai <= last {
            let base = ai * nb;
            let lo = start.max(base) - base;
            let hi = end.min(base.saturating_add(nb)) - base;
            if let Some(a) = self.a.item_at(ai) {
                self.b.visit_range(lo, hi, &mut |b| f((a.clone(), b)))?;
            }
            ai += 1;
        }
        ControlFlow::Continue(())
    }

    /// Past index `u128::MAX` too: the first coordinate's item of `start` with the rest of the
    /// second coordinate from there, then every later item of the first coordinate (by its own
    /// `visit_from`) with all of the second.
    fn visit_from<F>(&self, start: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(Self::Item) -> ControlFlow<()>,
    {
        if self.size() != Size::Unknown {
            return self.visit_range(start, u128::MAX, f);
        }
        let b = &self.b;
        // The first coordinate's index of `start`, and where in the second coordinate it is.
        // A second coordinate that overflows holds every u128 index under its first item.
        let (ai, bi) = match b.size().bound() {
            Some(0) => return ControlFlow::Continue(()),
            Some(nb) => (start / nb, start % nb),
            None => (0, start),
        };
        // The second coordinate is visited through one `dyn` closure type: with a closure type
        // per call site, every level of a nested product doubled the instantiations below it
        // (2^7 for eight coordinates; minutes of compile time). This path only runs past
        // `u128::MAX` items, where a virtual call per item does not matter.
        type Sink<'s, T> = &'s mut dyn FnMut(T) -> ControlFlow<()>;
        if let Some(a) = self.a.item_at(ai) {
            let mut g: Sink<'_, B::Item> = &mut |x| f((a.clone(), x));
            b.visit_from(bi, &mut g)?;
        }
        match ai.checked_add(1) {
            Some(next) => self.a.visit_from(next, &mut |a| {
                let mut g: Sink<'_, B::Item> = &mut |x| f((a.clone(), x));
                b.visit_from(0, &mut g)
            }),
            None => ControlFlow::Continue(()),
        }
    }

    fn visits_past_u128(&self) -> bool {
        self.size() != Size::Unknown || (self.a.visits_past_u128() && self.b.visits_past_u128())
    }

    fn generate_one(&self, rng: &mut dyn RngCore) -> Result<Self::Item> {
        if self.size().bound() == Some(0) {
            return Err(Error::EmptyDomain {
                domain: self.name(),
            });
        }
        // Independent uniform coordinates are uniform over the (filtered) product.
        let a = self.a.generate_one(rng)?;
        let b = self.b.generate_one(rng)?;
        Ok((a, b))
    }

    fn name(&self) -> String {
        "Product".into()
    }

    fn fingerprint(&self) -> String {
        format!(
            "Product({}, {})",
            self.a.fingerprint(),
            self.b.fingerprint()
        )
    }

    fn is_strict(&self) -> bool {
        self.a.is_strict() && self.b.is_strict()
    }
}

impl<A: Domain, B: Domain> fmt::Display for Product2<A, B>
where
    A::Item: fmt::Debug,
    B::Item: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(self))
    }
}

impl<A: Domain, B: Domain> IntoProduct for (A, B) {
    type Output = Product2<A, B>;
    fn into_product(self) -> Product2<A, B> {
        Product2::new(self.0, self.1)
    }
}

macro_rules! nest_ty {
    ($a:ident) => { $a };
    ($a:ident, $($rest:ident),+) => { Product2<$a, nest_ty!($($rest),+)> };
}

macro_rules! nest_item {
    ($a:ident) => { $a::Item };
    ($a:ident, $($rest:ident),+) => { ($a::Item, nest_item!($($rest),+)) };
}

macro_rules! nest_pat {
    ($a:ident) => { $a };
    ($a:ident, $($rest:ident),+) => { ($a, nest_pat!($($rest),+)) };
}

macro_rules! nest_new {
    ($a:ident) => { $a };
    ($a:ident, $($rest:ident),+) => { Product2::new($a, nest_new!($($rest),+)) };
}

macro_rules! nest_refs {
    ($e:expr; $a:ident) => { &$e };
    ($e:expr; $a:ident, $($rest:ident),+) => { (&$e.a, nest_refs!($e.b; $($rest),+)) };
}

macro_rules! product_n {
    ($(#[$doc:meta])* $name:ident, $n:literal; $($T:ident $v:ident),+) => {
        $(#[$doc])*
        #[must_use = "domains are lazy and do nothing unless iterated"]
        pub struct $name<$($T),+> {
            inner: nest_ty!($($T),+),
        }

        impl<$($T: Clone),+> Clone for $name<$($T),+> {
            fn clone(&self) -> Self {
                $name { inner: self.inner.clone() }
            }
        }

        impl<$($T: fmt::Debug),+> fmt::Debug for $name<$($T),+> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).field("inner", &self.inner).finish()
            }
        }

        impl<$($T: Domain),+> $name<$($T),+> {
            #[doc = concat!("The product of ", stringify!($n), " domains; see [`Product::new`].")]
            ///
            /// ```
            /// use haydi_domains::Product;
            /// let _p = Product::new((haydi_domains::Boolean, haydi_domains::Boolean));
            /// ```
            #[allow(clippy::too_many_arguments)]
            pub fn new($($v: $T),+) -> Self {
                $name { inner: nest_new!($($v),+) }
            }

            /// The component domains, in order.
            pub fn domains(&self) -> ($(&$T),+) {
                let nest_pat!($($v),+) = nest_refs!(self.inner; $($T),+);
                ($($v),+)
            }
        }

        impl<$($T: Domain),+> Domain for $name<$($T),+> {
            type Item = ($($T::Item),+);

            fn size(&self) -> Size {
                self.inner.size()
            }

            fn item_at(&self, index: u128) -> Option<Self::Item> {
                let nest_pat!($($v),+) : nest_item!($($T),+) = self.inner.item_at(index)?;
                Some(($($v),+))
            }

            #[inline]
            fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
            where
                F: FnMut(Self::Item) -> ControlFlow<()>,
            {
                self.inner.visit_range(start, end, &mut |nest_pat!($($v),+)| f(($($v),+)))
            }

            fn visit_from<F>(&self, start: u128, f: &mut F) -> ControlFlow<()>
            where
                F: FnMut(Self::Item) -> ControlFlow<()>,
            {
                self.inner.visit_from(start, &mut |nest_pat!($($v),+)| f(($($v),+)))
            }

            fn visits_past_u128(&self) -> bool {
                self.inner.visits_past_u128()
            }

            fn generate_one(&self, rng: &mut dyn RngCore) -> Result<Self::Item> {
                let nest_pat!($($v),+) = self.inner.generate_one(rng)?;
                Ok(($($v),+))
            }

            fn name(&self) -> String {
                "Product".into()
            }

            fn fingerprint(&self) -> String {
                self.inner.fingerprint()
            }

            fn is_strict(&self) -> bool {
                self.inner.is_strict()
            }
        }

        impl<$($T: Domain),+> fmt::Display for $name<$($T),+>
        where
            $($T::Item: fmt::Debug),+
        {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&describe(self))
            }
        }

        impl<$($T: Domain),+> IntoProduct for ($($T),+) {
            type Output = $name<$($T),+>;
            fn into_product(self) -> Self::Output {
                let ($($v),+) = self;
                $name::new($($v),+)
            }
        }
    };
}

product_n!(
    /// The ordered product of three domains; see [`Product::new`].
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Product, Range};
    /// let p = Product::new((Range::new(2), Range::new(2), Range::new(2)));
    /// assert_eq!(p.item_at(5), Some((1, 0, 1)));
    /// ```
    Product3, 3; A a, B b, C c);
product_n!(
    /// The ordered product of four domains; see [`Product::new`].
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Product, Range};
    /// let p = Product::new((Range::new(2), Range::new(2), Range::new(2), Range::new(2)));
    /// assert_eq!(p.iter().count(), 16);
    /// ```
    Product4, 4; A a, B b, C c, D d);
product_n!(
    /// The ordered product of five domains; see [`Product::new`].
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Product, Range};
    /// let r = Range::new(2);
    /// assert_eq!(Product::new((r, r, r, r, r)).iter().count(), 32);
    /// ```
    Product5, 5; A a, B b, C c, D d, E e);
product_n!(
    /// The ordered product of six domains; see [`Product::new`].
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Product, Range};
    /// let r = Range::new(2);
    /// assert_eq!(Product::new((r, r, r, r, r, r)).iter().count(), 64);
    /// ```
    Product6, 6; A a, B b, C c, D d, E e, G g);
product_n!(
    /// The ordered product of seven domains; see [`Product::new`].
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Product, Range};
    /// let r = Range::new(2);
    /// assert_eq!(Product::new((r, r, r, r, r, r, r)).iter().count(), 128);
    /// ```
    Product7, 7; A a, B b, C c, D d, E e, G g, H h);
product_n!(
    /// The ordered product of eight domains; see [`Product::new`].
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::{Product, Range};
    /// let r = Range::new(2);
    /// let p = Product::new((r, r, r, r, r, r, r, r));
    /// assert_eq!(p.item_at(255), Some((1, 1, 1, 1, 1, 1, 1, 1)));
    /// ```
    Product8, 8; A a, B b, C c, D d, E e, G g, H h, I i);
