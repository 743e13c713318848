//! Detection of nested parallel runs.
//!
//! A thread is "inside a parallel run" while it drives one or works for one. `run(true)` on such
//! a thread fails with [`crate::Error::NestedParallelRun`]: nesting would deadlock pools or
//! oversubscribe them, and in distributed runs it would break the collective protocol.

use super::{ParallelContext, RunOptions, RunReport};
use crate::error::{Error, Result};
use crate::plumbing::ErasedJob;
use std::cell::Cell;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Whether this thread is driving or working for a parallel run.
///
/// ```
/// use haydi_core::context::nested::{in_parallel_run, ParallelRunGuard};
/// assert!(!in_parallel_run());
/// let g = ParallelRunGuard::enter();
/// assert!(in_parallel_run());
/// drop(g);
/// assert!(!in_parallel_run());
/// ```
pub fn in_parallel_run() -> bool {
    DEPTH.with(|d| d.get() > 0)
}

/// Marks this thread as inside a parallel run until dropped.
#[derive(Debug)]
pub struct ParallelRunGuard(());

impl ParallelRunGuard {
    /// Enters a parallel run on this thread (contexts do this on their worker threads, so that
    /// a `run(true)` inside a closure fails with `Error::NestedParallelRun`).
    ///
    /// ```
    /// use haydi_core::context::nested::{in_parallel_run, ParallelRunGuard};
    /// let g = ParallelRunGuard::enter();
    /// assert!(in_parallel_run());
    /// drop(g);
    /// assert!(!in_parallel_run());
    /// ```
    pub fn enter() -> Self {
        DEPTH.with(|d| d.set(d.get() + 1));
        ParallelRunGuard(())
    }
}

impl Drop for ParallelRunGuard {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Runs `job` on `ctx` as one run of a `run(parallel)`: a parallel run is refused inside another
/// one ([`Error::NestedParallelRun`]) and marks this thread while it runs; a serial one runs as
/// is. The one way a job, a source's own pass (enumerate's count, bfs's levels) and a kernel
/// job start a run on a context.
///
/// ```
/// use haydi_core::context::nested::ParallelRunGuard;
/// use haydi_core::domain::Indices;
/// use haydi_core::prelude::*;
/// let _inside = ParallelRunGuard::enter();
/// // Every run goes through `execute`: inside a parallel run a parallel one is refused.
/// assert!(matches!(Indices(10).iterate().count().run(true), Err(Error::NestedParallelRun)));
/// assert_eq!(Indices(10).iterate().count().run(false)?, 10);
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub fn execute(
    ctx: &dyn ParallelContext,
    job: &dyn ErasedJob,
    opts: &RunOptions,
    parallel: bool,
) -> Result<RunReport> {
    if !parallel {
        return ctx.execute(job, opts);
    }
    if in_parallel_run() {
        return Err(Error::NestedParallelRun);
    }
    let _guard = ParallelRunGuard::enter();
    ctx.execute(job, opts)
}
