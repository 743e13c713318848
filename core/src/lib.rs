//! # haydi-core
//!
//! The bottom layer of haydi: everything the other crates build on.
//!
//! - [`Domain`]: a lazy, indexable set of items, split by index ranges ([`domain`]).
//! - [`Pipeline`] and [`Job`]: lazy `map`/`filter`/`take` chains ended by an [`action`].
//! - [`plumbing`]: the object-safe [`plumbing::ErasedJob`] and the adaptive chunk
//!   [`plumbing::Scheduler`] that every parallel context shares.
//! - [`context`]: the [`ParallelContext`] trait, the serial and thread contexts.
//! - [`session`]: which context `run(true)` uses.
//! - [`trusted`]: files a later run trusts (checkpoints, crops): owner, mode and links checked,
//!   sealed under the user's key, identified by program and domain.
//!
//! Layers above: `haydi-domains` (Range, Product, Subsets, ...) and `haydi-contexts` (worker
//! processes, clusters) depend on this crate and never on each other; the `haydi` facade
//! re-exports all of them.
//!
//! ```
//! use haydi_core::prelude::*;
//! use haydi_domains::Range;
//! let evens = Range::new(10).filter(|x| x % 2 == 0).collect().run(true).unwrap();
//! assert_eq!(evens, vec![0, 2, 4, 6, 8]);
//! ```

pub mod action;
pub mod context;
pub mod domain;
mod error;
pub mod pipeline;
pub mod plumbing;
pub mod session;
mod size;
pub mod task;
pub mod trusted;
mod values;
pub mod warning;

pub use context::{Outcome, ParallelContext, RunOptions, SerialContext, ThreadContext};
pub use domain::{BoxedDomain, Domain, DomainExt};
pub use error::{Error, Result};
pub use pipeline::{IntoPipeline, Job, Pipeline};
pub use size::Size;
pub use values::{Mapping, Set};

/// The names most programs need: `use haydi_core::prelude::*;`.
pub mod prelude {
    pub use crate::context::{
        Outcome, ParallelContext, Progress, RunOptions, SerialContext, ThreadContext,
    };
    pub use crate::domain::{Domain, DomainExt};
    pub use crate::pipeline::IntoPipeline;
    pub use crate::session;
    pub use crate::{Error, Mapping, Result, Set, Size};
}
