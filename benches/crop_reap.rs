//! Reaping a crop of 10^4 batches: `cargo bench --bench crop_reap`.
//!
//! The job, `Range::new(1_000_000).map(mix).collect()` (an 8 MB result), is sown into 10,000
//! batches of 100 indices and grown once (10^4 sealed result files; the time is printed, it is
//! not the measurement). The bench reaps it (reads, verifies and merges every batch in index
//! order), beside `status()` (which checks every result file) and the same job run serially in
//! memory, in one run.
//!
//! `seal_10k_results` measures the checksums alone over 10^4 bodies of one result file's size,
//! side by side: the plain SHA-256 results carried before issue 24, and the HMAC-SHA-256 under
//! the user's key they carry now.

use criterion::Criterion;
use haydi::Crop;
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
    let size = std::fs::metadata(crop.path().join("results").join("batch-1.result"))
        .unwrap()
        .len() as usize;
    seal(c, size);
}

/// 10^4 checksums of `size` bytes each: SHA-256 (before) against HMAC-SHA-256 (now).
fn seal(c: &mut Criterion, size: usize) {
    use sha2::{Digest, Sha256};
    let body: Vec<u8> = (0..size as u32)
        .map(|i| (i * 2_654_435_761) as u8)
        .collect();
    let key = haydi_core::trusted::UserKey::load_or_create().unwrap();
    eprintln!("result files of {size} bytes");
    let mut g = c.benchmark_group("seal_10k_results");
    g.sample_size(30);
    g.bench_function("sha256", |b| {
        b.iter(|| {
            (0..10_000)
                .map(|_| Sha256::digest(&body)[0] as u32)
                .sum::<u32>()
        })
    });
    g.bench_function("hmac_sha256", |b| {
        b.iter(|| {
            (0..10_000)
                .map(|_| key.mac(&[b"haydi crop batch\n", &body])[0] as u32)
                .sum::<u32>()
        })
    });
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    reap(&mut c);
    c.final_summary();
}
