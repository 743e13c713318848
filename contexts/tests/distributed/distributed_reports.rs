//! Reports of distributed runs that tell the truth: the chunk trace has one named track per
//! thread of each process (`pid` = rank, `tid` = thread) on which chunks never overlap, and a
//! timed-out run's value is exactly the items of the index ranges its `Outcome::covered` names,
//! on every process. Each case runs in a process tree of its own (see `support`);
//! `cargo test --test distributed -- NAME` runs one.

use crate::support;

use crate::support::slow;
use haydi_contexts::{DistributedContext, DistributedOptions};
use haydi_core::domain::tests_support::Digits;
use haydi_core::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// The cases of this subject, run by the binary's `main` (`support::main`).
pub const CASES: &[support::Case] = &[
    ("trace_tracks", trace_tracks),
    ("timed_out_covered", timed_out_covered),
];

fn two_threads_each() -> DistributedOptions {
    DistributedOptions {
        threads_per_worker: 2,
        driver_threads: Some(1),
        ..Default::default()
    }
}

/// With two threads per worker (and one on the driver), every thread's chunks are on a track
/// of their own: no two chunk events of one (pid, tid) overlap, pids are ranks, every track is
/// named, and some worker ran chunks on both of its threads.
fn trace_tracks() {
    let ctx = DistributedContext::spawn_with(2, two_threads_each()).expect("spawn");
    let dir = tempfile::tempdir().expect("a private temporary folder");
    let path = dir.path().join("trace.json");
    let out = Digits(4000)
        .map(|x| slow(x, 500))
        .count()
        .run_in_with(&ctx, &RunOptions::new().chunk_trace(&path))
        .expect("the traced run");
    assert_eq!(out.value, 4000);
    if !ctx.is_driver() {
        return;
    }
    let text = std::fs::read_to_string(&path).expect("the trace");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("trace JSON");
    let mut tracks: BTreeMap<(u64, u64), Vec<(f64, f64)>> = BTreeMap::new();
    let (mut processes, mut threads) = (BTreeSet::new(), BTreeSet::new());
    for e in doc["traceEvents"].as_array().expect("trace events") {
        let track = (
            e["pid"].as_u64().expect("a pid"),
            e["tid"].as_u64().expect("a tid"),
        );
        match (e["ph"].as_str(), e["name"].as_str()) {
            (Some("X"), _) => tracks.entry(track).or_default().push((
                e["ts"].as_f64().expect("ts"),
                e["dur"].as_f64().expect("dur"),
            )),
            (Some("M"), Some("process_name")) => {
                processes.insert(track.0);
            }
            (Some("M"), Some("thread_name")) => {
                threads.insert(track);
            }
            _ => {}
        }
    }
    for (track, list) in tracks.iter_mut() {
        assert!(track.0 <= 2, "pid {} is no rank of spawn(2)", track.0);
        assert!(processes.contains(&track.0), "process {} unnamed", track.0);
        assert!(threads.contains(track), "thread {track:?} unnamed");
        list.sort_by(|a, b| a.0.total_cmp(&b.0));
        // Up to a nanosecond: the precision of the microsecond floats.
        for w in list.windows(2) {
            assert!(
                w[1].0 >= w[0].0 + w[0].1 - 1e-3,
                "chunks overlap on (pid, tid) {track:?}: {:?} and {:?}",
                w[0],
                w[1]
            );
        }
    }
    let workers: BTreeSet<u64> = tracks.keys().map(|t| t.0).filter(|p| *p > 0).collect();
    assert!(!workers.is_empty(), "no worker in the trace: {tracks:?}");
    assert!(
        workers
            .iter()
            .any(|p| tracks.keys().filter(|t| t.0 == *p).count() == 2),
        "no worker ran chunks on two threads: {:?}",
        tracks.keys().collect::<Vec<_>>()
    );
    println!(
        "trace_tracks: tracks {:?}",
        tracks.keys().collect::<Vec<_>>()
    );
}

/// A run cut by its timeout while one chunk (the one holding index 1000, which takes 1.5 s,
/// three times the timeout) still runs: on every process the value is exactly the items of the
/// ranges `covered` names. Index 1000 is among them only if its chunk really ended, which
/// happens when a thread of the driver ran it (the run waits for those, as documented on
/// `RunOptions::timeout`): then the run cannot have returned before 1.5 s.
fn timed_out_covered() {
    let ctx = DistributedContext::spawn_with(2, two_threads_each()).expect("spawn");
    let opts = RunOptions::new().timeout(Duration::from_millis(500));
    let started = std::time::Instant::now();
    let out = Digits(20_000)
        .map(|x| {
            if x == 1000 {
                std::thread::sleep(Duration::from_millis(1500));
            }
            slow(x, 300)
        })
        .filter(|x| x % 3 != 0)
        .map(|x| x * 2)
        .collect()
        .run_in_with(&ctx, &opts)
        .expect("a timed-out run");
    assert!(!out.complete, "{} of 20000 processed", out.processed);
    let mut sum = 0;
    for w in out.covered.windows(2) {
        assert!(
            w[0].end < w[1].start,
            "unsorted or touching: {:?}",
            out.covered
        );
    }
    for r in &out.covered {
        assert!(r.start < r.end && r.end <= 20_000, "{:?}", out.covered);
        sum += r.end - r.start;
    }
    assert_eq!(sum, out.processed, "{:?}", out.covered);
    // Only the driver's clock started before every chunk: a worker may have joined the run later.
    let elapsed = started.elapsed();
    assert!(
        ctx.rank() != 0
            || !out.covered.iter().any(|r| r.contains(&1000))
            || elapsed >= Duration::from_millis(1500),
        "the chunk of index 1000 cannot have finished after {elapsed:?}: {:?}",
        out.covered
    );
    let oracle: Vec<u64> = out
        .covered
        .iter()
        .flat_map(|r| r.start as u64..r.end as u64)
        .filter(|x| x % 3 != 0)
        .map(|x| x * 2)
        .collect();
    assert_eq!(out.value, oracle, "covered {:?}", out.covered);
    println!(
        "timed_out_covered on rank {}: covered {:?}",
        ctx.rank(),
        out.covered
    );
    // The workers wait here (their program does not end) while the driver checks above.
    assert_eq!(Digits(10).count().run_in(&ctx).unwrap(), 10);
}
