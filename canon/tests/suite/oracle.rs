//! Brute-force oracle: `cnfs()` equals the set of orbit minima computed by trying every
//! permutation of every USet, for small instances of every kind of nesting.

use crate::common::{brute_min, relabellings};
use haydi_canon::{Shape, USet, UsetId, Value, canonize, cnfs, is_canonical, shape};
use haydi_core::prelude::*;
use std::collections::BTreeSet;

fn usets(s: &Shape, out: &mut Vec<USet>) {
    match s {
        Shape::USet(u) if !out.contains(u) => out.push(u.clone()),
        Shape::Product(ps) | Shape::Join(ps) => ps.iter().for_each(|p| usets(p, out)),
        Shape::Sequences { item, .. } | Shape::Subsets { item, .. } => usets(item, out),
        Shape::Mappings { keys, values } => {
            usets(keys, out);
            usets(values, out)
        }
        _ => {}
    }
}

fn check(s: &Shape) -> usize {
    let mut us = Vec::new();
    usets(s, &mut us);
    let us: Vec<UsetId> = us.iter().map(|u| u.id()).collect();
    let rel = relabellings(&us);
    let all = s.elements().unwrap();
    let expected: BTreeSet<Value> = all.iter().map(|v| brute_min(v, &us, &rel)).collect();
    let got = cnfs(s).unwrap().collect().run(false).unwrap();
    let got_set: BTreeSet<Value> = got.iter().cloned().collect();
    assert_eq!(got.len(), got_set.len(), "duplicates in cnfs of {s:?}");
    assert_eq!(got_set, expected, "cnfs of {s:?}");
    // the single-value functions agree with the oracle on every element
    for v in all.iter().take(400) {
        let m = brute_min(v, &us, &rel);
        assert_eq!(canonize(v).unwrap(), m, "canonize {v:?}");
        assert_eq!(is_canonical(v), *v == m, "is_canonical {v:?}");
    }
    got.len()
}

/// The USet `(n, name)`, declared once per test thread and cloned afterwards (separate
/// declarations with one name and size in one domain are refused).
fn u(n: u32, name: &str) -> Shape {
    thread_local! {
        static DECLARED: std::cell::RefCell<Vec<USet>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    DECLARED.with(|d| {
        let mut d = d.borrow_mut();
        let want = UsetId::of(name, n);
        if let Some(x) = d.iter().find(|x| x.id() == want) {
            return shape::uset(x);
        }
        let x = USet::new(n, name);
        d.push(x.clone());
        shape::uset(&x)
    })
}

#[test]
fn leaves_and_joins() {
    assert_eq!(check(&u(3, "a")), 1);
    assert_eq!(check(&shape::join(vec![u(3, "a"), u(3, "b")])), 2);
    assert_eq!(check(&shape::join(vec![u(2, "a"), shape::range(3)])), 4);
    assert_eq!(check(&shape::boolean()), 2);
    assert_eq!(
        check(&shape::values([Value::Str("x".into()), Value::Int(4)])),
        2
    );
}

#[test]
fn products() {
    assert_eq!(
        check(&shape::product(vec![u(3, "a"), u(3, "a"), u(3, "a")])),
        5
    );
    let a4 = u(4, "a");
    let j = shape::join(vec![u(4, "a"), u(2, "b")]);
    check(&shape::product(vec![a4, j]));
    check(&shape::product(vec![u(3, "a"), shape::range(4)]));
    check(&shape::product(vec![
        u(2, "a"),
        u(2, "b"),
        u(2, "a"),
        shape::boolean(),
    ]));
    check(&shape::product(vec![
        shape::values([Value::Str("x".into()), Value::Int(1)]),
        u(2, "a"),
    ]));
}

#[test]
fn sequences() {
    let counts: Vec<usize> = (1..=4)
        .map(|n| check(&shape::sequences(u(3, "a"), n, n)))
        .collect();
    assert_eq!(counts, vec![1, 2, 5, 14]);
    assert_eq!(check(&shape::sequences(u(2, "a"), 0, 4)), 16);
    check(&shape::sequences(shape::subsets(u(2, "a")), 0, 2));
    check(&shape::sequences(
        shape::join(vec![u(2, "a"), u(1, "b")]),
        1,
        3,
    ));
}

#[test]
fn subsets() {
    assert_eq!(
        check(&shape::subsets_sized(
            shape::join(vec![u(3, "a"), u(3, "b")]),
            2,
            2
        )),
        3
    );
    assert_eq!(
        check(&shape::subsets(shape::product(vec![u(2, "a"), u(2, "a")]))),
        10
    );
    assert_eq!(
        check(&shape::subsets(shape::product(vec![u(2, "a"), u(2, "b")]))),
        7
    );
    check(&shape::subsets(shape::subsets(u(3, "a"))));
    check(&shape::subsets_sized(shape::subsets(u(3, "a")), 1, 3));
    check(&shape::subsets(shape::join(vec![
        u(2, "a"),
        shape::range(2),
    ])));
    check(&shape::subsets(shape::sequences(u(2, "a"), 1, 2)));
    check(&shape::subsets(shape::mappings(
        u(2, "a"),
        shape::boolean(),
    )));
    // graphs: fast path, and the general path (a one-part join hides the pattern)
    for n in 1..=4 {
        let e = shape::subsets_sized(u(n, "v"), 2, 2);
        let a = check(&shape::subsets(e.clone()));
        let b = check(&shape::subsets(shape::join(vec![e])));
        assert_eq!(a, b);
    }
}

#[test]
fn mappings() {
    assert_eq!(check(&shape::mappings(u(2, "a"), u(2, "a"))), 3);
    check(&shape::mappings(u(3, "a"), u(3, "a")));
    check(&shape::mappings(u(3, "a"), shape::boolean()));
    check(&shape::mappings(shape::boolean(), u(3, "a")));
    check(&shape::mappings(u(2, "a"), u(3, "b")));
    check(&shape::mappings(
        shape::product(vec![u(2, "s"), u(2, "l")]),
        u(2, "s"),
    ));
    check(&shape::mappings(shape::subsets(u(2, "a")), u(2, "a")));
    check(&shape::product(vec![
        shape::mappings(u(2, "a"), u(2, "a")),
        shape::subsets_sized(u(2, "a"), 1, 1),
    ]));
}

#[test]
fn rejects_non_strict() {
    let e = cnfs(&shape::product(vec![u(2, "a"), shape::not_strict("map")])).unwrap_err();
    assert!(matches!(e, Error::NotStrict(_)), "{e}");
    let atoms_in_values = shape::values([Value::Atom(USet::new(2, "a").atom(1))]);
    assert!(matches!(cnfs(&atoms_in_values), Err(Error::NotStrict(_))));
}
