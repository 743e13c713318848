//! Shared helpers of the device tests: the devices to test on (or a loud failure under CI), and
//! kernels whose WGSL and CPU closure compute the same hash.

#![allow(dead_code)]

use haydi_gpu::{iter_accelerators, Accelerator, Kernel};

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

/// A 32-bit mix of a 64-bit index (both words), the same on the CPU and in WGSL.
pub fn mix(i: u64) -> u32 {
    let lo = i as u32;
    let hi = (i >> 32) as u32;
    let mut x = lo ^ hi.wrapping_mul(0x9e37_79b9);
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^= x >> 16;
    x
}

pub const MIX_WGSL: &str = r#"
fn mix(i: U64) -> u32 {
    var x = i.lo ^ (i.hi * 0x9e3779b9u);
    x = x ^ (x >> 16u);
    x = x * 0x7feb352du;
    x = x ^ (x >> 15u);
    x = x * 0x846ca68bu;
    x = x ^ (x >> 16u);
    return x;
}
"#;

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
