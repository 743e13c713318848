//! Pipeline overhead against hand-written loops (serial, one thread):
//! `cargo bench --bench pipeline`. Ratios are printed by `python3 benches/ratios.py pipeline`.

use criterion::{Criterion, criterion_group, criterion_main};
use haydi::prelude::*;
use std::hint::black_box;
use std::time::Duration;

const N: i64 = 100_000_000;
const SIDE: i64 = 10_000;

fn map_filter_count(c: &mut Criterion) {
    let mut g = c.benchmark_group("range_map_filter_count");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    g.bench_function("haydi", |b| {
        b.iter(|| {
            Range::new(black_box(N))
                .iterate()
                .map(|x| x * 3 + 1)
                .filter(|x| x % 7 == 0)
                .count()
                .run(false)
                .unwrap()
        })
    });
    g.bench_function("plain_loop", |b| {
        b.iter(|| {
            let mut count = 0u64;
            for x in 0..black_box(N) {
                let y = x * 3 + 1;
                if y % 7 == 0 {
                    count += 1;
                }
            }
            count
        })
    });
    g.finish();
}

fn product_filter_count(c: &mut Criterion) {
    let mut g = c.benchmark_group("product_filter_count");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    g.bench_function("haydi", |b| {
        b.iter(|| {
            let side = black_box(SIDE);
            Product::new((Range::new(side), Range::new(side)))
                .filter(|(a, b)| (a ^ b) % 7 == 0)
                .count()
                .run(false)
                .unwrap()
        })
    });
    g.bench_function("plain_loop", |b| {
        b.iter(|| {
            let side = black_box(SIDE);
            let mut count = 0u64;
            for a in 0..side {
                for b in 0..side {
                    if (a ^ b) % 7 == 0 {
                        count += 1;
                    }
                }
            }
            count
        })
    });
    g.finish();
}

const M: i64 = 10_000_000;

/// The adapters of the one chain against the loops they stand for.
fn adapters(c: &mut Criterion) {
    let mut g = c.benchmark_group("adapters_flat_map_filter_map_sum");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    g.bench_function("haydi", |b| {
        b.iter(|| {
            Range::new(black_box(M))
                .filter_map(|x| (x % 3 != 0).then_some(x / 3))
                .flat_map(|x| [x, x + 1])
                .sum()
                .run(false)
                .unwrap()
        })
    });
    g.bench_function("plain_loop", |b| {
        b.iter(|| {
            let mut sum = 0i64;
            for x in 0..black_box(M) {
                if x % 3 != 0 {
                    let y = x / 3;
                    for z in [y, y + 1] {
                        sum += z;
                    }
                }
            }
            sum
        })
    });
    g.finish();

    // enumerate after a filter runs the filter twice (a counting pass, then the run).
    let mut g = c.benchmark_group("adapters_enumerate_after_filter");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    g.bench_function("haydi", |b| {
        b.iter(|| {
            Range::new(black_box(M))
                .filter(|x| x % 7 == 3)
                .enumerate()
                .filter(|(i, x)| (*i as i64 + x) % 5 == 0)
                .count()
                .run(false)
                .unwrap()
        })
    });
    g.bench_function("plain_loop", |b| {
        b.iter(|| {
            let mut count = 0u64;
            let mut i = 0i64;
            for x in 0..black_box(M) {
                if x % 7 == 3 {
                    if (i + x) % 5 == 0 {
                        count += 1;
                    }
                    i += 1;
                }
            }
            count
        })
    });
    g.finish();
}

criterion_group!(benches, map_filter_count, product_filter_count, adapters);
criterion_main!(benches);
