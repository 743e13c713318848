//! `Domain::fingerprint` (issue 24): what checkpoints and crops record of a domain. Domains of
//! one type and one size that hold other items differ; the same domain built twice gives the
//! same text (it is compared across processes and builds); what a domain cannot show is said.

use haydi_core::Domain;
use haydi_domains::{
    Boolean, Join, Mappings, Permutations, Product, ProductRepeat, ProductUnordered, Range,
    Sequences, Subsets, Values,
};

/// Every pair in `fps` differs.
fn all_differ(fps: &[String]) {
    for i in 0..fps.len() {
        for j in 0..i {
            assert_ne!(fps[i], fps[j], "{i} and {j} look alike");
        }
    }
}

#[test]
fn domains_of_one_type_and_size_with_other_items_differ() {
    let r = |a: i64, b: i64, s: i64| Range::span(a, b, s).unwrap();
    // Five ranges of 10 items each.
    all_differ(&[
        Range::new(10).fingerprint(),
        r(5, 15, 1).fingerprint(),
        r(0, 20, 2).fingerprint(),
        r(-10, 0, 1).fingerprint(),
        r(10, 0, -1).fingerprint(),
    ]);
    // Products of 20 pairs.
    all_differ(&[
        Product::new((Range::new(4), Range::new(5))).fingerprint(),
        Product::new((Range::new(5), Range::new(4))).fingerprint(),
        Product::new((r(1, 5, 1), Range::new(5))).fingerprint(),
        Product::new((Range::new(2), Range::new(2), r(0, 5, 1))).fingerprint(),
    ]);
    // Sequences, subsets, repeats and unordered products over other domains or lengths.
    all_differ(&[
        Sequences::new(Range::new(3), 2).fingerprint(),
        Sequences::new(r(1, 4, 1), 2).fingerprint(),
        Sequences::with_lengths(Range::new(3), 1, 2)
            .unwrap()
            .fingerprint(),
        Subsets::with_size(Range::new(6), 2).unwrap().fingerprint(),
        Subsets::with_size(r(1, 7, 1), 2).unwrap().fingerprint(),
        ProductRepeat::new(Range::new(3), 2).fingerprint(),
        ProductUnordered::new(Range::new(3), 2)
            .unwrap()
            .fingerprint(),
    ]);
    // Joins: other parts, other ratios (which weigh generated streams).
    all_differ(&[
        Join::new(vec![Range::new(2), Range::new(3)]).fingerprint(),
        Join::new(vec![Range::new(3), Range::new(2)]).fingerprint(),
        Join::with_ratios(vec![Range::new(2), Range::new(3)], vec![1.0, 2.0])
            .unwrap()
            .fingerprint(),
        Join::with_ratios(vec![Range::new(2), Range::new(3)], vec![2.0, 1.0])
            .unwrap()
            .fingerprint(),
    ]);
    assert_ne!(
        Mappings::new(Range::new(2), Range::new(3))
            .unwrap()
            .fingerprint(),
        Mappings::new(Range::new(2), r(1, 4, 1))
            .unwrap()
            .fingerprint()
    );
}

#[test]
fn the_same_domain_gives_the_same_text() {
    let build = || {
        Product::new((
            Sequences::with_lengths(Range::span(1, 9, 2).unwrap(), 0, 3).unwrap(),
            Subsets::with_sizes(Boolean, 0, 1).unwrap(),
            Join::with_ratios(vec![Range::new(2), Range::new(5)], vec![0.25, 0.75]).unwrap(),
        ))
        .fingerprint()
    };
    assert_eq!(build(), build());
    assert_eq!(
        Range::span(5, 15, 1).unwrap().fingerprint(),
        "Range(start 5, step 1, len 10)"
    );
    // A name only changes how a domain is shown.
    assert_eq!(
        Range::new(3).named("digits").fingerprint(),
        Range::new(3).fingerprint()
    );
    // A boxed domain describes what it holds.
    assert_eq!(
        Range::new(3).boxed().fingerprint(),
        Range::new(3).fingerprint()
    );
}

#[test]
fn what_a_domain_cannot_show_is_said() {
    let values = Values::new(vec![1, 2, 3]).fingerprint();
    assert!(values.contains("items not described"), "{values}");
    let perms = Permutations::new(Range::new(3)).unwrap().fingerprint();
    assert!(perms.contains("items not described"), "{perms}");
    let mapped = Range::new(3).map(|x| x + 1).fingerprint();
    assert!(
        mapped.contains("closure not described") && mapped.contains("Range(start 0"),
        "{mapped}"
    );
    let filtered = Range::new(3).filter(|x| x % 2 == 0).fingerprint();
    assert!(filtered.contains("predicate not described"), "{filtered}");
}
