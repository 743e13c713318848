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
/// use haydi_domains::Range;
/// let ctx = ThreadContext::new(2).unwrap();
/// assert_eq!(Range::new(10).sum().run_in(&ctx).unwrap(), 45);
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
    /// A context with `n` worker threads (`n >= 1`; 0 is an [`Error::Context`]).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let ctx = ThreadContext::new(2)?;
    /// assert_eq!(Range::new(100).filter(|x| x % 3 == 0).count().run_in(&ctx)?, 34);
    /// assert!(matches!(ThreadContext::new(0), Err(Error::Context(_))));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
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

    /// A context with one thread per core of this machine (the default of `run(true)`).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let ctx = ThreadContext::all_cores()?;
    /// assert_eq!(Range::new(10).sum().run_in(&ctx)?, 45);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn all_cores() -> Result<Self> {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new(n)
    }

    /// The same pool with other chunk-size tuning (results do not depend on it).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_core::plumbing::ScheduleConfig;
    /// use haydi_domains::Range;
    /// use std::time::Duration;
    /// let tiny_chunks = ScheduleConfig { target_chunk: Duration::from_micros(50), ..Default::default() };
    /// let ctx = ThreadContext::new(2)?.with_config(tiny_chunks);
    /// let v = Range::new(1000).filter(|x| x % 100 == 0).collect().run_in(&ctx)?;
    /// assert_eq!(v, (0..10).map(|i| i * 100).collect::<Vec<i64>>());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
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
