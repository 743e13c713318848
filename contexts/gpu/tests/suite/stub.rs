//! Without the `wgpu` feature: no device is listed, contexts say why, and kernel jobs run
//! their CPU closure on any context, equal to the serial run.

#![cfg(not(feature = "wgpu"))]

use haydi_core::prelude::*;
use haydi_gpu::{AcceleratorContext, AcceleratorPool, Kernel, KernelSpace, iter_accelerators};

#[test]
fn no_devices_without_the_feature() {
    assert_eq!(iter_accelerators().count(), 0);
    let e = AcceleratorContext::all().unwrap_err().to_string();
    assert!(e.contains("no accelerator") && e.contains("wgpu"), "{e}");
    assert!(AcceleratorPool::start(Vec::new(), |_, x: u8| Ok(x)).is_err());
    const { assert!(!haydi_gpu::DEVICE_SUPPORT) };
}

#[test]
fn kernel_jobs_run_their_cpu_closure_on_threads() {
    let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return i.lo % 5u; }", |i| {
        (i % 5) as u32
    });
    let s = k.over(KernelSpace::range(1_000_003));
    let ctx = ThreadContext::new(2).unwrap();
    // Oracles by brute force.
    let sum: u128 = (0..1_000_003u64).map(|i| u128::from(i % 5)).sum();
    assert_eq!(s.sum().run_in(&ctx).unwrap(), sum);
    assert_eq!(s.sum().run(false).unwrap(), sum);
    assert_eq!(
        s.count().run_in(&ctx).unwrap(),
        (0..1_000_003u64).filter(|i| i % 5 != 0).count() as u64
    );
    assert_eq!(s.max().run_in(&ctx).unwrap(), Some((4, 4)));
    assert_eq!(s.min().run_in(&ctx).unwrap(), Some((0, 0)));
    assert_eq!(s.take(4).run_in(&ctx).unwrap(), vec![1, 2, 3, 4]);
    let hist = s.counts_by(5).run_in(&ctx).unwrap();
    assert_eq!(hist.iter().sum::<u64>(), 1_000_003);
    assert_eq!(hist[0], 200_001);
}

#[test]
fn check_without_a_device_compares_nothing_and_says_so() {
    // WGSL and closure disagree, but no device runs the WGSL: every run is the closure's.
    let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return i.lo % 3u; }", |i| {
        (i % 5) as u32
    });
    let space = KernelSpace::range(1_000_000);
    let report = k.check(&space, 16).unwrap();
    assert!(report.devices.is_empty());
    assert_eq!(report.indices, haydi_gpu::check_sample(&space, 16));
    assert_eq!(report.indices.len(), 18);
    let sum: u128 = (0..1_000_000u64).map(|i| u128::from(i % 5)).sum();
    assert_eq!(k.over(space).sum().run(false).unwrap(), sum);
}
