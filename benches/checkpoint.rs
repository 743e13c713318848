//! Checkpoint overhead: `cargo bench --bench checkpoint`.
//!
//! A long run, about 5.5 s on `threads(2)` of a quiet machine
//! (`Range::new(300_000).map(work).collect()`, a 2.4 MB result), without a checkpoint, with one
//! at the default interval (5 s: written once during the run and once when it ends) and with one
//! every 250 ms (about twenty writes of the growing prefix). The file is removed before each
//! iteration, so every iteration runs everything (no resuming). Goal: at most 3% over the plain
//! run at the default interval.

use criterion::Criterion;
use haydi::prelude::*;
use std::time::Duration;

fn work(x: i64) -> i64 {
    (0..48_000i64).fold(x, |a, b| a.rotate_left(3) ^ b.wrapping_mul(0x9e37_79b9))
}

fn overhead(c: &mut Criterion) {
    let ctx = ThreadContext::new(2).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.ckpt");
    let job = Range::new(300_000).iterate().map(work).collect();
    // One call site for every run of the job.
    let go = |opts: &RunOptions| {
        let _ = std::fs::remove_file(&path);
        job.run_in_with(&ctx, opts).unwrap().value.len()
    };
    let plain = RunOptions::new();
    let default = RunOptions::new().checkpoint(&path);
    let often = RunOptions::new()
        .checkpoint(&path)
        .checkpoint_every(Duration::from_millis(250));
    assert_eq!(go(&plain), go(&default));
    let mut g = c.benchmark_group("ckpt_overhead");
    g.sample_size(10).measurement_time(Duration::from_secs(60));
    g.bench_function("plain", |b| b.iter(|| go(&plain)));
    g.bench_function("checkpoint_default", |b| b.iter(|| go(&default)));
    g.bench_function("checkpoint_250ms", |b| b.iter(|| go(&often)));
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    overhead(&mut c);
    c.final_summary();
}
