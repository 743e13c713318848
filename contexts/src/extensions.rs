//! What this crate's contexts tell the code that runs on them, and what that code asks of them,
//! beyond core's contract: extensions (core's `haydi_core::plumbing::Extensions`), so that core's
//! traits name none of these concepts. A context of another crate can offer or read them too.

use haydi_core::ParallelContext;
use haydi_core::context::SerialContext;

/// Offered by a context whose every run is a collective point of several processes that run
/// the same program (SPMD, as [`crate::DistributedContext`] does): code that starts runs must
/// start the same runs in the same order on every process, from one thread. A pool over such a
/// context has one worker per worker process, on every process alike.
///
/// ```no_run
/// use haydi_contexts::extensions::Collective;
/// use haydi_contexts::DistributedContext;
/// use haydi_core::ParallelContext;
/// let ctx: &dyn ParallelContext = &DistributedContext::spawn(3)?;
/// assert_eq!(ctx.extension_of::<Collective>(), Some(&Collective { worker_processes: 3 }));
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Collective {
    /// The worker processes the job was started with (at least 1), the same on every process.
    pub worker_processes: usize,
}

/// Asked for by a run ([`RunOptions::with_extension`](haydi_core::RunOptions::with_extension))
/// with fixed chunks of one index: index `w` runs on worker process `w + 1` of a
/// [`Collective`] context (a pool's `apply`), and the run fails with
/// [`Error::Worker`](haydi_core::Error::Worker) when that process is not there or is lost,
/// since nobody else may run it. Contexts that cannot place chunks (threads, serial) run the
/// indices in order.
///
/// ```
/// use haydi_contexts::extensions::Pinned;
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let opts = RunOptions::new().chunk_size(1).with_extension(Pinned);
/// let v = Range::new(2).collect().run_in_with(&SerialContext, &opts)?.value;
/// assert_eq!(v, vec![0, 1]);
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pinned;

/// Whether `ctx` is collective (it offers [`Collective`]).
///
/// ```
/// use haydi_core::prelude::*;
/// assert!(!haydi_contexts::extensions::is_collective(&ThreadContext::new(2)?));
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub fn is_collective(ctx: &dyn ParallelContext) -> bool {
    ctx.extension_of::<Collective>().is_some()
}

/// Whether `ctx` runs everything on the calling thread, one chunk after the other (the serial
/// context, which offers itself).
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_contexts::extensions::is_serial;
/// assert!(is_serial(&SerialContext) && !is_serial(&ThreadContext::new(1)?));
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub fn is_serial(ctx: &dyn ParallelContext) -> bool {
    ctx.extension_of::<SerialContext>().is_some()
}

/// How many workers a pool over `ctx` has: the worker processes of a [`Collective`] context
/// (the same number on every process), else the context's workers; at least 1.
///
/// ```
/// use haydi_core::prelude::*;
/// assert_eq!(haydi_contexts::extensions::pool_workers(&ThreadContext::new(3)?), 3);
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub fn pool_workers(ctx: &dyn ParallelContext) -> usize {
    match ctx.extension_of::<Collective>() {
        Some(c) => c.worker_processes,
        None => ctx.workers(),
    }
    .max(1)
}
