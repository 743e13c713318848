//! The pool on worker processes when things go wrong: a worker killed during a `map` or while
//! submitted tasks run changes nothing; a divergent pool call is `Error::Protocol` on every
//! process. Each case runs in its own process tree (see `support`).

use crate::support;

use haydi_contexts::pool::TaskSet;
use haydi_contexts::{DistributedContext, Pool};
use haydi_core::prelude::*;
use std::process::Command;
use std::time::Duration;

/// The cases of this subject, run by the binary's `main` (`support::main`).
pub const CASES: &[support::Case] = &[
    ("map_survives_a_kill", map_survives_a_kill),
    ("submits_survive_a_kill", submits_survive_a_kill),
    ("divergent_map", divergent_map),
    ("timeout_names_missing", timeout_names_missing),
    ("apply_needs_every_worker", apply_needs_every_worker),
];

fn kill_after(ctx: &DistributedContext, ms: u64) {
    if ctx.is_driver() {
        let pid = ctx.worker_pids()[0];
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(ms));
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        });
    }
}

fn work(x: &u64) -> u64 {
    std::thread::sleep(Duration::from_millis(5));
    x * x + 1
}

/// SIGKILL of a worker during `map`: its tasks run elsewhere, the result is the serial one.
fn map_survives_a_kill() {
    let ctx = DistributedContext::spawn(2).expect("spawn");
    let pool = Pool::new(ctx.clone());
    assert_eq!(pool.len(), 2);
    // 800 tasks of 5 ms: at least 2 s on the 2 one-thread workers, so the kill lands inside.
    let items: Vec<u64> = (0..800).collect();
    kill_after(&ctx, 300);
    let got = pool.map(work, &items).expect("map");
    assert_eq!(got, items.iter().map(work).collect::<Vec<_>>());
    if ctx.is_driver() {
        assert_eq!(
            ctx.live_workers(),
            1,
            "the kill did not land during the map"
        );
    }
    // The pool goes on (the surviving worker waits here while the driver counts).
    assert_eq!(pool.map(|x: &u64| x + 1, &[1, 2]).expect("map"), [2, 3]);
}

/// SIGKILL of a worker while submitted tasks run: every handle still gets its result.
fn submits_survive_a_kill() {
    let ctx = DistributedContext::spawn(2).expect("spawn");
    let pool = Pool::new(ctx.clone());
    let mut set = TaskSet::new();
    // 240 tasks of 20 ms: at least 1.2 s, so the kill at 300 ms lands while they run.
    for i in 0..240u64 {
        set.push(pool.submit(
            |i: u64| {
                std::thread::sleep(Duration::from_millis(20));
                i * 3
            },
            i,
        ));
    }
    kill_after(&ctx, 300);
    let mut got = Vec::new();
    while let Some((id, r)) = set.join_next() {
        got.push((id, r.expect("task")));
    }
    got.sort();
    assert_eq!(got, (0..240u64).map(|i| (i, i * 3)).collect::<Vec<_>>());
    if ctx.is_driver() {
        assert_eq!(
            ctx.live_workers(),
            1,
            "the kill did not land during the tasks"
        );
    }
    assert_eq!(pool.submit(|x: u64| x, 9).wait().expect("task"), 9);
}

/// A process that maps something else at the same point: every process gets `Error::Protocol`.
fn divergent_map() {
    let ctx = DistributedContext::spawn(2).expect("spawn");
    let pool = Pool::new(ctx.clone());
    let r = if ctx.rank() == 2 {
        pool.map(|x: &u64| x.to_string(), &[1, 2, 3])
            .map(|v| v.len())
    } else {
        pool.map(|x: &u64| x + 1, &[1, 2, 3]).map(|v| v.len())
    };
    let e = r.expect_err("divergence must be an error");
    assert!(matches!(e, Error::Protocol(_)), "{e:?}");
    // Aligned calls work afterwards.
    assert_eq!(pool.map(|x: &u64| x * 2, &[4]).expect("map"), [8]);
}

/// A timed-out map on worker processes names the missing tasks, the same on every process.
fn timeout_names_missing() {
    let ctx = DistributedContext::spawn(2).expect("spawn");
    let pool = Pool::new(ctx);
    let opts = haydi_contexts::pool::MapOptions::new()
        .timeout(Duration::from_millis(300))
        .chunk_size(1);
    let items: Vec<u64> = (0..100).collect();
    let slow = |x: &u64| {
        std::thread::sleep(Duration::from_millis(50));
        *x
    };
    let p = pool.map_partial(slow, &items, &opts).expect("partial map");
    assert!(!p.is_complete());
    let missing: u64 = p.missing.iter().map(|r| r.end - r.start).sum();
    let done = p.results.iter().filter(|r| r.is_some()).count() as u64;
    assert_eq!(done + missing, 100);
    assert!(done > 0, "nothing finished in 300 ms");
    for (i, r) in p.results.iter().enumerate() {
        if let Some(v) = r {
            assert_eq!(*v, i as u64);
        }
    }
}

/// `apply` runs worker w's call on process w + 1; with one of them killed it fails with a clear
/// error on every process instead of running that call elsewhere; `map` goes on.
fn apply_needs_every_worker() {
    let ctx = DistributedContext::spawn(2).expect("spawn");
    let pool = Pool::new(ctx.clone());
    let pids = pool.apply(|_| std::process::id()).expect("apply");
    assert_eq!(pids.len(), 2);
    if ctx.is_driver() {
        assert_eq!(pids, ctx.worker_pids(), "worker w is rank w + 1");
    }
    // Rank 1 is killed between runs (an end of its program, `exit`, would be the processes
    // diverging: see spmd worker_ends_early).
    if ctx.rank() == 1 {
        support::signal(std::process::id(), "-9");
        std::thread::sleep(Duration::from_secs(60));
    }
    if ctx.is_driver() {
        let t = std::time::Instant::now();
        while ctx.live_workers() > 1 && t.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(ctx.live_workers(), 1);
    }
    let e = pool.apply(|w| w).expect_err("apply without worker 0");
    assert!(matches!(e, Error::Worker(_)), "{e:?}");
    assert!(e.to_string().contains("rank 1"), "{e}");
    assert_eq!(pool.map(|x: &u64| x * 3, &[1, 2]).expect("map"), [3, 6]);
}
