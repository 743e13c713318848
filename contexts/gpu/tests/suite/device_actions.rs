//! Every device action on the device (lavapipe on CI) against the CPU closure, run serially
//! (`run(false)`), and against brute force where it is cheap.

#![cfg(feature = "wgpu")]

use crate::common::{devices, kernels, mix};
use haydi_gpu::{Kernel, KernelJob, KernelSpace};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn same<T: PartialEq + std::fmt::Debug>(job: &KernelJob<T>, dev: &haydi_gpu::Accelerator) {
    let cpu = job.run(false).unwrap();
    let gpu = job
        .run_on(dev)
        .unwrap_or_else(|e| panic!("{job:?} on {dev:?}: {e}"));
    assert_eq!(gpu, cpu, "{job:?} on {dev:?}");
}

fn all_actions(k: &Kernel, space: &KernelSpace, dev: &haydi_gpu::Accelerator) {
    let s = k.over(space.clone());
    same(&s.count(), dev);
    same(&s.sum(), dev);
    same(&s.min(), dev);
    same(&s.max(), dev);
    same(&s.first(), dev);
    same(&s.take(5), dev);
    same(&s.take(5000), dev);
    if k.name() == "keys" {
        same(&s.counts_by(10), dev);
    }
    if k.name() != "dense" && k.name() != "wide" && k.name() != "ties" || space.len() < 200_000 {
        same(&s.collect(), dev);
    }
}

#[test]
fn every_action_on_random_ranges_matches_the_cpu_closure() {
    let devs = devices("every_action_on_random_ranges_matches_the_cpu_closure");
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    for dev in &devs {
        for k in kernels() {
            for _ in 0..3 {
                let start = match rng.random_range(0..3) {
                    0 => rng.random_range(0..1000u64),
                    1 => (1u64 << 32) - rng.random_range(0..300_000u64), // straddles 2^32
                    _ => rng.random_range(0..1u64 << 40),
                };
                let len = rng.random_range(0..400_000u64);
                all_actions(&k, &KernelSpace::span(start, start + len), dev);
            }
        }
    }
}

#[test]
fn empty_and_tiny_ranges() {
    let devs = devices("empty_and_tiny_ranges");
    for dev in &devs {
        for k in kernels() {
            for len in [0u64, 1, 2, 3, 255, 256, 257, 511, 513] {
                all_actions(&k, &KernelSpace::range(len), dev);
            }
        }
        let k = &kernels()[0];
        assert_eq!(
            k.over(KernelSpace::range(0)).min().run_on(dev).unwrap(),
            None
        );
        assert_eq!(
            k.over(KernelSpace::range(0)).first().run_on(dev).unwrap(),
            None
        );
        assert_eq!(
            k.over(KernelSpace::range(10)).take(0).run_on(dev).unwrap(),
            Vec::<u64>::new()
        );
    }
}

#[test]
fn device_results_agree_with_brute_force() {
    let devs = devices("device_results_agree_with_brute_force");
    let (a, b) = ((1u64 << 32) - 5000, (1u64 << 32) + 5000);
    let brute: Vec<u32> = (a..b).map(mix).collect();
    for dev in &devs {
        let ks = kernels();
        let dense = ks[1].over(KernelSpace::span(a, b));
        let ones = brute.iter().filter(|x| *x & 1 == 1).count() as u64;
        assert_eq!(dense.count().run_on(dev).unwrap(), ones);
        let wide = ks[3].over(KernelSpace::span(a, b));
        let sum: u128 = brute.iter().map(|&x| u128::from(x)).sum();
        assert_eq!(wide.sum().run_on(dev).unwrap(), sum);
        let ties = ks[2].over(KernelSpace::span(a, b));
        let min_v = brute.iter().map(|x| x % 1000).min().unwrap();
        let min_i = a + brute.iter().position(|x| x % 1000 == min_v).unwrap() as u64;
        assert_eq!(ties.min().run_on(dev).unwrap(), Some((min_v, min_i)));
        let max_v = brute.iter().map(|x| x % 1000).max().unwrap();
        let max_i = a + brute.iter().position(|x| x % 1000 == max_v).unwrap() as u64;
        assert_eq!(ties.max().run_on(dev).unwrap(), Some((max_v, max_i)));
        let keys = ks[4]
            .over(KernelSpace::span(a, b))
            .counts_by(10)
            .run_on(dev)
            .unwrap();
        let mut h = vec![0u64; 10];
        for x in &brute {
            h[(x % 10) as usize] += 1;
        }
        assert_eq!(keys, h);
        let hits: Vec<u64> = (a..b).filter(|&i| mix(i) % 97 == 0).collect();
        assert_eq!(
            ks[0]
                .over(KernelSpace::span(a, b))
                .collect()
                .run_on(dev)
                .unwrap(),
            hits
        );
        assert_eq!(
            ks[0]
                .over(KernelSpace::span(a, b))
                .take(3)
                .run_on(dev)
                .unwrap(),
            hits[..3]
        );
    }
}

#[test]
fn mixed_radix_digits_on_the_device_match_the_domains_order() {
    use haydi_core::prelude::*;
    let devs = devices("mixed_radix_digits_on_the_device_match_the_domains_order");
    // The oracle of the order: haydi's own Sequences over Range::new(5), item by item.
    let seqs = haydi_domains::Sequences::new(haydi_domains::Range::new(5), 4);
    let space = KernelSpace::sequences(5, 4).unwrap();
    assert_eq!(u128::from(space.len()), seqs.size().bound().unwrap());
    for i in 0..space.len() {
        let item: Vec<i64> = seqs.item_at(u128::from(i)).unwrap();
        let digits: Vec<i64> = space.digits(i).into_iter().map(i64::from).collect();
        assert_eq!(digits, item, "index {i}");
    }
    // Device decoding: a weighted digit sum, unique per index, compared with the CPU.
    let s2 = space.clone();
    let k = Kernel::new(
        "digits",
        "fn kernel(i: U64) -> u32 { let d = space_digits(i); return d[0] * 1000u + d[1] * 100u + d[2] * 10u + d[3] + 1u; }",
        move |i| {
            let d = s2.digits(i);
            d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3] + 1
        },
    );
    let big = KernelSpace::product(&[65_535, 65_535, 3]).unwrap(); // indices past 2^32
    let b2 = big.clone();
    let kb = Kernel::new(
        "digits64",
        "fn kernel(i: U64) -> u32 { let d = space_digits(i); return (d[0] ^ (d[1] << 8u)) * 3u + d[2]; }",
        move |i| {
            let d = b2.digits(i);
            (d[0] ^ (d[1] << 8)).wrapping_mul(3) + d[2]
        },
    );
    for dev in &devs {
        same(&k.over(space.clone()).sum(), dev);
        same(&k.over(space.clone()).max(), dev);
        assert_eq!(k.over(space.clone()).count().run_on(dev).unwrap(), 625);
        same(&kb.over(big.clone()).take(3), dev);
    }
}

#[test]
fn a_kernel_that_does_not_compile_names_the_compiler_error() {
    let devs = devices("a_kernel_that_does_not_compile_names_the_compiler_error");
    let bad = Kernel::new(
        "broken",
        "fn kernel(i: U64) -> u32 { return i.lo + undefined_thing; }",
        |i| i as u32,
    );
    // Without a device too: naga's message.
    let e = bad
        .validate(&KernelSpace::range(10))
        .unwrap_err()
        .to_string();
    assert!(e.contains("broken") && e.contains("undefined_thing"), "{e}");
    for dev in &devs {
        let e = bad
            .over(KernelSpace::range(10))
            .count()
            .run_on(dev)
            .unwrap_err();
        let m = e.to_string();
        assert!(matches!(e, haydi_core::Error::InvalidArgument(_)), "{e:?}");
        assert!(m.contains("broken") && m.contains("undefined_thing"), "{m}");
        // A type error (found by validation, not parsing).
        let typed = Kernel::new("typed", "fn kernel(i: U64) -> u32 { return 1.5; }", |_| 1);
        let m = typed
            .over(KernelSpace::range(10))
            .sum()
            .run_on(dev)
            .unwrap_err()
            .to_string();
        assert!(m.contains("typed"), "{m}");
    }
}

#[test]
fn counts_by_refuses_keys_out_of_range_and_bad_ranges() {
    let devs = devices("counts_by_refuses_keys_out_of_range_and_bad_ranges");
    let k = &kernels()[4]; // keys 0..10
    for dev in &devs {
        let e = k
            .over(KernelSpace::range(1000))
            .counts_by(5)
            .run_on(dev)
            .unwrap_err();
        assert!(e.to_string().contains("outside 0..5"), "{e}");
        assert!(
            k.over(KernelSpace::range(10))
                .counts_by(0)
                .run_on(dev)
                .is_err()
        );
        assert!(
            k.over(KernelSpace::range(10))
                .counts_by(5000)
                .run_on(dev)
                .is_err()
        );
    }
    assert!(
        k.over(KernelSpace::range(1000))
            .counts_by(5)
            .run(false)
            .is_err()
    );
}

#[test]
fn a_result_past_its_budget_is_an_error_not_an_exhausted_machine() {
    use haydi_core::prelude::*;
    let devs = devices("a_result_past_its_budget_is_an_error_not_an_exhausted_machine");
    let dense = &kernels()[1];
    let small = RunOptions::new().max_result_bytes(1 << 12);
    let job = dense.over(KernelSpace::range(1 << 20)).collect();
    assert!(matches!(
        job.run_with(false, &small),
        Err(Error::ResultTooLarge { .. })
    ));
    for dev in &devs {
        let e = job.run_on_with(dev, &small).unwrap_err();
        assert!(matches!(e, Error::ResultTooLarge { .. }), "{e:?}");
        let ctx = haydi_gpu::AcceleratorContext::new(vec![dev.clone()]).unwrap();
        let e = job
            .run_in_with(&ctx, &small.clone().chunk_size(1 << 16))
            .unwrap_err();
        assert!(matches!(e, Error::ResultTooLarge { .. }), "{e:?}");
    }
}
