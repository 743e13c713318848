//! `Kernel::check`: a kernel whose WGSL and CPU closure disagree is refused, with the index and
//! both values, by the check itself, by an `AcceleratorContext` run and (in debug builds) by a
//! device run; an agreeing kernel passes and runs equal to brute force; the sample is seeded.
//!
//! The oracles of the values are plain Rust forms of the two meanings (the WGSL's and the
//! closure's), computed here, never the library's own answer.

use haydi_gpu::{CHECK_SEED, KernelSpace, check_sample};

/// The numbers in `message` that follow `label` (such as `at index 12`), in order.
#[cfg(feature = "wgpu")]
fn number_after(message: &str, label: &str) -> u64 {
    let at = message
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} in: {message}"));
    message[at + label.len()..]
        .trim_start()
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no number after {label:?} in: {message}"))
}

/// The index, the device's value and the closure's value a mismatch error names.
#[cfg(feature = "wgpu")]
fn named(e: &haydi_core::Error) -> (u64, u32, u32) {
    let m = e.to_string();
    assert!(
        matches!(e, haydi_core::Error::InvalidArgument(_)) && m.contains("disagrees"),
        "not a mismatch: {e:?}"
    );
    (
        number_after(&m, "at index"),
        number_after(&m, "the device (WGSL) gives") as u32,
        number_after(&m, "the CPU closure gives") as u32,
    )
}

#[cfg(feature = "wgpu")]
mod device {
    use super::{named, number_after};
    use crate::common::{MIX_WGSL, devices, kernels, mix};
    use haydi_core::prelude::*;
    use haydi_gpu::{AcceleratorContext, Kernel, KernelSpace, check_sample};

    /// The kernel: the WGSL counts `mix(i) % 5 == 0`, the closure `mix(i) % 3 == 0`.
    fn disagreeing() -> Kernel {
        let wgsl = format!(
            "{MIX_WGSL}\nfn kernel(i: U64) -> u32 {{ return select(0u, 1u, mix(i) % 5u == 0u); }}\n"
        );
        Kernel::new("disagree", wgsl, |i| u32::from(mix(i) % 3 == 0))
    }
    fn wgsl_meaning(i: u64) -> u32 {
        u32::from(mix(i) % 5 == 0)
    }
    fn cpu_meaning(i: u64) -> u32 {
        u32::from(mix(i) % 3 == 0)
    }

    /// Checks that `e` names the first index of `sample` where `wgsl` and `cpu` differ, both
    /// values there, and how many of the sample differ.
    fn names_the_first_mismatch(
        e: &Error,
        sample: &[u64],
        wgsl: impl Fn(u64) -> u32,
        cpu: impl Fn(u64) -> u32,
    ) -> u64 {
        let (i, d, c) = named(e);
        let wrong: Vec<u64> = sample
            .iter()
            .copied()
            .filter(|&j| wgsl(j) != cpu(j))
            .collect();
        assert_eq!(Some(&i), wrong.first(), "{e}");
        assert_eq!((d, c), (wgsl(i), cpu(i)), "{e}");
        let m = e.to_string();
        assert_eq!(
            number_after(&m, "; "),
            wrong.len() as u64,
            "the count of disagreeing indices: {m}"
        );
        assert!(m.contains(&format!("of {} checked", sample.len())), "{m}");
        i
    }

    #[test]
    fn a_kernel_whose_wgsl_and_closure_disagree_is_refused_with_the_index_and_both_values() {
        let devs = devices(
            "a_kernel_whose_wgsl_and_closure_disagree_is_refused_with_the_index_and_both_values",
        );
        if devs.is_empty() {
            return;
        }
        let k = disagreeing();
        let space = KernelSpace::range(2_000_000);
        let sample = check_sample(&space, 64);
        // Kernel::check, on every device and on one.
        let e = k.check(&space, 64).unwrap_err();
        names_the_first_mismatch(&e, &sample, wgsl_meaning, cpu_meaning);
        for dev in &devs {
            let e = k.check_on(dev, &space, 64).unwrap_err();
            names_the_first_mismatch(&e, &sample, wgsl_meaning, cpu_meaning);
            assert!(e.to_string().contains(&dev.info().name), "{e}");
        }
        // An AcceleratorContext refuses it in every build, alone and hybrid, on a run it would
        // otherwise finish with a count that is neither the serial one nor the device's.
        let job = k.over(space.clone()).count();
        let ctx_sample = check_sample(
            &space,
            if cfg!(debug_assertions) {
                haydi_gpu::DEBUG_CHECK_SAMPLES
            } else {
                haydi_gpu::CONTEXT_CHECK_SAMPLES
            },
        );
        for threads in [0, 2] {
            let ctx = AcceleratorContext::new(devs.clone())
                .unwrap()
                .with_cpu_threads(threads);
            let e = job.run_in(&ctx).unwrap_err();
            names_the_first_mismatch(&e, &ctx_sample, wgsl_meaning, cpu_meaning);
            assert_eq!(ctx.device_indices(), 0, "the device ran chunks of it");
            let e = session::with_parallel_context(ctx.clone(), || job.run(true)).unwrap_err();
            names_the_first_mismatch(&e, &ctx_sample, wgsl_meaning, cpu_meaning);
            // Refused again on the next run: a failed check is not remembered as passed.
            assert!(k.over(space.clone()).sum().run_in(&ctx).is_err());
        }
        // A device run: refused in debug builds; in release builds it runs the WGSL unchecked.
        let wgsl_count = (0..space.len()).filter(|&i| wgsl_meaning(i) != 0).count() as u64;
        for dev in &devs {
            let debug = cfg!(debug_assertions);
            match job.run_on(dev) {
                Err(e) if debug => {
                    let sample = check_sample(&space, haydi_gpu::DEBUG_CHECK_SAMPLES);
                    names_the_first_mismatch(&e, &sample, wgsl_meaning, cpu_meaning);
                }
                Ok(n) if !debug => assert_eq!(n, wgsl_count),
                other => panic!("debug build: {debug}, run_on gave {other:?}"),
            }
        }
        // The serial run is the closure's, by brute force: no device, nothing to refuse.
        let cpu_count = (0..space.len()).filter(|&i| cpu_meaning(i) != 0).count() as u64;
        assert_eq!(job.run(false).unwrap(), cpu_count);
        assert_ne!(cpu_count, wgsl_count);
    }

    /// Agrees everywhere except at `bad` (an index of any size: compared as two words).
    fn wrong_at(bad: u64) -> Kernel {
        let (lo, hi) = (bad as u32, (bad >> 32) as u32);
        let wgsl = format!(
            "{MIX_WGSL}\nfn kernel(i: U64) -> u32 {{ let x = mix(i) & 0xffu; \
             return select(x, x + 1000u, u64_eq(i, U64({lo}u, {hi}u))); }}\n"
        );
        Kernel::new(format!("wrong_at_{bad}"), wgsl, |i| mix(i) & 0xff)
    }

    #[test]
    fn a_disagreement_at_either_end_or_past_two_to_the_32_is_found() {
        let devs = devices("a_disagreement_at_either_end_or_past_two_to_the_32_is_found");
        if devs.is_empty() {
            return;
        }
        let (a, b) = ((1u64 << 32) - 1_000_000_000, (1u64 << 32) + 1_000_000_000);
        let space = KernelSpace::span(a, b);
        let sample = check_sample(&space, 64);
        for bad in [a, b - 1] {
            // One wrong index in 2e9: only the ends find it.
            let k = wrong_at(bad);
            let wgsl = |i: u64| (mix(i) & 0xff) + if i == bad { 1000 } else { 0 };
            let e = k.check(&space, 64).unwrap_err();
            let i = names_the_first_mismatch(&e, &sample, wgsl, |i| mix(i) & 0xff);
            assert_eq!(i, bad);
            // The same kernel over a space that does not hold the wrong index passes.
            let inner = KernelSpace::span(a + 1, b - 1);
            assert!(k.check(&inner, 64).is_ok());
        }
        // WGSL that forgets the high word: wrong past 2^32 only.
        let lo_only = Kernel::new(
            "lo_only",
            "fn kernel(i: U64) -> u32 { return i.lo % 7u; }",
            |i| (i % 7) as u32,
        );
        let e = lo_only.check(&space, 64).unwrap_err();
        let i = names_the_first_mismatch(&e, &sample, |i| (i as u32) % 7, |i| (i % 7) as u32);
        assert!(i >= 1 << 32, "{e}");
        // A mixed-radix space: the error gives the digits of the index too.
        let grid = KernelSpace::product(&[1000, 1000, 3]).unwrap();
        let g2 = grid.clone();
        let swapped = Kernel::new(
            "swapped",
            "fn kernel(i: U64) -> u32 { let d = space_digits(i); return d[0] * 3u + d[2]; }",
            move |i| {
                let d = g2.digits(i);
                d[1] * 3 + d[2]
            },
        );
        let e = swapped.check(&grid, 64).unwrap_err();
        let (g3, g4) = (grid.clone(), grid.clone());
        let i = names_the_first_mismatch(
            &e,
            &check_sample(&grid, 64),
            move |i| {
                let d = g3.digits(i);
                d[0] * 3 + d[2]
            },
            move |i| {
                let d = g4.digits(i);
                d[1] * 3 + d[2]
            },
        );
        assert!(
            e.to_string()
                .contains(&format!("(digits {:?})", grid.digits(i))),
            "{e}"
        );
    }

    #[test]
    fn an_agreeing_kernel_passes_the_check_and_runs_equal_to_brute_force() {
        let devs = devices("an_agreeing_kernel_passes_the_check_and_runs_equal_to_brute_force");
        if devs.is_empty() {
            return;
        }
        let space = KernelSpace::span((1 << 32) - 300_000, (1 << 32) + 300_000);
        let range = space.start()..space.start() + space.len();
        for k in kernels() {
            let report = k.check(&space, 256).unwrap();
            assert_eq!(report.indices, check_sample(&space, 256));
            assert_eq!(report.devices.len(), devs.len());
            // The same sample on every call (seeded).
            assert_eq!(k.check(&space, 256).unwrap().indices, report.indices);
            // It runs, equal to a plain loop over the kernel's meaning.
            let value = |i: u64| meaning(k.name(), mix(i));
            let count = range.clone().filter(|&i| value(i) != 0).count() as u64;
            let sum: u128 = range.clone().map(|i| u128::from(value(i))).sum();
            let ctx = AcceleratorContext::new(devs.clone())
                .unwrap()
                .with_cpu_threads(2);
            let opts = RunOptions::new().chunk_size(100_000);
            assert_eq!(
                k.over(space.clone())
                    .count()
                    .run_in_with(&ctx, &opts)
                    .unwrap()
                    .value,
                count
            );
            assert_eq!(
                k.over(space.clone())
                    .sum()
                    .run_in_with(&ctx, &opts)
                    .unwrap()
                    .value,
                sum
            );
            assert!(ctx.device_indices() > 0, "the devices ran nothing");
            for dev in &devs {
                assert_eq!(k.over(space.clone()).count().run_on(dev).unwrap(), count);
            }
        }
    }

    /// What the common test kernels compute from `x = mix(i)`, written out again.
    fn meaning(name: &str, x: u32) -> u32 {
        match name {
            "sparse" => u32::from(x % 97 == 0),
            "dense" => x & 1,
            "ties" => x % 1000,
            "wide" => x,
            "keys" => x % 10,
            other => panic!("no meaning for {other}"),
        }
    }

    #[test]
    fn a_closure_that_panics_during_the_check_is_an_error() {
        let devs = devices("a_closure_that_panics_during_the_check_is_an_error");
        if devs.is_empty() {
            return;
        }
        let k = Kernel::new("panics", "fn kernel(i: U64) -> u32 { return 1u; }", |i| {
            if i == 0 {
                panic!("closure broke at 0");
            }
            1
        });
        let space = KernelSpace::range(1 << 20);
        let e = k.check(&space, 8).unwrap_err();
        assert!(
            matches!(&e, Error::Panicked { chunk, .. } if *chunk == (0..1)),
            "{e:?}"
        );
        let ctx = AcceleratorContext::new(devs).unwrap();
        let e = k.over(space).count().run_in(&ctx).unwrap_err();
        assert!(e.to_string().contains("closure broke at 0"), "{e}");
    }
}

/// The sample is seeded: the same on every call, both ends and `samples` distinct indices, and
/// the splitmix64 stream from `CHECK_SEED` that the docs describe (written out here from the
/// published constants as the oracle).
#[test]
fn the_check_sample_is_seeded_and_spread_over_the_space() {
    let space = KernelSpace::span(1000, 1000 + 10_000_000);
    let a = check_sample(&space, 64);
    assert_eq!(a, check_sample(&space, 64));
    assert_eq!(a.len(), 66);
    assert!(a.windows(2).all(|w| w[0] < w[1]), "not increasing: {a:?}");
    assert_eq!((a[0], a[65]), (1000, 1000 + 9_999_999));
    // Spread: 64 uniform draws leave few of 16 equal slices empty.
    let slices: std::collections::BTreeSet<u64> = a.iter().map(|i| (i - 1000) / 625_000).collect();
    assert!(slices.len() >= 12, "clustered: {a:?}");
    // The documented stream: splitmix64 from CHECK_SEED, multiply-shift onto the space.
    let mut state = CHECK_SEED;
    let mut oracle = std::collections::BTreeSet::from([1000, 1000 + 9_999_999]);
    while oracle.len() < 66 {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        oracle.insert(1000 + ((u128::from(z) * 10_000_000) >> 64) as u64);
    }
    assert_eq!(a, oracle.into_iter().collect::<Vec<_>>());
    // No samples: the ends only; a small space: every index; an empty one: none.
    assert_eq!(
        check_sample(&KernelSpace::range(1 << 40), 0),
        vec![0, (1 << 40) - 1]
    );
    assert_eq!(
        check_sample(&KernelSpace::range(10), 3),
        (0..10).collect::<Vec<_>>()
    );
    let small = check_sample(&KernelSpace::range(11), 3);
    assert_eq!((small.len(), small[0], small[4]), (5, 0, 10));
    assert!(check_sample(&KernelSpace::range(0), 64).is_empty());
    // A mixed-radix space is sampled over its indices.
    let grid = KernelSpace::product(&[300, 300]).unwrap();
    let g = check_sample(&grid, 16);
    assert_eq!(g.len(), 18);
    assert_eq!((g[0], g[17]), (0, 89_999));
}
