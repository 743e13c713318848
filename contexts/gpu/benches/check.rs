//! What `Kernel::check` costs a kernel's first run on a device (issue 23): the check alone
//! (the probe's compilation, one dispatch, the CPU closure at the sample) and a first run with
//! and without it, side by side on the first accelerator listed (lavapipe on a machine without a
//! GPU).
//!
//! ```text
//! MESA_SHADER_CACHE_DISABLE=true cargo bench -p haydi-gpu --features wgpu --bench check
//! ```
//!
//! "First" runs compile: each iteration gets a kernel of its own (a distinct constant in its
//! WGSL), so no pipeline cache of haydi's answers it, and Mesa's disk cache is off by the
//! variable above. The release build has no debug check, so `run_on` is the unchecked run.

use criterion::{Criterion, criterion_group, criterion_main};
use haydi_gpu::{
    AcceleratorContext, CONTEXT_CHECK_SAMPLES, DEBUG_CHECK_SAMPLES, Kernel, KernelSpace, MIX_WGSL,
    iter_accelerators, mix,
};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// A kernel never compiled before in this process: the variant number is a constant the WGSL
/// compares with (an index past the space, so the meaning stays `mix(i) % 97 == 0`).
fn fresh() -> Kernel {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let v = NEXT.fetch_add(1, Ordering::Relaxed);
    let wgsl = format!(
        r#"{MIX_WGSL}
fn kernel(i: U64) -> u32 {{
    let x = mix(i);
    let never = u64_eq(i, U64({v}u, 0xffffffffu));
    return select(select(0u, 1u, x % 97u == 0u), 7u, never);
}}
"#
    );
    Kernel::new(format!("fresh{v}"), wgsl, |i| u32::from(mix(i) % 97 == 0))
}

/// The time of `work` on `n` kernels compiled fresh (made before the clock starts).
fn fresh_each(n: u64, work: impl Fn(&Kernel)) -> Duration {
    let kernels: Vec<Kernel> = (0..n).map(|_| fresh()).collect();
    let t = Instant::now();
    for k in &kernels {
        work(k);
    }
    t.elapsed()
}

fn bench(c: &mut Criterion) {
    let Some(dev) = iter_accelerators().next() else {
        eprintln!(
            "SKIPPED check bench: no accelerator (apt-get install mesa-vulkan-drivers libvulkan1)"
        );
        return;
    };
    println!("device: {} ({})", dev.info().name, dev.info().kind);
    // Large enough that a context run dispatches to the device (a smaller one ends on the
    // calling thread, and lavapipe compiles a pipeline only when it first runs it).
    let space = KernelSpace::range(1 << 20);
    let ctx = AcceleratorContext::new(vec![dev.clone()]).unwrap();
    let mut g = c.benchmark_group("kernel_check");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    g.bench_function("check 64, probe compiled fresh", |b| {
        b.iter_custom(|n| {
            fresh_each(n, |k| {
                k.check_on(&dev, &space, CONTEXT_CHECK_SAMPLES).unwrap();
            })
        })
    });
    // The same WGSL every time (its probe compiled once), fresh `Kernel`s: dispatch and closure.
    let same = fresh();
    let same_wgsl = same.wgsl().to_string();
    let again = || Kernel::new("same", same_wgsl.clone(), |i| u32::from(mix(i) % 97 == 0));
    for samples in [CONTEXT_CHECK_SAMPLES, DEBUG_CHECK_SAMPLES] {
        g.bench_function(format!("check {samples}, probe compiled"), |b| {
            b.iter(|| again().check_on(&dev, &space, samples).unwrap())
        });
    }
    // A release build's `run_on` does not check; a debug build's checks 1024 indices.
    let run_on = if cfg!(debug_assertions) {
        "first run_on 2^20, checked (debug build)"
    } else {
        "first run_on 2^20, unchecked"
    };
    g.bench_function(run_on, |b| {
        b.iter_custom(|n| {
            fresh_each(n, |k| {
                k.over(space.clone()).count().run_on(&dev).unwrap();
            })
        })
    });
    g.bench_function("first context run 2^20, checked", |b| {
        b.iter_custom(|n| {
            fresh_each(n, |k| {
                k.over(space.clone()).count().run_in(&ctx).unwrap();
            })
        })
    });
    // Later runs: compiled and checked already, so the check costs a lookup.
    let warm = fresh();
    warm.over(space.clone()).count().run_in(&ctx).unwrap();
    g.bench_function("later run_on 2^20", |b| {
        b.iter(|| warm.over(space.clone()).count().run_on(&dev).unwrap())
    });
    g.bench_function("later context run 2^20, already checked", |b| {
        b.iter(|| warm.over(space.clone()).count().run_in(&ctx).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
