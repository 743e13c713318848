//! [`TraceSummary`]: how evenly a run's chunks kept its workers busy, read back from the chunk
//! trace that [`crate::RunOptions::chunk_trace`] writes.
//!
//! Why: a parallel run is only as fast as its last worker. A split that looks fine on paper
//! (4096 subtrees of a generation tree, say) can leave one thread grinding through a heavy
//! subtree while the others idle; the trace shows it, and this summary puts it in three numbers
//! per worker (busy time, chunks, last end) and two for the run (the busy ratio of the least
//! and most loaded worker, and the idle tail).

use crate::{Error, Result};
use std::collections::BTreeMap;

/// One worker's share of a traced run.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkerLoad {
    /// The process (rank 0 is the calling process).
    pub process: u32,
    /// The thread within it.
    pub thread: u32,
    /// Chunks it ran.
    pub chunks: u64,
    /// Items its chunks produced.
    pub items: u64,
    /// Seconds it spent in chunks.
    pub busy: f64,
    /// When its last chunk ended, in seconds from the run's first chunk start.
    pub last_end: f64,
}

/// The per-worker load of a traced run (see the module documentation).
///
/// ```
/// use haydi_core::context::TraceSummary;
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let path = std::env::temp_dir().join(format!("haydi-doc-balance-{}.json", std::process::id()));
/// let ctx = ThreadContext::new(2)?;
/// let opts = RunOptions::new().chunk_trace(&path);
/// let sum = Range::new(100_000).map(|x| x % 7).sum().run_in_with(&ctx, &opts)?;
/// let summary = TraceSummary::read(&path)?;
/// std::fs::remove_file(&path).unwrap();
/// assert_eq!(summary.workers.iter().map(|w| w.items).sum::<u64>(), 100_000);
/// assert!(summary.balance() <= 1.0);
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TraceSummary {
    /// Seconds from the first chunk's start to the last chunk's end.
    pub span: f64,
    /// Every worker that ran a chunk, by process and thread.
    pub workers: Vec<WorkerLoad>,
}

impl TraceSummary {
    /// Reads a chunk trace file; [`Error::InvalidArgument`] when it cannot be read or is not
    /// a chunk trace.
    pub fn read(path: &std::path::Path) -> Result<TraceSummary> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::InvalidArgument(format!("cannot read the trace {}: {e}", path.display()))
        })?;
        TraceSummary::parse(&text).map_err(|e| match e {
            Error::InvalidArgument(m) => Error::InvalidArgument(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// Summarizes the text of a chunk trace (trace-event JSON with one complete event per
    /// chunk, as [`crate::RunOptions::chunk_trace`] writes it).
    ///
    /// ```
    /// use haydi_core::context::TraceSummary;
    /// let trace = r#"{"traceEvents": [
    ///   {"cat": "chunk", "ph": "X", "ts": 0, "dur": 3000000, "pid": 0, "tid": 1, "args": {"items": 30}},
    ///   {"cat": "chunk", "ph": "X", "ts": 0, "dur": 1000000, "pid": 0, "tid": 2, "args": {"items": 10}},
    ///   {"cat": "chunk", "ph": "X", "ts": 1000000, "dur": 1000000, "pid": 0, "tid": 2, "args": {"items": 5}},
    ///   {"cat": "chunk", "ph": "X", "ts": 0, "dur": 1000, "pid": 0, "tid": 0, "args": {"items": 1}}
    /// ]}"#;
    /// let s = TraceSummary::parse(trace)?;
    /// assert_eq!(s.span, 3.0);
    /// assert_eq!(s.workers.len(), 3);
    /// assert_eq!(s.workers[0].items, 1); // the calling thread (0/0): left out of the balance
    /// assert!((s.balance() - 2.0 / 3.0).abs() < 1e-9);
    /// assert_eq!(s.idle_tail(), 1.0);
    /// assert!(TraceSummary::parse("{}").is_err());
    /// let negative = r#"{"traceEvents": [{"cat": "chunk", "ts": 0, "dur": -1, "pid": 0, "tid": 1}]}"#;
    /// assert!(TraceSummary::parse(negative).is_err());
    /// let bad_pid = r#"{"traceEvents": [{"cat": "chunk", "ts": 0, "dur": 1, "pid": -3, "tid": 1}]}"#;
    /// assert!(TraceSummary::parse(bad_pid).is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<TraceSummary> {
        let bad = |why: &str| Error::InvalidArgument(format!("not a haydi chunk trace: {why}"));
        let doc: serde_json::Value =
            serde_json::from_str(text).map_err(|e| bad(&format!("invalid JSON ({e})")))?;
        let events = doc
            .get("traceEvents")
            .and_then(|e| e.as_array())
            .ok_or_else(|| bad("no traceEvents list"))?;
        let num = |e: &serde_json::Value, k: &str| {
            e.get(k)
                .and_then(|v| v.as_f64())
                .ok_or_else(|| bad(&format!("a chunk without a number {k:?}")))
        };
        // (ts, dur) in microseconds, by (pid, tid)
        let mut by: BTreeMap<(u32, u32), (u64, u64, f64, f64)> = BTreeMap::new();
        let (mut first, mut last) = (f64::INFINITY, f64::NEG_INFINITY);
        for e in events
            .iter()
            .filter(|e| e.get("cat").and_then(|c| c.as_str()) == Some("chunk"))
        {
            let (ts, dur) = (num(e, "ts")?, num(e, "dur")?);
            if !ts.is_finite() || !dur.is_finite() || dur < 0.0 {
                return Err(bad(&format!("a chunk with ts {ts} and dur {dur}")));
            }
            let id = |k: &str| {
                e.get(k)
                    .and_then(|v| v.as_u64())
                    .and_then(|v| u32::try_from(v).ok())
                    .ok_or_else(|| {
                        bad(&format!(
                            "a chunk whose {k:?} is not a process or thread number"
                        ))
                    })
            };
            let key = (id("pid")?, id("tid")?);
            let items = e
                .get("args")
                .and_then(|a| a.get("items"))
                .and_then(|i| i.as_u64())
                .unwrap_or(0);
            let w = by.entry(key).or_insert((0, 0, 0.0, f64::NEG_INFINITY));
            w.0 += 1;
            w.1 =
                w.1.checked_add(items)
                    .ok_or_else(|| bad("more than 2^64 items on one worker"))?;
            w.2 += dur;
            w.3 = w.3.max(ts + dur);
            first = first.min(ts);
            last = last.max(ts + dur);
        }
        if by.is_empty() {
            return Err(bad("no chunk events"));
        }
        let secs = |us: f64| us / 1e6;
        Ok(TraceSummary {
            span: secs(last - first),
            workers: by
                .into_iter()
                .map(
                    |((process, thread), (chunks, items, busy, end))| WorkerLoad {
                        process,
                        thread,
                        chunks,
                        items,
                        busy: secs(busy),
                        last_end: secs(end - first),
                    },
                )
                .collect(),
        })
    }

    /// The workers that the balance is taken over: the calling thread of rank 0 runs the
    /// run's first, small probe chunks itself (see the scheduler's protocol) and then hands
    /// the rest to the pool, so it is left out whenever another worker ran chunks.
    fn pool(&self) -> impl Iterator<Item = &WorkerLoad> + Clone {
        let others = self.workers.iter().any(|w| (w.process, w.thread) != (0, 0));
        self.workers
            .iter()
            .filter(move |w| !others || (w.process, w.thread) != (0, 0))
    }

    /// The least loaded worker's busy time over the most loaded one's: 1.0 is a perfect split
    /// (the calling thread's probe chunks aside).
    pub fn balance(&self) -> f64 {
        let busy = self.pool().map(|w| w.busy);
        let max = busy.clone().fold(0.0, f64::max);
        let min = busy.fold(f64::INFINITY, f64::min);
        if max > 0.0 { min / max } else { 1.0 }
    }

    /// Seconds between the first worker to run out of chunks and the end of the run (the
    /// calling thread's probe chunks aside).
    pub fn idle_tail(&self) -> f64 {
        let first_done = self
            .pool()
            .map(|w| w.last_end)
            .fold(f64::INFINITY, f64::min);
        self.span - first_done
    }
}

impl std::fmt::Display for TraceSummary {
    /// A table: one line per worker, then the run's span, balance and idle tail.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "worker        chunks        items     busy s   last end s"
        )?;
        for w in &self.workers {
            writeln!(
                f,
                "{:<12} {:>7} {:>12} {:>10.3} {:>12.3}{}",
                format!("{}/{}", w.process, w.thread),
                w.chunks,
                w.items,
                w.busy,
                w.last_end,
                if (w.process, w.thread) == (0, 0) {
                    "  (calling thread: probe chunks)"
                } else {
                    ""
                }
            )?;
        }
        write!(
            f,
            "span {:.3} s, balance {:.3} (least / most busy), idle tail {:.3} s",
            self.span,
            self.balance(),
            self.idle_tail()
        )
    }
}
