//! The runner of the fault-test binaries (`harness = false`): every case runs in a process tree
//! of its own. Without arguments the binary re-executes itself once per case
//! (`BINARY case=NAME`), with a time limit, and checks that the case passed; inside a case,
//! `DistributedContext::spawn` re-executes the case again as workers, which follow the same
//! `main` (SPMD). Run one case with `cargo test --test BINARY -- NAME`.

#![allow(dead_code)]

pub mod hosts;

use haydi_contexts::DistributedContext;
use haydi_core::domain::tests_support::Digits;
use haydi_core::prelude::*;
use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A named case.
pub type Case = (&'static str, fn());

/// Runs the case named on the command line (`case=NAME`), or every case in a child process.
pub fn main(binary: &str, cases: &[Case]) {
    if let Ok(level) = std::env::var("HAYDI_TEST_LOG") {
        // Debugging a case: haydi's events (every process's, workers' in their logs).
        let level = level.parse().unwrap_or(tracing::Level::DEBUG);
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(level)
            .init();
    }
    // One binary gathers several subjects' cases: a name given twice would run only the first.
    for (i, (name, _)) in cases.iter().enumerate() {
        assert!(
            cases[..i].iter().all(|(n, _)| n != name),
            "case {name} is named twice"
        );
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(name) = args.iter().find_map(|a| a.strip_prefix("case=")) {
        match cases.iter().find(|(n, _)| *n == name) {
            Some((_, f)) => f(),
            None => panic!("unknown case {name}"),
        }
        return;
    }
    let filter = args.iter().find(|a| !a.starts_with('-'));
    let exe = std::env::current_exe().expect("current exe");
    let (mut passed, mut failed) = (0, 0);
    for (case, _) in cases {
        if filter.is_some_and(|f| !case.contains(f.as_str())) {
            continue;
        }
        if case.ends_with("_program") {
            // A program other cases start with arguments of their own, not a test.
            continue;
        }
        let t = Instant::now();
        let mut child = Command::new(&exe)
            .arg(format!("case={case}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start case");
        let limit = Duration::from_secs(120);
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
        if status.is_some_and(|s| s.success()) {
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
    println!("\n{binary}: {passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}

/// Whether this process is a worker (rank > 0).
pub fn is_worker() -> bool {
    std::env::var("HAYDI_RANK").is_ok_and(|r| r != "0")
}

/// This process's rank (0 outside distributed runs).
pub fn rank() -> u32 {
    std::env::var("HAYDI_RANK")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// `x`, after sleeping `micros` microseconds (a closure with a cost).
pub fn slow(x: u64, micros: u64) -> u64 {
    std::thread::sleep(Duration::from_micros(micros));
    x
}

/// Polls `f` every 20 ms until it holds or `limit` passes; whether it held.
pub fn eventually(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let t = Instant::now();
    while t.elapsed() < limit {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    f()
}

/// Sends `signal` (`-9`, `-STOP`, ...) to process `pid`.
pub fn signal(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status();
}

/// Runs `Digits(n).map(slow(x, micros)).count()` on `ctx` with a chunk trace (in a private
/// temporary folder), on every process. Returns the count and, on the driver, the ranks that
/// ran chunks (the `pid`s of the trace's chunk events; empty elsewhere).
pub fn traced_count(ctx: &DistributedContext, n: u64, micros: u64) -> (u64, BTreeSet<u64>) {
    let dir = tempfile::tempdir().expect("a private temporary folder");
    let path = dir.path().join("trace.json");
    let out = session::with_parallel_context(ctx.clone(), || {
        Digits(n)
            .map(|x| slow(x, micros))
            .count()
            .run_with(true, &RunOptions::new().chunk_trace(&path))
    })
    .expect("the traced run");
    let mut ranks = BTreeSet::new();
    if ctx.is_driver() {
        let text = std::fs::read_to_string(&path).expect("the trace");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("trace JSON");
        for e in doc["traceEvents"].as_array().expect("trace events") {
            if e["ph"] == "X" {
                ranks.insert(e["pid"].as_u64().expect("a pid"));
            }
        }
    }
    (out.value, ranks)
}

/// Runs the `haydi` tool with `args` and the extra environment `env` (none of the variables
/// through which it finds a driver is inherited); its exit code, stdout and stderr.
pub fn haydi_tool(
    args: &[impl AsRef<std::ffi::OsStr>],
    env: &[(&str, &str)],
) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_haydi"));
    for v in [
        "HAYDI_COORDINATOR",
        "HAYDI_SECRET",
        "HAYDI_RENDEZVOUS",
        "XDG_RUNTIME_DIR",
    ] {
        cmd.env_remove(v);
    }
    let out = cmd
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run haydi");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

/// The haydi variables a by-hand child must not inherit from whoever runs the tests.
pub const HAYDI_VARS: &[&str] = &[
    "HAYDI_RANK",
    "HAYDI_SIZE",
    "HAYDI_COORDINATOR",
    "HAYDI_SECRET",
    "HAYDI_RENDEZVOUS",
    "HAYDI_JOB_ID",
    "HAYDI_SPAWN_INDEX",
    "HAYDI_PARENT_PID",
    "XDG_RUNTIME_DIR",
];

/// This test binary with `args`, the haydi variables cleared, and `envs` set.
pub fn by_hand(args: &[&str], envs: &[(&str, &str)]) -> Command {
    by_hand_exe(&std::env::current_exe().unwrap(), args, envs)
}

/// [`by_hand`] with another executable (a copy of this test binary).
pub fn by_hand_exe(exe: &std::path::Path, args: &[&str], envs: &[(&str, &str)]) -> Command {
    let mut c = Command::new(exe);
    c.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    for v in HAYDI_VARS {
        c.env_remove(v);
    }
    c.envs(envs.iter().copied());
    c
}

/// Waits for `child` at most `limit` (then kills it) and returns its status and output.
pub fn finish(mut child: std::process::Child, limit: Duration) -> (bool, String) {
    let t = Instant::now();
    while child.try_wait().unwrap().is_none() && t.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "({} after {:?})\n{}\n{}",
        out.status,
        t.elapsed(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

pub fn arg(name: &str) -> Option<String> {
    std::env::args()
        .skip(1)
        .find_map(|a| a.strip_prefix(&format!("{name}=")).map(String::from))
}
