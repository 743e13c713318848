//! Worker-pool benchmarks: `cargo bench --bench pool`.
//!
//! - `pool_tiny`: per-task cost of `pool.map` on `threads(2)` against rayon's
//!   `par_iter().map().collect()` on a 2-thread rayon pool, over 100 000 tiny tasks
//!   (per-task cost = time / 100 000). Goal: at most 2x rayon's.
//!   `pipeline_threads2` / `pipeline_serial`: the same map as a haydi pipeline, without the
//!   pool, on the two threads and serially (where the pool's time goes).
//! - `pool_submit`: 1000 `submit`s then `wait`s on `threads(2)` (the executor path).
//! - `pool_heavy`: `pool.map` of 2000 CPU-heavy tasks (about 70 µs each) on `spawn(2)` against
//!   `threads(2)`. Goal:
//!   at least 0.9x the threads' throughput.
//!
//! SPMD: as in `benches/distributed.rs`, a spawned worker serves its benchmark's one map in a
//! loop (the same call site as the driver's) until the driver shuts it down.

use criterion::Criterion;
use haydi::contexts::Pool;
use haydi::prelude::*;
use rayon::prelude::*;
use std::hint::black_box;
use std::time::Duration;

fn tiny(x: &u64) -> u64 {
    x.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(7) ^ x
}

fn heavy(x: &u64) -> u64 {
    (0..200_000u64).fold(*x, |a, b| {
        a.rotate_left(5) ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    })
}

fn pool_tiny(c: &mut Criterion) {
    let items: Vec<u64> = (0..100_000).collect();
    let pool = Pool::new(ThreadContext::new(2).unwrap());
    let rayon2 = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let oracle: Vec<u64> = items.iter().map(tiny).collect();
    assert_eq!(pool.map(tiny, &items).unwrap(), oracle);
    let mut g = c.benchmark_group("pool_tiny");
    g.sample_size(30).measurement_time(Duration::from_secs(5));
    g.bench_function("loop", |b| {
        b.iter(|| black_box(&items).iter().map(tiny).collect::<Vec<_>>())
    });
    g.bench_function("rayon2", |b| {
        b.iter(|| rayon2.install(|| black_box(&items).par_iter().map(tiny).collect::<Vec<_>>()))
    });
    g.bench_function("pool_threads2", |b| {
        b.iter(|| pool.map(tiny, black_box(&items)).unwrap())
    });
    // Where the pool's time goes: the same map as a plain haydi pipeline (no task notes, no
    // pool), on the two threads and serially; the serial one is the per-item cost of
    // `map().collect()` alone, the gap to the threaded one what two threads give back.
    let threads = ThreadContext::new(2).unwrap();
    let pipeline = || {
        let items = black_box(&items);
        Range::new(100_000)
            .iterate()
            .map(move |i| tiny(&items[i as usize]))
            .collect()
    };
    g.bench_function("pipeline_threads2", |b| {
        b.iter(|| pipeline().run_in(&threads).unwrap())
    });
    g.bench_function("pipeline_serial", |b| {
        b.iter(|| pipeline().run(false).unwrap())
    });
    g.finish();
}

fn pool_submit(c: &mut Criterion) {
    let pool = Pool::new(ThreadContext::new(2).unwrap());
    let mut g = c.benchmark_group("pool_submit");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    g.bench_function("threads2_1000", |b| {
        b.iter(|| {
            let hs: Vec<_> = (0..1000u64)
                .map(|i| pool.submit(|x: u64| tiny(&x), i))
                .collect();
            hs.into_iter().map(|h| h.wait().unwrap()).sum::<u64>()
        })
    });
    g.finish();
}

fn pool_heavy(c: &mut Criterion) {
    let items: Vec<u64> = (0..2000).collect();
    // One call site for the map's runs on every process.
    let go = |pool: &Pool| pool.map(heavy, &items).unwrap();
    let dist = DistributedContext::spawn(2).unwrap();
    let dist_pool = Pool::new(dist.clone());
    if !dist.is_driver() {
        if dist.size() > 1 {
            loop {
                go(&dist_pool);
            }
        }
        return;
    }
    let threads = Pool::new(ThreadContext::new(2).unwrap());
    assert_eq!(go(&dist_pool), go(&threads));
    let mut g = c.benchmark_group("pool_heavy");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    g.bench_function("threads2", |b| b.iter(|| go(&threads)));
    g.bench_function("spawn2", |b| b.iter(|| go(&dist_pool)));
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    // The spawned workers re-run this main and stay inside pool_heavy (serving its map) until
    // the driver ends, so everything after it runs on the driver only.
    pool_heavy(&mut c);
    pool_tiny(&mut c);
    pool_submit(&mut c);
    c.final_summary();
}
