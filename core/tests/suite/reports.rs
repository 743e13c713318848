//! Reports that tell the truth: `Outcome::covered` says exactly which indices a (possibly
//! timed-out) value covers, on every path (tiny runs, the plain serial run, the scheduler), and
//! the chunk trace puts each thread's chunks on a track of its own, named, that never overlap.
use haydi_core::domain::tests_support::Digits;

use crate::common::tiny_chunks;
use haydi_core::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::time::Duration;

/// The pipeline's closure: `x`, later for most indices (200 µs from 500 on, 5 ms more in
/// `1000..1050`, where a chunk is slow while others go on past it).
fn slow(x: u64) -> u64 {
    if x >= 500 {
        std::thread::sleep(Duration::from_micros(200));
    }
    if (1000..1050).contains(&x) {
        std::thread::sleep(Duration::from_millis(5));
    }
    x
}

/// `covered` is sorted, never empty, never touching, within `0..total`, and adds up to
/// `processed`.
fn check_shape<T>(out: &Outcome<T>) {
    let mut sum = 0;
    let mut last_end = None;
    for r in &out.covered {
        assert!(r.start < r.end, "an empty range in {:?}", out.covered);
        if let Some(e) = last_end {
            assert!(
                r.start > e,
                "unsorted or touching ranges: {:?}",
                out.covered
            );
        }
        if let Some(t) = out.total {
            assert!(r.end <= t, "{:?} past the total {t}", out.covered);
        }
        last_end = Some(r.end);
        sum += r.end - r.start;
    }
    assert_eq!(sum, out.processed, "{:?}", out.covered);
}

/// The serial oracle: the items `filter(x % 3 != 0).map(2x)` over exactly `covered`.
fn oracle(covered: &[Range<u128>]) -> Vec<u64> {
    covered
        .iter()
        .flat_map(|r| r.start as u64..r.end as u64)
        .filter(|x| x % 3 != 0)
        .map(|x| x * 2)
        .collect()
}

#[test]
fn timed_out_threads_value_is_exactly_the_covered_ranges() {
    for ctx in [ThreadContext::new(2).unwrap(), tiny_chunks(3)] {
        // About 4 s of work on two or three threads, for a timeout of 100 ms.
        let opts = RunOptions::new().timeout(Duration::from_millis(100));
        let out = Digits(20_000)
            .map(slow)
            .filter(|x| x % 3 != 0)
            .map(|x| x * 2)
            .collect()
            .run_in_with(&ctx, &opts)
            .unwrap();
        assert!(!out.complete, "{} of 20000 processed", out.processed);
        check_shape(&out);
        assert_eq!(out.value, oracle(&out.covered), "covered {:?}", out.covered);
    }
}

#[test]
fn timed_out_take_covers_the_merged_prefix() {
    let ctx = tiny_chunks(2);
    let opts = RunOptions::new().timeout(Duration::from_millis(100));
    let out = Digits(20_000)
        .map(slow)
        .take(15_000)
        .collect()
        .run_in_with(&ctx, &opts)
        .unwrap();
    assert!(!out.complete);
    check_shape(&out);
    assert!(out.covered.len() <= 1, "{:?}", out.covered);
    assert!(out.covered.iter().all(|r| r.start == 0));
    let expected: Vec<u64> = out
        .covered
        .iter()
        .flat_map(|r| r.start as u64..r.end as u64)
        .take(15_000)
        .collect();
    assert_eq!(out.value, expected);
}

#[test]
fn complete_runs_cover_everything_on_every_path() {
    let ctx = ThreadContext::new(2).unwrap();
    // Tiny run (no scheduler), plain serial run, scheduler inline, scheduler on threads.
    let traced = RunOptions::new().on_progress(|_| {});
    let runs = [
        Digits(100).count().run_in_with(&ctx, &RunOptions::new()),
        Digits(100_000).count().run_with(false, &RunOptions::new()),
        Digits(100_000).count().run_with(false, &traced),
        Digits(100_000)
            .count()
            .run_in_with(&tiny_chunks(2), &traced),
    ];
    for (out, n) in runs.into_iter().zip([100u128, 100_000, 100_000, 100_000]) {
        let out = out.unwrap();
        assert!(out.complete);
        assert_eq!(out.covered.as_slice(), std::slice::from_ref(&(0..n)));
        check_shape(&out);
    }
}

#[test]
fn a_take_covers_the_prefix_it_needed() {
    let progress = RunOptions::new().on_progress(|_| {});
    for (ctx, opts) in [
        (ThreadContext::new(2).unwrap(), RunOptions::new()),
        (tiny_chunks(3), progress.clone()),
    ] {
        let out = Digits(1_000_000)
            .filter(|x| x % 10 == 0)
            .take(3)
            .collect()
            .run_in_with(&ctx, &opts)
            .unwrap();
        assert!(out.complete);
        assert_eq!(out.value, vec![0, 10, 20]);
        check_shape(&out);
        assert_eq!(out.covered.len(), 1);
        assert_eq!(out.covered[0].start, 0);
        // The value is what a serial run over the covered indices gives.
        let end = out.covered[0].end as u64;
        let again: Vec<u64> = (0..end).filter(|x| x % 10 == 0).take(3).collect();
        assert_eq!(out.value, again);
    }
    let serial = Digits(1_000_000)
        .filter(|x| x % 10 == 0)
        .take(3)
        .collect()
        .run_with(false, &RunOptions::new())
        .unwrap();
    assert_eq!(serial.covered.len(), 1);
    assert!(serial.covered[0].end > 20);
}

#[test]
fn nothing_processed_covers_nothing() {
    let ctx = ThreadContext::new(2).unwrap();
    let progress = RunOptions::new().on_progress(|_| {});
    let empty = Digits(0).count().run_in_with(&ctx, &progress).unwrap();
    assert!(empty.complete);
    assert!(empty.covered.is_empty(), "{:?}", empty.covered);
    let none = Digits(10)
        .take(0)
        .count()
        .run_with(false, &progress)
        .unwrap();
    assert!(none.covered.is_empty(), "{:?}", none.covered);
    assert_eq!(none.processed, 0);
    // The plain serial run visits its first chunk all the same: what it says it covers adds
    // up to what it says it processed.
    let plain = Digits(10)
        .take(0)
        .count()
        .run_with(false, &RunOptions::new())
        .unwrap();
    assert_eq!(plain.value, 0);
    check_shape(&plain);
}

/// A chunk event of the trace: its track and its interval in microseconds.
struct Chunk {
    track: (u64, u64),
    ts: f64,
    dur: f64,
}

/// The chunk events and the named processes and threads of a trace.
type Names = (BTreeSet<u64>, BTreeSet<(u64, u64)>);

fn read_trace(path: &std::path::Path) -> (Vec<Chunk>, Names) {
    let text = std::fs::read_to_string(path).expect("the trace");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("trace JSON");
    let mut chunks = Vec::new();
    let (mut processes, mut threads) = (BTreeSet::new(), BTreeSet::new());
    for e in doc["traceEvents"].as_array().expect("trace events") {
        let track = (
            e["pid"].as_u64().expect("a pid"),
            e["tid"].as_u64().expect("a tid"),
        );
        match (e["ph"].as_str(), e["name"].as_str()) {
            (Some("X"), _) => chunks.push(Chunk {
                track,
                ts: e["ts"].as_f64().expect("ts"),
                dur: e["dur"].as_f64().expect("dur"),
            }),
            (Some("M"), Some("process_name")) => {
                assert!(e["args"]["name"].is_string());
                processes.insert(track.0);
            }
            (Some("M"), Some("thread_name")) => {
                assert!(e["args"]["name"].is_string());
                threads.insert(track);
            }
            _ => {}
        }
    }
    (chunks, (processes, threads))
}

/// No two chunks of one track overlap in time (up to a nanosecond, the precision of the
/// microsecond floats), and every track is named.
fn check_tracks(chunks: &[Chunk], (processes, threads): &Names) -> BTreeSet<(u64, u64)> {
    let mut by_track: BTreeMap<(u64, u64), Vec<(f64, f64)>> = BTreeMap::new();
    for c in chunks {
        by_track.entry(c.track).or_default().push((c.ts, c.dur));
    }
    for (track, list) in by_track.iter_mut() {
        list.sort_by(|a, b| a.0.total_cmp(&b.0));
        for w in list.windows(2) {
            assert!(
                w[1].0 >= w[0].0 + w[0].1 - 1e-3,
                "chunks overlap on (pid, tid) {track:?}: {:?} and {:?}",
                w[0],
                w[1]
            );
        }
        assert!(processes.contains(&track.0), "process {} unnamed", track.0);
        assert!(threads.contains(track), "thread {track:?} unnamed");
    }
    by_track.keys().copied().collect()
}

#[test]
fn thread_trace_has_one_named_track_per_thread_without_overlaps() {
    let dir = tempfile::tempdir().expect("a private temporary folder");
    let path = dir.path().join("trace.json");
    let ctx = ThreadContext::new(3).unwrap();
    let out = Digits(6000)
        .map(slow)
        .count()
        .run_in_with(&ctx, &RunOptions::new().chunk_trace(&path))
        .unwrap();
    assert_eq!(out.value, 6000);
    let (chunks, names) = read_trace(&path);
    let tracks = check_tracks(&chunks, &names);
    // One process; the calling thread is 0, the pool's threads 1..=3.
    assert!(tracks.iter().all(|(p, t)| *p == 0 && *t <= 3), "{tracks:?}");
    assert!(
        tracks.iter().filter(|(_, t)| *t >= 1).count() >= 2,
        "the pool's threads share a track: {tracks:?}"
    );
}
