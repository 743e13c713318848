//! Classes of automata pruned during generation ([`Automata`]) against a brute-force oracle
//! (every labelled table of a small size, filtered by the property written out here, each
//! replaced by the smallest table of its orbit under the group, deduplicated: the set of
//! canonical forms itself, not only its size) and OEIS: A001372 (functional graphs), A000041
//! (permutations up to conjugacy), A000070 (... with a marked point), A054050 (binary automata,
//! letters labelled).

use crate::common;

use haydi_canon::{Automata, PartialTable};
use haydi_core::prelude::*;
use std::collections::BTreeSet;

/// The group and the property of a class, for the oracle.
struct Class {
    fix_first: bool,
    rename_letters: bool,
    keep: fn(&[usize], usize, usize) -> bool,
}

/// The canonical forms (smallest value vector of each orbit) of the tables with `n` states and
/// `m` letters that the class keeps, by trying every table and every group element.
fn brute(n: usize, m: usize, class: &Class) -> BTreeSet<Vec<u8>> {
    let keys = n * m;
    let states: Vec<Vec<usize>> = common::index_perms(n)
        .into_iter()
        .filter(|p| !class.fix_first || p[0] == 0)
        .collect();
    let letters = if class.rename_letters {
        common::index_perms(m)
    } else {
        vec![(0..m).collect()]
    };
    let mut out = BTreeSet::new();
    let mut t = vec![0usize; keys];
    loop {
        if (class.keep)(&t, n, m) {
            let mut best: Option<Vec<u8>> = None;
            for s in &states {
                for l in &letters {
                    let mut img = vec![0u8; keys];
                    for (k, &v) in t.iter().enumerate() {
                        img[s[k / m] * m + l[k % m]] = s[v] as u8;
                    }
                    if best.as_ref().is_none_or(|b| img < *b) {
                        best = Some(img);
                    }
                }
            }
            out.insert(best.expect("the group has the identity"));
        }
        // next table (odometer)
        let mut k = keys;
        loop {
            if k == 0 {
                return out;
            }
            k -= 1;
            t[k] += 1;
            if t[k] < n {
                break;
            }
            t[k] = 0;
        }
    }
}

fn reachable_from_0(t: &[usize], n: usize, m: usize) -> bool {
    let mut seen = vec![false; n];
    let mut stack = vec![0];
    seen[0] = true;
    while let Some(s) = stack.pop() {
        for l in 0..m {
            let r = t[s * m + l];
            if !seen[r] {
                seen[r] = true;
                stack.push(r);
            }
        }
    }
    seen.iter().all(|&x| x)
}

fn letters_permute(t: &[usize], n: usize, m: usize) -> bool {
    (0..m).all(|l| {
        let targets: BTreeSet<usize> = (0..n).map(|s| t[s * m + l]).collect();
        targets.len() == n
    })
}

/// Our canonical forms, as value vectors, in generation order.
fn ours(a: Automata) -> Vec<Vec<u8>> {
    a.collect()
        .run(true)
        .unwrap()
        .iter()
        .map(|t| t.values().to_vec())
        .collect()
}

/// `ours` equals the oracle as a set, with no repeats, for every size up to 8 keys.
fn check(make: impl Fn(Automata) -> Automata, class: &Class) {
    for (n, m) in [
        (1, 2),
        (2, 1),
        (2, 2),
        (3, 1),
        (3, 2),
        (4, 1),
        (4, 2),
        (2, 3),
        (5, 1),
        (6, 1),
    ] {
        let got = ours(make(Automata::new(n, m).unwrap()));
        let set: BTreeSet<Vec<u8>> = got.iter().cloned().collect();
        assert_eq!(set.len(), got.len(), "repeats at n={n} m={m}");
        assert_eq!(set, brute(n, m, class), "n={n} m={m}");
    }
}

#[test]
fn plain_automata_equal_brute_force() {
    let all = |_: &[usize], _: usize, _: usize| true;
    check(
        |a| a,
        &Class {
            fix_first: false,
            rename_letters: true,
            keep: all,
        },
    );
    check(
        |a| a.labelled_letters(),
        &Class {
            fix_first: false,
            rename_letters: false,
            keep: all,
        },
    );
    check(
        |a| a.initial_state(),
        &Class {
            fix_first: true,
            rename_letters: true,
            keep: all,
        },
    );
}

#[test]
fn initially_connected_automata_equal_brute_force() {
    check(
        |a| a.initially_connected(),
        &Class {
            fix_first: true,
            rename_letters: true,
            keep: reachable_from_0,
        },
    );
    check(
        |a| a.initially_connected().labelled_letters(),
        &Class {
            fix_first: true,
            rename_letters: false,
            keep: reachable_from_0,
        },
    );
}

#[test]
fn permutation_automata_equal_brute_force() {
    check(
        |a| a.permutation_letters(),
        &Class {
            fix_first: false,
            rename_letters: true,
            keep: letters_permute,
        },
    );
    check(
        |a| a.permutation_letters().initially_connected(),
        &Class {
            fix_first: true,
            rename_letters: true,
            keep: |t, n, m| letters_permute(t, n, m) && reachable_from_0(t, n, m),
        },
    );
}

#[test]
fn a_prune_equals_brute_force() {
    // no state fixed by every letter: monotone (a fixed point stays fixed)
    let fixed = |t: &PartialTable| {
        (0..t.states()).any(|s| (0..t.letters()).all(|l| t.next(s, l) == Some(s)))
    };
    check(
        |a| a.prune(fixed).unwrap(),
        &Class {
            fix_first: false,
            rename_letters: true,
            keep: |t, n, m| (0..n).all(|s| (0..m).any(|l| t[s * m + l] != s)),
        },
    );
}

#[test]
fn counts_equal_oeis() {
    // A001372: functional graphs; A000041: permutations up to conjugacy; A000070: the same
    // with a marked point (the sum of A000041 up to n - 1); A054050: binary automata up to
    // renaming states
    let a001372 = [1u64, 3, 7, 19, 47, 130, 343];
    let a000041 = [1u64, 2, 3, 5, 7, 11, 15, 22, 30, 42];
    let a000070 = [1u64, 2, 4, 7, 12, 19, 30, 45, 67, 97];
    let a054050 = [1u64, 10, 129, 2836, 83061];
    let count = |a: Automata| a.count().run(true).unwrap();
    for n in 1..=7 {
        assert_eq!(count(Automata::new(n, 1).unwrap()), a001372[n - 1], "n={n}");
    }
    for n in 1..=10 {
        let perm = Automata::new(n, 1).unwrap().permutation_letters();
        assert_eq!(count(perm.clone()), a000041[n - 1], "n={n}");
        assert_eq!(count(perm.initial_state()), a000070[n - 1], "n={n}");
        let ic = Automata::new(n, 1).unwrap().initially_connected();
        assert_eq!(count(ic), n as u64, "n={n}"); // a path into a cycle entered anywhere
    }
    for n in 1..=5 {
        let a = Automata::new(n, 2).unwrap().labelled_letters();
        assert_eq!(count(a), a054050[n - 1], "n={n}");
    }
}

#[test]
fn classes_equal_filters_of_the_plain_tree() {
    // the pruned trees give the plain tree's tables that have the property, in the same
    // order (for classes that keep the group: permutation letters, a prune)
    let plain = Automata::new(4, 2).unwrap().collect().run(false).unwrap();
    let perm = Automata::new(4, 2)
        .unwrap()
        .permutation_letters()
        .collect()
        .run(true)
        .unwrap();
    let want: Vec<_> = plain
        .iter()
        .filter(|t| {
            let v: Vec<usize> = t.values().iter().map(|&x| x as usize).collect();
            letters_permute(&v, 4, 2)
        })
        .copied()
        .collect();
    assert_eq!(perm, want);
}

#[test]
fn prune_contract_is_checked_in_debug_builds() {
    if !haydi_canon::PRUNE_CHECKED {
        eprintln!("release build of haydi-canon: the prune contract is not checked");
        return;
    }
    // depends on the label of state 1 (renamings move it)
    let e = Automata::new(3, 2)
        .unwrap()
        .prune(|t| t.next(1, 0) == Some(1))
        .unwrap_err();
    assert!(e.to_string().contains("labels"), "{e}");
    // with an initial state, a property of state 0 is fine
    assert!(
        Automata::new(3, 2)
            .unwrap()
            .initial_state()
            .prune(|t| (0..t.letters()).any(|l| t.next(0, l) == Some(0)))
            .is_ok()
    );
    // depends on the letters' labels, unless letters are labelled
    let letter0 = |t: &PartialTable| (0..t.states()).any(|s| t.next(s, 0) == Some(s));
    assert!(Automata::new(3, 2).unwrap().prune(letter0).is_err());
    assert!(
        Automata::new(3, 2)
            .unwrap()
            .labelled_letters()
            .prune(letter0)
            .is_ok()
    );
    // not monotone: "incomplete" is cut, its completions are not
    let e = Automata::new(3, 2)
        .unwrap()
        .prune(|t| !t.is_complete() && t.assigned() > 2)
        .unwrap_err();
    assert!(e.to_string().contains("not monotone"), "{e}");
}

#[test]
fn bad_sizes_are_refused() {
    for (n, m) in [(0, 1), (1, 0), (1, 7), (17, 2), (33, 1)] {
        let e = Automata::new(n, m).unwrap_err();
        assert!(e.to_string().contains("Automata::new"), "{e}");
    }
}
