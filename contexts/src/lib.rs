//! # haydi-contexts
//!
//! Parallel contexts beyond one process: [`DistributedContext`] runs pipelines on worker
//! processes spawned on this machine or started by a cluster launcher (`mpirun`, `srun`).
//! See [`distributed`] for the execution model.

pub mod distributed;

pub use distributed::{DistributedContext, DistributedOptions};
