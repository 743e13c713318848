//! Published sequences (OEIS), parallel = serial, and serialization of atoms.

use crate::common::perms;
use haydi_canon::{Atom, Shape, USet, Value, canonize, cnfs, is_canonical, shape};
use haydi_core::prelude::*;

fn graphs(n: u32) -> Shape {
    shape::subsets(shape::subsets_sized(shape::uset(&USet::new(n, "v")), 2, 2))
}

fn count(s: &Shape) -> u64 {
    cnfs(s).unwrap().count().run(false).unwrap()
}

#[test]
fn a000088_undirected_graphs() {
    let max = if cfg!(debug_assertions) { 7 } else { 8 };
    let expect = [1, 2, 4, 11, 34, 156, 1044, 12346];
    for n in 1..=max {
        assert_eq!(count(&graphs(n)), expect[n as usize - 1], "n={n}");
    }
}

/// n = 9 and 10 on the session's parallel context (the generation tree split between
/// threads), counted without building any item, and n = 9 also serially and by collecting: the
/// three must agree with OEIS. haydi-canon is built optimised in tests (see Cargo.toml), so
/// this takes seconds.
#[test]
fn a000088_undirected_graphs_9_and_10() {
    let nine = cnfs(&graphs(9)).unwrap();
    assert_eq!(nine.clone().count().run(true).unwrap(), 274_668);
    assert_eq!(nine.clone().count().run(false).unwrap(), 274_668);
    let all = nine.collect().run(true).unwrap();
    assert_eq!(all.len(), 274_668);
    assert!(
        all.windows(2).all(|w| w[0] < w[1]),
        "in value order, no repeats"
    );
    assert_eq!(
        cnfs(&graphs(10)).unwrap().count().run(true).unwrap(),
        12_005_168
    );
}

/// `count` straight on a cnfs source counts the generation tree; any adapter in between makes
/// it build the items again, and both must give the same numbers (a filter that keeps all).
#[test]
fn count_without_items_equals_count_of_items() {
    for n in 1..=7 {
        let s = cnfs(&graphs(n)).unwrap();
        let direct = s.clone().count().run(true).unwrap();
        let through_filter = s.clone().filter(|_| true).count().run(true).unwrap();
        let collected = s.collect().run(false).unwrap().len() as u64;
        assert_eq!(direct, through_filter, "n={n}");
        assert_eq!(direct, collected, "n={n}");
    }
    let u = shape::uset(&USet::new(4, "q"));
    let l = shape::uset(&USet::new(2, "a"));
    let automata = shape::mappings(shape::product(vec![u.clone(), l]), u);
    let s = cnfs(&automata).unwrap();
    assert_eq!(
        s.clone().count().run(true).unwrap(),
        s.collect().run(false).unwrap().len() as u64
    );
}

#[test]
fn a000088_general_path_agrees() {
    // a one-part join hides the graph pattern, so the general search runs
    let max = if cfg!(debug_assertions) { 5 } else { 6 };
    for n in 1..=max {
        let e = shape::subsets_sized(shape::uset(&USet::new(n, "v")), 2, 2);
        let general = cnfs(&shape::subsets(shape::join(vec![e])))
            .unwrap()
            .collect()
            .run(false)
            .unwrap();
        let fast = cnfs(&graphs(n)).unwrap().collect().run(false).unwrap();
        assert_eq!(general, fast, "n={n}");
    }
}

#[test]
fn a000595_directed_graphs_with_loops() {
    let max = if cfg!(debug_assertions) { 3 } else { 4 };
    let expect = [2, 10, 104, 3044];
    for n in 1..=max {
        let u = shape::uset(&USet::new(n, "v"));
        let s = shape::subsets(shape::product(vec![u.clone(), u]));
        assert_eq!(count(&s), expect[n as usize - 1], "n={n}");
    }
}

#[test]
fn a001372_functional_graphs() {
    let max = if cfg!(debug_assertions) { 5 } else { 6 };
    let expect = [1, 3, 7, 19, 47, 130];
    for n in 1..=max {
        let u = shape::uset(&USet::new(n, "v"));
        assert_eq!(
            count(&shape::mappings(u.clone(), u)),
            expect[n as usize - 1],
            "n={n}"
        );
    }
}

#[test]
fn parallel_equals_serial() {
    let ctx = ThreadContext::new(2).unwrap();
    let u = shape::uset(&USet::new(3, "s"));
    let l = shape::uset(&USet::new(2, "l"));
    let shapes = [
        graphs(6),
        shape::mappings(shape::product(vec![u.clone(), l]), u.clone()),
        shape::subsets(shape::product(vec![u.clone(), u])),
    ];
    for s in &shapes {
        let job = cnfs(s).unwrap().collect();
        let serial = job.run(false).unwrap();
        let parallel = job.run_in(&ctx).unwrap();
        assert_eq!(serial, parallel, "{s:?}");
        let n = cnfs(s).unwrap().count().run_in(&ctx).unwrap();
        assert_eq!(n as usize, serial.len());
        // take keeps the serial prefix
        let first = cnfs(s).unwrap().take(5).collect().run_in(&ctx).unwrap();
        assert_eq!(&first[..], &serial[..5.min(serial.len())]);
    }
}

#[test]
fn atoms_survive_bincode() {
    let cfg = bincode::config::standard();
    let a = USet::new(5, "a");
    let b = USet::new(5, "b");
    let atoms = vec![a.atom(3), a.atom(1), b.atom(0), a.atom(4)];
    let bytes = bincode::serde::encode_to_vec(&atoms, cfg).unwrap();
    let (back, _): (Vec<Atom>, usize) = bincode::serde::decode_from_slice(&bytes, cfg).unwrap();
    assert_eq!(back, atoms);
    for (x, y) in atoms.iter().zip(&back) {
        for (p, q) in atoms.iter().zip(&back) {
            assert_eq!(x.cmp(p), y.cmp(q));
        }
    }
    // a value with atoms, and the identity of a USet declared again ("another process")
    let v = Value::set([
        Value::Atom(a.atom(2)),
        Value::Seq(vec![Value::Atom(b.atom(1))]),
    ]);
    let bytes = bincode::serde::encode_to_vec(&v, cfg).unwrap();
    let (w, _): (Value, usize) = bincode::serde::decode_from_slice(&bytes, cfg).unwrap();
    assert_eq!(v, w);
    assert_eq!(USet::new(5, "a").atom(2), a.atom(2));
    assert_eq!(canonize(&w).unwrap(), canonize(&v).unwrap());
}

/// A deterministic pseudo-random generator (xorshift).
fn rng(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn canonize_random_values_against_brute_force() {
    // random graphs, digraphs and maps on 6 atoms: 720 relabellings each
    let u = USet::new(6, "r");
    let ps = perms(6);
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let cases = if cfg!(debug_assertions) { 60 } else { 400 };
    for case in 0..cases {
        let v = match case % 3 {
            0 => Value::set((0..rng(&mut seed) % 12).map(|_| {
                let i = (rng(&mut seed) % 6) as u32;
                let j = (rng(&mut seed) % 6) as u32;
                Value::set([Value::Atom(u.atom(i)), Value::Atom(u.atom(j))])
            })),
            1 => Value::set((0..rng(&mut seed) % 14).map(|_| {
                let i = (rng(&mut seed) % 6) as u32;
                let j = (rng(&mut seed) % 6) as u32;
                Value::Seq(vec![Value::Atom(u.atom(i)), Value::Atom(u.atom(j))])
            })),
            _ => Value::map((0..6).map(|i| {
                let j = (rng(&mut seed) % 6) as u32;
                (Value::Atom(u.atom(i)), Value::Atom(u.atom(j)))
            })),
        };
        let brute = ps
            .iter()
            .map(|p| v.map_atoms(&mut |a: Atom| u.atom(p[a.index() as usize])))
            .min()
            .unwrap();
        assert_eq!(canonize(&v).unwrap(), brute, "{v:?}");
        assert!(is_canonical(&brute));
        assert_eq!(is_canonical(&v), v == brute);
    }
}
