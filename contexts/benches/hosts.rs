//! Small-run latency and throughput across hosts (network namespaces joined by veth pairs on a
//! bridge) next to loopback and threads, measured in one run: `cargo bench -p haydi-contexts
//! --bench hosts` (as root; without root it says so and measures loopback and threads only).
//!
//! Every configuration runs in a process of its own (this binary, re-executed with
//! `measure=MODE`), the same two measurements each:
//! - latency: the median time of a small run that must reach every worker process and come
//!   back (`Pool::apply` of a trivial function: one index per worker process), over 200 runs;
//! - throughput: 8000 items of about 250 µs of CPU each (2 s of work), items per second.
//!
//! Modes: `threads` (a `ThreadContext` of 2), `spawn` (`spawn(2)`, loopback TCP), `hosts` (the
//! driver on host 0, one worker on each of hosts 1 and 2, TCP over the veths). With 2 cores
//! the two workers have a core each in every mode; the driver runs no chunk.

#[allow(dead_code)]
#[path = "../tests/distributed/support/hosts.rs"]
mod hosts;

use haydi_contexts::{DistributedContext, DistributedOptions, Pool};
use haydi_core::domain::tests_support::Digits;
use haydi_core::prelude::*;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ITEMS: u64 = 8000;
const WORK: Duration = Duration::from_micros(250);
const ROUNDS: usize = 200;

fn spin(x: u64) -> u64 {
    let t = Instant::now();
    let mut h = x;
    while t.elapsed() < WORK {
        h = h.wrapping_mul(6364136223846793005).wrapping_add(1);
    }
    h & 1
}

/// Measures on `ctx` and prints one line: `MODE latency_us=.. throughput=..`.
fn measure(mode: &str, ctx: Arc<dyn ParallelContext>, is_driver: bool) {
    let pool = Pool::from_shared(ctx.clone());
    // Warm up: connections, thread pools, code paths.
    for _ in 0..20 {
        pool.apply(|w| w).unwrap();
    }
    let mut times = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let v = pool.apply(|w| w).unwrap();
        times.push(t.elapsed());
        assert_eq!(v.len(), pool.len());
    }
    times.sort();
    let latency = times[ROUNDS / 2];
    let t = Instant::now();
    let n = Digits(ITEMS).map(spin).count().run_in(&*ctx).unwrap();
    let took = t.elapsed();
    assert_eq!(n, ITEMS);
    if is_driver {
        println!(
            "{mode} latency_us={:.1} throughput={:.0} items_per_s",
            latency.as_secs_f64() * 1e6,
            ITEMS as f64 / took.as_secs_f64()
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(mode) = args.iter().find_map(|a| a.strip_prefix("measure=")) {
        let opts = DistributedOptions {
            driver_threads: Some(0),
            ..Default::default()
        };
        match mode {
            "threads" => measure(mode, Arc::new(ThreadContext::new(2).unwrap()), true),
            "spawn" => {
                let ctx = DistributedContext::spawn_with(2, opts).unwrap();
                let d = ctx.is_driver();
                measure(mode, Arc::new(ctx), d);
            }
            "hosts" => {
                let ctx = DistributedContext::from_env_with(opts).unwrap();
                let d = ctx.is_driver();
                measure(mode, Arc::new(ctx), d);
            }
            other => panic!("unknown mode {other}"),
        }
        return;
    }
    if args.iter().any(|a| a == "--list" || a == "--test") {
        // `cargo test --benches` and `--list`: nothing to check here.
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let run = |mut c: Command| -> String {
        let out = c
            .stderr(Stdio::inherit())
            .output()
            .expect("run a measurement");
        assert!(out.status.success(), "a measurement failed");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let mut lines = Vec::new();
    for mode in ["threads", "spawn"] {
        let mut c = Command::new(&exe);
        c.arg(format!("measure={mode}"));
        lines.push(run(c));
    }
    match hosts::Hosts::new(3) {
        Ok(h) => {
            let dir = tempfile::tempdir().unwrap();
            let rv = dir.path().join("rendezvous");
            let procs: Vec<_> = (0..3)
                .map(|r| {
                    let mut c = h.command(r, &exe);
                    c.arg("measure=hosts")
                        .env("HAYDI_RANK", r.to_string())
                        .env("HAYDI_SIZE", "3")
                        .env("HAYDI_RENDEZVOUS", &rv)
                        .env("HAYDI_LISTEN", h.network())
                        .env("HAYDI_JOB_ID", format!("bench-{}", std::process::id()))
                        .stdout(Stdio::piped());
                    c.spawn().unwrap()
                })
                .collect();
            for p in procs {
                let out = p.wait_with_output().unwrap();
                assert!(out.status.success(), "a host's process failed");
                let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
                if !text.is_empty() {
                    lines.push(text);
                }
            }
        }
        Err(why) => println!("across hosts: not measured ({why})"),
    }
    for l in lines {
        println!("{l}");
    }
}
