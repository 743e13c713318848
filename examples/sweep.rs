//! A parameter sweep written as CSV.
//!
//! Every pair of parameters `(m, a)` with a modulus `m` in `2..=max_m` and a multiplier `a` in
//! `1..=max_a` (a `Product` of two ranges) is mapped to a metric: the multiplicative order of
//! `a` modulo `m`, the smallest `k >= 1` with `a^k = 1 (mod m)`, or 0 when `a` and `m` share a
//! factor (no such `k`). The rows are collected in parallel, in the sweep's order (`m` major),
//! and written as CSV with the header `m,a,order`.
//!
//! `cargo run --release --example sweep -- [path|-] [max_m] [max_a]` writes to `path`, or to
//! standard output for `-` or no path (defaults: 20 and 20).

use haydi::prelude::*;
use std::io::Write;

/// The multiplicative order of `a` modulo `m`, or 0 when `gcd(a, m) != 1`.
fn order(m: i64, a: i64) -> i64 {
    let a = a.rem_euclid(m);
    let mut x = a;
    for k in 1..=m {
        if x == 1 % m {
            return k;
        }
        x = x * a % m;
    }
    0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().filter(|p| p.as_str() != "-").cloned();
    let number = |i: usize, default: i64| -> Result<i64, Box<dyn std::error::Error>> {
        match args.get(i) {
            Some(s) => Ok(s.parse().map_err(|e| format!("argument {s:?}: {e}"))?),
            None => Ok(default),
        }
    };
    let (max_m, max_a) = (number(1, 20)?, number(2, 20)?);
    let params = Product::new((Range::span(2, max_m + 1, 1)?, Range::span(1, max_a + 1, 1)?));
    let rows = params
        .map(|(m, a)| (m, a, order(m, a)))
        .collect()
        .run(true)?;
    let mut out: Box<dyn Write> = match &path {
        Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p)?)),
        None => Box::new(std::io::stdout().lock()),
    };
    writeln!(out, "m,a,order")?;
    for (m, a, k) in &rows {
        writeln!(out, "{m},{a},{k}")?;
    }
    out.flush()?;
    if let Some(p) = path {
        eprintln!("{} rows written to {p}", rows.len());
    }
    Ok(())
}
