//! Worker pools over the existing contexts: pyMOR's `WorkerPool`, Glimpse's pools and an
//! executor in the manner of `concurrent.futures`, as one [`Pool`] API.
//!
//! A pool is not a second runtime: every operation is one or more runs on the pool's
//! [`ParallelContext`], so the workers, the transport and the fault handling (lost workers'
//! chunks re-run, panics reported, timeouts that say what they cover) are the context's.
//!
//! | operation | what it runs |
//! |---|---|
//! | [`Pool::map`], [`Pool::map_zip`] (any number of inputs), [`Pool::map2`], [`Pool::map_with`] | one run over the task indices, results in input order |
//! | [`Pool::imap`], [`Pool::imap_unordered`] | one run per batch of the input, pulled lazily |
//! | [`Pool::submit`] | tasks queued, then run in batches with one task per chunk (least-loaded) |
//! | [`Pool::apply`], [`Pool::apply_only`] | one task per worker number |
//! | [`Pool::push`], [`Pool::scatter_list`], [`Pool::scatter_array`] | a run with no indices whose result is the driver's object (distributed contexts only); stored once per process, by content |
//!
//! **On a distributed context (SPMD).** Closures never travel: every process executes the same
//! `main`, so it makes the same pool calls with the same inputs, and each call is a collective
//! point (see [`Collective`](crate::extensions::Collective)). There, [`Pool::submit`] only queues; the queued
//! tasks run as one collective run when a handle is first looked at (`wait`, `is_finished`,
//! `join_next`, ...) or at [`Pool::flush`], which every process reaches at the same point of
//! its program. [`Pool::push`] is a collective run too: every process stores the **driver's**
//! object, sent once as bincode (a process whose own object differs, computed from a clock, an
//! unseeded random generator or a file only the driver reads, takes the driver's), and a
//! worker that rejoins after a loss gets the driver's bytes again when it re-runs `main`. A
//! divergent call sequence is the context's `Error::Protocol`.

mod apply;
mod config;
mod factory;
mod imap;
mod map;
mod remote;
mod scatter;
mod task;
mod zip;

pub use config::{Args, CONFIG_ENV, Config, parse_duration as config_parse_duration};
pub use factory::{ContextSpec, POOL_ENV};
pub use haydi_core::task::{TaskHandle, TaskSet};
pub use imap::{Imap, ImapUnordered};
pub use map::{MapOptions, PartialMap};
pub(crate) use remote::BROADCAST_RUN;
pub use remote::{Remote, driver_bytes};
pub use scatter::Scattered;
pub use zip::Zip;

use haydi_core::context::ParallelContext;
use haydi_core::session;
use std::fmt;
use std::sync::Arc;

/// A pool of workers over a context: map, submit, apply and push, in the manner of pyMOR's
/// `WorkerPool`, Glimpse's pools and `concurrent.futures` executors.
///
/// ```
/// use haydi_contexts::Pool;
/// use haydi_core::prelude::*;
/// let pool = Pool::new(ThreadContext::new(2)?);
/// assert_eq!(pool.len(), 2);
/// let hex = pool.map(|x: &u32| format!("{x:#x}"), &[1, 2, 3])?;
/// assert_eq!(hex, ["0x1", "0x2", "0x3"]);
/// let serial = Pool::new(SerialContext);
/// assert_eq!((serial.len(), serial.is_parallel()), (1, false));
/// assert_eq!(serial.apply(|_| 2 * 3)?, [6]);
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub struct Pool {
    ctx: Arc<dyn ParallelContext>,
    tasks: Arc<task::TaskQueue>,
    store: Arc<remote::ObjectStore>,
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pool({})", self.ctx.name())
    }
}

impl Pool {
    /// A pool over `ctx`.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(ThreadContext::new(3)?);
    /// assert_eq!((pool.len(), pool.is_parallel()), (3, true));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn new<C: ParallelContext + 'static>(ctx: C) -> Pool {
        Pool::from_shared(Arc::new(ctx))
    }

    /// A pool over a shared context (such as [`session::parallel_context`]'s).
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// use std::sync::Arc;
    /// let ctx: Arc<dyn ParallelContext> = Arc::new(ThreadContext::new(2)?);
    /// assert_eq!(Pool::from_shared(ctx).len(), 2);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn from_shared(ctx: Arc<dyn ParallelContext>) -> Pool {
        let tasks = task::TaskQueue::new(ctx.clone());
        Pool {
            ctx,
            tasks,
            store: Arc::new(remote::ObjectStore::default()),
        }
    }

    /// A pool over the session's context (the one `run(true)` uses).
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let len = session::with_parallel_context(ThreadContext::new(2)?, || Pool::from_session().len());
    /// assert_eq!(len, 2);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn from_session() -> Pool {
        Pool::from_shared(session::parallel_context())
    }

    /// How many workers the pool has (at least 1): the context's threads in this process, or
    /// on a distributed context the worker processes (the same number on every process; each
    /// runs chunks on all its threads).
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// assert_eq!(Pool::new(SerialContext).len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        crate::extensions::pool_workers(&*self.ctx)
    }

    /// Always `false`: a pool has at least one worker (this exists for the `len` convention).
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// assert!(!Pool::new(SerialContext).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        false
    }

    /// `false` for the serial pool (pyMOR's `DummyPool`), so algorithms can skip scattering;
    /// `true` for every other context, even one with a single worker.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// assert!(!Pool::new(SerialContext).is_parallel());
    /// assert!(Pool::new(ThreadContext::new(1)?).is_parallel());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn is_parallel(&self) -> bool {
        !crate::extensions::is_serial(&*self.ctx)
    }

    /// The context the pool runs on.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// assert_eq!(Pool::new(ThreadContext::new(2)?).context().name(), "threads(2)");
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn context(&self) -> &Arc<dyn ParallelContext> {
        &self.ctx
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Queued tasks still run (their handles may be waited on); the dispatcher ends after.
        self.tasks.close();
    }
}
