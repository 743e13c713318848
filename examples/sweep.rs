//! A labelled parameter sweep written as CSV (and, with the `plot` feature, drawn).
//!
//! Every pair of parameters `(m, a)` with a modulus `m` in `2..=max_m` and a multiplier `a` in
//! `1..=max_a` (a `Sweep`, whose grid is a `Product` of the two lists) is mapped to a metric:
//! the multiplicative order of `a` modulo `m`, the smallest `k >= 1` with `a^k = 1 (mod m)`, or
//! 0 when `a` and `m` share a factor (no such `k`). The rows run in parallel on the session's
//! context and come back in grid order (`m` major), written as CSV with the header
//! `m,a,order`.
//!
//! `cargo run --release --example sweep -- [path|-] [max_m] [max_a] [plots]` writes to `path`,
//! or to standard output for `-` or no path (defaults: 20 and 20). Built with
//! `--features plot`, a fourth argument names a folder that gets `orders.svg`/`.png` (a
//! heatmap over `m` and `a`) and `order-by-a.svg`/`.png` (the order over `a`, one line per `m`
//! up to 7).

use haydi::prelude::*;
use haydi::sweep::Sweep;
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

/// One row's output: its field names are the CSV columns after the parameters.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
struct Metric {
    order: i64,
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
    let table = Sweep::new()
        .param("m", 2..=max_m)
        .param("a", 1..=max_a)
        .run(|p| Metric {
            order: order(p.int("m"), p.int("a")),
        })?;
    let mut out: Box<dyn Write> = match &path {
        Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p)?)),
        None => Box::new(std::io::stdout().lock()),
    };
    table.write_csv(&mut out)?;
    out.flush()?;
    if let Some(p) = path {
        eprintln!("{} rows written to {p}", table.len());
    }
    if let Some(dir) = args.get(3) {
        plots(&table, std::path::Path::new(dir), max_m)?;
    }
    Ok(())
}

#[cfg(feature = "plot")]
fn plots(
    table: &haydi::sweep::Table<Metric>,
    dir: &std::path::Path,
    max_m: i64,
) -> Result<(), Box<dyn std::error::Error>> {
    use haydi::sweep::{Heatmap, LinePlot};
    let heat = table.heatmap(
        &Heatmap::new("m", "a").value_label("order of a mod m"),
        |r| r.order as f64,
    )?;
    heat.write_svg(dir.join("orders.svg"))?;
    heat.write_png(dir.join("orders.png"))?;
    // A few moduli only: one line each.
    let few = haydi::sweep::Table {
        names: table.names.clone(),
        rows: table
            .rows
            .iter()
            .filter(|(l, _)| l[0].as_i64().is_some_and(|m| m <= 7.min(max_m)))
            .cloned()
            .collect(),
    };
    let lines = few.line_plot(
        &LinePlot::new("a").lines("m").y_label("order of a mod m"),
        |r| r.order as f64,
    )?;
    lines.write_svg(dir.join("order-by-a.svg"))?;
    lines.write_png(dir.join("order-by-a.png"))?;
    eprintln!("plots written to {}", dir.display());
    Ok(())
}

#[cfg(not(feature = "plot"))]
fn plots(
    _: &haydi::sweep::Table<Metric>,
    _: &std::path::Path,
    _: i64,
) -> Result<(), Box<dyn std::error::Error>> {
    Err("plots need the `plot` feature: cargo run --features plot --example sweep".into())
}
