//! The Černý conjecture for small automata, with canonical forms.
//!
//! Deterministic automata with n states over 2 letters are the mappings
//! `states x letters -> states`, where states and letters are two USets: renaming states and
//! swapping letters are isomorphisms, so each automaton is examined once up to both. For each n
//! the example prints `n=<n> automata=<count> max_reset=<len> extreme=<k>`: the number of
//! non-isomorphic automata, the longest shortest synchronizing (reset) word among the
//! synchronizing ones, and how many automata (up to isomorphism) have it; then those automata,
//! one per line, as their transition maps with states `q0..` and letters `a0, a1`:
//! `  {(q0, a0): q1, (q0, a1): q0, ...}`. The conjecture says the longest is at most (n-1)^2,
//! reached by Černý's automata (a cycle, and a letter merging one pair of states).
//!
//! The automata are enumerated as [`TransitionTable`]s (`Automata::new(n, 2)`, the same
//! representatives as `cnfs_as` of the `Mappings` domain): the canonical-form generation's own
//! arrays of transitions, copied out with no `Mapping` or `Value` built, so the search below costs
//! what the reset-word search costs.
//!
//! `cargo run --release --example cerny -- [max_n] [TRACE]` (default 4). With TRACE, the
//! search of n = max_n writes its chunk trace there (`haydi trace TRACE` summarizes it).
//!
//! **Census of one n**, resumable: `cargo run --release --example cerny -- census N CHECKPOINT
//! [--timeout SECS]` makes one pass over the automata of n states (`groups_counts_limited` by
//! the reset length, run with `RunOptions::checkpoint(CHECKPOINT)`), and prints the count
//! (checked against Burnside's lemma), the number of automata of each shortest reset length
//! (`reset=0` not synchronizing), the automata with the longest, and the run's time. Killed
//! (or timed out) and started again with the same N and CHECKPOINT (with or without a timeout),
//! it resumes from the checkpoint and runs only what is missing. The checkpoint's identity is
//! the census and N (`RunOptions::checkpoint_identity`), not the command line: the timeout does
//! not change the result, and a rebuilt example may resume it.

use haydi::TransitionTable;
use haydi::prelude::*;
use std::time::{Duration, Instant};

/// Length of a shortest synchronizing word, or 0 when there is none: a breadth-first search
/// over the sets of states the automaton can be in, from the set of all states, stopping at
/// the first singleton (its depth is the length of the word). Sets are bit masks, the visited
/// sets an array indexed by mask (at most 2^16 of them), so a search allocates twice.
fn reset_length(automaton: &TransitionTable) -> u32 {
    let n = automaton.states();
    let image = |set: usize, letter: usize| {
        let mut next = 0usize;
        let mut s = set;
        while s != 0 {
            let q = s.trailing_zeros() as usize;
            s &= s - 1;
            next |= 1 << automaton.next(q, letter);
        }
        next
    };
    let all = (1usize << n) - 1;
    let mut seen = vec![false; all + 1];
    let mut level = vec![all];
    seen[all] = true;
    let mut depth = 0;
    while !level.is_empty() {
        if level.iter().any(|s| s.count_ones() == 1) {
            return depth;
        }
        let mut next = Vec::with_capacity(level.len() * 2);
        for &set in &level {
            for letter in 0..automaton.letters() {
                let t = image(set, letter);
                if !seen[t] {
                    seen[t] = true;
                    next.push(t);
                }
            }
        }
        level = next;
        depth += 1;
    }
    0
}

/// The number of automata with `n` states and 2 letters up to renaming states and swapping
/// letters, by Burnside's lemma over cycle types: a pair (σ, τ) fixes a table exactly when
/// each cycle of its action on the keys `(state, letter)`, of length `c`, goes to a state on a
/// σ-cycle whose length divides `c`.
fn burnside(n: usize) -> u128 {
    // every partition of n as cycle counts s[1..=n]
    fn partitions(n: usize, max: usize, s: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if n == 0 {
            out.push(s.clone());
            return;
        }
        for c in (1..=max.min(n)).rev() {
            s[c] += 1;
            partitions(n - c, c, s, out);
            s[c] -= 1;
        }
    }
    let mut types = Vec::new();
    partitions(n, n, &mut vec![0; n + 1], &mut types);
    let fact = |k: usize| (1..=k as u128).product::<u128>();
    let mut total: u128 = 0;
    for s in &types {
        // states on cycles of a length dividing l
        let targets = |l: usize| {
            (1..=n)
                .filter(|d| l % d == 0)
                .map(|d| d * s[d])
                .sum::<usize>() as u128
        };
        // τ = identity: each σ-cycle of length c gives 2 key cycles of length c
        // τ = swap: one key cycle of length 2c when c is odd, two of length c when it is even
        let (mut id, mut swap) = (1u128, 1u128);
        for (c, &count) in s.iter().enumerate().skip(1) {
            for _ in 0..count {
                id *= targets(c).pow(2);
                swap *= if c % 2 == 1 {
                    targets(2 * c)
                } else {
                    targets(c).pow(2)
                };
            }
        }
        // the permutations of this cycle type: n! / prod(c^s_c s_c!)
        let z: u128 = (1..=n)
            .map(|c| (c as u128).pow(s[c] as u32) * fact(s[c]))
            .product();
        total += fact(n) / z * (id + swap);
    }
    total / (2 * fact(n))
}

/// One pass over the automata of `n` states: counts by reset length, the first 8 automata of
/// each length, resumable from `checkpoint`.
fn census(n: u32, checkpoint: &str, timeout: Option<Duration>) -> Result<()> {
    let (states, letters) = (USet::new(n, "q"), USet::new(2, "a"));
    let mut opts = RunOptions::new()
        .checkpoint(checkpoint)
        .checkpoint_identity(format!("haydi example cerny: census of n = {n}"));
    if let Some(t) = timeout {
        opts = opts.timeout(t);
    }
    let started = Instant::now();
    let out = Automata::new(n as usize, 2)?
        .groups_counts_limited(reset_length, 8)
        .run_with(true, &opts)?;
    let secs = started.elapsed().as_secs_f64();
    let total: u64 = out.value.values().map(|g| g.count).sum();
    if !out.complete {
        println!(
            "incomplete: {} of {} subtrees done ({} automata so far) in {secs:.1} s; run again to resume",
            out.processed,
            out.total.unwrap_or(0),
            total
        );
        return Ok(());
    }
    let expected = burnside(n as usize);
    println!(
        "n={n} automata={total} burnside={expected} {}",
        if total as u128 == expected {
            "(equal)"
        } else {
            "(DIFFERENT)"
        }
    );
    for (len, g) in &out.value {
        println!("reset={len} automata={}", g.count);
    }
    if let Some((len, g)) = out.value.iter().next_back() {
        println!("max_reset={len} extreme={}", g.count);
        for automaton in &g.items {
            println!("  {:?}", automaton.to_mapping(&states, &letters)?);
        }
    }
    println!(
        "resumed={} of {} subtrees secs={secs:.1}",
        out.resumed,
        out.total.unwrap_or(0)
    );
    if total as u128 != expected {
        return Err(Error::InvalidArgument(format!(
            "{total} automata, Burnside's lemma says {expected}"
        )));
    }
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("census") {
        let usage =
            || Error::InvalidArgument("usage: cerny census N CHECKPOINT [--timeout SECS]".into());
        let n: u32 = args.get(1).and_then(|a| a.parse().ok()).ok_or_else(usage)?;
        let path = args.get(2).ok_or_else(usage)?;
        let timeout = match args.get(3).map(String::as_str) {
            None => None,
            Some("--timeout") => Some(Duration::from_secs_f64(
                args.get(4).and_then(|a| a.parse().ok()).ok_or_else(usage)?,
            )),
            Some(_) => return Err(usage()),
        };
        return census(n, path, timeout);
    }
    let max: u32 = args.first().and_then(|a| a.parse().ok()).unwrap_or(4);
    let trace = args.get(1);
    for n in 1..=max {
        let states = USet::new(n, "q");
        let letters = USet::new(2, "a");
        let automata = Automata::new(n as usize, 2)?;
        let count = automata.clone().count().run(true)?;
        let mut opts = RunOptions::new();
        if let (Some(path), true) = (trace, n == max) {
            opts = opts.chunk_trace(path);
        }
        let extreme = automata
            .map(|a| {
                let len = reset_length(&a);
                (a, len)
            })
            .max_all(|(_, len)| *len)
            .run_with(true, &opts)?
            .value;
        let max_reset = extreme.first().map_or(0, |(_, len)| *len);
        println!(
            "n={n} automata={count} max_reset={max_reset} extreme={}",
            extreme.len()
        );
        for (automaton, _) in &extreme {
            // the domain's own item, for its atoms' names: {(q0, a0): q1, ...}
            println!("  {:?}", automaton.to_mapping(&states, &letters)?);
        }
    }
    Ok(())
}
