//! `Scheduler::complete` ignores a second result for the same chunk (a speculative copy of a
//! straggler), whether it arrives while the first is pending or after it was merged.

use haydi_core::context::RunReport;
use haydi_core::domain::tests_support::Digits;
use haydi_core::plumbing::{Completion, ErasedJob, Request, ScheduleConfig, Scheduler};
use haydi_core::prelude::*;
use haydi_core::{ParallelContext, RunOptions};
use std::time::Duration;

/// The smallest chunks the sizing gives (no probe, no inline run, no growth).
fn smallest_chunks() -> ScheduleConfig {
    ScheduleConfig {
        target_chunk: Duration::ZERO,
        probe_budget: Duration::ZERO,
        inline_threshold: Duration::ZERO,
        max_growth: 1,
    }
}

/// Runs every chunk twice, completing them out of order: the copy of each chunk comes after
/// its first result, some before and some after it is merged.
#[derive(Debug)]
struct Twice;

impl ParallelContext for Twice {
    fn execute(&self, job: &dyn ErasedJob, opts: &RunOptions) -> Result<RunReport> {
        let sched = Scheduler::new(job, opts, 2, smallest_chunks())?;
        let mut specs = Vec::new();
        while let Some(s) = sched.next_chunk(Request::any()) {
            specs.push(s);
        }
        // Every chunk but the first (they wait, pending), their copies while they are pending,
        // then the first chunk (everything merges), then copies of all after the merge.
        let (first, rest) = specs.split_first().expect("chunks");
        let order = rest
            .iter()
            .rev()
            .chain(rest.iter())
            .chain(std::iter::once(first))
            .chain(specs.iter());
        for s in order {
            let r = job.run_chunk(s.start, s.end, &s.budgets);
            sched.complete(s, r, Completion::by(0, Duration::from_micros(10)));
        }
        sched.finish()
    }
    fn workers(&self) -> usize {
        2
    }
    fn name(&self) -> String {
        "twice".into()
    }
}

#[test]
fn duplicates_are_merged_once() {
    let sum = Digits(50).map(|x| x * 3).sum();
    assert_eq!(sum.run_in(&Twice).unwrap(), sum.run(false).unwrap());
    let list = Digits(40).filter(|x| x % 3 == 0).collect();
    assert_eq!(list.run_in(&Twice).unwrap(), list.run(false).unwrap());
    assert_eq!(Digits(37).count().run_in(&Twice).unwrap(), 37);
}

/// Completes chunks 0 and 1, a copy of chunk 1 (already merged), chunk 3, then lets the run
/// time out: the partial result counts chunks 0, 1 and 3 once each.
#[derive(Debug)]
struct CopyThenTimeout;

impl ParallelContext for CopyThenTimeout {
    fn execute(&self, job: &dyn ErasedJob, opts: &RunOptions) -> Result<RunReport> {
        let sched = Scheduler::new(job, opts, 2, smallest_chunks())?;
        let specs: Vec<_> = (0..4)
            .map(|_| sched.next_chunk(Request::any()).expect("chunk"))
            .collect();
        for i in [0, 1, 1, 3] {
            let s = &specs[i];
            sched.complete(
                s,
                job.run_chunk(s.start, s.end, &s.budgets),
                Completion::by(0, Duration::ZERO),
            );
        }
        std::thread::sleep(Duration::from_millis(60));
        assert!(sched.next_chunk(Request::any()).is_none(), "timed out");
        sched.finish()
    }
    fn workers(&self) -> usize {
        2
    }
    fn name(&self) -> String {
        "copy-then-timeout".into()
    }
}

#[test]
fn duplicate_after_merge_is_not_counted_on_timeout() {
    let opts = RunOptions::new().timeout(Duration::from_millis(30));
    let out = Digits(100)
        .count()
        .run_in_with(&CopyThenTimeout, &opts)
        .unwrap();
    assert!(!out.complete);
    assert_eq!((out.value, out.processed), (3, 3));
}
