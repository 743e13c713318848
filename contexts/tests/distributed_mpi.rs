//! The MPI transport under a real `mpirun -n 3` (feature `mpi`; `harness = false`).
//!
//! Without arguments this binary starts `mpirun` once per case with `role=NAME`; under
//! `mpirun` every rank runs that role (SPMD) and the outer process checks what the job printed,
//! its exit status and that it ended in time (a hang fails the case). Without `mpirun` the test
//! prints SKIPPED, and fails under `CI=true` (`.ci/run` installs Open MPI).

use haydi_contexts::{DistributedContext, DistributedOptions};
use haydi_core::Error;
use haydi_core::prelude::*;
use haydi_domains::Range;
use std::io::Read;
#[path = "distributed/support/mod.rs"]
mod support;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PIDFILE: &str = "HAYDI_TEST_PIDFILE";
const CKPT: &str = "HAYDI_TEST_CHECKPOINT";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(role) = args.iter().find_map(|a| a.strip_prefix("role=")) {
        return run_role(role);
    }
    if Command::new("mpirun").arg("--version").output().is_err() {
        let why = "mpirun is not installed (Debian: apt-get install openmpi-bin libopenmpi-dev)";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{why}: under CI=true this test must run");
        }
        println!("distributed_mpi: SKIPPED: {why}");
        return;
    }
    let filter = args.iter().find(|a| !a.starts_with('-'));
    let cases: &[(&str, fn())] = &[
        ("protocol_over_mpi", protocol_over_mpi),
        ("singleton_without_mpirun", singleton_without_mpirun),
        ("killed_worker_ends_the_job", killed_worker_ends_the_job),
        ("silent_worker_aborts_the_job", silent_worker_aborts_the_job),
        ("worker_panic_outside_a_run", worker_panic_outside_a_run),
        ("driver_panic_outside_a_run", driver_panic_outside_a_run),
        (
            "killed_job_resumes_from_checkpoint",
            killed_job_resumes_from_checkpoint,
        ),
        ("protocol_across_hosts", protocol_across_hosts),
        (
            "partition_is_fail_stop_across_hosts",
            partition_is_fail_stop_across_hosts,
        ),
    ];
    for (name, case) in cases {
        if filter.is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let t = Instant::now();
        case();
        println!("test {name} ... ok ({:.1} s)", t.elapsed().as_secs_f64());
    }
}

/// What a finished (or timed-out) `mpirun` left.
struct Job {
    /// `None` when it ran past its time limit (and was killed).
    success: Option<bool>,
    stdout: String,
    stderr: String,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "success: {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.success, self.stdout, self.stderr
        )
    }
}

fn mpirun_command(role: &str, env: &[(&str, &str)]) -> Command {
    let exe = std::env::current_exe().expect("current exe");
    let mut c = Command::new("mpirun");
    c.args(["--allow-run-as-root", "--oversubscribe", "-n", "3"]);
    for (k, _) in env {
        c.args(["-x", k]);
    }
    c.arg(exe).arg(format!("role={role}"));
    c.envs(env.iter().copied());
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    c
}

/// Waits for a started job, killing it after `limit`.
fn wait(child: std::process::Child, limit: Duration) -> Job {
    wait_then(child, limit, || {})
}

/// [`wait`], calling `after` once the job ended and before reading the rest of its output
/// (processes it left behind, such as an Open MPI daemon on a host cut off from `mpirun`, may
/// still hold its output open: `after` ends them).
fn wait_then(mut child: std::process::Child, limit: Duration, after: impl FnOnce()) -> Job {
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let o = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let e = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let t = Instant::now();
    let success = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break Some(s.success());
        }
        if t.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    after();
    Job {
        success,
        stdout: o.join().unwrap_or_default(),
        stderr: e.join().unwrap_or_default(),
    }
}

fn mpirun(role: &str, env: &[(&str, &str)], limit: Duration) -> Job {
    wait(
        mpirun_command(role, env).spawn().expect("start mpirun"),
        limit,
    )
}

fn rank() -> u32 {
    std::env::var("OMPI_COMM_WORLD_RANK")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// Busy work of about `micros` µs, returning `x`.
fn slow(x: i64, micros: u64) -> i64 {
    let t = Instant::now();
    while t.elapsed() < Duration::from_micros(micros) {
        std::hint::spin_loop();
    }
    x
}

fn signal_self(sig: &str) {
    let _ = Command::new("kill")
        .args([sig, &std::process::id().to_string()])
        .status();
}

/// The ranks' side of every case.
fn run_role(role: &str) {
    let fast_beats = DistributedOptions {
        heartbeat_interval: Duration::from_millis(200),
        heartbeat_timeout: Duration::from_secs(3),
        ..Default::default()
    };
    let ctx = DistributedContext::mpi_with(fast_beats).expect("the MPI context");
    let r = ctx.rank();
    assert_eq!(r, rank(), "the context's rank is MPI's");
    session::set_parallel_context(ctx.clone());
    match role {
        "protocol" => {
            // Started once per process: a second call is the same context.
            assert_eq!(DistributedContext::mpi().expect("again").rank(), r);
            assert_eq!(ctx.size(), 3);
            assert!(ctx.name().contains("(MPI)"), "{}", ctx.name());
            let n = Range::new(200_000)
                .filter(|x| x % 7 == 0)
                .count()
                .run(true)
                .expect("count");
            assert_eq!(n, 28_572);
            // Results far longer than a piece (HAYDI_MPI_PIECE is 4 KiB here): partials from
            // the workers and the broadcast result travel in pieces.
            let squares = Range::new(60_000)
                .map(|x| x * x)
                .collect()
                .run(true)
                .expect("collect");
            let oracle: Vec<i64> = (0..60_000).map(|x| x * x).collect();
            assert_eq!(squares, oracle);
            let text = Range::new(3000)
                .iterate()
                .map(|x| format!("{x},"))
                .reduce_with(|a, b| a + &b)
                .run(true)
                .expect("reduce");
            assert_eq!(text, Some((0..3000).map(|x| format!("{x},")).collect()));
            // A panicking closure fails the run on every rank, naming the chunk.
            let e = Range::new(10_000)
                .map(|x| {
                    if x == 7777 {
                        panic!("seven thousand seven hundred seventy-seven")
                    }
                    x
                })
                .count()
                .run(true)
                .expect_err("the closure panics");
            assert!(matches!(e, Error::Panicked { .. }), "{e}");
            assert!(e.to_string().contains("seventy-seven"), "{e}");
            println!("rank {r}: protocol ok");
        }
        "singleton" => {
            // Started without mpirun: a job of one process, which runs on its own threads.
            assert_eq!((ctx.size(), ctx.is_driver()), (1, true));
            let n = Range::new(100_000)
                .filter(|x| x % 3 == 0)
                .count()
                .run(true)
                .expect("count");
            assert_eq!(n, 33_334);
            println!("singleton ok");
        }
        "killed_worker" | "silent_worker" => {
            // Rank 1 is killed, or rank 2 stops (SIGSTOP: alive but silent), at its first item.
            let (victim, signal) = if role == "killed_worker" {
                (1, "-KILL")
            } else {
                (2, "-STOP")
            };
            let n = Range::new(100_000)
                .map(|x| {
                    if rank() == victim {
                        signal_self(signal);
                    }
                    slow(x, 200)
                })
                .count()
                .run(true);
            println!("rank {r}: after the run {n:?}");
        }
        "worker_panic" | "driver_panic" => {
            let first = Range::new(50_000).sum().run(true).expect("first run");
            println!("rank {r}: first run {first}");
            let who = if role == "worker_panic" { 1 } else { 0 };
            if r == who {
                panic!("rank {r} gives up outside a run");
            }
            let second = Range::new(200_000)
                .map(|x| slow(x, 20))
                .filter(|x| x % 7 == 0)
                .count()
                .run(true);
            println!("rank {r}: second run {second:?}");
        }
        "checkpointed" => {
            if r == 0 {
                let pidfile = std::env::var_os(PIDFILE).expect("pid file");
                std::fs::write(pidfile, std::process::id().to_string()).expect("write pid");
            }
            let path = std::env::var_os(CKPT).expect("checkpoint path");
            let opts = RunOptions::new()
                .checkpoint(path)
                .checkpoint_every(Duration::from_millis(100));
            let out = Range::new(6000)
                .map(|x| slow(x, 1500) * 3)
                .sum()
                .run_with(true, &opts)
                .expect("the run");
            if r == 0 {
                println!(
                    "value={} resumed={} processed={}",
                    out.value, out.resumed, out.processed
                );
            }
        }
        "long_run" => {
            if r == 0 {
                let flag = std::env::var_os(PIDFILE).expect("started file");
                std::fs::write(flag, "").expect("write");
            }
            let n = Range::new(40_000).map(|x| slow(x, 300)).count().run(true);
            println!("rank {r}: after the run {n:?}");
        }
        other => panic!("unknown role {other}"),
    }
}

fn protocol_over_mpi() {
    let job = mpirun(
        "protocol",
        &[("HAYDI_MPI_PIECE", "4096")],
        Duration::from_secs(120),
    );
    assert_eq!(job.success, Some(true), "{job:?}");
    for r in 0..3 {
        assert!(
            job.stdout.contains(&format!("rank {r}: protocol ok")),
            "{job:?}"
        );
    }
}

fn singleton_without_mpirun() {
    let exe = std::env::current_exe().expect("current exe");
    let child = Command::new(exe)
        .arg("role=singleton")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let job = wait(child, Duration::from_secs(60));
    assert_eq!(job.success, Some(true), "{job:?}");
    assert!(job.stdout.contains("singleton ok"), "{job:?}");
}

fn killed_worker_ends_the_job() {
    let job = mpirun("killed_worker", &[], Duration::from_secs(90));
    // mpirun aborts the job: a clear end, never a hang, never a silent result.
    assert_eq!(job.success, Some(false), "{job:?}");
    assert!(!job.stdout.contains("after the run Ok"), "{job:?}");
    assert!(
        job.stderr.contains("signal 9") || job.stderr.contains("Killed"),
        "{job:?}"
    );
}

fn silent_worker_aborts_the_job() {
    let job = mpirun("silent_worker", &[], Duration::from_secs(90));
    assert_eq!(job.success, Some(false), "{job:?}");
    assert!(job.stderr.contains("worker rank 2"), "{job:?}");
    assert!(job.stderr.contains("sent nothing"), "{job:?}");
    assert!(job.stderr.contains("aborting the MPI job"), "{job:?}");
    assert!(!job.stdout.contains("after the run Ok"), "{job:?}");
}

fn worker_panic_outside_a_run() {
    let job = mpirun("worker_panic", &[], Duration::from_secs(90));
    assert!(job.success.is_some(), "the job hung: {job:?}");
    assert_eq!(job.success, Some(false), "{job:?}");
    assert!(
        job.stderr.contains("rank 1 gives up outside a run"),
        "{job:?}"
    );
    // The panicking rank left cleanly (it said so at its exit, and no rank hung), but its
    // program never reached the second run: the processes diverged, and both other ranks get
    // the same clear error naming it, never a result computed without it.
    for r in [0, 2] {
        assert!(
            job.stdout.contains(&format!(
                "rank {r}: second run Err(Protocol(\"rank 1's program ended after 1 runs"
            )),
            "{job:?}"
        );
    }
    assert!(job.stdout.contains("the processes diverged"), "{job:?}");
    assert!(!job.stdout.contains("second run Ok"), "{job:?}");
}

fn driver_panic_outside_a_run() {
    let job = mpirun("driver_panic", &[], Duration::from_secs(90));
    assert!(job.success.is_some(), "the job hung: {job:?}");
    assert_eq!(job.success, Some(false), "{job:?}");
    assert!(
        job.stderr.contains("rank 0 gives up outside a run"),
        "{job:?}"
    );
    // The workers' second run fails: the driver's program ended before it reached it.
    assert!(job.stdout.contains("driver's program had ended"), "{job:?}");
    assert!(!job.stdout.contains("second run Ok"), "{job:?}");
}

fn killed_job_resumes_from_checkpoint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ckpt = dir.path().join("run.ckpt");
    let pidfile = dir.path().join("driver.pid");
    let env = [
        (CKPT, ckpt.to_str().expect("utf-8 path")),
        (PIDFILE, pidfile.to_str().expect("utf-8 path")),
    ];
    // 6000 indices of 1.5 ms on 3 ranks (driver thread included): about 3 s. Kill the driver
    // (rank 0) once a checkpoint exists and 1.2 s have passed: mpirun aborts the whole job.
    let first = mpirun_command("checkpointed", &env)
        .spawn()
        .expect("start mpirun");
    let t = Instant::now();
    while !(ckpt.exists() && pidfile.exists() && t.elapsed() > Duration::from_millis(1200)) {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "no checkpoint appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = std::fs::read_to_string(&pidfile).expect("pid");
    let _ = Command::new("kill").args(["-9", pid.trim()]).status();
    let job = wait(first, Duration::from_secs(60));
    assert_eq!(
        job.success,
        Some(false),
        "the first job was not killed: {job:?}"
    );
    assert!(!job.stdout.contains("value="), "{job:?}");
    let job = mpirun("checkpointed", &env, Duration::from_secs(120));
    assert_eq!(job.success, Some(true), "{job:?}");
    let field = |name: &str| -> u128 {
        job.stdout
            .split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in {job:?}"))
            .parse()
            .expect("a number")
    };
    assert_eq!(field("value"), (0..6000u128).map(|x| x * 3).sum::<u128>());
    assert_eq!(field("processed"), 6000);
    let resumed = field("resumed");
    assert!(
        resumed > 0 && resumed < 6000,
        "the second job should resume part of the work, resumed {resumed}"
    );
    println!(
        "killed_job_resumes_from_checkpoint: {resumed} of 6000 indices came from the checkpoint"
    );
}

/// `mpirun` of `role` with one rank in each of three hosts (network namespaces, see
/// `support::hosts`); the agent script goes into `agent_dir`.
fn mpirun_on_hosts(
    hosts: &support::hosts::Hosts,
    agent_dir: &std::path::Path,
    role: &str,
    env: &[(&str, &str)],
) -> std::process::Child {
    let exe = std::env::current_exe().expect("current exe");
    let mut c = Command::new("mpirun");
    c.args(["--allow-run-as-root", "-n", "3"]);
    c.args(hosts.mpirun_args(agent_dir));
    for (k, _) in env {
        c.args(["-x", k]);
    }
    c.arg(exe).arg(format!("role={role}"));
    c.envs(env.iter().copied());
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    c.spawn().expect("start mpirun")
}

/// Kills whatever still runs in the hosts (Open MPI daemons a failed job left there).
fn kill_hosts(h: &support::hosts::Hosts) {
    for i in 0..3 {
        h.kill_host(i);
    }
}

/// Three hosts, or `None` (the case is skipped, or fails under `CI=true`).
fn three_hosts(test: &str) -> Option<support::hosts::Hosts> {
    match support::hosts::Hosts::new(3) {
        Ok(h) => Some(h),
        Err(why) => {
            support::hosts::skip(test, &why);
            None
        }
    }
}

/// The protocol case with its three ranks on three hosts: MPI over TCP between network
/// namespaces, launched by `mpirun` through an agent that enters each one.
fn protocol_across_hosts() {
    let Some(h) = three_hosts("protocol_across_hosts") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let child = mpirun_on_hosts(&h, dir.path(), "protocol", &[("HAYDI_MPI_PIECE", "4096")]);
    let job = wait_then(child, Duration::from_secs(180), || kill_hosts(&h));
    assert_eq!(job.success, Some(true), "{job:?}");
    for r in 0..3 {
        assert!(
            job.stdout.contains(&format!("rank {r}: protocol ok")),
            "{job:?}"
        );
    }
}

/// MPI is fail-stop across hosts too: host 2's link down for longer than the heartbeat
/// deadline (8 s against 3 s here) during a run ends the whole job with a message naming
/// rank 2, never a silent result. (While the link is down `mpirun` itself cannot end its
/// daemon on the cut-off host; it exits once the link is back.)
fn partition_is_fail_stop_across_hosts() {
    let Some(h) = three_hosts("partition_is_fail_stop_across_hosts") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let started = dir.path().join("started");
    let child = mpirun_on_hosts(
        &h,
        dir.path(),
        "long_run",
        &[(PIDFILE, started.to_str().expect("utf-8 path"))],
    );
    let t = Instant::now();
    while !started.exists() {
        assert!(
            t.elapsed() < Duration::from_secs(90),
            "the job did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    // Longer than the heartbeat deadline: the driver aborts the job meanwhile. Then the link
    // comes back (Open MPI's `mpirun` cannot end its daemon on a host it cannot reach).
    h.link_down(2);
    std::thread::sleep(Duration::from_secs(8));
    h.link_up(2);
    let job = wait_then(child, Duration::from_secs(90), || kill_hosts(&h));
    assert_eq!(job.success, Some(false), "{job:?}");
    assert!(job.stderr.contains("worker rank 2"), "{job:?}");
    assert!(job.stderr.contains("sent nothing"), "{job:?}");
    assert!(!job.stdout.contains("after the run Ok"), "{job:?}");
    println!(
        "partition_is_fail_stop_across_hosts: the job ended after {:?}",
        t.elapsed()
    );
}
