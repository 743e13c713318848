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
//! The automata are enumerated as [`TransitionTable`]s (`cnfs_as`): the canonical-form
//! generation's own arrays of transitions, copied out with no `Mapping` or `Value` built, so the
//! search below costs what the reset-word search costs.
//!
//! `cargo run --release --example cerny -- [max_n] [TRACE]` (default 4). With TRACE, the
//! search of n = max_n writes its chunk trace there (`haydi trace TRACE` summarizes it).

use haydi::prelude::*;
use haydi::systems::bfs_find;
use haydi::TransitionTable;

/// Length of a shortest synchronizing word, or 0 when there is none: a breadth-first search
/// (`bfs_find`) over the sets of states the automaton can be in, from the set of all states,
/// stopping at the first singleton (its depth is the length of the word).
fn reset_length(automaton: &TransitionTable) -> u32 {
    let n = automaton.states();
    let image = |set: usize, letter: usize| {
        (0..n)
            .filter(|s| set >> s & 1 == 1)
            .fold(0usize, |next, s| next | 1 << automaton.next(s, letter))
    };
    let all = (1usize << n) - 1;
    bfs_find(
        all,
        |&set, _| [image(set, 0), image(set, 1)],
        |set, depth| (set.count_ones() == 1).then_some(depth),
        None,
    )
    .unwrap_or(0)
}

fn main() -> Result<()> {
    let max: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(4);
    let trace = std::env::args().nth(2);
    for n in 1..=max {
        let states = USet::new(n, "q");
        let letters = USet::new(2, "a");
        let automata = Mappings::new(
            Product::new((states.clone(), letters.clone())),
            states.clone(),
        )?;
        let count = automata.cnfs()?.count().run(true)?;
        let mut opts = RunOptions::new();
        if let (Some(path), true) = (&trace, n == max) {
            opts = opts.chunk_trace(path);
        }
        let extreme = automata
            .cnfs_as::<TransitionTable>()?
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
