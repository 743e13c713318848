//! The chunk trace of a run, in Chrome's trace event format (`chrome://tracing`, Perfetto).

use super::WorkerId;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

pub(super) struct TraceEvent {
    pub(super) worker: WorkerId,
    /// When the observer recorded the chunk, since the run started (the driver's clock).
    pub(super) seen: Duration,
    pub(super) dur: Duration,
    /// When the chunk began on its worker's own clock (since that worker's run started), for
    /// chunks of other processes; `None` for chunks of this process.
    pub(super) began: Option<Duration>,
    pub(super) start: u128,
    pub(super) end: u128,
    pub(super) items: u64,
}

/// Nanoseconds, as a signed number (durations of a run fit easily).
fn nanos(d: Duration) -> i128 {
    d.as_nanos() as i128
}

/// Writes the chunk trace: one complete event (`"ph": "X"`) per chunk on the track of its
/// worker (`pid` = process, `tid` = thread), and name metadata for every process and thread.
/// Chunks of this process end when the observer saw them; chunks of other processes keep the
/// timing of their own clock, shifted by the least offset that makes none of them end after
/// the observer saw it.
pub(super) fn write_trace(path: &std::path::Path, events: &[TraceEvent]) -> std::io::Result<()> {
    let mut offsets: BTreeMap<u32, i128> = BTreeMap::new();
    for e in events {
        if let Some(began) = e.began {
            let off = nanos(e.seen) - nanos(began) - nanos(e.dur);
            offsets
                .entry(e.worker.process)
                .and_modify(|o| *o = (*o).min(off))
                .or_insert(off);
        }
    }
    let mut tracks: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    let mut list: Vec<serde_json::Value> = Vec::with_capacity(events.len());
    for e in events {
        tracks
            .entry(e.worker.process)
            .or_default()
            .insert(e.worker.thread);
        let start_ns = match (e.began, offsets.get(&e.worker.process)) {
            (Some(began), Some(off)) => nanos(began) + off,
            _ => nanos(e.seen) - nanos(e.dur),
        };
        list.push(serde_json::json!({
            "name": format!("chunk [{}, {})", e.start, e.end),
            "cat": "chunk",
            "ph": "X",
            "ts": start_ns as f64 / 1e3,
            "dur": nanos(e.dur) as f64 / 1e3,
            "pid": e.worker.process,
            "tid": e.worker.thread,
            "args": {"start": e.start.to_string(), "end": e.end.to_string(), "items": e.items},
        }));
    }
    for (pid, threads) in &tracks {
        let name = if *pid == 0 {
            "rank 0 (calling process)".to_string()
        } else {
            format!("rank {pid} (worker process)")
        };
        list.push(serde_json::json!({
            "name": "process_name", "ph": "M", "pid": pid, "tid": 0, "args": {"name": name},
        }));
        list.push(serde_json::json!({
            "name": "process_sort_index", "ph": "M", "pid": pid, "tid": 0, "args": {"sort_index": pid},
        }));
        for tid in threads {
            let name = if *tid == 0 {
                "calling thread".to_string()
            } else {
                format!("worker thread {tid}")
            };
            list.push(serde_json::json!({
                "name": "thread_name", "ph": "M", "pid": pid, "tid": tid, "args": {"name": name},
            }));
        }
    }
    let doc = serde_json::json!({ "traceEvents": list, "displayTimeUnit": "ms" });
    std::fs::write(path, serde_json::to_vec_pretty(&doc)?)
}
