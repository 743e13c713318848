//! `Pool::apply` (rayon's `broadcast`, pyMOR's `apply`): a function once per worker.

use super::Pool;
use super::map::run_indexed;
use crate::extensions::Pinned;
use haydi_core::plumbing::{Unpoisoned, UnpoisonedWait};
use haydi_core::{Error, Result, RunOptions};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long the tasks of an in-process `apply` wait for each other to start (every worker
/// must hold one before any runs, so none runs two).
const APPLY_GATHER: Duration = Duration::from_secs(60);

/// A barrier with a deadline: `wait` returns `false` if not all arrived in time.
struct Gate {
    arrived: Mutex<usize>,
    cv: Condvar,
    n: usize,
}

impl Gate {
    fn wait(&self, until: Instant) -> bool {
        let mut a = self.arrived.lock_unpoisoned();
        *a += 1;
        if *a >= self.n {
            self.cv.notify_all();
            return true;
        }
        while *a < self.n {
            let now = Instant::now();
            if now >= until {
                return false;
            }
            a = self.cv.wait_timeout_unpoisoned(a, until - now).0;
        }
        true
    }
}

impl Pool {
    /// `f(w)` once for every worker `w` in `0..len()`, results ordered by worker.
    ///
    /// On the thread contexts each call runs on its own worker thread (all start together, so
    /// none runs two). On a distributed context worker `w` is worker process `w + 1`, and
    /// `f(w)` runs there ([`Pinned`]), so per-process state can be set up this
    /// way; if that process is not connected or is lost, `apply` fails with
    /// [`Error::Worker`] (nobody else may stand in for it). A panic is [`Error::Panicked`]
    /// naming the task (`task w`).
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(ThreadContext::new(3)?);
    /// assert_eq!(pool.apply(|w| w * 10)?, [0, 10, 20]);
    /// // Each call on its own thread:
    /// let names = pool.apply(|_| std::thread::current().name().unwrap_or("").to_string())?;
    /// let distinct: std::collections::BTreeSet<_> = names.iter().collect();
    /// assert_eq!(distinct.len(), 3);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn apply<R, F>(&self, f: F) -> Result<Vec<R>>
    where
        R: Send + Serialize + DeserializeOwned + 'static,
        F: Fn(usize) -> R + Send + Sync,
    {
        let n = self.len();
        if crate::extensions::is_collective(&**self.context()) {
            // Index w on worker process w + 1.
            return run_indexed(
                self,
                n,
                &RunOptions::new().chunk_size(1).with_extension(Pinned),
                f,
            )?
            .into_complete("apply");
        }
        let opts = RunOptions::new().chunk_size(1);
        if n == 1 {
            return run_indexed(self, n, &opts, f)?.into_complete("apply");
        }
        let gate = Gate {
            arrived: Mutex::new(0),
            cv: Condvar::new(),
            n,
        };
        let until = Instant::now() + APPLY_GATHER;
        run_indexed(self, n, &opts, |w| {
            if !gate.wait(until) {
                panic!("apply: not all {n} workers were free within {APPLY_GATHER:?} (another run holds some)");
            }
            f(w)
        })?
        .into_complete("apply")
    }

    /// `f(worker)` once, for one worker number (`worker < len()`, else
    /// [`Error::InvalidArgument`]): on a distributed context on worker process `worker + 1`,
    /// on the thread contexts on any one worker thread.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(ThreadContext::new(2)?);
    /// assert_eq!(pool.apply_only(1, |w| w + 100)?, 101);
    /// assert!(matches!(pool.apply_only(2, |w| w), Err(Error::InvalidArgument(_))));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn apply_only<R, F>(&self, worker: usize, f: F) -> Result<R>
    where
        R: Send + Serialize + DeserializeOwned + 'static,
        F: Fn(usize) -> R + Send + Sync,
    {
        if worker >= self.len() {
            return Err(Error::InvalidArgument(format!(
                "apply_only: worker {worker} of a pool of {}",
                self.len()
            )));
        }
        let none = || Error::Context("apply_only: no result".into());
        if crate::extensions::is_collective(&**self.context()) {
            // A pinned run in which only index `worker` (on worker process worker + 1) calls f.
            let v = run_indexed(
                self,
                self.len(),
                &RunOptions::new().chunk_size(1).with_extension(Pinned),
                |w| (w == worker).then(|| f(w)),
            )?
            .into_complete("apply_only")?;
            return v.into_iter().nth(worker).flatten().ok_or_else(none);
        }
        let mut v = run_indexed(self, 1, &RunOptions::new().chunk_size(1), |_| f(worker))?
            .into_complete("apply_only")?;
        v.pop().ok_or_else(none)
    }
}
