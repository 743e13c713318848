//! A pyMOR-style computation on a worker pool: push a large shared object once, scatter the
//! work, `apply` on every worker, gather.
//!
//! The shared object is a dense `n x n` matrix `A` (`A[i][j] = ((31 i + 17 j) mod 13) - 6`);
//! the work is `k` vectors (`v_t[j] = (t + j) mod 7`), scattered over the workers in contiguous
//! parts. Each worker computes `|A v|^2` for its vectors, using the pushed matrix; the driver
//! gathers the parts in order. A `map` over the same vectors, and pushing the matrix a second
//! time, show that both give the same answers with one stored copy.
//!
//! `cargo run --release --example pool -- [--context spawn:2] [--n 300] [--k 10]`
//! (`--context` takes any of serial, threads, threads:N, spawn:N, cluster; the default is
//! spawn:2; `HAYDI_POOL` or a `haydi.toml` choose it too). Prints `workers W`, `parts [..]`,
//! then one line `t |A v_t|^2` per vector.

use clap::Parser;
use haydi::contexts::pool::{Args, ContextSpec};
use haydi::prelude::*;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    haydi: Args,
    /// The matrix is n x n.
    #[arg(long, default_value_t = 300)]
    n: usize,
    /// Number of vectors.
    #[arg(long, default_value_t = 10)]
    k: usize,
}

fn norm2_of_product(a: &[Vec<f64>], v: &[f64]) -> f64 {
    a.iter()
        .map(|row| row.iter().zip(v).map(|(x, y)| x * y).sum::<f64>())
        .map(|y| y * y)
        .sum()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    let mut config = cli.haydi.config()?;
    if config.context.is_none() {
        config.context = Some(ContextSpec::Spawn(2));
    }
    let pool = config.pool()?;
    let n = cli.n;
    let matrix: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| ((31 * i + 17 * j) % 13) as f64 - 6.0)
                .collect()
        })
        .collect();
    let vectors: Vec<Vec<f64>> = (0..cli.k)
        .map(|t| (0..n).map(|j| ((t + j) % 7) as f64).collect())
        .collect();

    // Push the matrix once; a second push of the same content is the same copy.
    let a = pool.push(matrix.clone())?;
    let again = pool.push(matrix)?;
    assert_eq!((a.id(), pool.stored_objects()), (again.id(), 1));
    drop(again);

    // Scatter the vectors, one contiguous part per worker, and apply on every worker.
    let parts = pool.scatter_list(vectors.clone())?;
    let per_worker = pool.apply(|w| {
        parts
            .part(w)
            .iter()
            .map(|v| norm2_of_product(&a, v))
            .collect::<Vec<f64>>()
    })?;
    let gathered: Vec<f64> = per_worker.into_iter().flatten().collect();

    // The same with an ordered map: equal, to the bit (the same sums in the same order).
    let mapped = pool.map(|v: &Vec<f64>| norm2_of_product(&a, v), &vectors)?;
    assert_eq!(gathered, mapped);

    println!("workers {}", pool.len());
    println!("parts {:?}", parts.sizes());
    for (t, x) in gathered.iter().enumerate() {
        println!("{t} {x}");
    }
    Ok(())
}
