//! Behaviour checks in the shape of the workspace's behaviour suite (a `harness = false` binary
//! that builds a list of contexts, serial and threads first, then `spawn(2)` and `spawn(3)`, and
//! runs every check on each in a fixed order with the context set for the thread), so the
//! suite's pattern is known to work with distributed contexts: every process follows the same
//! `main`, and the workers of one `spawn` run the other contexts' checks by themselves.

use haydi_contexts::DistributedContext;
use haydi_core::domain::tests_support::Digits;
use haydi_core::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

type Ctx = Arc<dyn ParallelContext>;
type Check = fn(&Ctx) -> Result<(), String>;

macro_rules! check {
    ($c:expr) => {
        if !$c {
            return Err(format!("{}:{}: {}", file!(), line!(), stringify!($c)));
        }
    };
}

fn collect_order(_: &Ctx) -> Result<(), String> {
    let job = Digits(20_000)
        .map(|x| x * 3)
        .filter(|x| x % 7 != 1)
        .collect();
    let expected: Vec<u64> = (0..20_000).map(|x| x * 3).filter(|x| x % 7 != 1).collect();
    check!(job.run(true).map_err(|e| e.to_string())? == expected);
    Ok(())
}

fn reduce_keeps_order(_: &Ctx) -> Result<(), String> {
    let job = Digits(3000).map(|x| format!("{x},")).reduce(|a, b| a + &b);
    let expected: String = (0..3000).map(|x| format!("{x},")).collect();
    check!(job.run(true).unwrap() == Some(expected));
    Ok(())
}

fn take_and_first(_: &Ctx) -> Result<(), String> {
    let n = Digits(100_000)
        .filter(|x| x % 3 == 0)
        .take(1000)
        .map(|x| x + 1)
        .filter(|x| x % 2 == 0)
        .count();
    let oracle = (0..100_000u64)
        .filter(|x| x % 3 == 0)
        .take(1000)
        .map(|x| x + 1)
        .filter(|x| x % 2 == 0)
        .count();
    check!(n.run(true).unwrap() == oracle as u64);
    check!(Digits(100).filter(|x| *x == 50).first().run(true).unwrap() == Some(50));
    Ok(())
}

fn short_circuit(_: &Ctx) -> Result<(), String> {
    let seen = AtomicU64::new(0);
    let v = Digits(1_000_000_000_000)
        .filter(|x| {
            seen.fetch_add(1, Ordering::Relaxed);
            x % 1000 == 7
        })
        .take(3)
        .collect()
        .run(true)
        .unwrap();
    check!(v == vec![7, 1007, 2007]);
    check!(seen.load(Ordering::Relaxed) < 50_000_000);
    Ok(())
}

fn generate_is_deterministic(_: &Ctx) -> Result<(), String> {
    let job = Digits(1000)
        .generate(42)
        .filter(|a| a % 2 == 0)
        .take(5000)
        .collect();
    check!(job.run(true).unwrap() == job.run(false).unwrap());
    let e = Digits(10).generate(1).count().run(true);
    check!(matches!(e, Err(Error::Unbounded)));
    Ok(())
}

fn panic_is_reported(ctx: &Ctx) -> Result<(), String> {
    let r = Digits(100_000)
        .map(|x| {
            if x == 77_777 {
                panic!("boom at {x}");
            }
            x
        })
        .count()
        .run(true);
    match r {
        Err(Error::Panicked { chunk, message, .. }) => {
            check!(chunk.contains(&77_777));
            check!(message.contains("boom at 77777"));
        }
        other => return Err(format!("expected a panic error, got {other:?}")),
    }
    check!(Digits(1000).count().run_in(ctx.as_ref()).unwrap() == 1000);
    Ok(())
}

fn nested_parallel_run_is_rejected(_: &Ctx) -> Result<(), String> {
    let inner = Digits(10)
        .map(|x| Digits(3).count().run(true).map(|_| x).is_err())
        .collect()
        .run(true)
        .unwrap();
    check!(inner.iter().all(|b| *b));
    Ok(())
}

fn timeout_marks_partial(_: &Ctx) -> Result<(), String> {
    let job = Digits(1_000_000)
        .map(|x| {
            std::thread::sleep(Duration::from_micros(200));
            x
        })
        .count();
    let out = job
        .run_with(true, &RunOptions::new().timeout(Duration::from_millis(150)))
        .unwrap();
    check!(!out.complete);
    check!(out.processed < 1_000_000);
    check!(out.value as u128 == out.processed);
    Ok(())
}

fn progress_and_trace(_: &Ctx) -> Result<(), String> {
    let last = Arc::new(std::sync::Mutex::new(None));
    let seen = last.clone();
    let path =
        std::env::temp_dir().join(format!("haydi-dist-behaviour-{}.json", std::process::id()));
    let opts = RunOptions::new()
        .on_progress(move |p| *seen.lock().unwrap() = Some(p.clone()))
        .chunk_trace(&path);
    let out = Digits(200_000)
        .filter(|x| x % 2 == 0)
        .count()
        .run_with(true, &opts)
        .unwrap();
    check!(out.value == 100_000);
    let p = last.lock().unwrap().clone().ok_or("no progress report")?;
    check!(p.finished && p.processed == 200_000 && p.items == 100_000);
    let _ = std::fs::remove_file(&path);
    Ok(())
}

fn main() {
    let mut contexts: Vec<Ctx> = vec![
        Arc::new(SerialContext),
        Arc::new(ThreadContext::new(2).unwrap()),
    ];
    for n in [2, 3] {
        contexts.push(Arc::new(DistributedContext::spawn(n).expect("spawn")));
    }
    let checks: &[(&str, Check)] = &[
        ("collect_order", collect_order),
        ("reduce_keeps_order", reduce_keeps_order),
        ("take_and_first", take_and_first),
        ("short_circuit", short_circuit),
        ("generate_is_deterministic", generate_is_deterministic),
        ("panic_is_reported", panic_is_reported),
        (
            "nested_parallel_run_is_rejected",
            nested_parallel_run_is_rejected,
        ),
        ("timeout_marks_partial", timeout_marks_partial),
        ("progress_and_trace", progress_and_trace),
    ];
    let (mut passed, mut failed) = (0, 0);
    for ctx in &contexts {
        for (name, check) in checks {
            let res = session::with_parallel_context_shared(ctx.clone(), || {
                catch_unwind(AssertUnwindSafe(|| check(ctx)))
            });
            match res {
                Ok(Ok(())) => {
                    passed += 1;
                    println!("test {name} on {} ... ok", ctx.name());
                }
                Ok(Err(e)) => {
                    failed += 1;
                    println!("test {name} on {} ... FAILED\n{e}", ctx.name());
                }
                Err(_) => {
                    failed += 1;
                    println!("test {name} on {} ... FAILED (panicked)", ctx.name());
                }
            }
        }
    }
    println!("\ndistributed_behaviour: {passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
