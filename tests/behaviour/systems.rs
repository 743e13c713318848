//! Behaviour checks of transition systems and their breadth-first exploration, each against a
//! plain queue BFS written here (the oracle), on every context.

use crate::{Ctx, check, check_eq};
use haydi::prelude::*;
use haydi::systems::{Bfs, BfsEnd, Dlts, System, dlts_from_map};
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::time::Duration;

fn err(e: Error) -> String {
    e.to_string()
}

const N: u64 = 20_000;

/// A graph on `0..N` with branching 3 and many repeats: enough states for parallel levels.
fn next(x: &u64) -> [u64; 3] {
    [x * 3 % N, (x * 7 + 1) % N, x / 2]
}

/// The oracle: states with their depth, in the order a FIFO queue first reaches them.
fn queue_bfs(init: &[u64]) -> Vec<(u64, u32)> {
    let mut seen = HashSet::new();
    let mut q = VecDeque::new();
    for s in init {
        if seen.insert(*s) {
            q.push_back((*s, 0));
        }
    }
    let mut out = Vec::new();
    while let Some((s, d)) = q.pop_front() {
        out.push((s, d));
        for t in next(&s) {
            if seen.insert(t) {
                q.push_back((t, d + 1));
            }
        }
    }
    out
}

/// Every state once, in breadth-first order with its depth, and the chain on top of it.
pub fn bfs_states(_: &Ctx) -> Result<(), String> {
    let oracle = queue_bfs(&[5, 17, 5]);
    check!(
        oracle.len() > 5_000,
        "the graph is too small: {}",
        oracle.len()
    );
    let b = Bfs::new(System::new(next), [5, 17, 5]);
    let with_depth = b.clone().with_depth().collect().run(true).map_err(err)?;
    check_eq!(with_depth, oracle);
    let states: Vec<u64> = oracle.iter().map(|p| p.0).collect();
    check_eq!(b.clone().collect().run(true).map_err(err)?, states);
    let f: Vec<u64> = states
        .iter()
        .filter(|x| *x % 5 == 1)
        .map(|x| x * 2)
        .collect();
    let got = b
        .clone()
        .filter(|x| x % 5 == 1)
        .map(|x| x * 2)
        .collect()
        .run(true)
        .map_err(err)?;
    check_eq!(got, f);
    check_eq!(
        b.clone().count().run(true).map_err(err)?,
        states.len() as u64
    );
    check_eq!(
        b.clone().take(100).collect().run(true).map_err(err)?,
        states[..100].to_vec()
    );
    check_eq!(
        b.clone()
            .max_by_key(|x| *x % 1000)
            .run(true)
            .map_err(err)?
            .map(|p| p.0),
        states.iter().copied().max_by_key(|x| *x % 1000)
    );
    let e = b.explore(true).map_err(err)?;
    check_eq!(e.end, BfsEnd::Exhausted);
    check_eq!(e.states, states);
    Ok(())
}

/// `max_depth` and `max_states` cut exactly where they say, and say so.
pub fn bfs_bounds(_: &Ctx) -> Result<(), String> {
    let oracle = queue_bfs(&[1]);
    let b = Bfs::new(System::new(next), [1]);
    for depth in [0u32, 3, 9] {
        let want: Vec<u64> = oracle
            .iter()
            .filter(|p| p.1 <= depth)
            .map(|p| p.0)
            .collect();
        let got = b
            .clone()
            .max_depth(depth)
            .collect()
            .run(true)
            .map_err(err)?;
        check_eq!(got, want);
        check_eq!(
            b.clone().max_depth(depth).explore(true).map_err(err)?.end,
            BfsEnd::MaxDepth
        );
    }
    for n in [0u64, 1, 2, 1000, 4_321] {
        let want: Vec<u64> = oracle.iter().take(n as usize).map(|p| p.0).collect();
        let got = b.clone().max_states(n).collect().run(true).map_err(err)?;
        check_eq!(got, want);
        let e = b.clone().max_states(n).explore(true).map_err(err)?;
        check_eq!(e.end, BfsEnd::MaxStates);
    }
    let all = oracle.len() as u64;
    let e = b.clone().max_states(all).explore(true).map_err(err)?;
    check_eq!((e.states.len() as u64, e.end), (all, BfsEnd::Exhausted));
    check_eq!(
        Bfs::new(System::new(next), [])
            .count()
            .run(true)
            .map_err(err)?,
        0
    );
    Ok(())
}

/// The product of two transition systems given by tables, explored in parallel.
pub fn dlts_product_bfs(_: &Ctx) -> Result<(), String> {
    // Two counters with a shared alphabet: a mod 97 and mod 89 with different steps.
    let mut ta = BTreeMap::new();
    let mut tb = BTreeMap::new();
    for s in 0..97u32 {
        ta.insert((s, 'p'), (s + 1) % 97);
        ta.insert((s, 'q'), (s * 5) % 97);
    }
    for s in 0..89u32 {
        tb.insert((s, 'p'), (s + 3) % 89);
        if s % 4 != 0 {
            tb.insert((s, 'q'), (s * 2) % 89);
        }
    }
    let (a, b) = (dlts_from_map(ta.clone()), dlts_from_map(tb.clone()));
    let p = a.product(b);
    // The oracle: a queue BFS on the tables directly.
    let mut seen = HashSet::from([(0u32, 0u32)]);
    let mut q = VecDeque::from([(0u32, 0u32)]);
    let mut want = Vec::new();
    while let Some((s, t)) = q.pop_front() {
        want.push((s, t));
        for c in ['p', 'q'] {
            if let (Some(&s2), Some(&t2)) = (ta.get(&(s, c)), tb.get(&(t, c))) {
                if seen.insert((s2, t2)) {
                    q.push_back((s2, t2));
                }
            }
        }
    }
    check!(want.len() > 1000);
    check_eq!(
        Bfs::new(p.clone(), [(0, 0)])
            .collect()
            .run(true)
            .map_err(err)?,
        want
    );
    check_eq!(
        p.path(&(0, 0), &['p', 'q', 'q']),
        vec![(0, 0), (1, 3), (5, 6), (25, 12)]
    );
    Ok(())
}

/// A timeout during the exploration marks the outcome incomplete; what came is a prefix of the
/// breadth-first order. A bfs inside the closure of a parallel run runs serially there.
pub fn bfs_timeout_and_nested(_: &Ctx) -> Result<(), String> {
    let oracle: Vec<u64> = queue_bfs(&[2]).into_iter().map(|p| p.0).collect();
    let b = Bfs::new(System::new(next), [2]);
    let out = b
        .clone()
        .collect()
        .run_with(true, &RunOptions::new().timeout(Duration::ZERO))
        .map_err(err)?;
    check!(!out.complete, "a zero timeout finished the exploration");
    check!(out.value.len() <= oracle.len());
    check_eq!(out.value[..], oracle[..out.value.len()]);
    let full = b
        .collect()
        .run_with(true, &RunOptions::new().timeout(Duration::from_secs(600)))
        .map_err(err)?;
    check!(full.complete);
    check_eq!(full.value, oracle);
    // Reachable counts of "x -> x * k mod m" from 1, per m: the multiplicative orbits.
    let counts = Range::span(2, 60, 1)
        .map_err(err)?
        .map(|m| {
            let s = System::new(move |x: &i64| [(x * 3) % m]);
            Bfs::new(s, [1]).count().run(false).unwrap_or(u64::MAX)
        })
        .collect()
        .run(true)
        .map_err(err)?;
    let want: Vec<u64> = (2..60i64)
        .map(|m| {
            let mut seen = HashSet::new();
            let mut x = 1;
            while seen.insert(x) {
                x = x * 3 % m;
            }
            seen.len() as u64
        })
        .collect();
    check_eq!(counts, want);
    Ok(())
}
