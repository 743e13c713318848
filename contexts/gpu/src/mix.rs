//! A 32-bit hash of a 64-bit index, written once in Rust and once in WGSL with the same values:
//! the workload of haydi-gpu's tests, benchmarks and `examples/gpu_bench.rs`, where a kernel needs
//! a CPU closure that computes what its shader computes.

/// The hash in Rust: the same value as the WGSL `mix` of [`MIX_WGSL`] for every index.
///
/// ```
/// use haydi_gpu::{mix, Kernel, MIX_WGSL};
///
/// let wgsl = format!("{MIX_WGSL}\nfn kernel(i: U64) -> u32 {{ return mix(i) & 1u; }}\n");
/// let parity = Kernel::new("parity", wgsl, |i| mix(i) & 1);
/// assert_eq!(parity.cpu(7), mix(7) & 1);
/// assert_ne!(mix(1), mix(2));
/// ```
pub fn mix(i: u64) -> u32 {
    let lo = i as u32;
    let hi = (i >> 32) as u32;
    let mut x = lo ^ hi.wrapping_mul(0x9e37_79b9);
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^ (x >> 16)
}

/// The hash in WGSL: `fn mix(i: U64) -> u32`, to paste before a kernel's `fn kernel` (it uses the
/// prelude's `U64`).
///
/// ```
/// assert!(haydi_gpu::MIX_WGSL.contains("fn mix(i: U64) -> u32"));
/// ```
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
