//! What the criterion benches share (a folder, so that cargo does not take it for a bench).

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use std::time::Duration;

/// A benchmark group of 10 samples, 1 s of warm-up and `secs` of measurement: enough for runs
/// of 10 ms to 1 s on a 2-core machine, where a full criterion default takes minutes per group.
pub fn quick<'a>(c: &'a mut Criterion, name: &str, secs: u64) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(secs));
    g
}
