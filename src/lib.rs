//! # haydi
//!
//! Explore huge discrete spaces lazily and in parallel: build a domain (every DFA with 5 states,
//! every graph on 9 vertices, a grid of parameters), chain `map`/`filter`/`take`, end with an
//! action, and `run(true)` it on the session's parallel context.
//!
//! ```
//! use haydi::prelude::*;
//! let pairs = Product::new((Range::new(10), Range::new(10)));
//! let found = pairs.filter(|(a, b)| a * b == 12).collect().run(true).unwrap();
//! assert_eq!(found, vec![(2, 6), (3, 4), (4, 3), (6, 2)]);
//! ```
//!
//! This crate re-exports the layers: [`haydi_core`] (traits, pipelines, actions, scheduler,
//! serial and thread contexts, session), [`haydi_domains`] (the domains) and [`haydi_contexts`]
//! (worker processes and clusters: [`DistributedContext`]). See `docs/ARCHITECTURE.md`.

/// Canonical forms: unlabelled atoms, isomorphism, orderly generation (`haydi-canon`).
pub use haydi_canon as canon;
pub use haydi_canon::{
    canonize, expand, is_canonical, is_isomorphic, Atom, Canonical, CnfsExt, USet,
};
pub use haydi_contexts as contexts;
pub use haydi_contexts::{DistributedContext, DistributedOptions};
pub use haydi_core::*;
pub use haydi_domains::*;

/// Everything a typical exploration program needs: `use haydi::prelude::*;`.
///
/// ```
/// use haydi::prelude::*;
/// let v = USet::new(4, "v");
/// let graphs = Subsets::new(Subsets::with_size(v, 2)?)?;
/// assert_eq!(graphs.cnfs()?.count().run(true)?, 11);
/// # Ok::<(), haydi::Error>(())
/// ```
pub mod prelude {
    pub use haydi_canon::{
        canonize, expand, is_canonical, is_isomorphic, Atom, Canonical, CnfsExt, USet,
    };
    pub use haydi_contexts::DistributedContext;
    pub use haydi_core::prelude::*;
    pub use haydi_domains::*;
}

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
