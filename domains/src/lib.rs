//! # haydi-domains
//!
//! The built-in domains of haydi: [`Range`], [`Values`], [`Boolean`], products ([`Product`],
//! [`ProductRepeat`], [`ProductUnordered`]), [`Sequences`], [`Subsets`], [`Mappings`],
//! [`Join`] and [`Permutations`]; and, in [`systems`], transition systems ([`System`], [`Dlts`])
//! with their breadth-first exploration as a pipeline source ([`Bfs`]), shortest paths and
//! Graphviz export.
//!
//! This layer sits on top of `haydi-core` and depends on nothing else of haydi: every type here
//! implements [`haydi_core::Domain`], so it can be iterated, split by index ranges, sampled and
//! fed into pipelines. Every domain unranks an index in time proportional to the size of one
//! item and steps through index ranges without unranking each index. Filters keep the parent's
//! index space: an index whose compound item contains a filtered-out part yields nothing.
//!
//! ```
//! use haydi_core::prelude::*;
//! use haydi_domains::{Product, Range, Subsets};
//! let pairs = Product::new((Range::new(3), Range::new(3)));
//! let n = pairs.clone().filter(|(a, b)| a < b).count().run(false).unwrap();
//! assert_eq!(n, 3);
//! assert_eq!(Subsets::new(pairs).unwrap().size(), Size::Exact(512));
//! ```

mod boolean;
mod join;
mod mappings;
mod materialize;
mod permutations;
mod product;
mod range;
mod repeat;
mod sequences;
mod subsets;
pub mod systems;
mod unordered;
mod util;
mod values;

pub use boolean::Boolean;
pub use join::Join;
pub use mappings::Mappings;
pub use materialize::{Leaf, Materialized, ToValues};
pub use permutations::Permutations;
pub use product::{
    IntoProduct, Product, Product2, Product3, Product4, Product5, Product6, Product7, Product8,
};
pub use range::Range;
pub use repeat::ProductRepeat;
pub use sequences::Sequences;
pub use subsets::Subsets;
pub use systems::{
    Bfs, BfsEnd, Dlts, DltsProduct, Exploration, Successors, System, bfs, bfs_find, bfs_path, dlts,
    dlts_from_map, dlts_to_dot, to_dot,
};
pub use unordered::ProductUnordered;
pub use values::Values;
