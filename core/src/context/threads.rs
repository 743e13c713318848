//! The thread context: a rayon pool of its own.

use super::{ParallelContext, RunOptions, RunReport};
use crate::error::{Error, Result};
use crate::plumbing::{Drive, ErasedJob, ScheduleConfig, drive};
use std::fmt;
use std::sync::Arc;

/// The variable that sets the number of threads of the default context of `run(true)` (see
/// [`ThreadContext::from_env`]).
///
/// ```
/// assert_eq!(haydi_core::context::THREADS_VARIABLE, "HAYDI_THREADS");
/// ```
pub const THREADS_VARIABLE: &str = "HAYDI_THREADS";

/// The cores of this machine (1 when unknown).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The default thread count from `HAYDI_THREADS` (first) and `RAYON_NUM_THREADS`, else `cores`.
fn threads_from(
    haydi: Option<String>,
    rayon: Option<String>,
    cores: usize,
) -> std::result::Result<usize, String> {
    let parse = |name: &str, v: &str| -> std::result::Result<usize, String> {
        v.trim().parse::<usize>().map_err(|_| {
            format!("{name}={v:?} is not a number of threads (a positive whole number)")
        })
    };
    if let Some(v) = haydi.filter(|v| !v.trim().is_empty()) {
        return match parse(THREADS_VARIABLE, &v)? {
            0 => Err(format!("{THREADS_VARIABLE}=0: give at least one thread")),
            n => Ok(n),
        };
    }
    if let Some(v) = rayon.filter(|v| !v.trim().is_empty()) {
        // Rayon reads 0 as "the default".
        return Ok(match parse("RAYON_NUM_THREADS", &v)? {
            0 => cores,
            n => n,
        });
    }
    Ok(cores)
}

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
        Self::new(cores())
    }

    /// The default of `run(true)`: [`THREADS_VARIABLE`] (`HAYDI_THREADS`) threads when it is
    /// set, else `RAYON_NUM_THREADS` (as rayon's own pool reads it), else one per core. A
    /// value that is not a positive whole number is an error naming the variable (`0` in
    /// `RAYON_NUM_THREADS` means "the default" to rayon, and so here). Batch scripts set
    /// `HAYDI_THREADS` to the cores a task was given (see the crop scripts).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// unsafe { std::env::set_var("HAYDI_THREADS", "3") };
    /// assert_eq!(ThreadContext::from_env()?.workers(), 3);
    /// unsafe { std::env::set_var("HAYDI_THREADS", "many") };
    /// assert!(ThreadContext::from_env().is_err());
    /// # unsafe { std::env::remove_var("HAYDI_THREADS") };
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        let var = |k: &str| std::env::var(k).ok();
        let n = threads_from(var(THREADS_VARIABLE), var("RAYON_NUM_THREADS"), cores())
            .map_err(Error::InvalidArgument)?;
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
        let sched = match drive(job, opts, n, self.config.clone())? {
            Drive::Finished(report) => return Ok(report),
            Drive::Dispatch(sched) => sched,
        };
        self.pool.scope(|s| {
            for w in 0..n {
                let sched = &sched;
                s.spawn(move |_| sched.worker_loop(w + 1));
            }
        });
        sched.finish()
    }

    fn workers(&self) -> usize {
        self.threads
    }

    fn name(&self) -> String {
        format!("threads({})", self.threads)
    }
}

#[cfg(test)]
mod tests {
    use super::threads_from;

    #[test]
    fn thread_count_from_the_environment() {
        let s = |v: &str| Some(v.to_string());
        assert_eq!(threads_from(None, None, 8), Ok(8));
        assert_eq!(threads_from(s("3"), s("5"), 8), Ok(3));
        assert_eq!(threads_from(None, s("5"), 8), Ok(5));
        assert_eq!(threads_from(None, s("0"), 8), Ok(8));
        assert_eq!(threads_from(s(""), s("2"), 8), Ok(2));
        let e = threads_from(s("many"), None, 8).unwrap_err();
        assert!(e.contains("HAYDI_THREADS=\"many\""), "{e}");
        assert!(
            threads_from(s("0"), None, 8)
                .unwrap_err()
                .contains("at least one")
        );
        assert!(
            threads_from(None, s("-1"), 8)
                .unwrap_err()
                .contains("RAYON_NUM_THREADS")
        );
    }
}
