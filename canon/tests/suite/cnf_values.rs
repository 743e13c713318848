//! `CnfValues` and `to_cnf_values` against brute force.

use crate::common::{brute_min, cnf_values, relabellings};
use haydi_canon::{Atom, Canonical, CnfValues, CnfsExt, USet, Value};
use haydi_core::Set;
use haydi_core::prelude::*;
use haydi_domains::{Product, Subsets};
use std::collections::BTreeSet;

type Graph = Set<Set<Atom>>;

fn graphs(n: u32) -> Subsets<Subsets<USet>> {
    let v = USet::new(n, "v");
    Subsets::new(Subsets::with_size(v, 2).unwrap()).unwrap()
}

#[test]
fn expanding_the_eleven_graphs_on_four_vertices_gives_all_sixty_four() {
    let g = graphs(4);
    let reps: Vec<Graph> = g.cnfs().unwrap().collect().run(false).unwrap();
    assert_eq!(reps.len(), 11);
    let d = CnfValues::new(reps.clone()).unwrap();
    assert_eq!(d.size(), Size::Exact(64));
    let items: Vec<Graph> = d.iter().collect();
    let distinct: BTreeSet<Graph> = items.iter().cloned().collect();
    assert_eq!(distinct.len(), 64, "each labelled graph listed once");
    let all: BTreeSet<Graph> = g.iter().collect();
    assert_eq!(distinct, all);
    // Documented order: representative by representative, each block sorted.
    let mut at = 0;
    for r in &reps {
        let block: Vec<Graph> = haydi_canon::expand(r).unwrap();
        assert_eq!(&items[at..at + block.len()], &block[..]);
        assert!(block.windows(2).all(|w| w[0] < w[1]));
        at += block.len();
    }
    // cnfs of the materialized class set gives the representatives back (one per class).
    let back: BTreeSet<Graph> = d
        .cnfs()
        .unwrap()
        .collect()
        .run(false)
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(back, reps.iter().cloned().collect());
    // parallel iteration equals serial
    assert_eq!(d.collect().run(true).unwrap(), items);
}

#[test]
fn python_docs_example() {
    // CnfValues((a0, (a0, a1), "x")) iterates a0 a1 a2 (a0,a1) (a0,a2) (a1,a0) (a1,a2) (a2,a0) (a2,a1) 'x'.
    let a = USet::new(3, "a");
    let at = |i| Value::Atom(a.atom(i));
    let d = CnfValues::new(vec![
        at(0),
        Value::Seq(vec![at(0), at(1)]),
        Value::Str("x".into()),
    ])
    .unwrap();
    let expect = vec![
        at(0),
        at(1),
        at(2),
        Value::Seq(vec![at(0), at(1)]),
        Value::Seq(vec![at(0), at(2)]),
        Value::Seq(vec![at(1), at(0)]),
        Value::Seq(vec![at(1), at(2)]),
        Value::Seq(vec![at(2), at(0)]),
        Value::Seq(vec![at(2), at(1)]),
        Value::Str("x".into()),
    ];
    assert_eq!(d.iter().collect::<Vec<_>>(), expect);
}

#[test]
fn non_canonical_and_repeated_values_are_errors() {
    let u = USet::new(3, "u");
    match CnfValues::new(vec![(u.atom(1), u.atom(0))]) {
        Err(Error::NotCanonical { value, canonical }) => {
            assert_eq!(value, "(u1, u0)");
            assert_eq!(canonical, "(u0, u1)");
        }
        other => panic!("{other:?}"),
    }
    // a gap: u1 used without u0
    assert!(matches!(
        CnfValues::new(vec![u.atom(1)]),
        Err(Error::NotCanonical { .. })
    ));
    assert!(matches!(
        CnfValues::new(vec![u.atom(0), u.atom(0)]),
        Err(Error::NotCanonical { .. })
    ));
    assert!(
        CnfValues::<Atom>::new(vec![])
            .unwrap()
            .iter()
            .next()
            .is_none()
    );
}

#[test]
fn cnfs_of_a_product_with_cnf_values_equals_brute_force() {
    let u = USet::new(3, "u");
    let pairs = CnfValues::new(vec![(u.atom(0), u.atom(1))]).unwrap(); // 6 injective pairs
    let p = Product::new((pairs, u.clone()));
    let got: BTreeSet<Value> = cnf_values(&p).into_iter().collect();
    let ids = [u.id()];
    let rel = relabellings(&ids);
    let brute: BTreeSet<Value> = p
        .iter()
        .map(|x| brute_min(&x.to_value(), &ids, &rel))
        .collect();
    assert_eq!(got, brute);
    assert_eq!(got.len(), 3); // third atom equal to the first, the second, or new
}

#[test]
fn named_domains_keep_canonical_forms() {
    let u = USet::new(3, "u");
    let p = Product::new((u.clone(), u.clone())).named("pairs");
    assert_eq!(p.cnfs().unwrap().count().run(false).unwrap(), 2);
    assert!(p.to_string().starts_with("pairs(size=9) {(u0, u0), "));
    let m = haydi_canon::ToCnfValues::to_cnf_values(&p, 9).unwrap();
    assert_eq!(m.name(), "pairs");
    assert_eq!(m.cnfs().unwrap().count().run(false).unwrap(), 2);
}
