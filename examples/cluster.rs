//! The same program on worker processes or on a cluster (SPMD: every process runs this `main`).
//!
//! ```text
//! # on this machine, 2 spawned worker processes:
//! cargo run --release --example cluster
//!
//! # under Open MPI, on the MPI transport (feature `mpi`: messages over MPI, the cluster's
//! # fabric; needs libopenmpi-dev and libclang-dev to build):
//! cargo build --release --features mpi --example cluster
//! mpirun -n 4 target/release/examples/cluster
//! #   as root or with more ranks than cores: mpirun --allow-run-as-root --oversubscribe -n 4 ...
//!
//! # under Open MPI without the feature: no MPI library is linked; haydi reads
//! # OMPI_COMM_WORLD_RANK/SIZE and talks its own authenticated TCP between the ranks:
//! cargo build --release --example cluster
//! mpirun -n 4 target/release/examples/cluster
//!
//! # Which one: MPI where the nodes' TCP ports are closed or the fabric is InfiniBand or
//! # Omni-Path, and where the job is fail-stop anyway; TCP to survive lost workers (their chunks
//! # run elsewhere), for `spawn`, and where no MPI is installed. HAYDI_TRANSPORT=tcp picks TCP in
//! # a build with the feature.
//!
//! # under Slurm (SLURM_PROCID/SLURM_NTASKS); several machines need a rendezvous file on a
//! # shared file system where rank 0 writes its address and a fresh secret:
//! HAYDI_RENDEZVOUS=$HOME/.haydi-$SLURM_JOB_ID srun -n 64 target/release/examples/cluster
//!
//! # by hand: a driver listening on a port, workers joining from other machines:
//! export HAYDI_SECRET=$(openssl rand -hex 32) HAYDI_SIZE=3
//! HAYDI_RANK=0 HAYDI_COORDINATOR=0.0.0.0:7000 target/release/examples/cluster   # machine A
//! HAYDI_RANK=1 HAYDI_COORDINATOR=machine-a:7000 target/release/examples/cluster # machine B
//! HAYDI_RANK=2 HAYDI_COORDINATOR=machine-a:7000 target/release/examples/cluster # machine C
//! ```
//!
//! Only rank 0 prints the results; every rank gets the same values. An optional argument sets
//! the bound of the prime count (default 2000000).

use haydi::DistributedContext;
use haydi::contexts::distributed::launcher::detect_launcher;
use haydi::prelude::*;

fn is_prime(n: i64) -> bool {
    n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0)
}

fn main() -> haydi::Result<()> {
    let ctx = if detect_launcher().is_some() {
        DistributedContext::from_env()?
    } else {
        DistributedContext::spawn(2)?
    };
    let rank = ctx.rank();
    let name = ctx.name();
    session::set_parallel_context(ctx);

    // The bound may be given as the first argument (every process gets the same arguments).
    let n: i64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2_000_000);
    let primes = Range::new(n).filter(|n| is_prime(*n)).count().run(true)?;
    let twins = Range::new(100_000)
        .filter(|n| is_prime(*n) && is_prime(n + 2))
        .take(5)
        .collect()
        .run(true)?;
    let checksum = Range::new(1_000_000)
        .map(|x| x * x % 1_000_003)
        .sum()
        .run(true)?;
    // Every process has the same values: the driver broadcasts each result.
    if rank == 0 {
        println!("context: {name}");
        println!("primes below {n}: {primes}");
        println!("first twin primes: {twins:?}");
        println!("checksum: {checksum}");
    }
    Ok(())
}
