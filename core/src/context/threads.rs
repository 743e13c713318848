//! The thread context: a rayon pool of its own.

use super::{ParallelContext, RunOptions, RunReport};
use crate::error::{Error, Result};
use crate::plumbing::{drive, ErasedJob, ScheduleConfig, Scheduler};
use std::fmt;
use std::sync::Arc;

/// Runs chunks on `n` threads of a rayon pool owned by this context (not rayon's global pool,
/// so the user's own rayon code is undisturbed). Clones share the pool.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_core::domain::tests_support::Digits;
/// let ctx = ThreadContext::new(2).unwrap();
/// assert_eq!(Digits(10).sum().run_in(&ctx).unwrap(), 45);
/// assert!(ThreadContext::new(0).is_err());
/// ```
#[derive(Clone)]
pub struct ThreadContext {
    pool: Arc<rayon::ThreadPool>,
    threads: usize,
    config: ScheduleConfig,
}

impl fmt::Debug for ThreadContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ThreadContext({})", self.threads)
    }
}

impl ThreadContext {
    /// A context with `n` worker threads (`n >= 1`).
    pub fn new(n: usize) -> Result<Self> {
        if n == 0 {
            return Err(Error::Context(
                "ThreadContext needs at least one thread".into(),
            ));
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .thread_name(|i| format!("haydi-worker-{i}"))
            .build()
            .map_err(|e| Error::Context(format!("cannot start {n} threads: {e}")))?;
        Ok(ThreadContext {
            pool: Arc::new(pool),
            threads: n,
            config: ScheduleConfig::default(),
        })
    }

    /// A context with one thread per core of this machine.
    pub fn all_cores() -> Result<Self> {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new(n)
    }

    /// The same pool with other chunk-size tuning.
    pub fn with_config(mut self, config: ScheduleConfig) -> Self {
        self.config = config;
        self
    }
}

impl ParallelContext for ThreadContext {
    fn execute(&self, job: &dyn ErasedJob, opts: &RunOptions) -> Result<RunReport> {
        let n = self.threads;
        let dispatch = |sched: &Scheduler<'_>| -> Result<()> {
            self.pool.scope(|s| {
                for w in 0..n {
                    s.spawn(move |_| sched.worker_loop(w + 1));
                }
            });
            Ok(())
        };
        drive(job, opts, n, self.config.clone(), Some(&dispatch))
    }

    fn workers(&self) -> usize {
        self.threads
    }

    fn name(&self) -> String {
        format!("threads({})", self.threads)
    }
}
