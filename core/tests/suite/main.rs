//! haydi-core's integration tests: the scheduler, checkpoints, run reports and budgets.
//!
//! One test binary for the crate (one link instead of one per file); each module is one subject.

mod common;

mod checkpoint;
mod count_range;
mod range_run;
mod reports;
mod result_budget;
mod review_regressions;
mod scheduler_props;
mod user_code_outside_lock;
