//! USets order by name, then size; separate declarations with one identity are refused.

use haydi_canon::{Atom, CnfsExt, USet};
use haydi_core::prelude::*;
use haydi_domains::{Join, Product, Subsets};

#[test]
fn atoms_of_different_usets_order_by_name_then_size() {
    let b = USet::new(2, "b");
    let a = USet::new(3, "a");
    let a4 = USet::new(4, "a");
    let long1 = USet::new(2, "vertices_left");
    let long2 = USet::new(2, "vertices_right");
    assert!(a.atom(2) < b.atom(0));
    assert!(a.atom(2) < a4.atom(0));
    assert!(b.atom(1) < long1.atom(0) && b.atom(1) < long2.atom(0));
    assert_ne!(long1.atom(0), long2.atom(0));
    // Python docs case 32: Subsets(U(3,a) + U(3,b), 2).cnfs() == [{a0,a1}, {a0,b0}, {b0,b1}],
    // whatever order the USets were declared in.
    let s = Subsets::with_size(Join::new(vec![b.clone().boxed(), a.clone().boxed()]), 2).unwrap();
    let mut got: Vec<Vec<Atom>> = s
        .cnfs()
        .unwrap()
        .collect()
        .run(false)
        .unwrap()
        .into_iter()
        .map(|x| x.into_vec())
        .collect();
    got.sort();
    let _ = USet::new(3, "b"); // a later declaration changes nothing
    assert_eq!(
        got,
        vec![
            vec![a.atom(0), a.atom(1)],
            vec![a.atom(0), b.atom(0)],
            vec![b.atom(0), b.atom(1)],
        ]
    );
}

#[test]
fn separate_declarations_with_one_identity_are_refused() {
    // The Python pitfall: two USet(2) are two sets (7 cnfs of Subsets(U*U)). In Rust two
    // declarations with one name and size would silently be one set: refused instead.
    let p = Product::new((USet::new(2, "u"), USet::new(2, "u")));
    match Subsets::new(p).unwrap().cnfs() {
        Err(Error::InvalidDomain(m)) => assert!(m.contains("declared separately"), "{m}"),
        other => panic!("{:?}", other.map(|_| ())),
    }
    // Distinct names: two sets, as in Python (7 classes).
    let two = Product::new((USet::new(2, "u"), USet::new(2, "w")));
    assert_eq!(
        Subsets::new(two)
            .unwrap()
            .cnfs()
            .unwrap()
            .count()
            .run(false)
            .unwrap(),
        7
    );
    // One declaration, cloned: one set (10 classes, directed graphs with loops on 2 vertices).
    let u = USet::new(2, "u");
    let one = Product::new((u.clone(), u));
    assert_eq!(
        Subsets::new(one)
            .unwrap()
            .cnfs()
            .unwrap()
            .count()
            .run(false)
            .unwrap(),
        10
    );
}
