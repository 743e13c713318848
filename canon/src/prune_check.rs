//! The debug-build check of a user's prune (as `filter_strict`'s predicate is checked): on a
//! sample of structures, the prune must not depend on the labels (renaming), and it must be
//! monotone (what it cuts stays cut when the structure grows). A violation is an
//! [`Error::InvalidArgument`] naming both structures.

use crate::typed::{BitGraph, PartialTable};
use haydi_core::{Error, Result};

/// How many structures the debug-build check of `prune` draws.
///
/// ```
/// assert_eq!(haydi_canon::PRUNE_SAMPLE, 64);
/// ```
pub const PRUNE_SAMPLE: usize = 64;

/// Whether `prune` (of [`crate::Graphs`] and [`crate::Automata`]) checks its contract on a
/// sample: in a debug build of haydi-canon (skipped in release builds). A doctest or a user's
/// test is built with its own profile, so it asks this, not its own `cfg!(debug_assertions)`.
///
/// ```
/// assert_eq!(haydi_canon::PRUNE_CHECKED, cfg!(debug_assertions));
/// ```
pub const PRUNE_CHECKED: bool = cfg!(debug_assertions);

/// A small deterministic generator (splitmix64): the sample is the same on every run, so a
/// violation found once is found again.
pub(crate) struct Sampler(u64);

impl Sampler {
    pub(crate) fn new(seed: u64) -> Sampler {
        Sampler(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..k` (`k > 0`).
    pub(crate) fn below(&mut self, k: u64) -> u64 {
        self.next() % k
    }
}

/// `g` with its vertices renamed by `p` (vertex `v` becomes `p[v]`).
fn renamed(g: &BitGraph, p: &[usize]) -> BitGraph {
    let n = g.vertices();
    let mut adj = [0u16; 16];
    for (i, j) in g.edges() {
        adj[p[i]] |= 1 << p[j];
        adj[p[j]] |= 1 << p[i];
    }
    BitGraph::from_parts(n, adj)
}

/// Checks a graph prune on graphs of `n` vertices: each sampled graph (densities spread from
/// empty to complete) against its renamings by the transposition `(0 1)` and the cycle
/// `v -> v + 1`, and, when it is cut, each graph with one more edge (when it is kept, each
/// with one edge less) against it.
pub(crate) fn check_graph_prune(n: usize, prune: &dyn Fn(&BitGraph) -> bool) -> Result<()> {
    if n == 0 {
        return Ok(());
    }
    let mut rng = Sampler::new(0x6772_6170_6873);
    let pairs: Vec<(usize, usize)> = (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .collect();
    let swap: Vec<usize> = (0..n)
        .map(|v| match v {
            0 if n > 1 => 1,
            1 => 0,
            v => v,
        })
        .collect();
    let cycle: Vec<usize> = (0..n).map(|v| (v + 1) % n).collect();
    for s in 0..PRUNE_SAMPLE {
        // edge probability s / (PRUNE_SAMPLE - 1), in 1/64ths
        let density = (s * 64 / (PRUNE_SAMPLE - 1)) as u64;
        let edges: Vec<(usize, usize)> = pairs
            .iter()
            .copied()
            .filter(|_| rng.below(64) < density)
            .collect();
        let g = BitGraph::from_edges(n, &edges)?;
        let cut = prune(&g);
        for p in [&swap, &cycle] {
            let r = renamed(&g, p);
            if prune(&r) != cut {
                return Err(Error::InvalidArgument(format!(
                    "prune depends on the vertices' labels: it {} {g:?} but {} its renaming {r:?}; a prune must hold or fail alike on isomorphic graphs",
                    verb(cut),
                    verb(!cut)
                )));
            }
        }
        for &(i, j) in &pairs {
            let present = g.has_edge(i, j);
            if present == cut {
                continue; // cut: look at graphs with one more edge; kept: with one less
            }
            let mut other: Vec<(usize, usize)> =
                edges.iter().copied().filter(|&e| e != (i, j)).collect();
            if !present {
                other.push((i, j));
            }
            let h = BitGraph::from_edges(n, &other)?;
            if prune(&h) != cut {
                let (small, big) = if cut { (&g, &h) } else { (&h, &g) };
                return Err(Error::InvalidArgument(format!(
                    "prune is not monotone: it cuts {small:?} but keeps {big:?}, which has one edge more; a prune must cut every graph containing a graph it cuts (use filter for other properties)"
                )));
            }
        }
    }
    Ok(())
}

fn verb(cut: bool) -> &'static str {
    if cut { "cuts" } else { "keeps" }
}

/// Checks a prune of partial tables of `n` states and `m` letters: each sampled complete
/// table against its renamings (a transposition and a cycle of the states that renamings
/// move, all but state 0 when `fix_first`; the swap of letters 0 and 1 unless
/// `labelled_letters`), and each sampled prefix, when it is cut, against every prefix one key
/// longer (when it is kept, against the prefix one key shorter).
pub(crate) fn check_table_prune(
    n: usize,
    m: usize,
    fix_first: bool,
    labelled_letters: bool,
    prune: &dyn Fn(&PartialTable<'_>) -> bool,
) -> Result<()> {
    let keys = n * m;
    let mut rng = Sampler::new(0x7461_626c_6573);
    let movable: Vec<usize> = (usize::from(fix_first)..n).collect();
    let mut state_maps: Vec<Vec<usize>> = Vec::new();
    if movable.len() >= 2 {
        let mut swap: Vec<usize> = (0..n).collect();
        swap.swap(movable[0], movable[1]);
        let mut cycle: Vec<usize> = (0..n).collect();
        for (k, &s) in movable.iter().enumerate() {
            cycle[s] = movable[(k + 1) % movable.len()];
        }
        state_maps.push(swap);
        state_maps.push(cycle);
    }
    let id_states: Vec<usize> = (0..n).collect();
    let id_letters: Vec<usize> = (0..m).collect();
    let mut renamings: Vec<(&[usize], Vec<usize>)> = state_maps
        .iter()
        .map(|p| (&p[..], id_letters.clone()))
        .collect();
    if m >= 2 && !labelled_letters {
        let mut swap = id_letters.clone();
        swap.swap(0, 1);
        renamings.push((&id_states[..], swap));
    }
    for _ in 0..PRUNE_SAMPLE {
        let table: Vec<u8> = (0..keys).map(|_| rng.below(n as u64) as u8).collect();
        let cut = prune(&PartialTable::new(n, m, &table));
        for (p, l) in &renamings {
            let mut r = vec![0u8; keys];
            for (k, &v) in table.iter().enumerate() {
                r[p[k / m] * m + l[k % m]] = p[v as usize] as u8;
            }
            if prune(&PartialTable::new(n, m, &r)) != cut {
                return Err(Error::InvalidArgument(format!(
                    "prune depends on the labels of states or letters: it {} the table {table:?} but {} its renaming {r:?} ({} states, {} letters, targets in key order); a prune must hold or fail alike on isomorphic tables",
                    verb(cut),
                    verb(!cut),
                    n,
                    m
                )));
            }
        }
        let len = rng.below(keys as u64 + 1) as usize;
        let prefix = &table[..len];
        let cut = prune(&PartialTable::new(n, m, prefix));
        let longer: Vec<Vec<u8>> = if cut && len < keys {
            (0..n as u8)
                .map(|v| prefix.iter().copied().chain([v]).collect())
                .collect()
        } else {
            Vec::new()
        };
        for t in &longer {
            if !prune(&PartialTable::new(n, m, t)) {
                return Err(not_monotone(prefix, t));
            }
        }
        if !cut && len > 0 && prune(&PartialTable::new(n, m, &prefix[..len - 1])) {
            return Err(not_monotone(&prefix[..len - 1], prefix));
        }
    }
    Ok(())
}

fn not_monotone(small: &[u8], big: &[u8]) -> Error {
    Error::InvalidArgument(format!(
        "prune is not monotone: it cuts the partial table {small:?} but keeps {big:?}, which assigns one key more (targets in key order); a prune must cut every completion of a table it cuts (use filter for other properties)"
    ))
}
