//! Transition systems and their breadth-first exploration (the Python haydi's `System`, `DLTS`,
//! `DLTSProduct`, `dlts_from_dict`, `bfs`, `bfs_path`, `make_graph` and
//! `algorithms.search.bfs`), one concept per file:
//!
//! - [`Successors`] and [`System`] (`system.rs`): states with a successor function;
//! - [`Dlts`], [`dlts`], [`DltsProduct`], [`dlts_from_map`] (`dlts.rs`): deterministic labelled
//!   transition systems, their products, and systems built from a transition table;
//! - [`Bfs`] and [`bfs`] (`bfs.rs`): the reachable states, breadth first, as a pipeline source
//!   that runs on every context (each level's expansion is a parallel job), with
//!   [`Exploration`] and [`BfsEnd`] saying what was found and why it stopped;
//! - [`bfs_path`] and [`bfs_find`] (`path.rs`): shortest paths and the generic search;
//! - [`to_dot`], [`dlts_to_dot`], [`Exploration::to_dot`] (`dot.rs`): Graphviz export.
//!
//! ```
//! use haydi_core::prelude::*;
//! use haydi_domains::systems::{bfs_path, dlts_from_map, Bfs, Dlts};
//! use std::collections::BTreeMap;
//! // Two letters on three states: 'a' rotates, 'b' merges state 2 into state 0.
//! let mut table = BTreeMap::new();
//! for s in 0..3u8 {
//!     table.insert((s, 'a'), (s + 1) % 3);
//!     table.insert((s, 'b'), if s == 2 { 0 } else { s });
//! }
//! let m = dlts_from_map(table);
//! assert_eq!(Bfs::new(m.clone(), [0]).count().run(true).unwrap(), 3);
//! // Pairs of states: a shortest way to merge states 1 and 2 ("ab").
//! let pairs = m.clone().product(m);
//! let path = bfs_path(&pairs, [(1, 2)], |(p, q)| p == q, None);
//! assert_eq!(path, Some(vec![(1, 2), (2, 0), (0, 0)]));
//! ```

mod bfs;
mod dlts;

/// The hash set and map of the searches: foldhash instead of std's SipHash. States are small
/// (bit sets, tuples of integers) and hashed once or twice per edge of the search, where
/// SipHash took most of a reset-word search's time; foldhash's per-instance seeds still keep
/// an adversary from predicting collisions.
pub(crate) type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;
/// See [`HashSet`].
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
mod dot;
mod path;
mod system;

pub use bfs::{Bfs, BfsEnd, BfsItems, Exploration, State, States, WithDepth, bfs};
pub use dlts::{Dlts, DltsFn, DltsProduct, MapDlts, dlts, dlts_from_map};
pub use dot::{dlts_to_dot, to_dot};
pub use path::{bfs_find, bfs_path};
pub use system::{Successors, System};

#[cfg(test)]
mod tests;
