//! Everything a run reports about itself: tracing events, progress (callback and indicatif bar)
//! and the optional Chrome trace of every chunk.

use super::options::{ProgressFn, RunOptions};
use crate::plumbing::ErasedJob;
use std::path::PathBuf;
use std::sync::Mutex;
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
    pub fn rate(&self) -> f64 {
        self.processed as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Estimated time to the end, when the total is known and some progress was made.
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
    /// An observer for a run with these options.
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
            started,
            total,
            workers,
        }
    }

    /// The run starts.
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

    /// A chunk finished on `worker`.
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

    /// Reports progress (rate-limited unless `force`).
    pub fn progress(&self, processed: u128, items: u64, force: bool) {
        if self.callback.is_none() && self.bar.is_none() {
            return;
        }
        {
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            if !force && last.elapsed() < REPORT_EVERY {
                return;
            }
            *last = Instant::now();
        }
        self.report(processed, items, false);
    }

    fn report(&self, processed: u128, items: u64, finished: bool) {
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
            cb(&p);
        }
    }

    /// The run ends: final progress report, trace file, summary event.
    pub fn finish(&self, processed: u128, items: u64, complete: bool) {
        self.report(processed, items, true);
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
