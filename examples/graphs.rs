//! Counts non-isomorphic undirected graphs with canonical forms.
//!
//! `cargo run --release --example graphs -- [max_n] [serial|parallel]` prints, for n = 1..max_n
//! (default 8), `n=<n> graphs=<count> secs=<s>`; `parallel` (the default) runs with `run(true)`.

use haydi::canon::{cnfs, shape, USet};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let max: u32 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(8);
    let parallel = args.get(2).map(|a| a != "serial").unwrap_or(true);
    for n in 1..=max {
        let u = USet::new(n, "v");
        let graphs = shape::subsets(shape::subsets_sized(shape::uset(&u), 2, 2));
        let t = Instant::now();
        let count = cnfs(&graphs)
            .expect("graphs are strict")
            .count()
            .run(parallel)
            .expect("run");
        println!("n={n} graphs={count} secs={:.3}", t.elapsed().as_secs_f64());
    }
}
