//! `domain.cnfs()` on the real domain types of `haydi-domains`: OEIS counts, listed cases, a
//! brute-force oracle over the domain's own items, refusals of non-strict domains, and
//! parallel runs equal to serial ones.

use crate::common::{brute_min, relabellings};
use haydi_canon::{Atom, Canonical, CnfsExt, StrictShape, USet, UsetId, Value, is_canonical};
use haydi_core::prelude::*;
use haydi_domains::{
    Boolean, Join, Mappings, Permutations, Product, Range, Sequences, Subsets, Values,
};
use std::collections::BTreeSet;

fn count<D>(d: &D) -> u64
where
    D: Domain + StrictShape,
    D::Item: Canonical + Send,
{
    d.cnfs().unwrap().count().run(false).unwrap()
}

fn graphs(n: u32) -> Subsets<Subsets<USet>> {
    Subsets::new(Subsets::with_size(USet::new(n, "v"), 2).unwrap()).unwrap()
}

#[test]
fn graphs_a000088() {
    let expected = [1u64, 2, 4, 11, 34, 156, 1044];
    let got: Vec<u64> = (1..=7).map(|n| count(&graphs(n))).collect();
    assert_eq!(got, expected);
}

#[test]
fn directed_graphs_with_loops_a000595() {
    let expected = [2u64, 10, 104, 3044];
    let got: Vec<u64> = (1..=4)
        .map(|n| {
            let u = USet::new(n, "v");
            count(&Subsets::new(Product::new((u.clone(), u))).unwrap())
        })
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn functional_graphs_a001372() {
    let expected = [1u64, 3, 7, 19, 47];
    let got: Vec<u64> = (1..=5)
        .map(|n| {
            let u = USet::new(n, "v");
            count(&Mappings::new(u.clone(), u).unwrap())
        })
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn triples_are_listed() {
    let u = USet::new(3, "a");
    let got = Product::new((u.clone(), u.clone(), u.clone()))
        .cnfs()
        .unwrap()
        .collect()
        .run(false)
        .unwrap();
    let (x, y, z) = (u.atom(0), u.atom(1), u.atom(2));
    assert_eq!(
        got,
        vec![(x, x, x), (x, x, y), (x, y, x), (x, y, y), (x, y, z)]
    );
}

#[test]
fn pairs_from_two_joined_usets() {
    let a = USet::new(3, "a");
    let b = USet::new(2, "b");
    let j = Join::new(vec![a.clone().boxed(), b.clone().boxed()]);
    let got = Subsets::with_size(j, 2)
        .unwrap()
        .cnfs()
        .unwrap()
        .collect()
        .run(false)
        .unwrap();
    let got: Vec<Vec<Atom>> = got.into_iter().map(Set::into_vec).collect();
    let (a0, a1, b0, b1) = (a.atom(0), a.atom(1), b.atom(0), b.atom(1));
    let want: BTreeSet<Vec<Atom>> = [vec![a0, a1], vec![a0, b0], vec![b0, b1]]
        .into_iter()
        .map(|mut v| {
            v.sort();
            v
        })
        .collect();
    assert_eq!(got.len(), 3);
    assert_eq!(got.into_iter().collect::<BTreeSet<_>>(), want);
    // the same join without boxing
    let j2 = Join::new(vec![a.clone(), USet::new(2, "b")]);
    assert_eq!(count(&Subsets::with_size(j2, 2).unwrap()), 3);
}

#[test]
fn mappings_of_two_atoms() {
    let u = USet::new(2, "a");
    let got = Mappings::new(u.clone(), u.clone())
        .unwrap()
        .cnfs()
        .unwrap()
        .collect()
        .run(false)
        .unwrap();
    assert_eq!(got.len(), 3);
    let (x, y) = (u.atom(0), u.atom(1));
    let m = |a, b| Mapping::from_sorted_pairs(vec![(x, a), (y, b)]);
    assert_eq!(
        got.into_iter().collect::<BTreeSet<_>>(),
        [m(x, x), m(x, y), m(y, x)].into()
    );
}

// ---- brute-force oracle over the domain's own items ----

/// `cnfs()` equals the set of orbit minima of the domain's items; returns the class count.
fn oracle<D>(d: &D, usets: &[&USet]) -> usize
where
    D: Domain + StrictShape,
    D::Item: Canonical + Send + 'static,
{
    let us: Vec<UsetId> = usets.iter().map(|u| u.id()).collect();
    let items: Vec<Value> = d.iter().map(|x| x.to_value()).collect();
    let rel = relabellings(&us);
    let expected: BTreeSet<Value> = items.iter().map(|v| brute_min(v, &us, &rel)).collect();
    let got: Vec<Value> = d
        .cnfs()
        .unwrap()
        .map(|x| x.to_value())
        .collect()
        .run(false)
        .unwrap();
    let got_set: BTreeSet<Value> = got.iter().cloned().collect();
    assert_eq!(got.len(), got_set.len(), "duplicates");
    assert_eq!(got_set, expected);
    let all: BTreeSet<Value> = items.into_iter().collect();
    for v in &got {
        let x = D::Item::from_value(v).expect("decodes to the item type");
        assert!(is_canonical(&x));
        assert!(all.contains(v), "{v:?} is not an item");
    }
    got.len()
}

#[test]
fn mixed_nestings_match_the_oracle() {
    let u = USet::new(3, "u");
    let w = USet::new(2, "w");
    // 3 * 3 * 2 items, atoms only in the first coordinate: one class per (range, bool)
    assert_eq!(
        oracle(&Product::new((u.clone(), Range::new(3), Boolean)), &[&u]),
        6
    );
    oracle(
        &Product::new((u.clone(), Range::span(5, -3, -4).unwrap(), u.clone())),
        &[&u],
    );
    oracle(
        &Subsets::with_sizes(Product::new((u.clone(), Boolean)), 0, 3).unwrap(),
        &[&u],
    );
    oracle(&Product::repeat(u.clone(), 3), &[&u]);
    oracle(
        &Sequences::with_lengths(Join::new(vec![u.clone(), w.clone()]), 0, 3).unwrap(),
        &[&u, &w],
    );
    oracle(&Mappings::new(Boolean, u.clone()).unwrap(), &[&u]);
    oracle(&Mappings::new(u.clone(), Boolean).unwrap(), &[&u]);
    oracle(
        &Mappings::new(w.clone(), Product::new((u.clone(), Range::new(2)))).unwrap(),
        &[&u, &w],
    );
    oracle(
        &Product::new((
            Values::new(vec!["x".to_string(), "y".to_string()]),
            Subsets::with_size(u.clone(), 2).unwrap(),
            w.clone(),
        )),
        &[&u, &w],
    );
    oracle(
        &Mappings::new(Product::new((u.clone(), w.clone())), Boolean).unwrap(),
        &[&u, &w],
    );
    // plain domains: every item is its own class
    assert_eq!(oracle(&Product::new((Range::new(3), Boolean)), &[]), 6);
}

#[test]
fn repeated_join_parts_give_each_class_once() {
    let u = USet::new(3, "u");
    let twice = || Join::new(vec![u.clone(), u.clone()]);
    assert_eq!(count(&Product::new((twice(), Boolean))), 2);
    assert_eq!(count(&Sequences::new(twice(), 2)), 2);
    assert_eq!(count(&Mappings::new(Boolean, twice()).unwrap()), 2);
    assert_eq!(count(&Subsets::with_size(twice(), 2).unwrap()), 1);
    assert_eq!(count(&Product::repeat(twice(), 3)), 5);
}

fn assert_not_strict<T: std::fmt::Debug>(r: Result<T>, mentions: &str) {
    match r {
        Err(Error::NotStrict(m)) => assert!(m.contains(mentions), "{m:?} should name {mentions}"),
        other => panic!("expected NotStrict, got {other:?}"),
    }
}

#[test]
fn non_strict_domains_are_refused() {
    let u = USet::new(3, "u");
    assert_not_strict(u.clone().map(|a| a).cnfs().map(|_| ()), "Map");
    assert_not_strict(
        u.clone().filter(|a| a.index() > 0).cnfs().map(|_| ()),
        "Filter",
    );
    assert_not_strict(
        Permutations::new(u.clone()).unwrap().cnfs().map(|_| ()),
        "Permutations",
    );
    assert_not_strict(
        Product::unordered(u.clone(), 2).unwrap().cnfs().map(|_| ()),
        "ProductUnordered",
    );
    assert_not_strict(
        Values::new(vec![u.atom(0), u.atom(1)]).cnfs().map(|_| ()),
        "Values",
    );
    // nested and behind a box
    let nested = Subsets::new(u.clone().map(|a| a).boxed()).unwrap();
    assert_not_strict(nested.cnfs().map(|_| ()), "not strict");
    let keys = Mappings::new(u.clone().filter(|_| true), Boolean).unwrap();
    assert_not_strict(keys.cnfs().map(|_| ()), "not strict");
}

#[test]
fn parallel_equals_serial() {
    let ctx = ThreadContext::new(2).unwrap();
    let u = USet::new(5, "v");
    let g = graphs(6);
    let job = g.cnfs().unwrap().collect();
    assert_eq!(job.run_in(&ctx).unwrap(), job.run(false).unwrap());
    let v3 = USet::new(3, "v");
    let d = Subsets::new(Product::new((v3.clone(), v3))).unwrap();
    let job = d.cnfs().unwrap().collect();
    let serial = job.run(false).unwrap();
    assert_eq!(serial.len(), 104);
    assert_eq!(job.run_in(&ctx).unwrap(), serial);
    let f = Mappings::new(u.clone(), u).unwrap();
    let job = f.cnfs().unwrap().collect();
    assert_eq!(job.run_in(&ctx).unwrap(), job.run(false).unwrap());
    assert_eq!(f.cnfs().unwrap().count().run(true).unwrap(), 47);
}

#[test]
fn range_shapes_follow_the_items() {
    for r in [
        Range::new(0),
        Range::new(4),
        Range::span(-5, 11, 3).unwrap(),
        Range::span(5, -6, -2).unwrap(),
        Range::span(i64::MAX - 10, i64::MAX, 4).unwrap(),
        Range::span(i64::MIN + 10, i64::MIN, -3).unwrap(),
        Range::span(0, i64::MAX, i64::MAX / 2 + 1).unwrap(),
    ] {
        let got: Vec<i64> = r.cnfs().unwrap().collect().run(false).unwrap();
        assert_eq!(got, r.iter().collect::<Vec<_>>(), "{r:?}");
    }
}
