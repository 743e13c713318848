//! Everything a run reports about itself: tracing events, progress (callback and indicatif bar)
//! and the optional Chrome trace of every chunk.

use super::options::{ProgressFn, RunOptions};
use crate::error::{panic_message, Error, Result};
use crate::plumbing::ErasedJob;
use std::panic::{catch_unwind, AssertUnwindSafe};
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

struct TraceEvent {
    worker: usize,
    start_us: f64,
    dur_us: f64,
    start: u128,
    end: u128,
    items: u64,
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
    /// use haydi_core::context::Observer;
    /// use haydi_core::prelude::*;
    /// use std::sync::{Arc, Mutex};
    /// use std::time::Instant;
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// let opts = RunOptions::new().on_progress(move |p| log.lock().unwrap().push((p.processed, p.workers)));
    /// let obs = Observer::new(&opts, Some(10), 2, Instant::now());
    /// obs.finish_checked(10, 10, true).unwrap();
    /// assert_eq!(*seen.lock().unwrap(), vec![(10, 2)]);
    /// ```
    pub fn new(opts: &RunOptions, total: Option<u128>, workers: usize, started: Instant) -> Self {
        let bar = opts.progress_bar.then(|| {
            let len = total.map_or(0, |t| t.min(u64::MAX as u128) as u64);
            let bar = if total.is_some() {
                indicatif::ProgressBar::new(len)
            } else {
                indicatif::ProgressBar::new_spinner()
            };
            let style = indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} ({per_sec}, ETA {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
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

    /// A chunk finished on `worker`: recorded in the chunk trace, if the run writes one (at
    /// the end, by [`Observer::finish`]).
    ///
    /// ```
    /// use haydi_core::context::Observer;
    /// use haydi_core::prelude::*;
    /// use std::time::{Duration, Instant};
    /// let path = std::env::temp_dir().join(format!("haydi-doc-chunks-{}.json", std::process::id()));
    /// let obs = Observer::new(&RunOptions::new().chunk_trace(&path), Some(8), 2, Instant::now());
    /// obs.chunk_done(1, 0, 8, 8, Duration::from_millis(1));
    /// obs.finish(8, 8, true);
    /// let trace = std::fs::read_to_string(&path).unwrap();
    /// std::fs::remove_file(&path).unwrap();
    /// assert!(trace.contains("\"tid\":1") || trace.contains("\"tid\": 1"), "{trace}");
    /// ```
    pub fn chunk_done(&self, worker: usize, start: u128, end: u128, items: u64, dur: Duration) {
        tracing::trace!(target: "haydi", worker, start = %start, end = %end, items, ?dur, "chunk done");
        if let Some((_, events)) = &self.trace {
            let now = self.started.elapsed();
            let ev = TraceEvent {
                worker,
                start_us: (now.saturating_sub(dur)).as_secs_f64() * 1e6,
                dur_us: dur.as_secs_f64() * 1e6,
                start,
                end,
                items,
            };
            events.lock().unwrap_or_else(|e| e.into_inner()).push(ev);
        }
    }

    /// Reports progress (rate-limited unless `force`). Called by the scheduler without its
    /// lock held. A worker never waits for another's report: while the callback runs on one
    /// thread, reports from others are skipped (unless `force`), and one older than the last
    /// made is dropped. A panic in the callback is returned as [`Error::Panicked`] (with the
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
            self.reporting.lock().unwrap_or_else(|e| e.into_inner())
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
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
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
            catch_unwind(AssertUnwindSafe(|| cb(&p))).map_err(|e| Error::Panicked {
                chunk: 0..0,
                message: format!("in the progress callback: {}", panic_message(e)),
                worker: None,
            })?;
        }
        Ok(())
    }

    /// The run ends: final progress report, trace file, summary event. A panic in the progress
    /// callback is logged and otherwise ignored; [`Observer::finish_checked`] returns it.
    ///
    /// ```
    /// use haydi_core::context::Observer;
    /// use haydi_core::prelude::*;
    /// use std::time::Instant;
    /// let opts = RunOptions::new().on_progress(|_| panic!("boom"));
    /// Observer::new(&opts, Some(3), 1, Instant::now()).finish(3, 3, true);
    /// ```
    pub fn finish(&self, processed: u128, items: u64, complete: bool) {
        if let Err(e) = self.finish_checked(processed, items, complete) {
            tracing::warn!(target: "haydi", error = %e, "the final progress report failed");
        }
    }

    /// [`Observer::finish`], returning a panic of the progress callback as [`Error::Panicked`]
    /// (the trace file and the summary event are written all the same).
    ///
    /// ```
    /// use haydi_core::context::Observer;
    /// use haydi_core::prelude::*;
    /// use std::time::Instant;
    /// let opts = RunOptions::new().on_progress(|p| assert!(p.finished));
    /// Observer::new(&opts, Some(3), 1, Instant::now()).finish_checked(3, 3, true).unwrap();
    /// ```
    pub fn finish_checked(&self, processed: u128, items: u64, complete: bool) -> Result<()> {
        let reported = {
            let _one_at_a_time = self.reporting.lock().unwrap_or_else(|e| e.into_inner());
            self.report(processed, items, true)
        };
        if let Some(bar) = &self.bar {
            bar.finish();
        }
        tracing::info!(
            target: "haydi",
            processed = %processed,
            items,
            complete,
            elapsed = ?self.started.elapsed(),
            "run finished"
        );
        if let Some((path, events)) = &self.trace {
            let events = events.lock().unwrap_or_else(|e| e.into_inner());
            if let Err(e) = write_trace(path, &events) {
                tracing::warn!(target: "haydi", path = %path.display(), error = %e, "cannot write the chunk trace");
            }
        }
        reported
    }
}

fn write_trace(path: &std::path::Path, events: &[TraceEvent]) -> std::io::Result<()> {
    let list: Vec<serde_json::Value> = events
        .iter()
        .map(|e| {
            serde_json::json!({
                "name": format!("chunk [{}, {})", e.start, e.end),
                "cat": "chunk",
                "ph": "X",
                "ts": e.start_us,
                "dur": e.dur_us,
                "pid": 0,
                "tid": e.worker,
                "args": {"start": e.start.to_string(), "end": e.end.to_string(), "items": e.items},
            })
        })
        .collect();
    let doc = serde_json::json!({ "traceEvents": list, "displayTimeUnit": "ms" });
    std::fs::write(path, serde_json::to_vec_pretty(&doc)?)
}
