//! `to_values`: same items in the same order, parts materialized as the Python docs say.

use haydi_core::{Domain, Size};
use haydi_domains::{Join, Mappings, Materialized, Product, Range, Sequences, Subsets, ToValues};

#[test]
fn python_docs_example_r3_r5_r6() {
    // (R3 * R5 * R6).to_values(5) is Values * Values * Range.
    let p = Product::new((Range::new(3), Range::new(5), Range::new(6)));
    let m = p.to_values(5);
    let Materialized::Kept(inner) = &m else {
        panic!("90 items do not fit in 5")
    };
    let (a, b, c) = inner.domains();
    assert!(a.is_leaf() && b.is_leaf() && !c.is_leaf());
    assert_eq!(m.size(), Size::Exact(90));
    assert_eq!(m.iter().collect::<Vec<_>>(), p.iter().collect::<Vec<_>>());
    // Large enough: the whole product becomes one Values.
    assert!(p.to_values(90).is_leaf());
    assert!(!p.to_values(89).is_leaf());
}

#[test]
fn compound_domains_keep_order() {
    let s = Sequences::with_lengths(Range::new(3), 0, 2).unwrap();
    for max in [0, 3, 13, 100] {
        assert_eq!(
            s.to_values(max).iter().collect::<Vec<_>>(),
            s.iter().collect::<Vec<_>>()
        );
    }
    let sub = Subsets::with_sizes(Product::new((Range::new(3), Range::new(3))), 1, 3).unwrap();
    let m = sub.to_values(9);
    assert!(!m.is_leaf());
    assert_eq!(m.size(), Size::Exact(129));
    assert_eq!(m.iter().collect::<Vec<_>>(), sub.iter().collect::<Vec<_>>());
    let maps = Mappings::new(Range::new(3), Range::new(4)).unwrap();
    assert_eq!(
        maps.to_values(4).iter().collect::<Vec<_>>(),
        maps.iter().collect::<Vec<_>>()
    );
    let j = Join::new(vec![Range::new(3), Range::new(0), Range::new(7)]);
    let mj = j.to_values(3);
    let Materialized::Kept(parts) = &mj else {
        panic!()
    };
    let kinds: Vec<bool> = parts.parts().iter().map(|p| p.is_leaf()).collect();
    assert_eq!(kinds, vec![true, true, false]);
    assert_eq!(mj.iter().collect::<Vec<_>>(), j.iter().collect::<Vec<_>>());
}

#[test]
fn filtered_parts_keep_only_survivors() {
    let a = Range::new(10).filter(|x| x % 2 == 0 && *x < 8);
    let p = Product::new((a.clone(), a));
    assert_eq!(p.size(), Size::AtMost(100));
    let m = p.to_values(10);
    // each factor (bound 10) is materialized to its 4 survivors: the product is exact now
    assert_eq!(m.size(), Size::Exact(16));
    assert_eq!(m.iter().collect::<Vec<_>>(), p.iter().collect::<Vec<_>>());
}
