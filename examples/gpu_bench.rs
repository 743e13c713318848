//! A predicate search over `2^k` indices (default `k = 32`), on the devices alone, on all CPU
//! threads (the kernel's CPU closure on a `ThreadContext`), and on both together, in one run:
//! the three must agree, and each prints its time and rate. `benches/gpu.sh` runs it on a GPU
//! machine; on lavapipe use a small `k` (correctness only: a software device is no benchmark).
//!
//! ```text
//! cargo run --release --features gpu --example gpu_bench -- [k] [--threads T] [--skip-cpu]
//! ```
//!
//! The predicate: a 32-bit mix of the 64-bit index is divisible by 1009 (about one index in a
//! thousand). Each mode counts the matches and finds the first 10.

use haydi::gpu::{AcceleratorContext, Kernel, KernelSpace, MIX_WGSL, mix};
use haydi::prelude::*;
use std::time::Instant;

/// The kernel: one index in about a thousand (`mix` is haydi-gpu's index hash, in both forms).
fn kernel() -> Kernel {
    let wgsl = format!(
        "{MIX_WGSL}\nfn kernel(i: U64) -> u32 {{ return select(0u, 1u, mix(i) % 1009u == 0u); }}\n"
    );
    Kernel::new("mix1009", wgsl, |i| u32::from(mix(i) % 1009 == 0))
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let k: u32 = args.first().and_then(|a| a.parse().ok()).unwrap_or(32);
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let threads: usize = args
        .iter()
        .position(|a| a == "--threads")
        .and_then(|p| args.get(p + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(cores);
    let skip_cpu = args.iter().any(|a| a == "--skip-cpu");
    let kernel = kernel();
    let space = KernelSpace::range(1u64 << k);
    let count = kernel.over(space.clone()).count();
    let first = kernel.over(space.clone()).take(10);
    let n = space.len() as f64;
    let mut results = Vec::new();
    // `on_devices()`: indices run on devices so far; the share printed is the count run's.
    let mut time = |name: &str,
                    ctx: &dyn ParallelContext,
                    on_devices: &dyn Fn() -> f64|
     -> Result<()> {
        let before = on_devices();
        let t = Instant::now();
        let c = count.run_in(ctx)?;
        let secs = t.elapsed().as_secs_f64();
        let share = (on_devices() - before) / n;
        let f = first.run_in(ctx)?;
        println!(
            "mode={name} on={} indices=2^{k} matches={c} first={:?} seconds={secs:.3} rate={:.3e}/s device_share={share:.3}",
            ctx.name(),
            &f[..f.len().min(3)],
            n / secs,
        );
        results.push((name.to_string(), c, f));
        Ok(())
    };
    let devices = AcceleratorContext::all()?;
    let names: Vec<String> = devices
        .devices()
        .iter()
        .map(|d| d.info().name.clone())
        .collect();
    println!("devices: {}", names.join(", "));
    let d2 = devices.clone();
    time("device", &devices, &|| d2.device_indices() as f64)?;
    if !skip_cpu {
        let cpu = ThreadContext::new(threads)?;
        time("cpu", &cpu, &|| 0.0)?;
    }
    let hybrid = AcceleratorContext::new(devices.devices().to_vec())?.with_cpu_threads(threads);
    let h2 = hybrid.clone();
    time("hybrid", &hybrid, &|| h2.device_indices() as f64)?;
    let (_, c0, f0) = &results[0];
    for (name, c, f) in &results {
        if c != c0 || f != f0 {
            return Err(Error::Context(format!(
                "{name} disagrees with {}: {c} {f:?} vs {c0} {f0:?}",
                results[0].0
            )));
        }
    }
    println!("agree=ok");
    Ok(())
}
