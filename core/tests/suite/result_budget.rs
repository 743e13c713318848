//! The result-memory budget: a result that outgrows `RunOptions::max_result_bytes` fails with
//! `Error::ResultTooLarge` (on every context, quickly) instead of exhausting memory; results
//! under the budget are unchanged, and fixed-size partials never reach it.
use haydi_core::domain::tests_support::Digits;

use crate::common::tiny_chunks;
use haydi_core::context::default_max_result_bytes;
use haydi_core::prelude::*;

const HUGE: u64 = 1_000_000_000_000;
const BUDGET: u64 = 1 << 20;

fn assert_too_large<T: std::fmt::Debug>(r: Result<Outcome<T>>) {
    match r {
        Err(Error::ResultTooLarge {
            budget,
            bytes,
            processed,
            total,
        }) => {
            assert_eq!(budget, BUDGET);
            assert!(bytes > budget, "{bytes}");
            assert!(processed > 0, "nothing merged");
            assert!(processed < HUGE as u128, "{processed}");
            assert_eq!(total, Some(HUGE as u128));
        }
        other => panic!("expected ResultTooLarge, got {other:?}"),
    }
}

#[test]
fn collect_over_a_huge_range_fails_serially() {
    let opts = RunOptions::new().max_result_bytes(BUDGET);
    assert_too_large(Digits(HUGE).collect().run_with(false, &opts));
    // Through the scheduler (progress reporting takes the scheduler's path).
    let opts = opts.on_progress(|_| {});
    assert_too_large(Digits(HUGE).collect().run_with(false, &opts));
}

#[test]
fn collect_over_a_huge_range_fails_on_threads() {
    let ctx = ThreadContext::new(2).unwrap();
    let opts = RunOptions::new().max_result_bytes(BUDGET);
    assert_too_large(Digits(HUGE).collect().run_in_with(&ctx, &opts));
    assert_too_large(Digits(HUGE).collect().run_in_with(&tiny_chunks(2), &opts));
    // The context is fine afterwards.
    assert_eq!(Digits(10).collect().run_in(&ctx).unwrap().len(), 10);
}

#[test]
fn groups_and_extremes_are_bounded_too() {
    let opts = RunOptions::new().max_result_bytes(BUDGET);
    assert_too_large(Digits(HUGE).groups(|x| *x).run_with(false, &opts));
    assert_too_large(Digits(HUGE).max_all(|_| 0u8).run_with(false, &opts));
    let ctx = ThreadContext::new(2).unwrap();
    assert_too_large(Digits(HUGE).groups_counts(|x| *x).run_in_with(&ctx, &opts));
}

#[test]
fn error_names_the_budget_and_how_to_raise_it() {
    let opts = RunOptions::new().max_result_bytes(BUDGET);
    let e = Digits(HUGE).collect().run_with(false, &opts).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains(&BUDGET.to_string()), "{msg}");
    assert!(msg.contains(&HUGE.to_string()), "{msg}");
    assert!(msg.contains("RunOptions::max_result_bytes"), "{msg}");
}

#[test]
fn under_budget_results_are_unchanged() {
    let opts = RunOptions::new().max_result_bytes(BUDGET);
    let job = Digits(50_000).filter(|x| x % 3 == 0).collect();
    let plain = job.run(false).unwrap();
    assert_eq!(plain.len(), 16_667);
    assert_eq!(job.run_with(false, &opts).unwrap().value, plain);
    let ctx = ThreadContext::new(2).unwrap();
    assert_eq!(job.run_in_with(&ctx, &opts).unwrap().value, plain);
    assert_eq!(
        job.run_in_with(&tiny_chunks(3), &opts).unwrap().value,
        plain
    );
    let opts = opts.on_progress(|_| {});
    assert_eq!(job.run_with(false, &opts).unwrap().value, plain);
    // A take keeps a huge range small.
    let first = Digits(HUGE).take(1000).collect();
    let expect: Vec<u64> = (0..1000).collect();
    assert_eq!(first.run_with(false, &opts).unwrap().value, expect);
    assert_eq!(first.run_in_with(&ctx, &opts).unwrap().value, expect);
}

#[test]
fn count_has_a_constant_size_partial() {
    // 4 KiB, where a collect of these items would need 8 bytes each: the merged count and the
    // few pending ones (8 bytes each) fit. (10^8 and 10^7 rather than 10^9: a debug build counts
    // about 2·10^7 items a second.)
    let opts = RunOptions::new().max_result_bytes(4096);
    let n = 100_000_000;
    assert_eq!(Digits(n).count().run_with(false, &opts).unwrap().value, n);
    let ctx = ThreadContext::new(2).unwrap();
    let n = 10_000_000;
    assert_eq!(Digits(n).count().run_in_with(&ctx, &opts).unwrap().value, n);
    let opts = opts.on_progress(|_| {});
    assert_eq!(Digits(n).count().run_with(false, &opts).unwrap().value, n);
}

#[test]
fn the_default_budget_is_an_eighth_of_memory() {
    let b = default_max_result_bytes();
    assert!(b > 0);
    if let Ok(s) = std::fs::read_to_string("/proc/meminfo") {
        let kb: u64 = s
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert_eq!(b, kb * 1024 / 8);
    }
    assert_eq!(RunOptions::new().result_budget(), b);
}
