//! Everything a run reports about itself: tracing events, progress (callback and indicatif bar)
//! and the optional Chrome trace of every chunk. The [`Observer`] and the types it reports are
//! here; the bar's look in `bar.rs`, the trace's file format in `chrome_trace.rs`.

mod bar;
mod chrome_trace;

use crate::plumbing::Unpoisoned;
use bar::{end_bar, new_bar};
#[cfg(test)]
use bar::{format_rate, test_bars};
use chrome_trace::{TraceEvent, write_trace};

use super::options::{ProgressFn, RunOptions};
use crate::error::Result;
use crate::plumbing::ErasedJob;
use std::path::PathBuf;
use std::sync::{Mutex, TryLockError};
use std::time::{Duration, Instant};

/// How far a run has got, as passed to a progress callback.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Indices processed and merged so far.
    pub processed: u128,
    /// Length of the index space (`None` for endless sources).
    pub total: Option<u128>,
    /// Items that reached the action so far (after all filters).
    pub items: u64,
    /// Time since the run started.
    pub elapsed: Duration,
    /// Number of parallel workers.
    pub workers: usize,
    /// Whether this is the final report of the run.
    pub finished: bool,
}

impl Progress {
    /// Processed indices per second.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use std::time::Duration;
    /// let p = Progress { processed: 500, total: Some(2000), items: 50,
    ///     elapsed: Duration::from_secs(2), workers: 4, finished: false };
    /// assert_eq!(p.rate(), 250.0);
    /// ```
    pub fn rate(&self) -> f64 {
        self.processed as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Estimated time to the end, when the total is known and some progress was made.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use std::time::Duration;
    /// let p = Progress { processed: 500, total: Some(2000), items: 50,
    ///     elapsed: Duration::from_secs(2), workers: 4, finished: false };
    /// assert_eq!(p.eta(), Some(Duration::from_secs(6))); // 1500 left at 250 per second
    /// assert_eq!(Progress { total: None, ..p.clone() }.eta(), None);
    /// assert_eq!(Progress { processed: 0, ..p }.eta(), None);
    /// ```
    pub fn eta(&self) -> Option<Duration> {
        let total = self.total?;
        if self.processed == 0 {
            return None;
        }
        let left = total.saturating_sub(self.processed) as f64 / self.rate();
        Some(Duration::from_secs_f64(left.min(1e12)))
    }
}

/// Which thread of which process ran a chunk: the identity the scheduler passes to the
/// observer, and the track of the chunk in the chunk trace (`pid` = `process`, `tid` = `thread`).
///
/// Process 0 is the one that called `run` (the driver of a distributed context); a worker
/// process is its rank. Thread 0 of a process is its calling thread (the probe, tiny runs, and
/// the driver when it runs chunks itself); worker threads are numbered from 1.
///
/// ```
/// use haydi_core::context::WorkerId;
/// assert_eq!(WorkerId::CALLER, WorkerId::new(0, 0));
/// // A thread number alone means a thread of process 0.
/// assert_eq!(WorkerId::from(3usize), WorkerId::new(0, 3));
/// assert_eq!(WorkerId::new(2, 1).to_string(), "rank 2 thread 1");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkerId {
    /// The process: 0 for the calling process (the driver), a worker's rank otherwise.
    pub process: u32,
    /// The thread inside that process: 0 for the calling thread, worker threads from 1.
    pub thread: u32,
}

impl WorkerId {
    /// The thread that called `run`, in process 0.
    pub const CALLER: WorkerId = WorkerId {
        process: 0,
        thread: 0,
    };

    /// Thread `thread` of process `process`.
    ///
    /// ```
    /// use haydi_core::context::WorkerId;
    /// let w = WorkerId::new(1, 2);
    /// assert_eq!((w.process, w.thread), (1, 2));
    /// ```
    pub const fn new(process: u32, thread: u32) -> Self {
        WorkerId { process, thread }
    }
}

impl From<usize> for WorkerId {
    /// Thread `thread` of process 0 (numbers past `u32::MAX` saturate).
    fn from(thread: usize) -> Self {
        WorkerId::new(0, u32::try_from(thread).unwrap_or(u32::MAX))
    }
}

impl std::fmt::Display for WorkerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rank {} thread {}", self.process, self.thread)
    }
}

/// How a run ended, as the observer reports it (the progress bar's final state, the summary
/// event).
///
/// ```
/// use haydi_core::context::RunEnd;
/// assert!(RunEnd::Complete.is_complete());
/// assert!(!RunEnd::TimedOut.is_complete() && !RunEnd::Failed.is_complete());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// Every index was processed, or a `take` was satisfied.
    Complete,
    /// The deadline passed first: the result is partial.
    TimedOut,
    /// The run failed with an error.
    Failed,
}

impl RunEnd {
    /// Whether the run is complete.
    pub fn is_complete(self) -> bool {
        self == RunEnd::Complete
    }

    fn as_str(self) -> &'static str {
        match self {
            RunEnd::Complete => "complete",
            RunEnd::TimedOut => "timed out",
            RunEnd::Failed => "failed",
        }
    }
}

/// Collects what a run reports; created by the scheduler from the run's options.
pub struct Observer {
    callback: Option<ProgressFn>,
    bar: Option<indicatif::ProgressBar>,
    trace: Option<(PathBuf, Mutex<Vec<TraceEvent>>)>,
    last: Mutex<Instant>,
    /// Held while a report is made, with the `processed` of the last report: one report at a
    /// time, never one older than the last.
    reporting: Mutex<u128>,
    started: Instant,
    total: Option<u128>,
    workers: usize,
}

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observer").finish_non_exhaustive()
    }
}

const REPORT_EVERY: Duration = Duration::from_millis(100);

impl Observer {
    /// An observer for a run with these options, of `total` indices on `workers` workers.
    ///
    /// ```
    /// use haydi_core::context::{Observer, RunEnd};
    /// use haydi_core::prelude::*;
    /// use std::sync::{Arc, Mutex};
    /// use std::time::Instant;
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// let opts = RunOptions::new().on_progress(move |p| log.lock().unwrap().push((p.processed, p.workers)));
    /// let obs = Observer::new(&opts, Some(10), 2, Instant::now());
    /// obs.finish_checked(10, 10, RunEnd::Complete).unwrap();
    /// assert_eq!(*seen.lock().unwrap(), vec![(10, 2)]);
    /// ```
    pub fn new(opts: &RunOptions, total: Option<u128>, workers: usize, started: Instant) -> Self {
        let bar = opts.progress_bar.then(|| new_bar(total));
        Observer {
            callback: opts.progress.clone(),
            bar,
            trace: opts
                .chunk_trace
                .clone()
                .map(|p| (p, Mutex::new(Vec::new()))),
            last: Mutex::new(started),
            reporting: Mutex::new(0),
            started,
            total,
            workers,
        }
    }

    /// The run starts: emits a `tracing` event (target `haydi`) with the size, the workers and
    /// the call site.
    ///
    /// ```
    /// use haydi_core::context::{Observer, RunReport};
    /// use haydi_core::pipeline::Extent;
    /// use haydi_core::plumbing::ErasedJob;
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// use std::time::Instant;
    /// /// A context that announces each run, then runs it serially.
    /// #[derive(Debug)]
    /// struct Announcing;
    /// impl ParallelContext for Announcing {
    ///     fn execute(&self, job: &dyn ErasedJob, opts: &RunOptions) -> Result<RunReport> {
    ///         let total = match job.extent()? { Extent::Finite(n) => Some(n), Extent::Endless => None };
    ///         Observer::new(opts, total, 1, Instant::now()).start(job);
    ///         SerialContext.execute(job, opts)
    ///     }
    ///     fn workers(&self) -> usize { 1 }
    ///     fn name(&self) -> String { "announcing".into() }
    /// }
    /// assert_eq!(Range::new(4).count().run_in(&Announcing)?, 4);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn start(&self, job: &dyn ErasedJob) {
        let sig = job.signature();
        tracing::info!(
            target: "haydi",
            size = ?self.total,
            workers = self.workers,
            call_site = %sig.call_site,
            "run started"
        );
    }

    /// A chunk `[start, end)` that took `dur` finished on `worker`, now. `began` is when it
    /// began on its worker's own clock (the time since that process's part of the run began),
    /// for chunks run in another process; the trace places such a process's chunks by its own
    /// clock, shifted by one offset per process, so chunks that ran one after the other on a
    /// thread never overlap in the trace however late their results arrived. `None` places
    /// the chunk as ending now.
    ///
    /// ```
    /// use haydi_core::context::{Observer, WorkerId};
    /// use haydi_core::prelude::*;
    /// use std::time::{Duration, Instant};
    /// let obs = Observer::new(&RunOptions::new(), Some(10), 1, Instant::now());
    /// obs.chunk_done(WorkerId::new(0, 1), 0, 10, 10, Duration::from_micros(5), None);
    /// ```
    pub fn chunk_done(
        &self,
        worker: WorkerId,
        start: u128,
        end: u128,
        items: u64,
        dur: Duration,
        began: Option<Duration>,
    ) {
        tracing::trace!(target: "haydi", %worker, start = %start, end = %end, items, ?dur, "chunk done");
        if let Some((_, events)) = &self.trace {
            let ev = TraceEvent {
                worker,
                seen: self.started.elapsed(),
                dur,
                began,
                start,
                end,
                items,
            };
            events.lock_unpoisoned().push(ev);
        }
    }

    /// Reports progress (rate-limited unless `force`). Called by the scheduler without its
    /// lock held. A worker never waits for another's report: while the callback runs on one
    /// thread, reports from others are skipped (unless `force`), and one older than the last
    /// made is dropped. A panic in the callback is returned as [`Error::Panicked`](crate::Error::Panicked) (with the
    /// empty chunk `0..0` and a message starting `in the progress callback`).
    ///
    /// ```
    /// use haydi_core::context::Observer;
    /// use haydi_core::prelude::*;
    /// use std::time::Instant;
    /// let opts = RunOptions::new().on_progress(|p| assert!(p.processed <= 10));
    /// let obs = Observer::new(&opts, Some(10), 1, Instant::now());
    /// obs.progress(5, 5, true).unwrap();
    /// let bad = RunOptions::new().on_progress(|_| panic!("boom"));
    /// let obs = Observer::new(&bad, Some(10), 1, Instant::now());
    /// assert!(matches!(obs.progress(5, 5, true), Err(Error::Panicked { .. })));
    /// ```
    pub fn progress(&self, processed: u128, items: u64, force: bool) -> Result<()> {
        if self.callback.is_none() && self.bar.is_none() {
            return Ok(());
        }
        let mut reported = if force {
            self.reporting.lock_unpoisoned()
        } else {
            match self.reporting.try_lock() {
                Ok(g) => g,
                Err(TryLockError::Poisoned(e)) => e.into_inner(),
                Err(TryLockError::WouldBlock) => return Ok(()),
            }
        };
        if processed < *reported {
            return Ok(());
        }
        {
            let mut last = self.last.lock_unpoisoned();
            if !force && last.elapsed() < REPORT_EVERY {
                return Ok(());
            }
            *last = Instant::now();
        }
        *reported = processed;
        self.report(processed, items, false)
    }

    fn report(&self, processed: u128, items: u64, finished: bool) -> Result<()> {
        let p = Progress {
            processed,
            total: self.total,
            items,
            elapsed: self.started.elapsed(),
            workers: self.workers,
            finished,
        };
        if let Some(bar) = &self.bar {
            bar.set_position(processed.min(u64::MAX as u128) as u64);
        }
        if let Some(cb) = &self.callback {
            crate::plumbing::catch_panic(0..0, "in the progress callback: ", || cb(&p))?;
        }
        Ok(())
    }

    /// The run ends (as `end` says): final progress report, trace file, summary event. A panic
    /// in the progress callback is logged and otherwise ignored; [`Observer::finish_checked`]
    /// returns it.
    ///
    /// The progress bar is left where the run got: a complete run's bar is finished (at its
    /// length when every index was processed; where a `take` stopped it otherwise, with a
    /// message saying so); a timed-out or failed run's bar is abandoned at `processed`, with the
    /// message `timed out after N of M` or `failed after N of M`.
    ///
    /// ```
    /// use haydi_core::context::{Observer, RunEnd};
    /// use haydi_core::prelude::*;
    /// use std::time::Instant;
    /// let opts = RunOptions::new().on_progress(|_| panic!("boom"));
    /// Observer::new(&opts, Some(3), 1, Instant::now()).finish(3, 3, RunEnd::Complete);
    /// ```
    pub fn finish(&self, processed: u128, items: u64, end: RunEnd) {
        if let Err(e) = self.finish_checked(processed, items, end) {
            crate::warning!(error = %e, "the final progress report failed");
        }
    }

    /// [`Observer::finish`], returning a panic of the progress callback as [`Error::Panicked`](crate::Error::Panicked)
    /// (the trace file and the summary event are written all the same).
    ///
    /// ```
    /// use haydi_core::context::{Observer, RunEnd};
    /// use haydi_core::prelude::*;
    /// use std::time::Instant;
    /// let opts = RunOptions::new().on_progress(|p| assert!(p.finished));
    /// let obs = Observer::new(&opts, Some(3), 1, Instant::now());
    /// obs.finish_checked(3, 3, RunEnd::Complete).unwrap();
    /// ```
    pub fn finish_checked(&self, processed: u128, items: u64, end: RunEnd) -> Result<()> {
        let reported = {
            let _one_at_a_time = self.reporting.lock_unpoisoned();
            self.report(processed, items, true)
        };
        if let Some(bar) = &self.bar {
            end_bar(bar, processed, self.total, end);
        }
        tracing::info!(
            target: "haydi",
            processed = %processed,
            items,
            complete = end.is_complete(),
            end = end.as_str(),
            elapsed = ?self.started.elapsed(),
            "run finished"
        );
        if let Some((path, events)) = &self.trace {
            let events = events.lock_unpoisoned();
            if let Err(e) = write_trace(path, &events) {
                crate::warning!(path = %path.display(), error = %e, "cannot write the chunk trace");
            }
        }
        reported
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tests_support::Digits;
    use crate::prelude::*;

    /// Runs `job` over `Range::new(n)` (with a progress bar among its options); returns the
    /// outcome and the run's bar.
    fn with_bar(
        n: u64,
        job: impl Fn(Digits) -> crate::Result<Outcome<u64>>,
    ) -> (crate::Result<Outcome<u64>>, indicatif::ProgressBar) {
        test_bars::take();
        let out = job(Digits(n));
        let mut bars = test_bars::take();
        assert_eq!(bars.len(), 1, "one bar per run");
        (out, bars.remove(0))
    }

    /// `x`, a millisecond later from index `from` on.
    fn slow(x: u64, from: u64) -> u64 {
        if x >= from {
            std::thread::sleep(Duration::from_millis(1));
        }
        x
    }

    #[test]
    fn complete_bar_finishes_at_the_total() {
        let ctx = ThreadContext::new(2).unwrap();
        let opts = RunOptions::new().progress_bar(true);
        let (out, bar) = with_bar(5000, |d| d.count().run_in_with(&ctx, &opts));
        let out = out.unwrap();
        assert!(out.complete);
        assert!(bar.is_finished());
        assert_eq!(bar.length(), Some(5000));
        assert_eq!(bar.position() as u128, out.processed);
        assert_eq!(bar.message(), "");
    }

    #[test]
    fn bar_of_a_take_stays_where_the_take_stopped() {
        let opts = RunOptions::new().progress_bar(true);
        let (out, bar) = with_bar(1_000_000, |d| {
            d.filter(|x| x % 10 == 0)
                .take(3)
                .count()
                .run_with(false, &opts)
        });
        let out = out.unwrap();
        assert!(out.complete);
        assert!(out.processed < 1_000_000, "{out:?}");
        assert!(bar.is_finished());
        assert_eq!(bar.position() as u128, out.processed);
        assert_eq!(
            bar.message(),
            format!(
                "done: a take was satisfied after {} of 1000000",
                out.processed
            )
        );
    }

    #[test]
    fn timed_out_bar_is_abandoned_where_the_run_stopped() {
        let ctx = ThreadContext::new(2).unwrap();
        // 3800 items of a millisecond on two threads: about two seconds of work for 50 ms.
        let opts = RunOptions::new()
            .progress_bar(true)
            .timeout(Duration::from_millis(50));
        let (out, bar) = with_bar(4000, |d| {
            d.map(|x| slow(x, 200)).count().run_in_with(&ctx, &opts)
        });
        let out = out.unwrap();
        assert!(!out.complete);
        assert!(bar.is_finished());
        assert_eq!(bar.length(), Some(4000));
        assert_eq!(bar.position() as u128, out.processed);
        assert_eq!(
            bar.message(),
            format!("timed out after {} of 4000", out.processed)
        );
    }

    #[test]
    fn failed_bar_is_abandoned_and_says_so() {
        let ctx = ThreadContext::new(2).unwrap();
        let opts = RunOptions::new().progress_bar(true);
        let (out, bar) = with_bar(4000, |d| {
            d.map(|x| {
                assert!(x != 3000, "index 3000 fails");
                slow(x, 200)
            })
            .count()
            .run_in_with(&ctx, &opts)
        });
        assert!(matches!(out, Err(Error::Panicked { .. })), "{out:?}");
        assert!(bar.is_finished());
        assert!(bar.position() < 4000, "{}", bar.position());
        assert_eq!(
            bar.message(),
            format!("failed after {} of 4000", bar.position())
        );
    }

    #[test]
    fn rates_have_three_significant_digits() {
        assert_eq!(format_rate(0.0), "0/s");
        assert_eq!(format_rate(f64::NAN), "0/s");
        assert_eq!(format_rate(-3.0), "0/s");
        assert_eq!(format_rate(0.25), "0.25/s");
        assert_eq!(format_rate(7.0), "7.00/s");
        assert_eq!(format_rate(12.34), "12.3/s");
        assert_eq!(format_rate(850.0), "850/s");
        assert_eq!(format_rate(999.7), "1.00k/s");
        assert_eq!(format_rate(12_345.678), "12.3k/s");
        assert_eq!(format_rate(123_456.0), "123k/s");
        assert_eq!(format_rate(4_560_000.0), "4.56M/s");
        assert_eq!(format_rate(1e30), format!("{:.0}E/s", 1e30 / 1e18));
    }
}
