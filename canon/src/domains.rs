//! [`StrictShape`] for the concrete domains of `haydi-domains` (and the generic domains of
//! `haydi-core`), so that `domain.cnfs()` works on them.
//!
//! Each domain's [`Shape`] produces exactly the [`Value`] layout of its item type's
//! [`Canonical`] encoding: [`Range`] (`i64`) is `Value::Int`, [`Boolean`] is `Value::Bool`,
//! `Product2..8` (tuples) are `Value::Seq`s of 2 to 8, [`ProductRepeat`] and [`Sequences`]
//! (`Vec<T>`) are `Value::Seq`, [`Subsets`] (`Set<T>`) is `Value::Set` and [`Mappings`]
//! (`Mapping<K, V>`) is `Value::Mapping`.
//!
//! Non-strict domains are refused with [`Error::NotStrict`]: a user `map` ([`Mapped`]), a plain
//! filter ([`Filtered`]; use [`crate::StrictFilterExt::filter_strict`]), [`Permutations`] and
//! [`ProductUnordered`] (their items are vectors whose order depends on the labels, so a
//! renaming of atoms does not map the domain onto itself), and [`Values`] holding atoms that
//! are not closed under renaming (a `Values` holding atoms closed under renaming, such as a
//! materialized strict domain, is described as [`Shape::Items`]). [`CnfValues`] is
//! [`Shape::Items`] of all its copies; [`Named`] and [`Materialized`] describe what they wrap.
//!
//! A [`BoxedDomain`] hides its structure, so its items are materialized (at most
//! [`MAX_COMPONENT`]) as [`Shape::Values`] (plain items) or [`Shape::Items`] (items holding
//! atoms, checked to be closed under renaming). The keys of a [`Mappings`] are materialized
//! by the domain itself and are described the same way.
//!
//! ```
//! use haydi_canon::{CnfsExt, USet};
//! use haydi_core::prelude::*;
//! use haydi_domains::{Product, Subsets};
//! let v = USet::new(4, "v");
//! let graphs = Subsets::new(Subsets::with_size(v.clone(), 2).unwrap()).unwrap();
//! assert_eq!(graphs.cnfs().unwrap().count().run(false).unwrap(), 11);
//! let triples = Product::new((v.clone(), v.clone(), v));
//! assert_eq!(triples.cnfs().unwrap().count().run(false).unwrap(), 5);
//! ```

use crate::shape::{self, MAX_COMPONENT, Shape};
use crate::value::{Canonical, Value};
use crate::{CnfValues, StrictShape};
use haydi_core::domain::{BoxedDomain, Filtered, Mapped, Named};
use haydi_core::{Domain, Error, Result};
use haydi_domains::{
    Boolean, Join, Mappings, Permutations, Product2, Product3, Product4, Product5, Product6,
    Product7, Product8, ProductRepeat, ProductUnordered, Range, Sequences, Subsets, Values,
};
use std::ops::ControlFlow;

fn not_strict(what: &str, why: &str) -> Error {
    Error::NotStrict(format!(
        "{what} is not strict ({why}); canonical forms need a domain built only from USet, Range, Boolean, Values of plain values, Product, Sequences, Subsets, Mappings and Join"
    ))
}

/// The shape of explicit items: `Values` when they are plain, `Items` (closed under renaming,
/// checked) otherwise.
fn explicit(vs: Vec<Value>) -> Result<Shape> {
    let s = if vs.iter().all(Value::is_plain) {
        Shape::Values(vs)
    } else {
        Shape::Items(vs)
    };
    s.validate()?;
    Ok(s)
}

impl StrictShape for Range {
    fn shape(&self) -> Result<Shape> {
        if self.is_empty() {
            return Ok(shape::range(0));
        }
        let (start, step) = (self.start(), self.step());
        // The bound just past the last item; clamped to the i64 range, which is exact because
        // every item lies strictly inside the span of the original `end`.
        let end = start as i128 + step as i128 * self.len() as i128;
        let end = end.clamp(i64::MIN as i128, i64::MAX as i128) as i64;
        Ok(shape::range_step(start, end, step))
    }
}

impl StrictShape for Boolean {
    fn shape(&self) -> Result<Shape> {
        Ok(shape::boolean())
    }
}

impl<T: Canonical> StrictShape for Values<T> {
    fn shape(&self) -> Result<Shape> {
        // Plain values are strict as they are; values holding atoms are strict when the list is
        // closed under renaming atoms (checked), as a materialized strict domain is.
        explicit(self.as_slice().iter().map(Canonical::to_value).collect()).map_err(|e| match e {
            Error::NotStrict(why) => not_strict(
                "Values holding atoms",
                &format!("{why}; use a USet, CnfValues or to_cnf_values instead"),
            ),
            e => e,
        })
    }
}

impl<T: Canonical + Clone + Send + Sync> StrictShape for CnfValues<T> {
    fn shape(&self) -> Result<Shape> {
        // All copies of the representatives: closed under renaming by construction.
        Ok(Shape::Items(
            self.as_slice().iter().map(Canonical::to_value).collect(),
        ))
    }
}

impl<A: Domain + StrictShape, B: Domain + StrictShape> StrictShape for Product2<A, B> {
    fn shape(&self) -> Result<Shape> {
        let (a, b) = self.domains();
        Ok(shape::product(vec![a.shape()?, b.shape()?]))
    }
}

macro_rules! product_shape {
    ($name:ident; $($T:ident $v:ident),+) => {
        impl<$($T: Domain + StrictShape),+> StrictShape for $name<$($T),+> {
            fn shape(&self) -> Result<Shape> {
                let ($($v),+) = self.domains();
                Ok(shape::product(vec![$($v.shape()?),+]))
            }
        }
    };
}
product_shape!(Product3; A a, B b, C c);
product_shape!(Product4; A a, B b, C c, D d);
product_shape!(Product5; A a, B b, C c, D d, E e);
product_shape!(Product6; A a, B b, C c, D d, E e, G g);
product_shape!(Product7; A a, B b, C c, D d, E e, G g, H h);
product_shape!(Product8; A a, B b, C c, D d, E e, G g, H h, I i);

impl<D: Domain + StrictShape> StrictShape for ProductRepeat<D> {
    fn shape(&self) -> Result<Shape> {
        Ok(shape::product(vec![self.domain().shape()?; self.len()]))
    }
}

impl<D: Domain + StrictShape> StrictShape for Sequences<D> {
    fn shape(&self) -> Result<Shape> {
        let (min, max) = self.lengths();
        Ok(shape::sequences(self.domain().shape()?, min, max))
    }
}

impl<D: Domain + StrictShape> StrictShape for Subsets<D> {
    fn shape(&self) -> Result<Shape> {
        let (min, max) = self.sizes();
        Ok(shape::subsets_sized(self.domain().shape()?, min, max))
    }
}

impl<K, V> StrictShape for Mappings<K, V>
where
    K: Canonical + Send + Sync,
    V: Domain + StrictShape,
{
    fn shape(&self) -> Result<Shape> {
        if !self.is_strict() {
            return Err(not_strict(
                "Mappings",
                "its key domain is a user map or a filter",
            ));
        }
        let keys = explicit(self.keys().iter().map(Canonical::to_value).collect())?;
        Ok(shape::mappings(keys, self.value_domain().shape()?))
    }
}

impl<D: Domain + StrictShape> StrictShape for Join<D> {
    fn shape(&self) -> Result<Shape> {
        Ok(shape::join(
            self.parts()
                .iter()
                .map(StrictShape::shape)
                .collect::<Result<_>>()?,
        ))
    }
}

impl<T: Canonical + Send + 'static> StrictShape for BoxedDomain<T> {
    fn shape(&self) -> Result<Shape> {
        if !self.is_strict() {
            return Err(not_strict(
                &self.name(),
                "a user map or a filter behind a boxed domain",
            ));
        }
        let n = match self.size().bound() {
            Some(n) if n <= MAX_COMPONENT as u128 => n,
            _ => {
                return Err(Error::InvalidDomain(format!(
                    "a boxed domain ({}) is materialized for canonical forms, and it has more than {MAX_COMPONENT} items",
                    self.name()
                )));
            }
        };
        let mut vs = Vec::with_capacity(n as usize);
        let _ = self.visit_range(0, n, &mut |x| {
            vs.push(x.to_value());
            ControlFlow::Continue(())
        });
        explicit(vs)
    }
}

impl<D, F> StrictShape for Mapped<D, F>
where
    Mapped<D, F>: Domain,
{
    fn shape(&self) -> Result<Shape> {
        Err(not_strict(&self.name(), "a user map"))
    }
}

impl<D, F> StrictShape for Filtered<D, F>
where
    Filtered<D, F>: Domain,
{
    fn shape(&self) -> Result<Shape> {
        Err(not_strict(
            &self.name(),
            "a filter whose predicate may depend on the labels of atoms; use filter_strict for a predicate invariant under renaming",
        ))
    }
}

impl<T: Clone + Send + Sync> StrictShape for Permutations<T> {
    fn shape(&self) -> Result<Shape> {
        Err(not_strict(
            "Permutations",
            "its items are orderings of labelled items; use Sequences or Mappings of a USet",
        ))
    }
}

impl<D: Domain> StrictShape for ProductUnordered<D> {
    fn shape(&self) -> Result<Shape> {
        Err(not_strict(
            "ProductUnordered",
            "its items are vectors in the inner domain's index order, which a renaming of atoms does not keep; use Subsets::with_size",
        ))
    }
}

impl<D: Domain + StrictShape> StrictShape for Named<D> {
    fn shape(&self) -> Result<Shape> {
        self.inner().shape()
    }
    fn cnf_plan(&self) -> Result<(Shape, Option<crate::ValueFilter>)> {
        self.inner().cnf_plan()
    }
}

haydi_domains::leaf_to_values!([T: Canonical + Clone + Send + Sync] CnfValues<T>);
haydi_domains::leaf_to_values!([D, F] crate::StrictFiltered<D, F> where crate::StrictFiltered<D, F>: Domain, <crate::StrictFiltered<D, F> as Domain>::Item: Sync);
