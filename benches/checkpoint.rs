//! Checkpoint overhead: `cargo bench --bench checkpoint`.
//!
//! A long run, about 5.5 s on `threads(2)` of a quiet machine
//! (`Range::new(300_000).map(work).collect()`, a 2.4 MB result), without a checkpoint, with one
//! at the default interval (5 s: written once during the run and once when it ends) and with one
//! every 250 ms (about twenty writes of the growing prefix). The file is removed before each
//! iteration, so every iteration runs everything (no resuming). Goal: at most 3% over the plain
//! run at the default interval.
//!
//! `seal_2_4mb` measures what sealing a checkpoint of that size costs, side by side: the plain
//! SHA-256 the file carried before issue 24, and the HMAC-SHA-256 under the user's key it
//! carries now (`haydi_core::trusted`).

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

/// The checksum of a 2.4 MB checkpoint body: SHA-256 (before) against HMAC-SHA-256 (now).
fn seal(c: &mut Criterion) {
    use sha2::{Digest, Sha256};
    let body: Vec<u8> = (0..2_400_000u32)
        .map(|i| (i * 2_654_435_761) as u8)
        .collect();
    let keys = tempfile::tempdir().unwrap();
    unsafe { std::env::set_var("HAYDI_KEY_FILE", keys.path().join("key")) };
    let key = haydi_core::trusted::UserKey::load_or_create().unwrap();
    let mut g = c.benchmark_group("seal_2_4mb");
    g.sample_size(30);
    g.bench_function("sha256", |b| b.iter(|| Sha256::digest(&body)[0]));
    g.bench_function("hmac_sha256", |b| {
        b.iter(|| key.mac(&[b"haydi checkpoint\n", &body])[0])
    });
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    seal(&mut c);
    overhead(&mut c);
    c.final_summary();
}
