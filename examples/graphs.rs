//! Counts non-isomorphic undirected graphs with canonical forms, of a class if asked.
//!
//! `cargo run --release --example graphs -- [max_n] [serial|parallel] [TRACE] [--geng SWITCHES]`
//! prints, for n = 1..max_n (default 8), `n=<n> graphs=<count> secs=<s>`; `parallel` (the
//! default) runs with `run(true)`. With TRACE, the run of n = max_n writes its chunk trace
//! there (`RunOptions::chunk_trace`; `haydi trace TRACE` summarizes how evenly it kept the
//! threads busy). With `--geng SWITCHES` it counts the class that nauty's geng generates with
//! those switches (`--geng "-c -t"`, `--geng "-D3 10:12"`; [`Graphs::geng`]), pruned during
//! generation; without it, the graphs of the domain `Subsets(Subsets(USet(n), 2, 2))`.
//! A graph on n vertices is a set of 2-element subsets of a USet of n unlabelled vertices.

use haydi::prelude::*;
use std::time::Instant;

fn main() -> Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let switches = match args.iter().position(|a| a == "--geng") {
        Some(i) => {
            let sw = args.get(i + 1).cloned().ok_or_else(|| {
                Error::InvalidArgument("--geng needs the switches, as one argument".into())
            })?;
            args.drain(i..=i + 1);
            Some(sw)
        }
        None => None,
    };
    let max: u32 = args.first().and_then(|a| a.parse().ok()).unwrap_or(8);
    let parallel = args.get(1).map(|a| a != "serial").unwrap_or(true);
    let trace = args.get(2);
    for n in 1..=max {
        let t = Instant::now();
        let mut opts = RunOptions::new();
        if let (Some(path), true) = (trace, n == max) {
            opts = opts.chunk_trace(path);
        }
        let count = match &switches {
            Some(sw) => Graphs::geng(n as usize, sw)?
                .count()
                .run_with(parallel, &opts)?,
            None => {
                let vertices = USet::new(n, "v");
                let graphs = Subsets::new(Subsets::with_size(vertices, 2)?)?;
                graphs.cnfs()?.count().run_with(parallel, &opts)?
            }
        }
        .value;
        println!("n={n} graphs={count} secs={:.3}", t.elapsed().as_secs_f64());
    }
    Ok(())
}
