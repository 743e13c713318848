//! Counts non-isomorphic undirected graphs with canonical forms.
//!
//! `cargo run --release --example graphs -- [max_n] [serial|parallel] [TRACE]` prints, for
//! n = 1..max_n (default 8), `n=<n> graphs=<count> secs=<s>`; `parallel` (the default) runs with
//! `run(true)`. With TRACE, the run of n = max_n writes its chunk trace there
//! (`RunOptions::chunk_trace`; `haydi trace TRACE` summarizes how evenly it kept the threads
//! busy).
//! A graph on n vertices is a set of 2-element subsets of a USet of n unlabelled vertices.

use haydi::prelude::*;
use std::time::Instant;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let max: u32 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(8);
    let parallel = args.get(2).map(|a| a != "serial").unwrap_or(true);
    let trace = args.get(3);
    for n in 1..=max {
        let vertices = USet::new(n, "v");
        let graphs = Subsets::new(Subsets::with_size(vertices, 2)?)?;
        let t = Instant::now();
        let mut opts = RunOptions::new();
        if let (Some(path), true) = (trace, n == max) {
            opts = opts.chunk_trace(path);
        }
        let count = graphs.cnfs()?.count().run_with(parallel, &opts)?.value;
        println!("n={n} graphs={count} secs={:.3}", t.elapsed().as_secs_f64());
    }
    Ok(())
}
