//! A long run with a timeout and a progress bar.
//!
//! Counts the numbers below `n` whose digit sum is divisible by 7, with a time limit: the run
//! stops when its time is up, and the `Outcome` says whether the count is complete and how
//! far it got. The progress bar (done of total, rate, ETA) is drawn on standard error when that
//! is a terminal.
//!
//! `cargo run --release --example long_run -- [seconds] [n]` (defaults: 5 seconds and 10^12,
//! which takes far longer, so the printed outcome is partial). It prints
//! `complete=<bool> processed=<indices> total=<indices> count=<value>`.

use haydi::prelude::*;
use std::time::Duration;

fn digit_sum(mut x: i64) -> i64 {
    let mut s = 0;
    while x > 0 {
        s += x % 10;
        x /= 10;
    }
    s
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seconds: f64 = match args.first() {
        Some(s) => s.parse().map_err(|e| format!("seconds {s:?}: {e}"))?,
        None => 5.0,
    };
    let n: i64 = match args.get(1) {
        Some(s) => s.parse().map_err(|e| format!("n {s:?}: {e}"))?,
        None => 1_000_000_000_000,
    };
    let opts = RunOptions::new()
        .timeout(Duration::from_secs_f64(seconds))
        .progress_bar(true);
    let outcome = Range::new(n)
        .filter(|x| digit_sum(*x) % 7 == 0)
        .count()
        .run_with(true, &opts)?;
    let total = outcome
        .total
        .map_or("endless".to_string(), |t| t.to_string());
    println!(
        "complete={} processed={} total={total} count={}",
        outcome.complete, outcome.processed, outcome.value
    );
    Ok(())
}
