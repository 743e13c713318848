//! # haydi-canon
//!
//! Canonical forms: structures up to isomorphism.
//!
//! - [`USet`]: a domain of unlabelled [`Atom`]s. A USet's identity ([`UsetId`]) is derived from
//!   its declaration (name and size), so it is the same in every process of a distributed run;
//!   atoms of different USets are ordered by name, then size. Two USets declared separately
//!   with the same name and size have one identity, and `cnfs()` refuses a domain holding both.
//! - [`Value`]: the plain values of strict domains, with a documented total order, and the
//!   [`Canonical`] trait through which typed values (atoms, integers, `bool`, `String`, tuples,
//!   `Vec`, `Option`, [`haydi_core::Set`], [`haydi_core::Mapping`]) take part.
//! - [`canonize`], [`is_canonical`], [`is_isomorphic`], [`expand`]: two values are isomorphic when
//!   a bijection of atoms that keeps every atom in its USet maps one to the other; the canonical
//!   form is the smallest member of the class in the value order.
//! - [`cnfs`] / [`CnfsExt::cnfs`]: a pipeline source with one canonical representative per
//!   isomorphism class of a strict domain described by a [`Shape`].
//!
//! ## How
//!
//! *Canonical form.* The search relabels atoms one target index at a time (USets in id order).
//! A node's partial image (assigned atoms renamed, the others pending, known to receive larger
//! indices) is compared three-valuedly with the best complete image so far; a node that is
//! already greater is cut. Complete images equal to the best give automorphisms, and children
//! of a node in one orbit of the automorphisms fixing the node's atoms are explored once. No
//! search over all `k!` relabellings happens (that is only the test oracle).
//!
//! *Enumeration.* Orderly generation (Read/Faradžev): the top-level container is built one
//! component at a time, each new component larger than the previous ones, and a branch is cut
//! as soon as its partial object is not canonical (a non-canonical prefix has no canonical
//! extension under this order, so nothing is lost). Candidates must bring in new atoms as the
//! next unused indices of their USet. Undirected graphs (`Subsets(Subsets(U, 2, 2))`, at most
//! 16 atoms) are recognised from the shape and run on a bit-mask specialisation: its canonicity
//! test keeps the unplaced vertices in an ordered partition refined by each placed vertex's
//! neighbours (only labellings that follow it can be minimal), compares each node's row exactly
//! with the graph's own row, prunes by automorphisms found at leaves and jumps back to the
//! identity path as nauty does. The test is incremental: a child differs from its parent from
//! the new edge's row on, and reuses what the parent's test found before it (`graph.rs`). Its
//! output equals the general path (tested) and OEIS A000088.
//! Functional structures (`Mappings` from `S` or `Product(S, L)` to `S`, USets `S` and `L`,
//! at most 32 keys: automata, functional graphs) run on arrays of values with a forced-walk
//! canonicity test (`func.rs`), equal to the general one (tested).
//!
//! *Classes.* [`Graphs`] (nauty geng's switches as builder methods, and a user's monotone
//! `prune`) and [`Automata`] (an initial state, initially connected, permutation letters, a
//! prune on [`PartialTable`]s) prune the same trees during generation: in the edge tree every
//! ancestor of a graph is a subgraph of it, and in the functional tree a node's descendants are
//! its completions, so a property that fails at a node and at everything that grows from it
//! cuts the node's subtree.
//!
//! *Parallelism.* [`CnfSource`]'s index space is a frontier of the generation tree (expanded
//! nodes and unexpanded subtrees, in pre-order, the heaviest subtrees expanded first), so
//! `run(true)` hands subtrees to workers, and the items come in the same order as serially.
//!
//! ## Concrete domains
//!
//! Every domain of `haydi-domains` implements [`StrictShape`]: `Range`, `Boolean`, `Values`,
//! `Product2..8`, `ProductRepeat`, `Sequences`, `Subsets`, `Mappings`, `Join`, `Materialized`
//! (from `to_values`), [`haydi_core::domain::Named`], [`USet`], [`CnfValues`],
//! [`CnfMaterialized`] (from [`ToCnfValues::to_cnf_values`]), [`StrictFiltered`] (from
//! [`StrictFilterExt::filter_strict`]) and [`haydi_core::BoxedDomain`] (materialized as
//! [`Shape::Values`] or [`Shape::Items`]); a user `map`, a plain `filter`, `Permutations`,
//! `ProductUnordered` and `Values` holding atoms not closed under renaming are refused with
//! [`Error::NotStrict`]. So `Subsets::with_size(u, 2)?.cnfs()?` works directly.
//!
//! *Materialized and filtered domains.* [`CnfValues`] is a strict domain given by canonical
//! representatives and iterated as all their copies; `to_cnf_values(max_size)` replaces each
//! part that fits by one. A strict filter at the top of a domain filters the canonical forms
//! of the inner domain ([`StrictShape::cnf_plan`]); nested inside a larger domain, its
//! surviving items are materialized and checked to be closed under renaming.
//!
//! A further domain takes part by implementing [`StrictShape`] (`fn shape(&self) ->
//! Result<Shape>`) for a strict domain, with an item type implementing [`Canonical`]; then
//! [`CnfsExt::cnfs`] gives `domain.cnfs()`. The canonical forms are produced as [`Value`]s and
//! decoded with `Canonical::from_value`, so the item's `to_value` must follow the [`Shape`]'s
//! value layout (Range: `Value::Int`, Boolean: `Value::Bool`, Product and Sequences:
//! `Value::Seq`, Subsets: `Value::Set`, Mappings: `Value::Mapping`, USet: `Value::Atom`; a Join of
//! different item types needs an item type whose `to_value` yields each part's values).
//!
//! ## Limits
//!
//! Only the top-level container is built incrementally; its components are chosen whole from
//! the materialised values of the component domain (at most [`shape::MAX_COMPONENT`]).
//! `Values` holding atoms, boxed domains and nested strict filters are materialized and must be
//! closed under renaming (checked); plain filters are refused (`NotStrict`).
//! A boxed domain and the keys of a `Mappings` are materialized as explicit items, so the
//! undirected-graph fast path is only recognised on unboxed `Subsets(Subsets(USet, 2))`.
//!
//! ```
//! use haydi_canon::{cnfs, shape, USet};
//! use haydi_core::prelude::*;
//! let u = USet::new(4, "v");
//! let graphs = shape::subsets(shape::subsets_sized(shape::uset(&u), 2, 2));
//! assert_eq!(cnfs(&graphs).unwrap().count().run(false).unwrap(), 11);
//! ```

mod atom;
mod automata;
mod cnf_values;
mod domains;
mod func;
mod func_class;
mod generate;
mod geng_switches;
mod graph;
mod graph_class;
mod graph_search;
mod graph_tree;
mod graphs;
mod prune_check;
mod search;
pub mod shape;
mod source;
mod strict_filter;
mod to_cnf;
mod typed;
mod value;

pub use atom::{Atom, USet, UsetId};
pub use automata::Automata;
pub use cnf_values::CnfValues;
pub use graphs::Graphs;
pub use prune_check::{PRUNE_CHECKED, PRUNE_SAMPLE};
pub use shape::Shape;
pub use source::CnfSource;
pub use strict_filter::{
    STRICT_FILTER_CHECKED, STRICT_FILTER_SAMPLE, StrictFilterExt, StrictFiltered, ValueFilter,
};
pub use to_cnf::{CnfMaterialized, ToCnfValues};
pub use typed::{BitGraph, CnfItem, NodeRef, PartialTable, TransitionTable, TreeRef};
pub use value::{Canonical, Value};

use haydi_core::pipeline::Identity;
use haydi_core::{Domain, Error, Pipeline, Result};

/// The smallest value isomorphic to `x` (its canonical form).
///
/// Fails with [`Error::NotDecodable`], naming the value, when `T`'s [`Canonical`] impl does not
/// round-trip (its `from_value` refuses the renamed value of its own `to_value`).
///
/// ```
/// use haydi_canon::{canonize, USet};
/// let a = USet::new(1000, "a");
/// let x = (a.atom(900), a.atom(0), a.atom(1), a.atom(1), 100i64);
/// assert_eq!(canonize(&x)?, (a.atom(0), a.atom(1), a.atom(2), a.atom(2), 100));
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub fn canonize<T: Canonical>(x: &T) -> Result<T> {
    decode(&search::canonize_value(&x.to_value()))
}

/// `v` decoded to `T`, or [`Error::NotDecodable`] naming `v` and `T`.
pub(crate) fn decode<T: Canonical>(v: &Value) -> Result<T> {
    T::from_value(v).ok_or_else(|| Error::NotDecodable {
        value: format!("{v:?}"),
        type_name: std::any::type_name::<T>().to_string(),
    })
}

/// Whether `x` is its own canonical form.
///
/// ```
/// use haydi_canon::{is_canonical, USet};
/// let a = USet::new(3, "a");
/// assert!(is_canonical(&(a.atom(0), a.atom(1))));
/// assert!(!is_canonical(&(a.atom(1), a.atom(0))));
/// ```
pub fn is_canonical<T: Canonical>(x: &T) -> bool {
    search::is_canonical_value(&x.to_value())
}

/// Whether some bijection of atoms (each kept in its USet) maps `a` to `b`.
///
/// ```
/// use haydi_canon::{is_isomorphic, USet};
/// let a = USet::new(3, "a");
/// let b = USet::new(3, "b");
/// assert!(is_isomorphic(&(a.atom(0), a.atom(1)), &(a.atom(1), a.atom(0))));
/// assert!(!is_isomorphic(&(a.atom(0), a.atom(1)), &(a.atom(0), a.atom(0))));
/// assert!(!is_isomorphic(&a.atom(0), &b.atom(0)));
/// ```
pub fn is_isomorphic<T: Canonical>(a: &T, b: &T) -> bool {
    let (va, vb) = (a.to_value(), b.to_value());
    va.atoms().len() == vb.atoms().len()
        && search::canonize_value(&va) == search::canonize_value(&vb)
}

/// Every value isomorphic to `x`, using any atoms of its USets, sorted and without repeats.
///
/// Fails with [`Error::NotDecodable`], naming the value, when `T`'s [`Canonical`] impl does not
/// round-trip.
///
/// ```
/// use haydi_canon::{expand, USet};
/// let a = USet::new(3, "a");
/// assert_eq!(expand(&(a.atom(0), a.atom(0)))?.len(), 3);
/// assert_eq!(expand(&(a.atom(0), a.atom(1)))?.len(), 6);
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub fn expand<T: Canonical>(x: &T) -> Result<Vec<T>> {
    search::expand_value(&x.to_value())
        .iter()
        .map(decode)
        .collect()
}

/// A pipeline over one canonical representative ([`Value`]) of every isomorphism class of the
/// strict domain described by `shape`, in the pre-order of the generation tree.
///
/// Fails with [`Error::NotStrict`] when the shape has a non-strict part.
///
/// ```
/// use haydi_canon::{cnfs, shape, USet};
/// use haydi_core::prelude::*;
/// let u = USet::new(3, "u");
/// let triples = shape::product(vec![shape::uset(&u), shape::uset(&u), shape::uset(&u)]);
/// assert_eq!(cnfs(&triples).unwrap().count().run(false).unwrap(), 5);
/// assert!(cnfs(&shape::not_strict("map")).is_err());
/// ```
pub fn cnfs(shape: &Shape) -> Result<Pipeline<CnfSource<Value>, Identity>> {
    cnfs_as::<Value>(shape)
}

/// Like [`cnfs`], decoding every canonical form to `T` (a run fails with
/// [`Error::NotDecodable`], naming the form, if one does not decode: `T`'s [`Canonical`] impl
/// does not follow the shape's value layout).
///
/// ```
/// use haydi_canon::{cnfs_as, shape, Atom, USet};
/// use haydi_core::prelude::*;
/// let u = USet::new(3, "u");
/// let pairs = shape::product(vec![shape::uset(&u), shape::range(2)]);
/// let v = cnfs_as::<(Atom, i64)>(&pairs).unwrap().collect().run(false).unwrap();
/// assert_eq!(v, vec![(u.atom(0), 0), (u.atom(0), 1)]);
/// ```
pub fn cnfs_as<T: CnfItem>(shape: &Shape) -> Result<Pipeline<CnfSource<T>, Identity>> {
    shape.check_declarations()?;
    Ok(Pipeline::new(CnfSource::new(generate::Gen::new(shape)?)?))
}

/// The plug-in contract for concrete domains: describe the domain as a [`Shape`].
///
/// A strict domain returns its structure; a non-strict one returns `Err(Error::NotStrict)`
/// (or `Shape::NotStrict`). The domain's items must implement [`Canonical`] so that canonical
/// forms decode to them.
pub trait StrictShape {
    /// The structure of the domain.
    fn shape(&self) -> Result<Shape>;

    /// What [`CnfsExt::cnfs`] enumerates: a shape, and a filter on its canonical forms. The
    /// default is `(self.shape()?, None)`; a [`StrictFiltered`] domain returns its inner
    /// domain's plan with its predicate added, so the filter runs on canonical forms instead of
    /// materializing the domain. A wrapper domain delegates to the domain it wraps.
    ///
    /// ```
    /// use haydi_canon::{StrictFilterExt, StrictShape, USet};
    /// let u = USet::new(3, "u");
    /// assert!(u.cnf_plan()?.1.is_none());
    /// assert!(u.filter_strict(|_| true)?.cnf_plan()?.1.is_some());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    fn cnf_plan(&self) -> Result<(Shape, Option<ValueFilter>)> {
        Ok((self.shape()?, None))
    }
}

impl StrictShape for USet {
    fn shape(&self) -> Result<Shape> {
        Ok(shape::uset(self))
    }
}

/// `domain.cnfs()` for every domain with a [`StrictShape`].
///
/// ```
/// use haydi_canon::{CnfsExt, USet};
/// use haydi_core::prelude::*;
/// let u = USet::new(3, "u");
/// assert_eq!(u.cnfs().unwrap().collect().run(false).unwrap(), vec![u.atom(0)]);
/// ```
pub trait CnfsExt: Domain + StrictShape
where
    Self::Item: Canonical,
{
    /// One canonical representative per isomorphism class; [`Error::NotStrict`] when the domain
    /// is not strict. Each item is the domain's own item type, decoded from a [`Value`]; for
    /// graphs and automata, [`CnfsExt::cnfs_as`] gives the same representatives as typed items
    /// at a fraction of the cost per item (`count()` straight on either builds only the first
    /// item of each chunk and counts the rest in the generation tree).
    fn cnfs(&self) -> Result<Pipeline<CnfSource<Self::Item>, Identity>> {
        Ok(Pipeline::new(cnf_source(self)?))
    }

    /// The same representatives in the same order as [`CnfsExt::cnfs`], as items of type `U`:
    /// a typed item of a fast path ([`BitGraph`] for undirected graphs, [`TransitionTable`]
    /// for automata and functional graphs), made from the generation tree's node without
    /// building a [`Value`], or any [`Canonical`] type of the same value layout ([`Value`]
    /// itself, say). [`Error::InvalidArgument`] when `U` is a typed item of another fast path
    /// than this domain's.
    ///
    /// ```
    /// use haydi_canon::{BitGraph, CnfsExt, TransitionTable, USet};
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Subsets;
    /// let graphs = Subsets::new(Subsets::with_size(USet::new(4, "v"), 2)?)?;
    /// let typed = graphs.cnfs_as::<BitGraph>()?.collect().run(false)?;
    /// let plain = graphs.cnfs()?.collect().run(false)?;
    /// assert_eq!(typed.len(), plain.len());
    /// assert!(typed.iter().zip(&plain).all(|(t, p)| t.edge_count() as usize == p.len()));
    /// assert!(graphs.cnfs_as::<TransitionTable>().is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    fn cnfs_as<U: CnfItem>(&self) -> Result<Pipeline<CnfSource<U>, Identity>> {
        Ok(Pipeline::new(cnf_source(self)?))
    }
}

impl<D: Domain + StrictShape> CnfsExt for D where D::Item: Canonical {}

/// The canonical-form source of `d` (its plan: shape and filter) with items `U`, or
/// [`Error::NotStrict`].
fn cnf_source<D, U: CnfItem>(d: &D) -> Result<CnfSource<U>>
where
    D: Domain + StrictShape,
{
    if !d.is_strict() {
        return Err(Error::NotStrict(format!(
            "{} is not strict (a user map or a filter; use filter_strict for a predicate invariant under renaming)",
            d.name()
        )));
    }
    let (shape, keep) = d.cnf_plan()?;
    shape.check_declarations()?;
    let mut source = CnfSource::new(generate::Gen::new(&shape)?)?;
    source.keep = keep;
    Ok(source)
}

/// All canonical forms of `d`, serially, in the order of [`CnfsExt::cnfs`].
pub(crate) fn collect_cnfs<D>(d: &D) -> Result<Vec<D::Item>>
where
    D: Domain + StrictShape,
    D::Item: Canonical,
{
    use haydi_core::pipeline::{Extent, Source};
    let source = cnf_source(d)?;
    let Extent::Finite(n) = source.extent()? else {
        return Err(Error::Unbounded);
    };
    let mut out = Vec::new();
    source.visit(0, n, &mut |x| {
        out.push(x);
        std::ops::ControlFlow::Continue(())
    })?;
    Ok(out)
}
