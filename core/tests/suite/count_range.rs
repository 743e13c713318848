//! `count` straight on a source asks the source for the number of items when it can count them
//! (`Source::count_range`); with any adapter in between, or another action, the items are made.

use haydi_core::pipeline::{Extent, Pipeline, Source};
use haydi_core::prelude::*;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Indices `0..n` as items; `count_range` answers `step` per index, so a count that went
/// through it is told apart from one that went through the items. It notes what it was asked.
struct Counted {
    n: u128,
    step: u64,
    visited: Arc<AtomicU64>,
    counted: Arc<AtomicU64>,
}

impl Source for Counted {
    type Item = u64;

    fn extent(&self) -> Result<Extent> {
        Ok(Extent::Finite(self.n))
    }

    fn visit<F>(&self, start: u128, end: u128, f: &mut F) -> Result<()>
    where
        F: FnMut(u64) -> ControlFlow<()>,
    {
        for i in start..end {
            self.visited.fetch_add(1, Ordering::Relaxed);
            if f(i as u64).is_break() {
                break;
            }
        }
        Ok(())
    }

    fn describe(&self) -> String {
        "counted".into()
    }

    fn count_range(&self, start: u128, end: u128) -> Option<Result<u64>> {
        self.counted.fetch_add(1, Ordering::Relaxed);
        if self.step == 0 {
            return Some(Err(Error::InvalidArgument(
                "this source cannot count".into(),
            )));
        }
        Some(Ok((end - start) as u64 * self.step))
    }
}

fn source(n: u128, step: u64) -> Counted {
    Counted {
        n,
        step,
        visited: Arc::default(),
        counted: Arc::default(),
    }
}

#[test]
fn count_on_the_source_asks_it_for_the_number() {
    for parallel in [false, true] {
        let job = Pipeline::new(source(1000, 3)).count();
        assert_eq!(job.run(parallel).unwrap(), 3000, "parallel={parallel}");
    }
}

#[test]
fn an_adapter_or_another_action_makes_the_items() {
    for parallel in [false, true] {
        // a map's closure must run on every item, so the items are made
        let mapped = Pipeline::new(source(1000, 3)).map(|x| x + 1).count();
        assert_eq!(mapped.run(parallel).unwrap(), 1000);
        let filtered = Pipeline::new(source(1000, 3))
            .filter(|x| x % 2 == 0)
            .count();
        assert_eq!(filtered.run(parallel).unwrap(), 500);
        let sum = Pipeline::new(source(1000, 3)).sum();
        assert_eq!(sum.run(parallel).unwrap(), 999 * 1000 / 2);
        let taken = Pipeline::new(source(1000, 3)).take(10).count();
        assert_eq!(taken.run(parallel).unwrap(), 10);
    }
}

#[test]
fn the_items_are_not_made_and_an_error_of_the_count_is_the_run_s() {
    for parallel in [false, true] {
        let s = source(500, 1);
        let (visited, counted) = (s.visited.clone(), s.counted.clone());
        assert_eq!(Pipeline::new(s).count().run(parallel).unwrap(), 500);
        assert_eq!(visited.load(Ordering::Relaxed), 0, "no item was made");
        assert!(counted.load(Ordering::Relaxed) >= 1);
        let s = source(500, 1);
        let (visited, counted) = (s.visited.clone(), s.counted.clone());
        assert_eq!(
            Pipeline::new(s).map(|x| x).count().run(parallel).unwrap(),
            500
        );
        assert_eq!(visited.load(Ordering::Relaxed), 500, "every item was made");
        assert_eq!(counted.load(Ordering::Relaxed), 0);
    }
    let job = Pipeline::new(source(500, 0)).count();
    assert!(matches!(job.run(false), Err(Error::InvalidArgument(_))));
}
