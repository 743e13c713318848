#![doc = include_str!("../README.md")]
//!
//! ## This crate
//!
//! `haydi` re-exports the layers, so one dependency and `use haydi::prelude::*;` are enough:
//!
//! - [`haydi_core`] at the top level (traits, pipelines, actions, scheduler, serial and thread
//!   contexts, session): [`Domain`], [`Pipeline`], [`RunOptions`], [`Outcome`], [`Error`], ...
//! - [`haydi_domains`] at the top level: [`Range`], [`Product`], [`Subsets`], [`Mappings`], ...
//! - [`canon`] (the `haydi-canon` crate): canonical forms, [`USet`], [`Atom`], [`CnfsExt::cnfs`].
//! - [`contexts`](mod@contexts) (the `haydi-contexts` crate): worker processes and clusters,
//!   [`DistributedContext`].
//! - [`serde`]: the serde version haydi uses, for deriving the traits that
//!   [item types need](#items-and-serde) without a dependency of your own.
//!
//! ```
//! use haydi::prelude::*;
//! let pairs = Product::new((Range::new(10), Range::new(10)));
//! let found = pairs.filter(|(a, b)| a * b == 12).collect().run(true)?;
//! assert_eq!(found, vec![(2, 6), (3, 4), (4, 3), (6, 2)]);
//! # Ok::<(), haydi::Error>(())
//! ```
//!
//! An item type of your own, serializable through the re-exported serde:
//!
//! ```
//! use haydi::prelude::*;
//! use haydi::serde::{Deserialize, Serialize};
//!
//! #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
//! #[serde(crate = "haydi::serde")]
//! struct Point {
//!     x: i64,
//!     y: i64,
//! }
//!
//! session::set_parallel_context(ThreadContext::new(2)?);
//! let grid = Product::new((Range::new(30), Range::new(30)));
//! let circle = grid
//!     .map(|(x, y)| Point { x, y })
//!     .filter(|p| p.x * p.x + p.y * p.y == 25 * 25)
//!     .collect()
//!     .run(true)?; // parallel: partials of Points are merged
//! assert_eq!(circle.len(), 6);
//! assert_eq!(circle[0], Point { x: 0, y: 25 });
//! assert_eq!(circle[5], Point { x: 25, y: 0 });
//! # Ok::<(), haydi::Error>(())
//! ```

// The top level, by concept; nothing comes in through a glob. Core: the traits and types of
// domains, pipelines, actions and runs, and their modules.
/// The chunk protocol between jobs and contexts ([`plumbing::ErasedJob`], the scheduler),
/// **for authors of contexts only**: programs that explore spaces never need it.
pub use haydi_core::plumbing;
/// Files a run trusts (checkpoints, crops): private folders, owner and mode checks, sealing
/// under the user's key, proof of origin; for tools such as `haydi reseal`.
pub use haydi_core::trusted;
/// haydi's warnings and where they go (`tracing`, or stderr without a subscriber).
pub use haydi_core::warning;
pub use haydi_core::{
    BoxedDomain, Domain, DomainExt, Error, IntoPipeline, Job, Mapping, Outcome, ParallelContext,
    Pipeline, Result, RunOptions, SerialContext, Set, Size, ThreadContext, action, context, domain,
    pipeline, session,
};
// Domains (the `haydi-domains` crate).
/// Canonical forms: unlabelled atoms, isomorphism, orderly generation (the `haydi-canon` crate).
pub use haydi_canon as canon;
pub use haydi_canon::{
    Atom, Automata, BitGraph, Canonical, CnfValues, CnfsExt, Graphs, PartialTable, StrictFilterExt,
    ToCnfValues, TransitionTable, USet, canonize, expand, is_canonical, is_isomorphic,
};
/// Contexts beyond one process: worker processes and clusters (the `haydi-contexts` crate).
pub use haydi_contexts as contexts;
pub use haydi_contexts::{
    Crop, DistributedContext, DistributedOptions, Pool, Sweep, crop, pool, sweep,
};
/// Transition systems and breadth-first search: [`systems::System`], [`systems::Dlts`],
/// [`systems::Bfs`], [`systems::bfs_path`], [`systems::bfs_find`], Graphviz output.
pub use haydi_domains::systems;
pub use haydi_domains::{
    Boolean, IntoProduct, Join, Mappings, Materialized, Permutations, Product, ProductRepeat,
    ProductUnordered, Range, Sequences, Subsets, ToValues, Values,
};
/// Accelerators (the `haydi-gpu` crate, with the `gpu` feature): kernels that run on GPUs
/// next to CPU threads, [`gpu::AcceleratorContext`], [`gpu::iter_accelerators`],
/// [`gpu::AcceleratorPool`].
#[cfg(feature = "gpu")]
pub use haydi_gpu as gpu;
/// The serde that haydi's partials go through, for `#[derive(Serialize, Deserialize)]` on item
/// types with `#[serde(crate = "haydi::serde")]` (see [Items and serde](crate#items-and-serde)).
///
/// ```
/// #[derive(haydi::serde::Serialize, haydi::serde::Deserialize)]
/// #[serde(crate = "haydi::serde")]
/// struct Item(u32, String);
/// ```
pub use serde;

/// What almost every exploration program uses: `use haydi::prelude::*;`. The traits whose
/// methods make the chain ([`Domain`], [`DomainExt`], [`IntoPipeline`], [`ParallelContext`],
/// [`CnfsExt`], [`StrictFilterExt`], [`ToValues`], [`ToCnfValues`], and
/// [`systems::Successors`], whose `bfs` starts a chain from a transition system), the domains
/// and the canonical sources [`Graphs`] and [`Automata`], and what runs
/// them (`session`, [`RunOptions`], [`ThreadContext`], [`DistributedContext`], [`Error`],
/// [`Result`]). Everything else is named by its module: `haydi::Pool`, `haydi::Size`,
/// `haydi::systems::System`, `haydi::crop::Crop`, ...
///
/// ```
/// use haydi::prelude::*;
/// let v = USet::new(4, "v");
/// let graphs = Subsets::new(Subsets::with_size(v, 2)?)?;
/// assert_eq!(graphs.cnfs()?.count().run(true)?, 11);
/// # Ok::<(), haydi::Error>(())
/// ```
pub mod prelude {
    pub use haydi_canon::{Automata, CnfsExt, Graphs, StrictFilterExt, ToCnfValues, USet};
    pub use haydi_contexts::DistributedContext;
    pub use haydi_core::{
        Domain, DomainExt, Error, IntoPipeline, ParallelContext, Result, RunOptions, ThreadContext,
        session,
    };
    pub use haydi_domains::systems::Successors;
    pub use haydi_domains::{
        Boolean, Join, Mappings, Permutations, Product, Range, Sequences, Subsets, ToValues, Values,
    };
}
