//! Fault tests of the distributed context (a `harness = false` binary).
//!
//! Every case runs in a process tree of its own: without arguments this binary re-executes
//! itself once per case (`distributed case=NAME`), with a time limit, and checks that the
//! case passed. Inside a case, `DistributedContext::spawn` re-executes the case again as workers,
//! which follow the same `main` (SPMD). Run one case with `cargo test --test distributed
//! -- NAME`.

use crate::support;

use crate::support::{arg, by_hand, finish, is_worker, slow, traced_count};
use haydi_contexts::distributed::Secret;
use haydi_contexts::distributed::transport::frame::{HANDSHAKE_MAX_FRAME, framed};
use haydi_contexts::distributed::transport::noise;
use haydi_contexts::{DistributedContext, DistributedOptions};
use haydi_core::domain::tests_support::Digits;
use haydi_core::prelude::*;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The cases of this subject, run by the binary's `main` (`support::main`).
pub const CASES: &[support::Case] = &[
    ("results", results),
    ("kill_worker", kill_worker),
    ("hanging_worker", hanging_worker),
    ("bad_peers", bad_peers),
    ("never_connects", never_connects),
    ("divergent_run", divergent_run),
    ("chunk_kills_workers", chunk_kills_workers),
    ("stuck_closure", stuck_closure),
    ("two_jobs_one_rendezvous", two_jobs_one_rendezvous),
    ("planted_rendezvous", planted_rendezvous),
    ("private_logs", private_logs),
    ("orphans_die", orphans_die),
];

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
            let (n, ranks) = traced_count(ctx, 3000, 200);
            assert_eq!(n, 3000);
            if ctx.is_driver() {
                assert!(
                    ranks.contains(&1),
                    "no chunk of rank 1 in the trace: {ranks:?}"
                );
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
    }
    // The context goes on with one worker (which waits here while the driver counts).
    assert_eq!(
        Digits(300)
            .map(|x| slow(x, 1000))
            .count()
            .run_in(&ctx)
            .unwrap(),
        300
    );
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
    // The stopped worker never answers again, so the run can only end (within the case's
    // time limit) when its silence is noticed and its chunks run on the other worker.
    let job = Digits(600).map(|x| slow(x, 3000) + 1).sum();
    assert_eq!(job.run_in(&ctx).unwrap(), (1..=600u64).sum::<u64>());
    if ctx.is_driver() {
        assert_eq!(ctx.live_workers(), 1);
    }
    // Rank 1 waits here (its program does not end) while the driver counts live workers above.
    assert_eq!(Digits(10).count().run_in(&ctx).unwrap(), 10);
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
            assert!(noise::initiate(&mut s, &Secret::random()).await.is_err());
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
    // Rank 1 waits here (its program does not end) while the driver counts live workers above:
    // without this run the worker could exit first and the count would race with its exit.
    assert_eq!(Digits(10).count().run_in(&ctx).unwrap(), 10);
}

fn never_connects() {
    if std::env::var("HAYDI_RANK").is_err() {
        // Re-run this case as a driver of 2 whose worker never comes, then as a worker whose
        // driver is not there.
        let exe = std::env::current_exe().unwrap();
        for rank in ["0", "1"] {
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
            assert!(text.contains("error as expected"), "rank {rank}: {text}");
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
    // Both give up after the configured wait (the worker when its next pause would pass the
    // deadline, so up to 500 ms early), and say so. A lower bound on the time waited cannot
    // fail because the machine is slow or loaded, only if the wait is skipped.
    assert!(
        t.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        t.elapsed()
    );
    if is_driver {
        assert!(e.contains("0 of 1 workers joined within 1.5s"), "{e}");
    } else {
        // The worker kept trying the address it was given: its last attempt's error is kept.
        assert!(e.contains("could not join the driver within 1.5s"), "{e}");
        assert!(e.contains("127.0.0.1:1"), "{e}");
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
/// reach it, is dropped after `announce_timeout`. The worker stays stuck far longer than the
/// case's time limit, so both runs can only end if the chunk is run elsewhere and the worker is
/// dropped (no assertion on how long they take).
fn stuck_closure() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static STUCK: AtomicBool = AtomicBool::new(false);
    let opts = DistributedOptions {
        announce_timeout: Duration::from_secs(2),
        ..Default::default()
    };
    let ctx = DistributedContext::spawn_with(2, opts).expect("spawn");
    let rank2 = std::env::var("HAYDI_RANK").is_ok_and(|r| r == "2");
    // The value never depends on the rank; only the time it takes does. Rank 2 is stuck for
    // 10 minutes (past the case's time limit) in its first item, until it is told to exit.
    let job = Digits(800)
        .map(|x| {
            if rank2 && !STUCK.swap(true, Ordering::SeqCst) {
                std::thread::sleep(Duration::from_secs(600));
            }
            slow(x, 2000) * 3
        })
        .sum();
    assert_eq!(job.run_in(&ctx).unwrap(), 3 * (0..800u64).sum::<u64>());
    // One call site for the second run on every process.
    let second = || Digits(200).map(|x| slow(x, 1000)).count().run_in(&ctx);
    let third = || Digits(10).count().run_in(&ctx);
    if !ctx.is_driver() {
        // Rank 1 follows (and waits in the third run while the driver counts live workers);
        // rank 2 would get here after 10 minutes only, and is told to exit long before.
        let _ = second();
        let _ = third();
        return;
    }
    // Rank 2 is stuck but alive (it sends heartbeats): it is not counted as lost.
    assert_eq!(ctx.live_workers(), 2);
    // Rank 2 is still inside the first run's closure: it never announces the next run.
    assert_eq!(second().unwrap(), 200);
    assert_eq!(ctx.live_workers(), 1);
    assert_eq!(third().unwrap(), 10);
    println!("stuck_closure: ok, the stuck worker's chunk ran elsewhere and it was dropped");
}

/// What job `job` computes (each job a different number).
fn job_result(job: &str) -> u64 {
    let k = if job == "a" { 1 } else { 2 };
    k * (0..2000u64).sum::<u64>()
}

/// Two by-hand jobs of this binary by the same user at once, with the same default rendezvous
/// directory: each must get its own workers (a driver of one job taking a worker of the other
/// would print a mixed number, or time out). And a worker of another job that finds a driver's
/// address is refused with `Error::Protocol` while the driver waits for its own worker.
fn two_jobs_one_rendezvous() {
    if let Some(job) = arg("job") {
        let direct = std::env::args().any(|a| a == "direct");
        let opts = DistributedOptions {
            connect_timeout: Duration::from_secs(if direct { 20 } else { 8 }),
            ..Default::default()
        };
        match DistributedContext::from_env_with(opts) {
            Ok(ctx) => {
                let k = if job == "a" { 1 } else { 2 };
                let n = Digits(2000)
                    .map(move |x| slow(x, 200) * k)
                    .sum()
                    .run_in(&ctx)
                    .unwrap();
                println!("result={n}");
            }
            Err(e) => {
                println!("error={e:?}");
                std::process::exit(2);
            }
        }
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let tmpdir = tmp.path().to_str().unwrap();
    let start = |job: &str, rank: &str| {
        by_hand(
            &["case=two_jobs_one_rendezvous", &format!("job={job}")],
            &[
                ("HAYDI_RANK", rank),
                ("HAYDI_SIZE", "2"),
                ("TMPDIR", tmpdir),
            ],
        )
        .spawn()
        .unwrap()
    };
    // Both drivers write their rendezvous files before any worker looks.
    let drivers = [("a", start("a", "0")), ("b", start("b", "0"))];
    std::thread::sleep(Duration::from_millis(300));
    let workers = [("a", start("a", "1")), ("b", start("b", "1"))];
    for (i, (job, child)) in drivers.into_iter().chain(workers).enumerate() {
        let (ok, text) = finish(child, Duration::from_secs(30));
        let other = job_result(if job == "a" { "b" } else { "a" });
        assert!(
            !text.contains(&format!("result={other}")),
            "job {job} got the other job's result: {text}"
        );
        assert!(ok, "job {job}: {text}");
        // A worker may exit at its driver's shutdown before it prints; a driver prints.
        assert!(
            i >= 2 || text.contains(&format!("result={}", job_result(job))),
            "job {job}: {text}"
        );
    }

    // Directly: a driver at a known address, a worker of another job (other arguments), then
    // the driver's own worker.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let addr = format!("127.0.0.1:{port}");
    let secret = Secret::random().to_hex();
    let direct = |job: &str, rank: &str| {
        by_hand(
            &[
                "case=two_jobs_one_rendezvous",
                &format!("job={job}"),
                "direct",
            ],
            &[
                ("HAYDI_RANK", rank),
                ("HAYDI_SIZE", "2"),
                ("HAYDI_COORDINATOR", &addr),
                ("HAYDI_SECRET", &secret),
            ],
        )
        .spawn()
        .unwrap()
    };
    let driver = direct("a", "0");
    let (ok, text) = finish(direct("b", "1"), Duration::from_secs(25));
    assert!(!ok, "a worker of another job joined: {text}");
    assert!(
        text.contains("error=Protocol(") && text.contains("belongs to another job"),
        "{text}"
    );
    let (ok, text) = finish(direct("a", "1"), Duration::from_secs(25));
    assert!(ok, "{text}");
    let (ok, text) = finish(driver, Duration::from_secs(25));
    assert!(
        ok && text.contains(&format!("result={}", job_result("a"))),
        "{text}"
    );
}

/// A worker refuses a rendezvous file (or directory) that someone else could have planted or
/// read: open to others, a symbolic link, or a directory that is not private.
fn planted_rendezvous() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
    if std::env::var("HAYDI_RANK").is_ok() {
        let opts = DistributedOptions {
            connect_timeout: Duration::from_secs(5),
            ..Default::default()
        };
        match DistributedContext::from_env_with(opts) {
            Ok(_) => println!("joined"),
            Err(e) => println!("error={e}"),
        }
        return;
    }
    let chmod = |p: &std::path::Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
    };
    let tmp = tempfile::tempdir().unwrap();
    let uid = std::fs::metadata(tmp.path()).unwrap().uid();
    let root = tmp.path();
    // A file that would be accepted, but for its mode or place.
    let text = format!("127.0.0.1:1\n{}\n", Secret::random().to_hex());
    let open = root.join("open");
    std::fs::write(&open, &text).unwrap();
    chmod(&open, 0o644);
    let good = root.join("good");
    std::fs::write(&good, &text).unwrap();
    chmod(&good, 0o600);
    let link = root.join("link");
    symlink(&good, &link).unwrap();
    // Default rendezvous directories planted with a wrong mode, or as a link.
    let (wide, linked) = (root.join("wide"), root.join("linked"));
    std::fs::create_dir(&wide).unwrap();
    std::fs::create_dir(wide.join(format!("haydi-{uid}"))).unwrap();
    chmod(&wide.join(format!("haydi-{uid}")), 0o755);
    std::fs::create_dir(&linked).unwrap();
    let real = root.join("real");
    std::fs::create_dir(&real).unwrap();
    chmod(&real, 0o700);
    symlink(&real, linked.join(format!("haydi-{uid}"))).unwrap();
    let root_s = root.to_str().unwrap();
    type Env<'a> = Vec<(&'a str, &'a str)>;
    let cases: [(&str, Env, &str); 4] = [
        (
            "a 0644 file",
            vec![("HAYDI_RENDEZVOUS", open.to_str().unwrap())],
            "mode 644",
        ),
        (
            "a link",
            vec![("HAYDI_RENDEZVOUS", link.to_str().unwrap())],
            "symbolic link",
        ),
        (
            "a 0755 directory",
            vec![("TMPDIR", wide.to_str().unwrap())],
            "mode 755",
        ),
        (
            "a linked directory",
            vec![("TMPDIR", linked.to_str().unwrap())],
            "symbolic link",
        ),
    ];
    for (what, env, expected) in cases {
        let mut env = env;
        env.extend([("HAYDI_RANK", "1"), ("HAYDI_SIZE", "2")]);
        if !env.iter().any(|(k, _)| *k == "TMPDIR") {
            env.push(("TMPDIR", root_s));
        }
        let (_, out) = finish(
            by_hand(&["case=planted_rendezvous"], &env).spawn().unwrap(),
            Duration::from_secs(20),
        );
        assert!(
            out.contains("error=") && out.contains(expected),
            "{what}: expected a refusal mentioning {expected:?}, got: {out}"
        );
        println!("{what}: {}", out.trim());
    }
}

/// Spawned workers log into a private, randomly named directory that goes away with the
/// driver's context, unless asked to keep it.
fn private_logs() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let ctx = DistributedContext::spawn(1).expect("spawn");
    assert_eq!(Digits(100).sum().run_in(&ctx).unwrap(), 4950);
    let dir = ctx.log_dir();
    if let Some(dir) = &dir {
        assert_eq!(mode(dir), 0o700, "{}", dir.display());
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("haydi-workers-"), "{name}");
        assert_ne!(name, format!("haydi-workers-{}-0", std::process::id()));
        assert_eq!(mode(&dir.join("worker-1.log")), 0o600);
    }
    drop(ctx);
    if let Some(dir) = &dir {
        // The worker goes on with its main after the drop (to the end of this case); the
        // folder goes once it has ended.
        assert!(
            support::eventually(Duration::from_secs(60), || !dir.exists()),
            "{} is still there",
            dir.display()
        );
    }
    let opts = DistributedOptions {
        keep_logs: true,
        ..Default::default()
    };
    let kept = DistributedContext::spawn_with(1, opts).expect("spawn");
    assert_eq!(Digits(100).sum().run_in(&kept).unwrap(), 4950);
    let dir = kept.log_dir();
    drop(kept);
    if let Some(dir) = dir {
        assert!(dir.join("worker-1.log").exists(), "{}", dir.display());
        assert_eq!(mode(&dir.join("worker-1.log")), 0o600);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// Whether process `pid` is gone (or a zombie nobody reaps).
fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(s) => s
            .rsplit_once(')')
            .is_some_and(|(_, rest)| matches!(rest.trim_start().chars().next(), Some('Z' | 'X'))),
    }
}

/// The processes whose parent is `pid`.
fn children_of(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(child) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok());
        if ppid == Some(pid) {
            found.push(child);
        }
    }
    found
}

/// Workers of a driver killed with SIGKILL (here while they are still starting, before they
/// join) do not live on as orphans retrying to connect.
fn orphans_die() {
    if let Ok(logs) = std::env::var("ORPHANS_LOG_DIR") {
        if is_worker() {
            // A slow start: the driver is dead before this worker reaches `spawn`.
            std::thread::sleep(Duration::from_secs(2));
        }
        let opts = DistributedOptions {
            log_dir: Some(logs.into()),
            ..Default::default()
        };
        let _ctx = DistributedContext::spawn_with(2, opts);
        std::thread::sleep(Duration::from_secs(60));
        return;
    }
    let logs = tempfile::tempdir().unwrap();
    let mut driver = by_hand(
        &["case=orphans_die"],
        &[("ORPHANS_LOG_DIR", logs.path().to_str().unwrap())],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let t = Instant::now();
    let workers = loop {
        let w = children_of(driver.id());
        if w.len() >= 2 || t.elapsed() > Duration::from_secs(20) {
            break w;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(workers.len(), 2, "the driver did not spawn its workers");
    driver.kill().unwrap();
    driver.wait().unwrap();
    let t = Instant::now();
    while !workers.iter().all(|w| gone(*w)) && t.elapsed() < Duration::from_secs(15) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let alive: Vec<_> = workers.iter().filter(|w| !gone(**w)).collect();
    for w in &alive {
        let _ = Command::new("kill").args(["-9", &w.to_string()]).status();
    }
    assert!(alive.is_empty(), "orphaned workers still alive: {alive:?}");
    println!(
        "orphans_die: workers gone {:?} after the driver",
        t.elapsed()
    );
}
