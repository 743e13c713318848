//! Shared helpers of the device tests: the devices to test on (or a loud failure under CI), and
//! kernels whose WGSL and CPU closure compute the same hash.

#![allow(dead_code)]

use haydi_gpu::{Accelerator, Kernel, iter_accelerators};

/// The accelerators to test on. None: under `CI=true` the test fails (CI installs lavapipe);
/// otherwise it prints why it is skipped and returns an empty list.
pub fn devices(test: &str) -> Vec<Accelerator> {
    let d: Vec<Accelerator> = iter_accelerators().collect();
    if d.is_empty() {
        let why = "no accelerator: wgpu lists no adapter (apt-get install mesa-vulkan-drivers libvulkan1 for lavapipe)";
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{test}: CI=true and {why}");
        }
        eprintln!("SKIPPED {test}: {why}");
    }
    d
}

/// The hash both forms of the test kernels compute (Rust and WGSL, equal for every index).
pub use haydi_gpu::{MIX_WGSL, mix};

/// A kernel whose value is `expr_wgsl` of `x = mix(i)` on the device and `cpu(mix(i))` on the
/// CPU.
pub fn mix_kernel(name: &str, expr_wgsl: &str, cpu: fn(u32) -> u32) -> Kernel {
    let src =
        format!("{MIX_WGSL}\nfn kernel(i: U64) -> u32 {{ let x = mix(i); return {expr_wgsl}; }}\n");
    Kernel::new(name, src, move |i| cpu(mix(i)))
}

/// The kernels the action tests use: a sparse predicate, a dense one, small values with many
/// ties, wide values, and keys in `0..10`.
pub fn kernels() -> Vec<Kernel> {
    vec![
        mix_kernel("sparse", "select(0u, 1u, x % 97u == 0u)", |x| {
            u32::from(x % 97 == 0)
        }),
        mix_kernel("dense", "x & 1u", |x| x & 1),
        mix_kernel("ties", "x % 1000u", |x| x % 1000),
        mix_kernel("wide", "x", |x| x),
        mix_kernel("keys", "x % 10u", |x| x % 10),
    ]
}
