//! Functional structures (the `Mappings` fast path) against independent counts: automata
//! `states x letters -> states` up to renaming states and letters against Burnside's lemma,
//! functional graphs against OEIS A001372.

use crate::common;

use haydi_canon::{CnfsExt, USet};
use haydi_core::prelude::*;
use haydi_domains::{Mappings, Product};

fn cycle_len(p: &[usize], x: usize) -> usize {
    let (mut y, mut k) = (p[x], 1);
    while y != x {
        y = p[y];
        k += 1;
    }
    k
}

/// Orbits of maps `n x m -> n` under `S_n x S_m` (Burnside): a pair `(σ, τ)` fixes a map
/// exactly when each cycle of its action on keys, of length `c`, goes to a state whose
/// σ-cycle length divides `c`.
fn burnside(n: usize, m: usize) -> u128 {
    let (ps, ls) = (common::index_perms(n), common::index_perms(m));
    let mut total: u128 = 0;
    for s in &ps {
        for t in &ls {
            let mut seen = vec![false; n * m];
            let mut fixed: u128 = 1;
            for start in 0..n * m {
                if seen[start] {
                    continue;
                }
                let (mut x, mut c) = (start, 0);
                while !seen[x] {
                    seen[x] = true;
                    x = s[x / m] * m + t[x % m];
                    c += 1;
                }
                fixed *= (0..n).filter(|&q| c % cycle_len(s, q) == 0).count() as u128;
            }
            total += fixed;
        }
    }
    total / (ps.len() * ls.len()) as u128
}

#[test]
fn burnside_oracle_is_right_on_hand_counts() {
    // one state: one automaton; two states, one letter: the 3 functional graphs
    assert_eq!(burnside(1, 2), 1);
    assert_eq!(burnside(2, 1), 3);
}

#[test]
fn automata_counts_equal_burnside() {
    for n in 1..=5u32 {
        for m in 1..=2u32 {
            let states = USet::new(n, "q");
            let letters = USet::new(m, "a");
            let automata = Mappings::new(Product::new((states.clone(), letters)), states).unwrap();
            let got = automata.cnfs().unwrap().count().run(false).unwrap();
            assert_eq!(got as u128, burnside(n as usize, m as usize), "n={n} m={m}");
        }
    }
}

#[test]
fn three_letters_equal_burnside() {
    let states = USet::new(3, "q");
    let letters = USet::new(3, "a");
    let automata = Mappings::new(Product::new((states.clone(), letters)), states).unwrap();
    assert_eq!(
        automata.cnfs().unwrap().count().run(true).unwrap() as u128,
        burnside(3, 3)
    );
}

#[test]
fn functional_graphs_are_a001372() {
    let a001372 = [1u64, 3, 7, 19, 47, 130, 343];
    for (i, want) in a001372.iter().enumerate() {
        let u = USet::new(i as u32 + 1, "v");
        let f = Mappings::new(u.clone(), u).unwrap();
        assert_eq!(
            f.cnfs().unwrap().count().run(false).unwrap(),
            *want,
            "n={}",
            i + 1
        );
    }
}

#[test]
fn canonical_automata_are_sorted_and_canonical() {
    let states = USet::new(3, "q");
    let letters = USet::new(2, "a");
    let automata = Mappings::new(Product::new((states.clone(), letters)), states).unwrap();
    let all = automata.cnfs().unwrap().collect().run(true).unwrap();
    assert!(all.windows(2).all(|w| w[0] < w[1]));
    assert!(all.iter().all(haydi_canon::is_canonical));
}
