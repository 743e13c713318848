//! Reaping a crop of 10^4 batches: `cargo bench --bench crop_reap`.
//!
//! The job, `Range::new(1_000_000).map(mix).collect()` (an 8 MB result), is sown into 10,000
//! batches of 100 indices and grown once (10^4 sealed result files; the time is printed, it is
//! not the measurement). The bench reaps it (reads, verifies and merges every batch in index
//! order), beside `status()` (which checks every result file) and the same job run serially in
//! memory, in one run.

use criterion::Criterion;
use haydi::crop::Batches;
use haydi::prelude::*;
use std::time::{Duration, Instant};

fn mix(x: i64) -> i64 {
    x.wrapping_mul(0x9e37_79b9).rotate_left(7)
}

fn reap(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let job = Range::new(1_000_000).iterate().map(mix).collect();
    let crop = Crop::new("reap", dir.path(), job).unwrap();
    assert_eq!(crop.sow(Batches::Count(10_000)).unwrap(), 10_000);
    let t = Instant::now();
    let ctx = ThreadContext::new(2).unwrap();
    let grown = session::with_parallel_context(ctx, || crop.grow_missing()).unwrap();
    eprintln!(
        "grew {} batches in {:.1} s (threads(2), one fsync'd file each)",
        grown.len(),
        t.elapsed().as_secs_f64()
    );
    let oracle: Vec<i64> = (0..1_000_000).map(mix).collect();
    assert_eq!(crop.reap().unwrap(), oracle);
    let mut g = c.benchmark_group("crop_reap_10k");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("reap", |b| b.iter(|| crop.reap().unwrap().len()));
    g.bench_function("status", |b| b.iter(|| crop.status().unwrap().done));
    g.bench_function("run_serial_in_memory", |b| {
        b.iter(|| crop.job().run(false).unwrap().len())
    });
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    reap(&mut c);
    c.final_summary();
}
