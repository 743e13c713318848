//! Distributed context benchmarks: `cargo bench --bench distributed`.
//!
//! - `dist_cpu_heavy`: a CPU-heavy map on `spawn(2)` against `ThreadContext::new(2)`.
//! - `dist_small_run`: the fixed cost of one small `run(true)` on `spawn(2)` after start-up.
//! - `dist_coordinator`: one-index chunks on `spawn(8)`, so the time per chunk is what the
//!   coordinator needs to hand out, receive and merge one chunk (chunks/s = 20000 / time).
//!   How many workers one coordinator keeps busy at 10 ms and 1 s chunks is measured by the
//!   simulation `cargo bench -p haydi-contexts --bench coordinator_sim` (simulated workers as
//!   tokio tasks on loopback; see docs/PERFORMANCE.md).
//!
//! SPMD: criterion decides how many iterations the driver runs, so a spawned worker cannot
//! follow the driver's `main`. Instead each worker serves its benchmark's one job in a loop
//! (`serve`), with the same call site as the driver's runs, until the driver shuts it down.

use criterion::Criterion;
use haydi::domain::tests_support::Digits;
use haydi::plumbing::ScheduleConfig;
use haydi::prelude::*;
use haydi::{DistributedContext, DistributedOptions};
use std::time::Duration;

fn heavy(x: u64) -> u64 {
    (0..2000u64).fold(x, |a, b| {
        a.rotate_left(5) ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    })
}

/// For a worker: serves the driver's runs of this job until the driver shuts it down. For a
/// process spawned by another benchmark: `None`, skip this benchmark.
fn role<T>(
    ctx: DistributedContext,
    go: &impl Fn(&dyn ParallelContext) -> T,
) -> Option<DistributedContext> {
    if ctx.is_driver() {
        return Some(ctx);
    }
    if ctx.size() > 1 {
        loop {
            go(&ctx);
        }
    }
    None
}

fn cpu_heavy(c: &mut Criterion) {
    let job = Digits(200_000).map(heavy).sum();
    // One call site for the job's runs on every process.
    let go = |ctx: &dyn ParallelContext| job.run_in(ctx).unwrap();
    let Some(dist) = role(DistributedContext::spawn(2).unwrap(), &go) else {
        return;
    };
    let threads = ThreadContext::new(2).unwrap();
    assert_eq!(go(&dist), go(&threads));
    let mut g = c.benchmark_group("dist_cpu_heavy");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    g.bench_function("threads2", |b| b.iter(|| go(&threads)));
    g.bench_function("spawn2", |b| b.iter(|| go(&dist)));
    g.finish();
}

fn small_run(c: &mut Criterion) {
    let job = Digits(1000).sum();
    // One call site for the job's runs on every process.
    let go = |ctx: &dyn ParallelContext| job.run_in(ctx).unwrap();
    let Some(dist) = role(DistributedContext::spawn(2).unwrap(), &go) else {
        return;
    };
    let mut g = c.benchmark_group("dist_small_run");
    g.sample_size(20).measurement_time(Duration::from_secs(3));
    g.bench_function("spawn2", |b| b.iter(|| go(&dist)));
    g.finish();
}

fn coordinator(c: &mut Criterion) {
    let opts = DistributedOptions {
        schedule: ScheduleConfig {
            target_chunk: Duration::ZERO,
            probe_budget: Duration::ZERO,
            inline_threshold: Duration::ZERO,
            max_growth: 1,
        },
        ..Default::default()
    };
    let job = Digits(20_000).count();
    // One call site for the job's runs on every process.
    let go = |ctx: &dyn ParallelContext| job.run_in(ctx).unwrap();
    let Some(dist) = role(DistributedContext::spawn_with(8, opts).unwrap(), &go) else {
        return;
    };
    let mut g = c.benchmark_group("dist_coordinator");
    g.sample_size(10).measurement_time(Duration::from_secs(6));
    g.bench_function("spawn8_20000_chunks", |b| b.iter(|| go(&dist)));
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    cpu_heavy(&mut c);
    small_run(&mut c);
    coordinator(&mut c);
    c.final_summary();
}
