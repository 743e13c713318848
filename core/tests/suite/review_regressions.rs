//! Regression tests for scheduler bugs found in review: an error past a take's end, a finished
//! run marked partial at its deadline, and inline decisions taken on cheap first items.
use haydi_core::domain::tests_support::Digits;

use crate::common::tiny_chunks;
use haydi_core::prelude::*;
use std::time::Duration;

// Serial Iterator::take never evaluates item 20; the parallel run evaluates it speculatively
// and its panic fails a run whose answer (0..10) was fully determined.
#[test]
fn error_beyond_take_fails_parallel_run() {
    let ctx = tiny_chunks(2);
    let job = Digits(1000)
        .iterate()
        .map(|x| {
            if x == 5 {
                std::thread::sleep(Duration::from_millis(200));
            }
            if x >= 20 {
                panic!("never reached serially: {x}");
            }
            x
        })
        .take(10)
        .collect();
    let oracle: Vec<u64> = (0..10).collect();
    assert_eq!(job.run(false).unwrap(), oracle);
    assert_eq!(job.run_in(&ctx).unwrap(), oracle);
}

// Every chunk finished, the value is the full one, yet complete == false.
#[test]
fn finished_run_marked_partial_after_deadline() {
    let ctx = tiny_chunks(2);
    let job = Digits(4)
        .iterate()
        .map(|x| {
            if x == 2 {
                std::thread::sleep(Duration::from_millis(150));
            }
            if x == 3 {
                std::thread::sleep(Duration::from_millis(300));
            }
            x
        })
        .count();
    let out = job
        .run_in_with(&ctx, &RunOptions::new().timeout(Duration::from_millis(100)))
        .unwrap();
    eprintln!(
        "value {} processed {} complete {}",
        out.value, out.processed, out.complete
    );
    assert!(
        !(out.value == 4 && out.processed == 4 && !out.complete),
        "full result flagged partial"
    );
}

// Skewed cost: first items cheap, rest expensive. The rest was estimated small and run as one
// inline chunk, so a 100 ms timeout was ignored and the run completed (at least 1.9 s of sleeps
// on two threads). Checked by what the run did, not by timing: the outcome is partial and the
// closure did not see every item.
#[test]
fn skewed_work_ignores_timeout() {
    use std::sync::atomic::{AtomicU64, Ordering};
    let ctx = ThreadContext::new(2).unwrap();
    let seen = AtomicU64::new(0);
    let job = Digits(2000)
        .iterate()
        .map(|x| {
            seen.fetch_add(1, Ordering::Relaxed);
            if x >= 100 {
                std::thread::sleep(Duration::from_millis(2));
            }
            x
        })
        .count();
    let out = job
        .run_in_with(&ctx, &RunOptions::new().timeout(Duration::from_millis(100)))
        .unwrap();
    let seen = seen.load(Ordering::Relaxed);
    assert!(!out.complete, "the timeout was ignored: {seen} items seen");
    assert_eq!(out.total, Some(2000));
    assert!(out.processed < 2000, "{}", out.processed);
    assert!(out.value <= out.processed as u64);
    assert!(
        seen < 2000,
        "the closure saw every item: the run went on past its timeout"
    );
}

// Cheap first items must not pull a skewed run onto the calling thread: the expensive items are
// spread over the pool's threads (checked by the threads that ran them, not by timing).
#[test]
fn skewed_work_is_spread_without_a_timeout() {
    use std::collections::BTreeSet;
    use std::sync::Mutex;
    let ctx = ThreadContext::new(2).unwrap();
    let threads = Mutex::new(BTreeSet::new());
    let n = Digits(600)
        .iterate()
        .map(|x| {
            if x >= 100 {
                std::thread::sleep(Duration::from_millis(1));
                threads
                    .lock()
                    .unwrap()
                    .insert(format!("{:?}", std::thread::current().id()));
            }
            x
        })
        .count()
        .run_in(&ctx)
        .unwrap();
    assert_eq!(n, 600);
    let used = threads.lock().unwrap().len();
    assert!(used >= 2, "the expensive items ran on {used} thread(s)");
}
