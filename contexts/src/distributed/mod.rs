//! Distributed runs: worker processes on this machine ([`DistributedContext::spawn`]) and
//! clusters of machines ([`DistributedContext::from_env`], and over MPI
//! `DistributedContext::mpi` with the `mpi` feature).
//!
//! # Execution model (SPMD)
//!
//! Closures cannot travel between processes, so every process runs the same executable and the
//! same `main`, as with MPI. Each `run(true)` on a distributed context is a collective point:
//! the driver (rank 0) hands out index-range chunks, the workers pull them, run them on their own
//! threads and send back partial results; the driver merges them in index order and sends the
//! final result to every worker, so all processes continue along the same path with the same
//! value. Code outside runs executes on every process: keep it deterministic (no decisions on
//! clocks, unseeded randomness or the rank) or the processes diverge. Divergence is detected: a
//! run is identified by its call site, a per-context run counter and the pipeline's type, and
//! workers send a hash of their executable when they join; any mismatch is an
//! [`Error::Protocol`](haydi_core::Error::Protocol) at once.
//!
//! Side effects of closures (printing, counters) happen on whichever process ran the chunk.
//!
//! # Files, one concept each
//!
//! The context: `options.rs` ([`DistributedOptions`]), `context.rs` ([`DistributedContext`]:
//! what each process is to it, and its runs), the bootstraps `spawn.rs`, `from_env.rs` and
//! `mpi.rs`, `driver.rs` (the driver's side and its end), `ending.rs` (the end of a driver's
//! program), `worker.rs` (the worker's side and its reaction to what its transport hears).
//! Below them: `coordinator/` (the driver's logic: peers, hand-out, merge, speculation,
//! history), [`transport`] (how the processes reach each other: one [`Link`](transport) trait,
//! the TCP and MPI flavours, frames, the Noise channel, the job's [`Secret`]), [`protocol`] (the
//! messages), [`monitor`] (watching a running driver from outside: the `haydi` tool's messages,
//! client and the driver's board), [`launcher`] (environment, rendezvous, spawning), [`address`]
//! (where a driver listens), and the private `children` (spawned processes), `identity` (which
//! job a process belongs to) and `files` (private directories, careful file I/O).

pub mod address;
mod children;
mod context;
mod coordinator;
mod driver;
mod ending;
pub(crate) mod files;
mod from_env;
mod identity;
pub mod launcher;
pub mod monitor;
#[cfg(feature = "mpi")]
mod mpi;
mod options;
pub mod protocol;
mod spawn;
pub mod transport;
mod worker;

pub use context::DistributedContext;
#[cfg(feature = "mpi")]
pub use mpi::ENV_TRANSPORT;
pub use options::DistributedOptions;
pub use transport::secret::Secret;
