//! Running one index range of a job on its own (`Job::run_range_in_with`,
//! `Job::run_range_partial_in`): the value equals the serial run over exactly those indices,
//! `covered` is in the job's indices, and ranges merged in order give the whole run.

#![allow(clippy::single_range_in_vec_init)] // covered ranges are Vec<Range<u128>>

use crate::common::tiny_chunks;
use haydi_core::prelude::*;
use haydi_domains::{Product, Range};

/// The serial oracle: the items of `0..n` mapped by `f`, restricted to `r`.
fn oracle(r: std::ops::Range<i64>) -> Vec<i64> {
    r.filter(|x| x % 7 != 3).map(|x| x * x).collect()
}

#[test]
fn a_range_equals_the_serial_run_over_it() {
    let job = Range::new(5000)
        .filter(|x| x % 7 != 3)
        .map(|x| x * x)
        .collect();
    let ctx = tiny_chunks(2);
    for (a, b) in [
        (0, 5000),
        (0, 0),
        (17, 18),
        (123, 4567),
        (4999, 5000),
        (2500, 2500),
    ] {
        for c in [&ctx as &dyn ParallelContext, &SerialContext] {
            let out = job.run_range_in_with(c, a..b, &RunOptions::new()).unwrap();
            assert_eq!(out.value, oracle(a as i64..b as i64), "{a}..{b}");
            assert!(out.complete);
            assert_eq!(out.total, Some(b - a));
            assert_eq!(out.processed, b - a);
            let want: Vec<_> = if a == b { vec![] } else { vec![a..b] };
            assert_eq!(out.covered, want, "{a}..{b}");
        }
    }
}

#[test]
fn ranges_merged_in_order_give_the_whole_run() {
    let job = Product::new((Range::new(40), Range::new(30)))
        .map(|(a, b)| a * 100 + b)
        .filter(|x| x % 3 != 0)
        .collect();
    let ctx = tiny_chunks(2);
    let cuts = [0u128, 1, 77, 300, 301, 999, 1200];
    let mut acc = job.empty_partial();
    for w in cuts.windows(2) {
        let p = job
            .run_range_partial_in(&ctx, w[0]..w[1], &RunOptions::new())
            .unwrap();
        let bytes = job.encode_partial(&p.value).unwrap();
        job.merge_partial(&mut acc, job.decode_partial(&bytes).unwrap())
            .unwrap();
    }
    assert_eq!(job.finish_partial(acc).unwrap(), job.run(false).unwrap());
}

#[test]
fn a_take_counts_from_the_start_of_the_range() {
    let job = Range::new(100).filter(|x| x % 2 == 0).take(3).collect();
    let out = job
        .run_range_in_with(&tiny_chunks(2), 11..100, &RunOptions::new())
        .unwrap();
    assert_eq!(out.value, vec![12, 14, 16]);
}

#[test]
fn a_timed_out_range_says_what_it_covers() {
    let job = Range::new(200_000)
        .map(|x| {
            std::thread::sleep(std::time::Duration::from_micros(20));
            x
        })
        .collect();
    let opts = RunOptions::new().timeout(std::time::Duration::from_millis(50));
    let out = job
        .run_range_in_with(&ThreadContext::new(2).unwrap(), 1000..200_000, &opts)
        .unwrap();
    assert!(!out.complete);
    assert!(
        out.covered
            .iter()
            .all(|r| r.start >= 1000 && r.end <= 200_000)
    );
    let want: Vec<i64> = out
        .covered
        .iter()
        .flat_map(|r| r.start as i64..r.end as i64)
        .collect();
    assert_eq!(out.value, want);
}

#[test]
fn bad_ranges_and_first_passes_are_refused() {
    let job = Range::new(10).count();
    let e = job
        .run_range_in_with(&SerialContext, 5..11, &RunOptions::new())
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    #[allow(clippy::reversed_empty_ranges)]
    let e = job
        .run_range_in_with(&SerialContext, 6..5, &RunOptions::new())
        .unwrap_err();
    assert!(e.to_string().contains("reversed"), "{e}");
    let counted = Range::new(10).filter(|x| x % 2 == 0).enumerate().count();
    let e = counted
        .run_range_in_with(&SerialContext, 0..5, &RunOptions::new())
        .unwrap_err();
    assert!(e.to_string().contains("first pass"), "{e}");
    // A direct enumerate numbers by source index, so a range of it is well defined.
    let direct = Range::new(10).enumerate().collect();
    let out = direct
        .run_range_in_with(&SerialContext, 3..5, &RunOptions::new())
        .unwrap();
    assert_eq!(out.value, vec![(3, 3), (4, 4)]);
    let dir = std::env::temp_dir().join("haydi-range-run-never-written");
    let e = job
        .run_range_in_with(&SerialContext, 0..5, &RunOptions::new().checkpoint(&dir))
        .unwrap_err();
    assert!(e.to_string().contains("checkpoint"), "{e}");
}
