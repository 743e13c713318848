//! Fault tests of the distributed context (a `harness = false` binary).
//!
//! Every case runs in a process tree of its own: without arguments this binary re-executes
//! itself once per case (`distributed_faults case=NAME`), with a time limit, and checks that the
//! case passed. Inside a case, `DistributedContext::spawn` re-executes the case again as workers,
//! which follow the same `main` (SPMD). Run one case with `cargo test --test distributed_faults
//! -- NAME`.

use haydi_contexts::distributed::auth::{self, Secret};
use haydi_contexts::distributed::frame::{framed, HANDSHAKE_MAX_FRAME};
use haydi_contexts::{DistributedContext, DistributedOptions};
use haydi_core::domain::tests_support::Digits;
use haydi_core::prelude::*;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CASES: &[&str] = &[
    "results",
    "kill_worker",
    "hanging_worker",
    "bad_peers",
    "never_connects",
    "divergent_run",
    "chunk_kills_workers",
    "stuck_closure",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(case) = args.iter().find_map(|a| a.strip_prefix("case=")) {
        run_case(case);
        return;
    }
    let filter = args.iter().find(|a| !a.starts_with('-'));
    let exe = std::env::current_exe().expect("current exe");
    let (mut passed, mut failed) = (0, 0);
    for case in CASES {
        if filter.is_some_and(|f| !case.contains(f.as_str())) {
            continue;
        }
        let t = Instant::now();
        let mut child = Command::new(&exe)
            .arg(format!("case={case}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start case");
        let limit = Duration::from_secs(90);
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait") {
                break Some(s);
            }
            if t.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let out = child.wait_with_output().expect("output");
        let ok = status.is_some_and(|s| s.success());
        if ok {
            passed += 1;
            println!("test {case} ... ok ({:.1} s)", t.elapsed().as_secs_f64());
        } else {
            failed += 1;
            println!(
                "test {case} ... FAILED ({})\n--- stdout\n{}\n--- stderr\n{}",
                status.map_or("timed out".to_string(), |s| s.to_string()),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    println!("\ndistributed_faults: {passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}

fn run_case(case: &str) {
    match case {
        "results" => results(),
        "kill_worker" => kill_worker(),
        "hanging_worker" => hanging_worker(),
        "bad_peers" => bad_peers(),
        "never_connects" => never_connects(),
        "divergent_run" => divergent_run(),
        "chunk_kills_workers" => chunk_kills_workers(),
        "stuck_closure" => stuck_closure(),
        other => panic!("unknown case {other}"),
    }
}

fn is_worker() -> bool {
    std::env::var("HAYDI_RANK").is_ok_and(|r| r != "0")
}

fn slow(x: u64, micros: u64) -> u64 {
    std::thread::sleep(Duration::from_micros(micros));
    x
}

/// Results equal serial runs on spawn(2) and spawn(3), with errors and traces.
fn results() {
    let two = DistributedContext::spawn(2).expect("spawn(2)");
    let three = DistributedContext::spawn(3).expect("spawn(3)");
    for ctx in [&two, &three] {
        session::with_parallel_context(ctx.clone(), || {
            let job = Digits(5000)
                .map(|x| slow(x, 100) * 3)
                .filter(|x| x % 7 != 1)
                .collect();
            assert_eq!(job.run(true).unwrap(), job.run(false).unwrap());
            assert_eq!(Digits(100_001).sum().run(true).unwrap(), 5_000_050_000);
            let take = Digits(1_000_000)
                .filter(|x| x % 1000 == 7)
                .take(3)
                .collect();
            assert_eq!(take.run(true).unwrap(), vec![7, 1007, 2007]);
            assert_eq!(Digits(0).count().run(true).unwrap(), 0);
            // A panic on a worker names the chunk and the rank.
            let r = Digits(2000)
                .map(|x| {
                    if x == 1500 {
                        panic!("boom at {x}");
                    }
                    slow(x, 200)
                })
                .count()
                .run(true);
            match r {
                Err(Error::Panicked {
                    chunk,
                    message,
                    worker,
                }) => {
                    assert!(chunk.contains(&1500), "{chunk:?}");
                    assert!(message.contains("boom at 1500"), "{message}");
                    if ctx.is_driver() {
                        let w = worker.expect("the worker's rank");
                        assert!(w.starts_with("rank "), "{w}");
                    }
                }
                other => panic!("expected a panic error, got {other:?}"),
            }
            // Nested runs are rejected on the workers too.
            let inner = Digits(50)
                .map(|x| slow(x, 2000))
                .map(|_| Digits(3).count().run(true).is_err())
                .collect()
                .run(true)
                .unwrap();
            assert!(inner.iter().all(|b| *b), "a nested run was accepted");
            // Progress and the chunk trace carry the ranks.
            let path =
                std::env::temp_dir().join(format!("haydi-dist-trace-{}.json", std::process::id()));
            let opts = RunOptions::new().chunk_trace(&path);
            let out = Digits(3000)
                .map(|x| slow(x, 200))
                .count()
                .run_with(true, &opts)
                .unwrap();
            assert_eq!(out.value, 3000);
            if ctx.is_driver() {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(
                    text.contains("\"tid\": 1") || text.contains("\"tid\":1"),
                    "no chunk of rank 1 in the trace"
                );
                let _ = std::fs::remove_file(&path);
            }
        });
    }
    println!("results ok on rank {}", two.rank());
}

fn kill_worker() {
    let ctx = DistributedContext::spawn(2).expect("spawn");
    if ctx.is_driver() {
        let pid = ctx.worker_pids()[0];
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(400));
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        });
    }
    let job = Digits(600).map(|x| slow(x, 4000) * x).sum();
    let got = job.run_in(&ctx).unwrap();
    assert_eq!(got, (0..600u64).map(|x| x * x).sum::<u64>());
    if ctx.is_driver() {
        assert_eq!(ctx.live_workers(), 1);
        // The context goes on with one worker.
        assert_eq!(
            Digits(300)
                .map(|x| slow(x, 1000))
                .count()
                .run_in(&ctx)
                .unwrap(),
            300
        );
    }
}

fn hanging_worker() {
    let opts = DistributedOptions {
        heartbeat_interval: Duration::from_millis(100),
        heartbeat_timeout: Duration::from_millis(800),
        ..Default::default()
    };
    let ctx = DistributedContext::spawn_with(2, opts).expect("spawn");
    if ctx.is_driver() {
        let pid = ctx.worker_pids()[1];
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            let _ = Command::new("kill")
                .args(["-STOP", &pid.to_string()])
                .status();
        });
    }
    let t = Instant::now();
    let job = Digits(600).map(|x| slow(x, 3000) + 1).sum();
    assert_eq!(job.run_in(&ctx).unwrap(), (1..=600u64).sum::<u64>());
    if ctx.is_driver() {
        assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
        assert_eq!(ctx.live_workers(), 1);
    }
}

fn bad_peers() {
    let ctx = DistributedContext::spawn(1).expect("spawn");
    if ctx.is_driver() {
        let addr = ctx.address().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            // A wrong secret is refused.
            let s = tokio::net::TcpStream::connect(&addr).await.unwrap();
            let mut s = framed(s, HANDSHAKE_MAX_FRAME);
            assert!(auth::connect(&mut s, &Secret::random()).await.is_err());
        });
        // Random bytes and absurd frame lengths are dropped.
        for bytes in [
            vec![0xffu8, 0xff, 0xff, 0xff, 1, 2, 3],
            (0..5000u32).map(|i| (i * 7919 % 251) as u8).collect(),
            vec![0, 0, 0, 40, 0xde, 0xad],
        ] {
            let mut s = std::net::TcpStream::connect(&addr).unwrap();
            let _ = s.write_all(&bytes);
            drop(s);
        }
        // A peer that connects and says nothing is dropped after the handshake timeout; it
        // does not block the others.
        let _silent = std::net::TcpStream::connect(&addr).unwrap();
    }
    let job = Digits(1000).map(|x| slow(x, 1000)).sum();
    assert_eq!(job.run_in(&ctx).unwrap(), 499_500);
    if ctx.is_driver() {
        assert_eq!(ctx.live_workers(), 1);
    }
}

fn never_connects() {
    if std::env::var("HAYDI_RANK").is_err() {
        // Re-run this case as a driver of 2 whose worker never comes, then as a worker whose
        // driver is not there.
        let exe = std::env::current_exe().unwrap();
        for rank in ["0", "1"] {
            let t = Instant::now();
            let out = Command::new(&exe)
                .arg("case=never_connects")
                .env("HAYDI_RANK", rank)
                .env("HAYDI_SIZE", "2")
                // The driver listens on a free port; the worker tries a port where nobody is.
                .env(
                    "HAYDI_COORDINATOR",
                    if rank == "0" {
                        "127.0.0.1:0"
                    } else {
                        "127.0.0.1:1"
                    },
                )
                .env("HAYDI_SECRET", Secret::random().to_hex())
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "rank {rank}: {text} {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(t.elapsed() < Duration::from_secs(10));
        }
        return;
    }
    let opts = DistributedOptions {
        connect_timeout: Duration::from_millis(1500),
        ..Default::default()
    };
    let is_driver = std::env::var("HAYDI_RANK").unwrap() == "0";
    let t = Instant::now();
    let r = DistributedContext::from_env_with(opts);
    let e = r.expect_err("must time out").to_string();
    assert!(
        t.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        t.elapsed()
    );
    if is_driver {
        assert!(e.contains("0 of 1 workers joined"), "{e}");
    } else {
        assert!(e.contains("could not join"), "{e}");
    }
    println!("error as expected: {e}");
}

fn divergent_run() {
    let ctx = DistributedContext::spawn(2).expect("spawn");
    let r = if ctx.rank() == 2 {
        Digits(10).count().run_in(&ctx)
    } else {
        Digits(20).count().run_in(&ctx)
    };
    let e = r.expect_err("divergence must be an error");
    assert!(matches!(e, Error::Protocol(_)), "{e:?}");
    assert!(e.to_string().contains("diverged"), "{e}");
    // Different types at the same call site diverge too; aligned runs work afterwards.
    assert_eq!(Digits(20).count().run_in(&ctx).unwrap(), 20);
}

fn chunk_kills_workers() {
    let opts = DistributedOptions {
        max_chunk_failures: 2,
        ..Default::default()
    };
    let ctx = DistributedContext::spawn_with(3, opts).expect("spawn");
    let r = Digits(3000)
        .map(|x| {
            if x == 2500 && is_worker() {
                std::process::abort();
            }
            slow(x, 200)
        })
        .count()
        .run_in(&ctx);
    if ctx.is_driver() {
        let e = r.expect_err("a chunk that kills workers must fail the run");
        assert!(e.to_string().contains("giving up"), "{e}");
        assert!(
            e.to_string().contains("2500") || e.to_string().contains("chunk"),
            "{e}"
        );
    }
}

/// A worker stuck inside a closure keeps sending heartbeats: its chunk is run again elsewhere
/// once overdue (the first result wins), and at the next run the stuck worker, which cannot
/// reach it, is dropped after `announce_timeout`.
fn stuck_closure() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static STUCK: AtomicBool = AtomicBool::new(false);
    let opts = DistributedOptions {
        announce_timeout: Duration::from_secs(2),
        ..Default::default()
    };
    let ctx = DistributedContext::spawn_with(2, opts).expect("spawn");
    let rank2 = std::env::var("HAYDI_RANK").is_ok_and(|r| r == "2");
    let t = Instant::now();
    // The value never depends on the rank; only the time it takes does.
    let job = Digits(800)
        .map(|x| {
            if rank2 && !STUCK.swap(true, Ordering::SeqCst) {
                std::thread::sleep(Duration::from_secs(60));
            }
            slow(x, 2000) * 3
        })
        .sum();
    assert_eq!(job.run_in(&ctx).unwrap(), 3 * (0..800u64).sum::<u64>());
    // One call site for the second run on every process.
    let second = || Digits(200).map(|x| slow(x, 1000)).count().run_in(&ctx);
    if !ctx.is_driver() {
        // Rank 1 follows; rank 2 gets here after 60 s only, and is told to exit long before.
        let _ = second();
        return;
    }
    let first = t.elapsed();
    assert!(first < Duration::from_secs(8), "{first:?}");
    assert_eq!(ctx.live_workers(), 2);
    // Rank 2 is still inside the first run's closure: it never announces the next run.
    assert_eq!(second().unwrap(), 200);
    assert_eq!(ctx.live_workers(), 1);
    let total = t.elapsed();
    assert!(total < Duration::from_secs(15), "{total:?}");
    println!("stuck_closure: first run {first:?}, both runs {total:?}");
}
