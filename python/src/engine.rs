//! The one place where the binding names haydi's Rust API.
//!
//! Every other file of the binding imports engine items from here (`crate::engine::...`), never
//! from the crates or their preludes, so that a rename in the Rust API (issue 27: `reduce` and
//! `reduce_with`, `collect_into`, the smaller prelude, `plumbing`) is followed by editing this
//! file alone.

pub(crate) use haydi_canon::shape::{self, Shape};
pub(crate) use haydi_canon::{Atom, CnfValues, StrictShape, USet, Value};
pub(crate) use haydi_contexts::Pool;
pub(crate) use haydi_contexts::distributed::{DistributedContext, DistributedOptions};
pub(crate) use haydi_contexts::extensions::{is_serial, pool_workers};
pub(crate) use haydi_contexts::pool::ContextSpec;
pub(crate) use haydi_contexts::pool::{Remote, TaskHandle, driver_bytes};
pub(crate) use haydi_core::action::Action;
pub(crate) use haydi_core::domain::BoxedDomain;
pub(crate) use haydi_core::plumbing::{Unpoisoned, panic_message};
pub(crate) use haydi_core::session;
pub(crate) use haydi_core::{
    Domain, DomainExt, Error, IntoPipeline, Outcome, ParallelContext, RunOptions, SerialContext,
    ThreadContext,
};
pub(crate) use haydi_domains::{
    Boolean, Join, Mappings, Permutations, Product, ProductUnordered, Range, Sequences, Subsets,
    Values,
};

/// Canonical-form helpers on [`Value`]s.
pub(crate) mod canon {
    pub(crate) use haydi_canon::{canonize, cnfs, expand, is_canonical, is_isomorphic};
}

pub(crate) use haydi_canon::UsetId;

/// The engine's one binary form of values (what travels between processes).
pub(crate) mod codec {
    use super::Error;
    /// `x` encoded.
    pub(crate) fn encode<T: serde::Serialize>(x: &T) -> Result<Vec<u8>, Error> {
        haydi_core::plumbing::encode_value(x)
    }
    /// A value decoded from `b`.
    pub(crate) fn decode<T: serde::de::DeserializeOwned>(b: &[u8]) -> Result<T, Error> {
        haydi_core::plumbing::decode_value(b)
    }
}
