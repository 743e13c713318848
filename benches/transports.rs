//! MPI against TCP on one machine, side by side in one run:
//! `cargo bench -p haydi --features mpi --bench transports`.
//!
//! The outer process measures `ThreadContext::new(2)` and `DistributedContext::spawn(2)` (TCP,
//! two worker processes of one thread, the driver runs no chunks), then starts
//! `mpirun -n 3` on itself for the same jobs on `DistributedContext::mpi()` (rank 0 drives and
//! runs no chunks, two worker ranks of one thread), and prints one table. Fixed repetitions
//! (not criterion): every process of a distributed context follows the same `main` (SPMD), so
//! the number of runs must be known to all of them. Medians of the repetitions:
//!
//! - `small run`: the fixed cost of one `run(true)` of a tiny job (`Range::new(1000).sum()`).
//! - `chunks/s`: one-index chunks (`RunOptions::chunk_size(1)`) of a 20 000-index count: what the
//!   coordinator needs to hand out, receive and merge one chunk.
//! - `cpu heavy`: a CPU-bound map (10^6 indices of about 2 000 rotate-xor steps, about 0.6 s on two threads: long enough that start-up latency is not what is measured); the ratio
//!   is the distributed context's throughput against `threads(2)`.

use haydi::prelude::*;
use haydi::{DistributedContext, DistributedOptions};
use std::process::Command;
use std::time::Instant;

fn heavy(x: i64) -> i64 {
    (0..2000i64).fold(x, |a, b| {
        a.rotate_left(5) ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15_u64 as i64)
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Seconds of each of `n` calls of `f`, after one warm-up call.
fn time(n: usize, mut f: impl FnMut()) -> f64 {
    f();
    median(
        (0..n)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

fn options() -> DistributedOptions {
    DistributedOptions {
        driver_threads: Some(0),
        ..Default::default()
    }
}

/// The three measurements on `ctx`: every process runs them (SPMD); the driver's count.
fn measure(ctx: &DistributedContext) -> (f64, f64, f64) {
    let small = Range::new(1000).sum();
    let small_s = time(200, || {
        small.run_in(ctx).unwrap();
    });
    let chunks = Range::new(20_000).count();
    let one = RunOptions::new().chunk_size(1);
    let chunks_s = time(5, || {
        assert_eq!(chunks.run_in_with(ctx, &one).unwrap().value, 20_000);
    });
    let cpu = Range::new(1_000_000).map(heavy).sum();
    let cpu_s = time(5, || {
        cpu.run_in(ctx).unwrap();
    });
    (small_s, 20_000.0 / chunks_s, cpu_s)
}

fn main() {
    if std::env::var_os("OMPI_COMM_WORLD_RANK").is_some() {
        // Under mpirun: the MPI transport.
        let ctx = DistributedContext::mpi_with(options()).unwrap();
        let (small, chunks, cpu) = measure(&ctx);
        if ctx.is_driver() {
            println!("mpi {small} {chunks} {cpu}");
        }
        return;
    }
    let tcp = DistributedContext::spawn_with(2, options()).unwrap();
    let (tcp_small, tcp_chunks, tcp_cpu) = measure(&tcp);
    if !tcp.is_driver() {
        return;
    }
    let threads = ThreadContext::new(2).unwrap();
    let cpu = Range::new(1_000_000).map(heavy).sum();
    let threads_cpu = time(5, || {
        cpu.run_in(&threads).unwrap();
    });
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("mpirun")
        .args(["--allow-run-as-root", "--oversubscribe", "-n", "3"])
        .arg(&exe)
        .output()
        .expect("start mpirun");
    let text = String::from_utf8_lossy(&out.stdout);
    let mpi: Vec<f64> = text
        .lines()
        .find_map(|l| l.strip_prefix("mpi "))
        .unwrap_or_else(|| {
            panic!(
                "no result from mpirun: {text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
        .split_whitespace()
        .map(|w| w.parse().unwrap())
        .collect();
    let (mpi_small, mpi_chunks, mpi_cpu) = (mpi[0], mpi[1], mpi[2]);
    println!("| measure | threads(2) | TCP spawn(2) | MPI mpirun -n 3 | MPI / TCP |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    println!(
        "| small run(true) | | {:.3} ms | {:.3} ms | {:.2}x |",
        tcp_small * 1e3,
        mpi_small * 1e3,
        mpi_small / tcp_small
    );
    println!(
        "| one-index chunks handed out and merged | | {:.0}/s | {:.0}/s | {:.2}x |",
        tcp_chunks,
        mpi_chunks,
        mpi_chunks / tcp_chunks
    );
    println!(
        "| cpu heavy (10^6 x 2 000 steps) | {:.1} ms | {:.1} ms ({:.2}x threads) | {:.1} ms ({:.2}x threads) | {:.2}x |",
        threads_cpu * 1e3,
        tcp_cpu * 1e3,
        threads_cpu / tcp_cpu,
        mpi_cpu * 1e3,
        threads_cpu / mpi_cpu,
        tcp_cpu / mpi_cpu
    );
}
