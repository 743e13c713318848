//! The behaviour-suite helper: runs every behaviour test on every context.
//!
//! This is a `harness = false` test binary. Distributed contexts re-execute the current
//! executable as worker processes that follow the same `main`, so the suite runs its tests in a
//! fixed order with no threads of libtest in between.

use haydi::prelude::*;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

/// One named behaviour test: gets the context under test, returns `Err(reason)` on failure.
pub type Check = fn(&Arc<dyn ParallelContext>) -> Result<(), String>;

/// Fails with a message unless `a == b`.
#[macro_export]
macro_rules! check_eq {
    ($a:expr, $b:expr) => {{
        let (a, b) = (&$a, &$b);
        if a != b {
            return Err(format!(
                "{}:{}: {} != {}\n  left: {:?}\n right: {:?}",
                file!(),
                line!(),
                stringify!($a),
                stringify!($b),
                a,
                b
            ));
        }
    }};
}

/// Fails with a message unless the condition holds.
#[macro_export]
macro_rules! check {
    ($c:expr) => {{
        if !$c {
            return Err(format!("{}:{}: {} failed", file!(), line!(), stringify!($c)));
        }
    }};
    ($c:expr, $($msg:tt)+) => {{
        if !$c {
            return Err(format!("{}:{}: {} failed. {}", file!(), line!(), stringify!($c), format!($($msg)+)));
        }
    }};
}

/// Runs every check on every context (each with that context as the session's parallel context
/// on this thread), prints one line per check and the closing `N passed, M failed` line, and
/// exits non-zero when anything failed.
pub fn run_suite(contexts: Vec<Arc<dyn ParallelContext>>, checks: &[(&str, Check)]) {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut failures = Vec::new();
    for ctx in &contexts {
        for (name, check) in checks {
            let full = format!("{name} on {}", ctx.name());
            if filter.as_ref().is_some_and(|f| !full.contains(f.as_str())) {
                continue;
            }
            let res = session::with_parallel_context_shared(ctx.clone(), || {
                catch_unwind(AssertUnwindSafe(|| check(ctx)))
            });
            let res = match res {
                Ok(r) => r,
                Err(_) => Err("the check panicked".to_string()),
            };
            match res {
                Ok(()) => {
                    passed += 1;
                    println!("test {full} ... ok");
                }
                Err(e) => {
                    failed += 1;
                    println!("test {full} ... FAILED");
                    failures.push((full, e));
                }
            }
        }
    }
    for (name, e) in &failures {
        println!("\n---- {name} ----\n{e}");
    }
    println!("\nbehaviour: {passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
