//! The TCP transport across hosts: network namespaces on one bridge are the hosts (see
//! `support::hosts`), the driver on host 0, workers on hosts 1 and 2, joining through a
//! rendezvous file on a shared folder or an explicit address; a partition of host 2 longer
//! than the heartbeat deadline, and host 2 killed outright, mid-run. Needs root (CI runs it as
//! root); without it every case says it is skipped, and under `CI=true` fails.
//!
//! A `harness = false` binary (`support::main`); cases ending in `_program` are the programs
//! the others start inside the hosts.

use crate::support;

use crate::support::hosts::{Hosts, skip};
use crate::support::{HAYDI_VARS, arg, eventually, finish, slow};
use haydi_contexts::crop::{Batches, Crop, Grow};
use haydi_contexts::{DistributedContext, DistributedOptions};
use haydi_core::domain::tests_support::Digits;
use haydi_core::prelude::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// The cases of this subject, run by the binary's `main` (`support::main`).
pub const CASES: &[support::Case] = &[
    ("suite_program", suite_program),
    (
        "rendezvous_on_a_shared_folder",
        rendezvous_on_a_shared_folder,
    ),
    ("explicit_address", explicit_address),
    ("unroutable_addresses", unroutable_addresses),
    ("partition_program", partition_program),
    ("partition_then_rejoin", partition_then_rejoin),
    ("host_killed", host_killed),
    ("crop_program", crop_program),
    ("crop_across_hosts", crop_across_hosts),
];

/// Three hosts, or `None` (the case is skipped, or fails under `CI=true`).
fn hosts(test: &str) -> Option<Hosts> {
    match Hosts::new(3) {
        Ok(h) => Some(h),
        Err(why) => {
            skip(test, &why);
            None
        }
    }
}

/// Rank `rank` of a 3-process job of this binary's `case` in host `host`, with `envs`.
fn start(
    hosts: &Hosts,
    host: usize,
    case: &str,
    args: &[String],
    rank: u32,
    envs: &[(&str, String)],
) -> Child {
    let mut c = hosts.command(host, &std::env::current_exe().unwrap());
    c.arg(format!("case={case}")).args(args);
    for v in HAYDI_VARS {
        c.env_remove(v);
    }
    c.env("HAYDI_RANK", rank.to_string()).env("HAYDI_SIZE", "3");
    for (k, v) in envs {
        c.env(k, v);
    }
    c.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// A shared folder (private to this user): every host sees it.
fn shared() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// The program of the join tests: a handful of runs, each checked against `run(false)` on
/// every process; the driver writes which ranks ran chunks of a traced run.
fn suite_program() {
    let dir = PathBuf::from(arg("dir").unwrap());
    let mut opts = DistributedOptions::default();
    if let Some(s) = std::env::var("HAYDI_TEST_CONNECT_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        opts.connect_timeout = Duration::from_secs(s);
    }
    let ctx = DistributedContext::from_env_with(opts).expect("from_env");
    let rank = ctx.rank();
    session::with_parallel_context(ctx.clone(), || {
        let job = Digits(3000)
            .map(|x| slow(x, 200) * 3)
            .filter(|x| x % 7 != 1)
            .collect();
        assert_eq!(job.run(true).unwrap(), job.run(false).unwrap());
        let take = Digits(1_000_000)
            .filter(|x| x % 1000 == 7)
            .take(3)
            .collect();
        assert_eq!(take.run(true).unwrap(), vec![7, 1007, 2007]);
        let e = Digits(2000)
            .map(|x| {
                if x == 1500 {
                    panic!("boom at {x}")
                } else {
                    slow(x, 100)
                }
            })
            .count()
            .run(true)
            .expect_err("a panic on some host");
        assert!(e.to_string().contains("boom at 1500"), "{e}");
    });
    let (n, ranks) = support::traced_count(&ctx, 4000, 500);
    assert_eq!(n, 4000);
    if ctx.is_driver() {
        let list: Vec<String> = ranks.iter().map(|r| r.to_string()).collect();
        std::fs::write(dir.join("ranks"), list.join(",")).unwrap();
    }
    std::fs::write(dir.join(format!("done-{rank}")), "").unwrap();
}

/// Waits for the three processes of a job and checks every one ended well and that both
/// remote hosts ran chunks.
fn check_job(procs: Vec<Child>, dir: &Path, test: &str) {
    for (r, p) in procs.into_iter().enumerate() {
        let (ok, text) = finish(p, Duration::from_secs(120));
        assert!(ok, "{test}: rank {r}: {text}");
    }
    for r in 0..3 {
        assert!(dir.join(format!("done-{r}")).exists(), "{test}: rank {r}");
    }
    let ranks = std::fs::read_to_string(dir.join("ranks")).unwrap();
    assert!(
        ranks.contains('1') && ranks.contains('2'),
        "{test}: chunks ran on {ranks}"
    );
}

/// The driver on host 0 listens on its own address (`HAYDI_LISTEN`) and writes the
/// rendezvous file on a folder every host shares; workers on hosts 1 and 2 find it there.
fn rendezvous_on_a_shared_folder() {
    let Some(h) = hosts("rendezvous_on_a_shared_folder") else {
        return;
    };
    let dir = shared();
    let args = vec![format!("dir={}", dir.path().display())];
    let rv = dir.path().join("rendezvous").display().to_string();
    let job = format!("rv-{}", std::process::id());
    let common = |extra: Vec<(&'static str, String)>| {
        let mut e = vec![
            ("HAYDI_RENDEZVOUS", rv.clone()),
            ("HAYDI_JOB_ID", job.clone()),
        ];
        e.extend(extra);
        e
    };
    let procs = vec![
        start(
            &h,
            0,
            "suite_program",
            &args,
            0,
            &common(vec![("HAYDI_LISTEN", h.addrs[0].clone())]),
        ),
        start(&h, 1, "suite_program", &args, 1, &common(vec![])),
        start(&h, 2, "suite_program", &args, 2, &common(vec![])),
    ];
    check_job(procs, dir.path(), "rendezvous_on_a_shared_folder");
    println!(
        "rendezvous_on_a_shared_folder: ok, driver on {}",
        h.addrs[0]
    );
}

/// Workers told the driver's address and secret (`HAYDI_COORDINATOR`, `HAYDI_SECRET`).
fn explicit_address() {
    let Some(h) = hosts("explicit_address") else {
        return;
    };
    let dir = shared();
    let args = vec![format!("dir={}", dir.path().display())];
    let port = 20_000 + std::process::id() % 20_000;
    let coord = format!("{}:{port}", h.addrs[0]);
    let secret: String = (0..64)
        .map(|i| b"0123456789abcdef"[(i * 7 + port as usize) % 16] as char)
        .collect();
    let env = vec![
        ("HAYDI_COORDINATOR", coord.clone()),
        ("HAYDI_SECRET", secret),
        ("HAYDI_JOB_ID", format!("coord-{port}")),
    ];
    let procs = (0..3)
        .map(|r| start(&h, r, "suite_program", &args, r as u32, &env))
        .collect();
    check_job(procs, dir.path(), "explicit_address");
    println!("explicit_address: ok, driver at {coord}");
}

/// A driver told to listen on an address that is not its host's, or to advertise no address,
/// fails at once with a message saying so; one advertising loopback for other hosts warns.
fn unroutable_addresses() {
    let Some(h) = hosts("unroutable_addresses") else {
        return;
    };
    let dir = shared();
    let args = vec![format!("dir={}", dir.path().display())];
    let rv = dir.path().join("rv").display().to_string();
    let cases: [(&str, String, &str); 3] = [
        (
            "HAYDI_LISTEN",
            h.addrs[1].clone(),
            "not an address of this host",
        ),
        ("HAYDI_ADVERTISE", "0.0.0.0".into(), "which is no address"),
        (
            "HAYDI_ADVERTISE",
            "127.0.0.1".into(),
            "only this host can reach",
        ),
    ];
    for (var, value, says) in cases {
        let env = vec![
            ("HAYDI_RENDEZVOUS", rv.clone()),
            (var, value.clone()),
            ("HAYDI_JOB_ID", format!("unroutable-{}", std::process::id())),
        ];
        let mut c = h.command(0, &std::env::current_exe().unwrap());
        c.arg("case=suite_program").args(&args);
        for v in HAYDI_VARS {
            c.env_remove(v);
        }
        // One process of two: a driver whose worker never comes (it gives up after 3 s).
        c.env("HAYDI_RANK", "0").env("HAYDI_SIZE", "2");
        c.env("HAYDI_TEST_CONNECT_TIMEOUT", "3");
        for (k, v) in &env {
            c.env(k, v);
        }
        let child = c
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (ok, text) = finish(child, Duration::from_secs(60));
        assert!(!ok, "{var}={value}: {text}");
        assert!(text.contains(says), "{var}={value}: {text}");
    }
    println!("unroutable_addresses: ok");
}

/// The partition program: a long run (the partition happens during it), then runs with gaps
/// (a worker restarted meanwhile catches up and joins), then a traced run in which every
/// worker takes part.
fn partition_program() {
    let dir = PathBuf::from(arg("dir").unwrap());
    let opts = DistributedOptions {
        heartbeat_interval: Duration::from_millis(200),
        heartbeat_timeout: Duration::from_secs(2),
        ..Default::default()
    };
    let ctx = DistributedContext::from_env_with(opts).expect("from_env");
    std::fs::write(dir.join(format!("started-{}", ctx.rank())), "").unwrap();
    let n = Digits(6000)
        .map(|x| slow(x, 2000) % 11)
        .sum()
        .run_in(&ctx)
        .unwrap();
    assert_eq!(n, (0..6000u64).map(|x| x % 11).sum::<u64>());
    std::fs::write(dir.join(format!("long-{}", ctx.rank())), n.to_string()).unwrap();
    for k in 0..40u64 {
        let c = Digits(500)
            .filter(|x| (x + k) % 5 == 0)
            .count()
            .run_in(&ctx)
            .unwrap();
        assert_eq!(c, 100);
        std::thread::sleep(Duration::from_millis(250));
    }
    if ctx.is_driver() && std::env::args().any(|a| a == "rejoin") {
        // The worker restarted on host 2 is back before the last run.
        assert_eq!(ctx.wait_for_workers(2, Duration::from_secs(60)).unwrap(), 2);
    }
    let (n, ranks) = support::traced_count(&ctx, 3000, 500);
    assert_eq!(n, 3000);
    if ctx.is_driver() {
        let list: Vec<String> = ranks.iter().map(|r| r.to_string()).collect();
        std::fs::write(dir.join("ranks"), list.join(",")).unwrap();
    }
    std::fs::write(dir.join(format!("done-{}", ctx.rank())), "").unwrap();
}

/// The environment of a job of `partition_program` on the three hosts: a rendezvous in the
/// shared folder, the driver listening on host 0, a job id of its own (`tag`).
fn partition_env(h: &Hosts, dir: &tempfile::TempDir, tag: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "HAYDI_RENDEZVOUS",
            dir.path().join("rv").display().to_string(),
        ),
        ("HAYDI_LISTEN", h.addrs[0].clone()),
        ("HAYDI_JOB_ID", format!("{tag}-{}", std::process::id())),
    ]
}

/// Starts `partition_program` as rank r on host r (r = 0, 1, 2) and waits until each started.
fn start_partition_job(
    h: &Hosts,
    dir: &tempfile::TempDir,
    args: &[String],
    env: &[(&str, String)],
) -> Vec<Child> {
    let procs: Vec<Child> = (0..3)
        .map(|r| start(h, r, "partition_program", args, r as u32, env))
        .collect();
    assert!(eventually(Duration::from_secs(60), || (0..3)
        .all(|r| dir.path().join(format!("started-{r}")).exists())));
    procs
}

/// Host 2's link goes down for 5 s (more than the 2 s heartbeat deadline) during a long run:
/// its chunks run elsewhere and the result is exact. Its worker cannot go on with the job: it
/// says it lost the driver and exits non-zero (it does not rejoin by itself). Started again by
/// hand on host 2 once the link is back, it rejoins the running job, catches up, and runs
/// chunks of the last run.
fn partition_then_rejoin() {
    let Some(h) = hosts("partition_then_rejoin") else {
        return;
    };
    let dir = shared();
    let args = vec![format!("dir={}", dir.path().display()), "rejoin".into()];
    let env = partition_env(&h, &dir, "partition");
    let mut procs = start_partition_job(&h, &dir, &args, &env);
    std::thread::sleep(Duration::from_secs(2));
    let t = Instant::now();
    h.link_down(2);
    std::thread::sleep(Duration::from_secs(5));
    h.link_up(2);
    let cut = procs.pop().unwrap();
    let (ok, text) = finish(cut, Duration::from_secs(30));
    assert!(!ok, "the cut-off worker exits non-zero: {text}");
    assert!(text.contains("lost the driver"), "{text}");
    println!(
        "partition_then_rejoin: host 2's worker after {:?}: {}",
        t.elapsed(),
        text.lines().last().unwrap_or("")
    );
    procs.push(start(&h, 2, "partition_program", &args, 2, &env));
    for (r, p) in procs.into_iter().enumerate() {
        let (ok, text) = finish(p, Duration::from_secs(180));
        assert!(ok, "rank {r}: {text}");
    }
    let expected = (0..6000u64).map(|x| x % 11).sum::<u64>().to_string();
    for r in 0..3 {
        assert_eq!(
            std::fs::read_to_string(dir.path().join(format!("long-{r}"))).unwrap(),
            expected,
            "rank {r}"
        );
    }
    let ranks = std::fs::read_to_string(dir.path().join("ranks")).unwrap();
    assert!(
        ranks.contains('2'),
        "the rejoined worker ran no chunk: {ranks}"
    );
    println!("partition_then_rejoin: ok (chunks of the last run on ranks {ranks})");
}

/// Every process of host 2 is killed during the long run: its chunks run elsewhere, the
/// result is exact, and the job ends well on hosts 0 and 1.
fn host_killed() {
    let Some(h) = hosts("host_killed") else {
        return;
    };
    let dir = shared();
    let args = vec![format!("dir={}", dir.path().display())];
    let env = partition_env(&h, &dir, "killed");
    let mut procs = start_partition_job(&h, &dir, &args, &env);
    std::thread::sleep(Duration::from_secs(2));
    assert!(h.kill_host(2) > 0, "host 2 ran nothing");
    let _ = procs.pop().unwrap().wait();
    for (r, p) in procs.into_iter().enumerate() {
        let (ok, text) = finish(p, Duration::from_secs(180));
        assert!(ok, "rank {r}: {text}");
    }
    let expected = (0..6000u64).map(|x| x % 11).sum::<u64>().to_string();
    for r in 0..2 {
        assert_eq!(
            std::fs::read_to_string(dir.path().join(format!("long-{r}"))).unwrap(),
            expected
        );
    }
    println!("host_killed: ok");
}

/// The crop's oracle: the plain loop of its job.
fn crop_expected() -> u64 {
    (0..3000u64).map(|x| x % 13).sum()
}

/// The crop of `crop_across_hosts`: one job made at one call site with the same arguments on
/// every host (the role comes from the environment, `HAYDI_TEST_ROLE`): sow 9 batches, grow
/// the batches `HAYDI_TEST_BATCHES` lists, grow what is missing, or reap.
fn crop_program() {
    let dir = PathBuf::from(arg("dir").unwrap());
    // How long each item takes on this host (the values, and so the job, are the same on
    // every host): host 2's batches are slow, so that it dies in the middle of one.
    let micros: u64 = std::env::var("HAYDI_TEST_MICROS").map_or(2000, |m| m.parse().unwrap());
    let crop = Crop::new(
        "hosts",
        &dir,
        Digits(3000).map(move |x| slow(x, micros) % 13).sum(),
    )
    .unwrap()
    .lease_timeout(Duration::from_secs(3));
    match std::env::var("HAYDI_TEST_ROLE").unwrap().as_str() {
        "sow" => assert_eq!(crop.sow(Batches::Count(9)).unwrap(), 9),
        "grow" => {
            let ids: Vec<usize> = std::env::var("HAYDI_TEST_BATCHES")
                .unwrap()
                .split(',')
                .map(|i| i.parse().unwrap())
                .collect();
            std::fs::write(dir.join(format!("growing-{}", ids[0])), "").unwrap();
            for id in ids {
                assert_eq!(crop.grow(id).unwrap(), Grow::Grown, "batch {id}");
            }
        }
        "grow_missing" => {
            // A batch whose grower died keeps its lease until the lease times out: grow
            // what is missing until nothing is.
            let t = Instant::now();
            while !crop.missing().unwrap().is_empty() {
                assert!(
                    t.elapsed() < Duration::from_secs(60),
                    "batches stay missing"
                );
                crop.grow_missing().unwrap();
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        "reap" => {
            let v = crop.reap().unwrap();
            std::fs::write(dir.join("reaped"), v.to_string()).unwrap();
        }
        other => panic!("unknown role {other}"),
    }
}

/// A crop on a folder every host shares: sown on host 0, its batches grown by processes on
/// hosts 0, 1 and 2 at once, host 2 killed in the middle of a batch, what is missing grown
/// from host 1 (taking over the dead grower's lease once it is stale), reaped on host 0: the
/// reap equals the plain loop.
fn crop_across_hosts() {
    let Some(h) = hosts("crop_across_hosts") else {
        return;
    };
    let dir = shared();
    let args = vec![format!("dir={}", dir.path().display())];
    let role = |host: usize, role: &str, batches: &str| {
        let mut c = h.command(host, &std::env::current_exe().unwrap());
        c.arg("case=crop_program").args(&args);
        for v in HAYDI_VARS {
            c.env_remove(v);
        }
        c.env("HAYDI_TEST_ROLE", role)
            .env("HAYDI_TEST_BATCHES", batches);
        if host == 2 && role == "grow" {
            c.env("HAYDI_TEST_MICROS", "20000");
        }
        c.stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (ok, text) = finish(role(0, "sow", ""), Duration::from_secs(60));
    assert!(ok, "sow: {text}");
    let growers: Vec<Child> = [(0, "1,4,7"), (1, "3,6,9"), (2, "2,5,8")]
        .into_iter()
        .map(|(host, ids)| role(host, "grow", ids))
        .collect();
    assert!(eventually(Duration::from_secs(60), || dir
        .path()
        .join("growing-2")
        .exists()));
    std::thread::sleep(Duration::from_millis(300));
    assert!(h.kill_host(2) > 0, "host 2 grew nothing");
    for (i, g) in growers.into_iter().enumerate() {
        let (ok, text) = finish(g, Duration::from_secs(120));
        if i < 2 {
            assert!(ok, "grower on host {i}: {text}");
        }
    }
    let (ok, text) = finish(role(1, "grow_missing", ""), Duration::from_secs(120));
    assert!(ok, "grow_missing: {text}");
    assert!(
        text.contains("took over a stale lease"),
        "host 2's batch was taken over: {text}"
    );
    let (ok, text) = finish(role(0, "reap", ""), Duration::from_secs(60));
    assert!(ok, "reap: {text}");
    let reaped = std::fs::read_to_string(dir.path().join("reaped")).unwrap();
    assert_eq!(reaped, crop_expected().to_string());
    println!("crop_across_hosts: ok, reaped {reaped}");
}
