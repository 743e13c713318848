//! # haydi-contexts
//!
//! Parallel contexts beyond one process: [`DistributedContext`] runs pipelines on worker
//! processes spawned on this machine or started by a cluster launcher (`mpirun`, `srun`).
//! See [`distributed`] for the execution model. [`Pool`] gives worker-pool operations (map,
//! submit, apply, push) over any context, in the manner of pyMOR, Glimpse and apyfal; [`Sweep`]
//! runs labelled parameter sweeps (xyzpy's `Runner`); a [`Crop`] cuts a job into batches on
//! disk, grown anywhere (here, or as array tasks of a batch system) and reaped when all are
//! there, in the manner of xyzpy.

pub mod crop;
pub mod distributed;
pub mod extensions;
pub mod pool;
pub mod sweep;

pub use crop::Crop;
pub use distributed::{DistributedContext, DistributedOptions};
pub use pool::Pool;
pub use sweep::Sweep;
