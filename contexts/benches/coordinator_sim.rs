//! Coordinator simulation: how many workers one driver keeps busy at a given chunk duration.
//!
//! `cargo bench -p haydi-contexts --bench coordinator_sim` (add `-- --chunk-ms 10 --workers
//! 8,32 --per-worker 100` for one table of your own).
//!
//! The driver is the real one: a `DistributedContext` (rank 0, via `from_env_with`) with its
//! TCP listener, authentication, framing, protocol encoding and decoding, scheduler and merge.
//! The workers are simulated: tokio tasks in this process that join over loopback like real
//! workers (HMAC handshake, `Join`, `Announce`), and "run" each chunk by sleeping for a synthetic
//! duration instead of computing, then send a real encoded partial back. Every chunk is one
//! index (`max_growth: 1`, no probe), so each costs exactly one chunk duration, and the run's
//! result (a count) checks that every chunk was merged exactly once.
//!
//! Utilisation = sum of the simulated workers' busy time / (workers x wall time of the run);
//! a speculative copy of a straggler's chunk counts as busy time (the `copies` column says how
//! many ran).

use haydi_contexts::distributed::Secret;
use haydi_contexts::distributed::launcher;
use haydi_contexts::distributed::protocol::{
    ChunkResult, Join, RunId, ToDriver, ToWorker, decode, encode,
};
use haydi_contexts::distributed::transport::tcp::join_driver;
use haydi_contexts::{DistributedContext, DistributedOptions};
use haydi_core::context::RunReport;
use haydi_core::domain::tests_support::Digits;
use haydi_core::plumbing::{ErasedJob, ScheduleConfig};
use haydi_core::prelude::*;
use haydi_core::{ParallelContext, RunOptions, SerialContext};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a simulated worker needs to know about the job: its run id and the encoded partial of
/// one index.
#[derive(Debug, Default)]
struct Capture(Mutex<Option<(RunId, Vec<u8>)>>);

impl ParallelContext for Capture {
    fn execute(&self, job: &dyn ErasedJob, opts: &RunOptions) -> Result<RunReport> {
        let sig = job.signature();
        let one = job.run_chunk(0, 1, &[])?;
        let bytes = job.encode_partial(&one.partial)?;
        let id = RunId {
            seq: 0,
            call_site: sig.call_site.to_string(),
            type_name: sig.type_name.to_string(),
            source: job.fingerprint(),
        };
        *self.0.lock().unwrap() = Some((id, bytes));
        SerialContext.execute(job, opts)
    }
    fn workers(&self) -> usize {
        1
    }
    fn name(&self) -> String {
        "capture".into()
    }
}

struct SimJob {
    id: RunId,
    partial: Vec<u8>,
    cost: Duration,
    busy: AtomicU64,
    /// Chunks executed, speculative copies included (a straggler's chunk may run twice).
    chunks: AtomicU64,
    /// The distinct chunks executed, by start: each must be there exactly once.
    starts: Mutex<HashSet<u128>>,
}

async fn sim_worker(addr: String, secret: Secret, rank: u32, job: Arc<SimJob>) {
    let join = Join {
        rank,
        exe_hash: launcher::exe_hash(),
        threads: 1,
        pid: std::process::id(),
        host: "sim".into(),
        job: launcher::job_identity(),
    };
    let (mut wr, mut rd) = loop {
        match join_driver(&addr, &secret, &join, 1 << 30).await {
            Ok((tx, rx, _)) => break (tx, rx),
            Err(e) if e.starts_with("connect") => {
                tokio::time::sleep(Duration::from_millis(20)).await
            }
            Err(e) => panic!("cannot join: {e}"),
        }
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    tokio::spawn(async move {
        let hb = encode(&ToDriver::Heartbeat).unwrap();
        let _ = wr
            .pump(&mut rx, &hb, Duration::from_millis(500), || {})
            .await;
    });
    // Announce at once: the driver keeps it until its run starts.
    let _ = tx.send(encode(&ToDriver::Announce(job.id.clone())).unwrap());
    while let Ok(Some(f)) = rd.recv(Duration::from_secs(60)).await {
        match decode::<ToWorker>(&f) {
            Ok(ToWorker::Chunk { run, chunk }) => {
                let (id, start, end) = (chunk.id, chunk.start, chunk.end);
                // One thread: one chunk at a time, so it "runs" right here.
                let t = Instant::now();
                tokio::time::sleep(job.cost * (end - start) as u32).await;
                let took = t.elapsed().as_nanos() as u64;
                job.busy.fetch_add(took, Ordering::Relaxed);
                job.chunks.fetch_add(1, Ordering::Relaxed);
                job.starts.lock().unwrap().insert(start);
                let done = ToDriver::Done {
                    run,
                    chunk: id,
                    result: Ok(ChunkResult {
                        partial: job.partial.clone(),
                        take_counts: Vec::new(),
                        items: end as u64 - start as u64,
                    }),
                    nanos: took,
                    thread: 1,
                    began: 0,
                };
                let _ = tx.send(encode(&done).unwrap());
            }
            Ok(ToWorker::Result { .. } | ToWorker::Shutdown) | Err(_) => break,
            Ok(_) => {}
        }
    }
}

struct Row {
    workers: usize,
    chunks: u64,
    /// Speculative copies executed beyond the `chunks`.
    copies: u64,
    wall: Duration,
    ideal: Duration,
    utilisation: f64,
}

fn simulate(workers: usize, cost: Duration, per_worker: u64) -> Result<Row, String> {
    // One call site and one type for the capture and the measured run.
    let go = |ctx: &dyn ParallelContext, n: u64| Digits(n).count().run_in(ctx).unwrap();
    // The measured run's source (its size) is in its run id: capture that very job.
    let n = per_worker * workers as u64;
    let capture = Capture::default();
    go(&capture, n);
    let (id, partial) = capture.0.lock().unwrap().take().unwrap();
    let job = Arc::new(SimJob {
        id,
        partial,
        cost,
        busy: AtomicU64::new(0),
        chunks: AtomicU64::new(0),
        starts: Mutex::new(HashSet::new()),
    });
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let secret = Secret::random();
    // Single-threaded here: nothing else reads the environment yet.
    unsafe { std::env::set_var("HAYDI_RANK", "0") };
    unsafe { std::env::set_var("HAYDI_SIZE", (workers + 1).to_string()) };
    unsafe { std::env::set_var("HAYDI_COORDINATOR", &addr) };
    unsafe { std::env::set_var("HAYDI_SECRET", secret.to_hex()) };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    for rank in 1..=workers as u32 {
        rt.spawn(sim_worker(addr.clone(), secret.clone(), rank, job.clone()));
    }
    let opts = DistributedOptions {
        driver_threads: Some(0),
        connect_timeout: Duration::from_secs(120),
        handshake_timeout: Duration::from_secs(60),
        heartbeat_timeout: Duration::from_secs(60),
        schedule: ScheduleConfig {
            target_chunk: cost,
            probe_budget: Duration::ZERO,
            inline_threshold: Duration::ZERO,
            max_growth: 1,
        },
        ..Default::default()
    };
    let dist = match DistributedContext::from_env_with(opts) {
        Ok(d) => d,
        Err(e) => {
            rt.shutdown_timeout(Duration::from_secs(1));
            return Err(e.to_string());
        }
    };
    let t = Instant::now();
    let got = go(&dist, n);
    let wall = t.elapsed();
    assert_eq!(got, n, "every chunk merged exactly once");
    // Every index ran (some twice: a speculative copy of a straggler's chunk runs, and is
    // merged once, which `got` checks); the copies are reported, not failed.
    let executed = job.chunks.load(Ordering::Relaxed);
    assert_eq!(
        job.starts.lock().unwrap().len() as u64,
        n,
        "every chunk ran"
    );
    assert!(executed >= n);
    drop(dist);
    rt.shutdown_timeout(Duration::from_secs(1));
    let busy = job.busy.load(Ordering::Relaxed) as f64 * 1e-9;
    Ok(Row {
        workers,
        chunks: n,
        copies: executed - n,
        wall,
        ideal: cost * per_worker as u32,
        utilisation: busy / (workers as f64 * wall.as_secs_f64()),
    })
}

fn table(cost: Duration, counts: &[usize], per_worker: u64) {
    println!("\nchunk duration {cost:?}, {per_worker} chunks per worker");
    println!("| workers | chunks | copies | wall | ideal wall | chunks/s | utilisation |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for &w in counts {
        let r = match simulate(w, cost, per_worker) {
            Ok(r) => r,
            Err(e) => {
                println!("| {w} | - | - | - | - | - | not run: {e} |");
                continue;
            }
        };
        println!(
            "| {} | {} | {} | {:.2} s | {:.2} s | {:.0} | {:.1} % |",
            r.workers,
            r.chunks,
            r.copies,
            r.wall.as_secs_f64(),
            r.ideal.as_secs_f64(),
            r.chunks as f64 / r.wall.as_secs_f64(),
            100.0 * r.utilisation
        );
    }
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(ms) = arg(&args, "--chunk-ms") {
        let cost = Duration::from_secs_f64(ms.parse::<f64>().expect("--chunk-ms") / 1000.0);
        let counts: Vec<usize> = arg(&args, "--workers")
            .unwrap_or_else(|| "8,32,128".into())
            .split(',')
            .map(|s| s.parse().expect("--workers"))
            .collect();
        let per = arg(&args, "--per-worker").map_or(20, |s| s.parse().expect("--per-worker"));
        table(cost, &counts, per);
        return;
    }
    table(
        Duration::from_millis(10),
        &[8, 32, 128, 256, 512, 1024],
        100,
    );
    table(Duration::from_secs(1), &[512, 1024, 2048], 3);
}
