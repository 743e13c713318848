//! The canonical-form acceptance cases of the reference (cases 30-34, 37, 38, 40 n=3, 43).

use haydi_canon::{
    Atom, CnfsExt, USet, Value, canonize, cnfs, cnfs_as, expand, is_isomorphic, shape,
};
use haydi_core::IntoPipeline;
use std::collections::BTreeSet;

fn a(x: &Atom) -> Value {
    Value::Atom(*x)
}

#[test]
fn case_30_usets_and_joins() {
    let u = USet::new(3, "a");
    assert_eq!(
        u.cnfs().unwrap().collect().run(false).unwrap(),
        vec![u.atom(0)]
    );
    let b = USet::new(3, "b");
    let j = shape::join(vec![shape::uset(&u), shape::uset(&b)]);
    let got = cnfs_as::<Atom>(&j).unwrap().collect().run(false).unwrap();
    assert_eq!(got, vec![u.atom(0), b.atom(0)]);
}

#[test]
fn case_31_triples() {
    let u = USet::new(3, "a");
    let s = shape::product(vec![shape::uset(&u), shape::uset(&u), shape::uset(&u)]);
    let got = cnfs_as::<(Atom, Atom, Atom)>(&s)
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
fn case_32_pairs_of_two_usets() {
    let (ua, ub) = (USet::new(3, "a"), USet::new(3, "b"));
    let s = shape::subsets_sized(shape::join(vec![shape::uset(&ua), shape::uset(&ub)]), 2, 2);
    let got: BTreeSet<Value> = cnfs(&s)
        .unwrap()
        .collect()
        .run(false)
        .unwrap()
        .into_iter()
        .collect();
    let want: BTreeSet<Value> = [
        Value::set([a(&ua.atom(0)), a(&ua.atom(1))]),
        Value::set([a(&ua.atom(0)), a(&ub.atom(0))]),
        Value::set([a(&ub.atom(0)), a(&ub.atom(1))]),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want);
}

#[test]
fn case_33_maps_and_34_join_filter() {
    let u = USet::new(2, "b");
    let m = shape::mappings(shape::uset(&u), shape::uset(&u));
    assert_eq!(cnfs(&m).unwrap().count().run(false).unwrap(), 3);
    let ua = USet::new(4, "a");
    let ub = USet::new(2, "b");
    let s = shape::product(vec![
        shape::uset(&ua),
        shape::join(vec![shape::uset(&ua), shape::uset(&ub)]),
    ]);
    let got = cnfs_as::<(Atom, Atom)>(&s)
        .unwrap()
        .filter(move |x| x.1.uset() == ub.id())
        .collect()
        .run(false)
        .unwrap();
    assert_eq!(got, vec![(ua.atom(0), USet::new(2, "b").atom(0))]);
}

#[test]
fn case_37_canonize_and_38_isomorphism() {
    let ua = USet::new(1000, "a");
    let ub = USet::new(2, "b");
    assert_eq!(
        canonize(&(ua.atom(900), ua.atom(0), ua.atom(1), ua.atom(1), 100i64)).unwrap(),
        (ua.atom(0), ua.atom(1), ua.atom(2), ua.atom(2), 100)
    );
    assert_eq!(
        canonize(&(ua.atom(900), ub.atom(1), ub.atom(0))).unwrap(),
        (ua.atom(0), ub.atom(0), ub.atom(1))
    );
    assert!(is_isomorphic(
        &(ua.atom(0), ua.atom(1)),
        &(ua.atom(1), ua.atom(0))
    ));
    assert!(!is_isomorphic(
        &(ua.atom(0), ua.atom(1)),
        &(ua.atom(0), ua.atom(0))
    ));
    assert!(!is_isomorphic(&ua.atom(0), &ub.atom(0)));
    assert!(!is_isomorphic(&(ua.atom(0), 1i64), &(ua.atom(0), 2i64)));
    let u3 = USet::new(3, "a");
    assert_eq!(expand(&(u3.atom(0), u3.atom(1))).unwrap().len(), 6);
}

#[test]
fn case_40_graphs_on_3_and_43_sequences() {
    let u = USet::new(3, "n");
    let g = shape::subsets(shape::subsets_sized(shape::uset(&u), 2, 2));
    let got = cnfs(&g).unwrap().collect().run(false).unwrap();
    let e = |i, j| Value::set([a(&u.atom(i)), a(&u.atom(j))]);
    let want = vec![
        Value::set([]),
        Value::set([e(0, 1)]),
        Value::set([e(0, 1), e(0, 2)]),
        Value::set([e(0, 1), e(0, 2), e(1, 2)]),
    ];
    assert_eq!(got, want);
    let u2 = USet::new(2, "a");
    let s = shape::sequences(shape::uset(&u2), 0, 4);
    assert_eq!(cnfs(&s).unwrap().count().run(false).unwrap(), 16);
}
