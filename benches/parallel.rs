//! Parallel runs on one machine: `cargo bench --bench parallel`, then
//! `python3 benches/ratios.py par_` for the ratios. Every group runs its variants side by side in
//! one process, so the ratios are comparable even on a noisy machine.

mod common;

use common::quick;
use criterion::{Criterion, criterion_group, criterion_main};
use haydi::prelude::*;
use rayon::prelude::*;
use std::hint::black_box;
use std::time::Duration;

const N: i64 = 100_000_000;

/// Cheap map/filter/count over 10^8: haydi threads(2) vs haydi serial vs rayon (2 threads).
fn cheap(c: &mut Criterion) {
    let threads = ThreadContext::new(2).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let mut g = quick(c, "par_cheap_1e8", 6);
    let job = || {
        Range::new(black_box(N))
            .iterate()
            .map(|x| x * 3 + 1)
            .filter(|x| x % 7 == 0)
            .count()
    };
    g.bench_function("haydi", |b| b.iter(|| job().run_in(&threads).unwrap()));
    g.bench_function("haydi_serial", |b| b.iter(|| job().run(false).unwrap()));
    g.bench_function("rayon", |b| {
        b.iter(|| {
            pool.install(|| {
                (0..black_box(N))
                    .into_par_iter()
                    .map(|x| x * 3 + 1)
                    .filter(|x| x % 7 == 0)
                    .count()
            })
        })
    });
    g.finish();
}

fn spin(i: i64) -> i64 {
    (0..i).fold(i, |a, b| black_box(a.rotate_left(5) ^ b))
}

/// Skewed work: the cost of item i grows linearly with i.
fn skewed(c: &mut Criterion) {
    let threads = ThreadContext::new(2).unwrap();
    let mut g = quick(c, "par_skewed", 6);
    let job = || {
        Range::new(black_box(30_000))
            .iterate()
            .map(spin)
            .reduce_with(|a, b| a ^ b)
    };
    g.bench_function("haydi", |b| b.iter(|| job().run_in(&threads).unwrap()));
    g.bench_function("haydi_serial", |b| b.iter(|| job().run(false).unwrap()));
    g.finish();
}

/// A tiny run: 10^3 cheap items, run(true) against run(false).
fn tiny(c: &mut Criterion) {
    let threads = ThreadContext::new(2).unwrap();
    let mut g = c.benchmark_group("par_tiny_1e3");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let job = || {
        Range::new(black_box(1000))
            .iterate()
            .map(|x| x * 3 + 1)
            .filter(|x| x % 7 == 0)
            .count()
    };
    g.bench_function("haydi", |b| b.iter(|| job().run_in(&threads).unwrap()));
    g.bench_function("haydi_serial", |b| b.iter(|| job().run(false).unwrap()));
    g.finish();
}

/// take(3) on a filtered range: the time must not depend on the range's size.
fn take3(c: &mut Criterion) {
    let threads = ThreadContext::new(2).unwrap();
    let mut g = c.benchmark_group("par_take3");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (name, n) in [
        ("haydi", 1_000_000_000_000i64),
        ("size_1e6", 1_000_000),
        ("size_1e18", 1_000_000_000_000_000_000),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                Range::new(black_box(n))
                    .iterate()
                    .filter(|x| x % 1000 == 7)
                    .take(3)
                    .collect()
                    .run_in(&threads)
                    .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, cheap, skewed, tiny, take3);
criterion_main!(benches);
