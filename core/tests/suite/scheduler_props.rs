//! Property tests of the chunk scheduler: random pipelines with takes, run on threads with tiny
//! chunks (hundreds of chunks, merged out of order), equal the plain iterator oracle.

use haydi_core::domain::tests_support::Digits;

use crate::common::tiny_chunks;
use haydi_core::prelude::*;
use proptest::prelude::*;
use std::time::Duration;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn filter_take_map_take_equals_iterator(
        n in 0u64..5000,
        m1 in 1u64..7,
        t1 in 0u64..3000,
        m2 in 1u64..5,
        t2 in 0u64..2000,
        threads in 1usize..4,
    ) {
        let ctx = tiny_chunks(threads);
        let job = Digits(n)
            .iterate()
            .filter(move |x| x % m1 != 0)
            .take(t1)
            .map(|x| x * 3)
            .filter(move |x| x % m2 == 0)
            .take(t2)
            .collect();
        let oracle: Vec<u64> = (0..n)
            .filter(|x| x % m1 != 0)
            .take(t1 as usize)
            .map(|x| x * 3)
            .filter(|x| x % m2 == 0)
            .take(t2 as usize)
            .collect();
        prop_assert_eq!(job.run_in(&ctx).unwrap(), oracle.clone());
        prop_assert_eq!(job.run(false).unwrap(), oracle);
    }

    #[test]
    fn counts_and_groups_equal_serial(n in 0u64..20_000, k in 1u64..13, threads in 1usize..4) {
        let ctx = tiny_chunks(threads);
        let d = Digits(n).filter(move |x| x % k != 1);
        prop_assert_eq!(d.clone().count().run_in(&ctx).unwrap(), d.clone().count().run(false).unwrap());
        prop_assert_eq!(
            d.clone().groups_counts_limited(|x| x % 5, 3).run_in(&ctx).unwrap(),
            d.clone().groups_counts_limited(|x| x % 5, 3).run(false).unwrap()
        );
        prop_assert_eq!(
            d.clone().max_all_limited(|x| x % 97, 4).run_in(&ctx).unwrap(),
            d.max_all_limited(|x| x % 97, 4).run(false).unwrap()
        );
    }

    #[test]
    fn generate_is_independent_of_chunking(seed in any::<u64>(), take in 0u64..5000, threads in 1usize..4) {
        let ctx = tiny_chunks(threads);
        let job = Digits(1000).generate(seed).filter(|x| x % 3 == 0).take(take).collect();
        let par = job.run_in(&ctx).unwrap();
        prop_assert_eq!(par.len() as u64, take);
        prop_assert!(par.iter().all(|x| x % 3 == 0 && *x < 1000));
        prop_assert_eq!(par, job.run(false).unwrap());
    }
}

#[test]
fn a_panic_stops_the_run_and_names_the_chunk() {
    let ctx = tiny_chunks(3);
    let r = Digits(100_000)
        .iterate()
        .map(|x| if x == 4242 { panic!("bad item {x}") } else { x })
        .count()
        .run_in(&ctx);
    match r {
        Err(Error::Panicked { chunk, message, .. }) => {
            assert!(chunk.contains(&4242), "{chunk:?}");
            assert!(message.contains("bad item 4242"));
        }
        other => panic!("expected Panicked, got {other:?}"),
    }
    assert_eq!(Digits(10).count().run_in(&ctx).unwrap(), 10);
}

#[test]
fn timeout_with_take_keeps_only_the_merged_prefix() {
    let ctx = tiny_chunks(2);
    let job = Digits(1_000_000)
        .iterate()
        .map(|x| {
            std::thread::sleep(Duration::from_micros(100));
            x
        })
        .take(900_000)
        .collect();
    let out = job
        .run_in_with(&ctx, &RunOptions::new().timeout(Duration::from_millis(100)))
        .unwrap();
    assert!(!out.complete);
    // A partial result with a take is still a prefix in serial order.
    let n = out.value.len() as u64;
    assert_eq!(out.value, (0..n).collect::<Vec<_>>());
    assert_eq!(out.processed, n as u128);
}

#[test]
fn serial_context_with_timeout_is_marked_partial() {
    let job = Digits(10_000_000).iterate().map(|x| {
        std::thread::sleep(Duration::from_micros(50));
        x
    });
    let out = job
        .count()
        .run_with(false, &RunOptions::new().timeout(Duration::from_millis(60)))
        .unwrap();
    assert!(!out.complete);
    assert_eq!(out.value as u128, out.processed);
}
