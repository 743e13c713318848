//! Detection of nested parallel runs.
//!
//! A thread is "inside a parallel run" while it drives one or works for one. `run(true)` on such
//! a thread fails with [`crate::Error::NestedParallelRun`]: nesting would deadlock pools or
//! oversubscribe them, and in distributed runs it would break the collective protocol.

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
