//! Shared checks for the domain tests.
#![allow(dead_code)]

use haydi_core::{Domain, Error, Size};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::fmt::Debug;
use std::ops::ControlFlow;

/// All items in `[start, end)` through `visit_range`.
pub fn visit<D: Domain>(d: &D, start: u128, end: u128) -> Vec<D::Item> {
    let mut v = Vec::new();
    let _ = d.visit_range(start, end, &mut |x| {
        v.push(x);
        ControlFlow::Continue(())
    });
    v
}

/// All items, through `visit_range`.
pub fn all<D: Domain>(d: &D) -> Vec<D::Item> {
    visit(d, 0, u128::MAX)
}

/// Checks that `visit_range`, `item_at`, `iter`, `size` and `generate_one` agree.
///
/// The reference is `item_at` on every index of the index space; `cuts` split the index space
/// into consecutive ranges whose visits must concatenate to the full iteration.
pub fn check<D>(d: &D, cuts: &[u128], seed: u64) -> Vec<D::Item>
where
    D: Domain,
    D::Item: PartialEq + Debug,
{
    let bound = d.size().bound().expect("test domains have a known size");
    let by_index: Vec<Option<D::Item>> = (0..bound).map(|i| d.item_at(i)).collect();
    let full: Vec<D::Item> = by_index.iter().flatten().cloned().collect();
    assert_eq!(d.item_at(bound), None, "item_at past the end");

    assert_eq!(all(d), full, "visit_range(0, MAX) vs item_at");
    assert_eq!(visit(d, 0, bound), full, "visit_range(0, size) vs item_at");
    assert_eq!(d.iter().collect::<Vec<_>>(), full, "iter vs item_at");

    let mut points: Vec<u128> = cuts.iter().map(|c| c % (bound + 1)).collect();
    points.push(0);
    points.push(bound);
    points.sort_unstable();
    points.dedup();
    let mut joined = Vec::new();
    for w in points.windows(2) {
        let part = visit(d, w[0], w[1]);
        let expected: Vec<D::Item> = by_index[w[0] as usize..w[1] as usize]
            .iter()
            .flatten()
            .cloned()
            .collect();
        assert_eq!(part, expected, "visit_range({}, {})", w[0], w[1]);
        joined.extend(part);
    }
    assert_eq!(joined, full, "split visit vs full");
    // Empty and inverted ranges.
    assert!(visit(d, bound, bound + 5).is_empty());
    assert!(visit(d, 3, 1).is_empty());

    match d.size() {
        Size::Exact(n) => assert_eq!(full.len() as u128, n, "exact size"),
        Size::AtMost(n) => assert!(full.len() as u128 <= n, "size bound"),
        Size::Unknown => unreachable!(),
    }

    // visit_range stops when the visitor breaks.
    if !full.is_empty() {
        let mut calls = 0;
        let r = d.visit_range(0, bound, &mut |_| {
            calls += 1;
            ControlFlow::Break(())
        });
        assert_eq!(r, ControlFlow::Break(()));
        assert_eq!(calls, 1);
    }

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    if full.is_empty() {
        if d.size().is_exact() {
            assert!(matches!(
                d.generate_one(&mut rng),
                Err(Error::EmptyDomain { .. })
            ));
        }
    } else {
        for _ in 0..8 {
            let x = d.generate_one(&mut rng).expect("generate_one");
            assert!(full.contains(&x), "generated {x:?} is not an item");
        }
    }
    full
}
