//! Every domain against brute-force or closed-form oracles, plus the acceptance cases.

use crate::common::{all, check, visit};
use haydi_core::prelude::*;
use haydi_domains::*;
use itertools::{Itertools, iproduct};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn py_range(start: i64, end: i64, step: i64) -> Vec<i64> {
    let mut v = Vec::new();
    let mut x = start;
    while (step > 0 && x < end) || (step < 0 && x > end) {
        v.push(x);
        x += step;
    }
    v
}

#[test]
fn range_matches_python_range() {
    assert_eq!(all(&Range::new(10)), (0..10).collect::<Vec<i64>>());
    assert_eq!(Range::new(20).size(), Size::Exact(20));
    assert_eq!(Range::new(-1).size(), Size::Exact(0));
    assert!(all(&Range::new(-1)).is_empty());
    let r = Range::span(-5, 11, 2).unwrap();
    assert_eq!(all(&r), py_range(-5, 11, 2));
    assert_eq!(r.size(), Size::Exact(8));
    let r = Range::span(4, 15, 3).unwrap();
    assert_eq!(r.size(), Size::Exact(4));
    assert_eq!(all(&r), vec![4, 7, 10, 13]);
    assert_eq!(Range::span(1, 1, 1).unwrap().size(), Size::Exact(0));
    for (s, e, st) in [
        (10, -3, -3),
        (0, 10, -1),
        (-3, -3, -2),
        (7, 8, 5),
        (5, -5, -1),
    ] {
        let r = Range::span(s, e, st).unwrap();
        assert_eq!(check(&r, &[2, 5], 1), py_range(s, e, st), "{s} {e} {st}");
    }
    // Extreme bounds do not overflow.
    let r = Range::span(i64::MIN, i64::MAX, 1 << 62).unwrap();
    assert_eq!(all(&r), vec![i64::MIN, -(1 << 62), 0, 1 << 62]);
    let r = Range::span(i64::MAX, i64::MIN, -(1 << 62)).unwrap();
    assert_eq!(r.size(), Size::Exact(4));
    assert_eq!(
        r.item_at(3),
        Some((i64::MAX as i128 - 3 * (1i128 << 62)) as i64)
    );
    let full = Range::span(i64::MIN, i64::MAX, 1).unwrap();
    assert_eq!(full.size(), Size::Exact(u64::MAX as u128));
    assert_eq!(full.item_at(u64::MAX as u128 - 1), Some(i64::MAX - 1));
}

#[test]
fn range_generate_respects_start_and_step() {
    let r = Range::span(5, 10, 2).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..200 {
        seen.insert(r.generate_one(&mut rng).unwrap());
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![5, 7, 9]);
}

#[test]
fn values_and_boolean() {
    let v = Values::new(vec!["a", "b", "c", "d"]);
    assert_eq!(visit(&v, 2, 100), vec!["c", "d"]);
    assert_eq!(check(&v, &[1, 3], 2), vec!["a", "b", "c", "d"]);
    assert!(v.is_strict());
    assert_eq!(check(&Boolean, &[1], 2), vec![false, true]);
    assert_eq!(Boolean.to_string(), "Boolean(size=2) {false, true}");
    assert_eq!(
        Range::new(9).to_string(),
        "Range(size=9) {0, 1, 2, 3, 4, ...}"
    );
}

#[test]
fn product_vs_nested_loops() {
    let p = Product::new((Range::new(4), Range::new(2)));
    let expected: Vec<(i64, i64)> = iproduct!(0..4, 0..2).collect();
    assert_eq!(check(&p, &[3, 5], 4), expected);

    let p = Product::new((Range::new(3), Boolean, Values::new(vec!['x', 'y'])));
    let expected: Vec<_> = iproduct!(0..3i64, [false, true], ['x', 'y']).collect();
    assert_eq!(check(&p, &[1, 7, 11], 5), expected);

    let r = Range::new(2);
    let p = Product::new((r, r, r, r, r, r, r, Range::new(3)));
    let v = check(&p, &[100, 200], 6);
    assert_eq!(v.len(), 384);
    assert_eq!(v[0], (0, 0, 0, 0, 0, 0, 0, 0));
    assert_eq!(v[383], (1, 1, 1, 1, 1, 1, 1, 2));
    assert_eq!(v[5], (0, 0, 0, 0, 0, 0, 1, 2));
    assert!(p.is_strict());
    assert!(!Product::new((r, r.map(|x| x))).is_strict());
    assert_eq!(
        Product::new((Range::new(2), Range::new(2))).to_string(),
        "Product(size=4) {(0, 0), (0, 1), (1, 0), (1, 1)}"
    );
}

#[test]
fn filtered_product_acceptance() {
    let a = Range::new(10).filter(|x| x % 2 == 0 && *x < 8);
    let p = Product::new((a.clone(), a));
    assert_eq!(p.size(), Size::AtMost(100));
    assert_eq!(check(&p, &[10, 24, 57], 7).len(), 16);
    assert_eq!(visit(&p, 10, 24), vec![(2, 0), (2, 2)]);
    assert_eq!(p.clone().count().run(false).unwrap(), 16);

    let a = Range::new(12).filter(|x| *x == 6 || *x == 9);
    let b = Range::new(10).filter(|x| *x == 2 || *x == 3);
    let p = Product::new((a, b));
    assert_eq!(visit(&p, 43, 93), vec![(6, 2), (6, 3), (9, 2)]);
}

#[test]
fn product_repeat_vs_cartesian() {
    for n in 0..4i64 {
        for k in 0..4usize {
            let p = Product::repeat(Range::new(n), k);
            let expected: Vec<Vec<i64>> = if k == 0 {
                vec![vec![]]
            } else {
                (0..k).map(|_| 0..n).multi_cartesian_product().collect()
            };
            assert_eq!(check(&p, &[5, 9], 8), expected, "n={n} k={k}");
            assert_eq!(p.size(), Size::Exact((n as u128).pow(k as u32)));
        }
    }
    assert_eq!(Product::repeat(Range::new(2), 200).size(), Size::Unknown);
    // Indices below 2^128 still unrank and visit when the size overflows.
    let big = Product::repeat(Range::new(2), 200);
    assert_eq!(big.item_at(5).unwrap()[197..], [1, 0, 1]);
    assert_eq!(big.item_at(5).unwrap()[..197], [0; 197]);
    let v = visit(&big, 4, 6);
    assert_eq!(v, vec![big.item_at(4).unwrap(), big.item_at(5).unwrap()]);
    assert_eq!(
        Sequences::with_lengths(Range::new(2), 0, 1)
            .unwrap()
            .to_string(),
        "Sequences(size=3) {[], [0], [1]}"
    );
    // Huge index spaces still unrank.
    let p = Product::repeat(Range::new(10), 30);
    let x = p.item_at(123_456_789).unwrap();
    assert_eq!(&x[21..], &[1, 2, 3, 4, 5, 6, 7, 8, 9]);
}

#[test]
fn unordered_vs_combinations() {
    for n in 0..7i64 {
        for k in 0..6usize {
            let p = Product::unordered(Range::new(n), k).unwrap();
            let expected: Vec<Vec<i64>> = (0..n).combinations(k).collect();
            assert_eq!(check(&p, &[3, 7], 9), expected, "n={n} k={k}");
        }
    }
    let p = Product::unordered(Range::new(5), 3).unwrap();
    assert_eq!(p.size(), Size::Exact(10));
    assert_eq!(all(&p).len(), 10);
    let a = Range::new(10).filter(|x| [1, 2, 7, 8].contains(x));
    let p = Product::unordered(a, 2).unwrap();
    assert_eq!(visit(&p, 0, 16), vec![vec![1, 2], vec![1, 7], vec![1, 8]]);
    assert_eq!(all(&p).len(), 6);
    // Large n: unranking by binary search.
    let p = Product::unordered(Range::new(1_000_000), 3).unwrap();
    let last = p.size().exact().unwrap() - 1;
    assert_eq!(p.item_at(last), Some(vec![999_997, 999_998, 999_999]));
    assert_eq!(p.item_at(0), Some(vec![0, 1, 2]));
}

#[test]
fn sequences_vs_products() {
    let s = Sequences::with_lengths(Range::new(3), 0, 2).unwrap();
    let v = check(&s, &[4, 6], 10);
    assert_eq!(v.len(), 13);
    let mut expected: Vec<Vec<i64>> = vec![vec![]];
    expected.extend((0..3).map(|x| vec![x]));
    expected.extend(iproduct!(0..3, 0..3).map(|(a, b)| vec![a, b]));
    assert_eq!(v, expected);
    assert_eq!(
        all(&Sequences::new(Range::new(3), 0)),
        vec![Vec::<i64>::new()]
    );
    let s = Sequences::new(Range::new(4), 3);
    assert_eq!(all(&s), all(&Product::repeat(Range::new(4), 3)));
    let s = Sequences::with_lengths(Boolean, 2, 4).unwrap();
    assert_eq!(s.size(), Size::Exact(4 + 8 + 16));
    check(&s, &[3, 12, 13], 11);
}

/// Preorder DFS over subsets, emitting those whose size is in `min..=max`.
fn subsets_oracle(n: usize, min: usize, max: usize) -> Vec<Vec<i64>> {
    fn rec(
        n: usize,
        min: usize,
        max: usize,
        prefix: &mut Vec<i64>,
        next: usize,
        out: &mut Vec<Vec<i64>>,
    ) {
        if min <= prefix.len() && prefix.len() <= max {
            out.push(prefix.clone());
        }
        for c in next..n {
            prefix.push(c as i64);
            rec(n, min, max, prefix, c + 1, out);
            prefix.pop();
        }
    }
    let mut out = Vec::new();
    rec(n, min, max, &mut Vec::new(), 0, &mut out);
    out
}

#[test]
fn subsets_vs_dfs_oracle() {
    let s = Subsets::new(Range::new(3)).unwrap();
    let v: Vec<Vec<i64>> = all(&s).into_iter().map(Set::into_vec).collect();
    assert_eq!(
        v,
        vec![
            vec![],
            vec![0],
            vec![0, 1],
            vec![0, 1, 2],
            vec![0, 2],
            vec![1],
            vec![1, 2],
            vec![2]
        ]
    );
    let s = Subsets::with_sizes(Range::new(3), 0, 2).unwrap();
    let v: Vec<Vec<i64>> = all(&s).into_iter().map(Set::into_vec).collect();
    assert_eq!(
        v,
        vec![
            vec![],
            vec![0],
            vec![0, 1],
            vec![0, 2],
            vec![1],
            vec![1, 2],
            vec![2]
        ]
    );
    for n in 0..7usize {
        for min in 0..5usize {
            for max in min..6usize {
                let s = Subsets::with_sizes(Range::new(n as i64), min, max).unwrap();
                let v: Vec<Vec<i64>> = check(&s, &[2, 9, 17], 12)
                    .into_iter()
                    .map(Set::into_vec)
                    .collect();
                assert_eq!(v, subsets_oracle(n, min, max), "n={n} {min}..={max}");
            }
        }
    }
    let pairs = Product::new((Range::new(3), Range::new(3)));
    assert_eq!(
        Subsets::with_sizes(pairs, 1, 3).unwrap().size(),
        Size::Exact(129)
    );
    assert_eq!(
        Subsets::new(Range::new(10)).unwrap().size(),
        Size::Exact(1024)
    );
    assert!(all(&Subsets::with_size(Range::new(3), 10).unwrap()).is_empty());
    assert_eq!(
        Subsets::with_size(Range::new(3), 10).unwrap().size(),
        Size::Exact(0)
    );
    assert_eq!(Subsets::new(Range::new(200)).unwrap().size(), Size::Unknown);
    // Large inner domains unrank without enumerating.
    let s = Subsets::with_size(Range::new(1_000_000), 2).unwrap();
    let last = s.size().exact().unwrap() - 1;
    assert_eq!(s.item_at(last).unwrap().into_vec(), vec![999_998, 999_999]);
    let s = Subsets::new(Range::new(100)).unwrap();
    assert_eq!(s.item_at(1).unwrap().into_vec(), vec![0]);
    assert_eq!(s.item_at((1u128 << 100) - 1).unwrap().into_vec(), vec![99]);
}

#[test]
fn mappings_count_and_order() {
    let m = Mappings::new(Range::new(2), Range::new(2)).unwrap();
    let v: Vec<Vec<(i64, i64)>> = check(&m, &[1, 3], 13)
        .into_iter()
        .map(Mapping::into_vec)
        .collect();
    assert_eq!(
        v,
        vec![
            vec![(0, 0), (1, 0)],
            vec![(0, 0), (1, 1)],
            vec![(0, 1), (1, 0)],
            vec![(0, 1), (1, 1)]
        ]
    );
    assert_eq!(
        Mappings::new(Range::new(10), Range::new(2)).unwrap().size(),
        Size::Exact(1024)
    );
    for k in 0..4i64 {
        for n in 0..4i64 {
            let m = Mappings::new(Range::new(k), Range::new(n)).unwrap();
            let v = check(&m, &[7], 14);
            assert_eq!(v.len() as i64, n.pow(k as u32));
            let expected: Vec<Vec<i64>> = all(&Product::repeat(Range::new(n), k as usize));
            let got: Vec<Vec<i64>> = v.iter().map(|m| m.values().copied().collect()).collect();
            assert_eq!(got, expected);
            assert!(v.iter().all(|m| m.keys().copied().eq(0..k)));
        }
    }
    let m = Mappings::new(Range::new(4).filter(|x| x % 2 == 1), Boolean).unwrap();
    assert_eq!(m.keys(), &[1, 3]);
    assert_eq!(m.size(), Size::Exact(4));
}

#[test]
fn join_concatenates() {
    let j = Join::new(vec![
        Range::new(3),
        Range::new(0),
        Range::new(0),
        Range::new(5),
    ]);
    assert_eq!(check(&j, &[1, 3, 4, 6], 15), vec![0, 1, 2, 0, 1, 2, 3, 4]);
    assert_eq!(j.size(), Size::Exact(8));
    let j = Join::new(vec![
        Range::new(2).boxed(),
        Range::span(2, 4, 1).unwrap().filter(|x| *x != 3).boxed(),
        Range::span(4, 6, 1).unwrap().boxed(),
    ]);
    assert_eq!(j.size(), Size::AtMost(6));
    assert_eq!(check(&j, &[2, 3], 16), vec![0, 1, 2, 4, 5]);
    assert!(!j.is_strict());
    assert!(Join::new(Vec::<Range>::new()).size() == Size::Exact(0));
    // generate is weighted by size: the big part dominates.
    let j = Join::new(vec![Range::new(1), Range::span(100, 199, 1).unwrap()]);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let zeros = (0..1000)
        .filter(|_| j.generate_one(&mut rng).unwrap() == 0)
        .count();
    assert!(zeros < 40, "{zeros}");
}

#[test]
fn permutations_vs_itertools() {
    for n in 0..6i64 {
        let p = Permutations::new(Range::new(n)).unwrap();
        let expected: Vec<Vec<i64>> = (0..n).permutations(n as usize).collect();
        assert_eq!(check(&p, &[5, 33], 17), expected, "n={n}");
    }
    let p = Permutations::new(Values::new(vec!['A', 'B', 'C'])).unwrap();
    assert_eq!(p.size(), Size::Exact(6));
    let p = Permutations::new(Range::new(20)).unwrap();
    let last = p.size().exact().unwrap() - 1;
    assert_eq!(
        p.item_at(last).unwrap(),
        (0..20).rev().collect::<Vec<i64>>()
    );
    assert_eq!(
        Permutations::new(Range::new(40)).unwrap().size(),
        Size::Unknown
    );
}

#[test]
fn invalid_parameters_are_errors() {
    assert!(matches!(
        Range::span(0, 10, 0),
        Err(Error::InvalidDomain(_))
    ));
    assert!(matches!(
        Sequences::with_lengths(Range::new(3), 3, 2),
        Err(Error::InvalidDomain(_))
    ));
    assert!(matches!(
        Subsets::with_sizes(Range::new(3), 3, 2),
        Err(Error::InvalidDomain(_))
    ));
    let huge = Product::repeat(Range::new(2), 200);
    assert!(matches!(
        Subsets::new(huge.clone()),
        Err(Error::InvalidDomain(_))
    ));
    assert!(matches!(
        Mappings::new(huge.clone(), Boolean),
        Err(Error::InvalidDomain(_))
    ));
    assert!(matches!(
        Permutations::new(huge.clone()),
        Err(Error::InvalidDomain(_))
    ));
    assert!(matches!(
        Product::unordered(huge, 2),
        Err(Error::InvalidDomain(_))
    ));
}

#[test]
fn empty_domains_behave() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    fn empty<D: Domain>(d: D, rng: &mut ChaCha8Rng)
    where
        D::Item: std::fmt::Debug,
    {
        assert_eq!(d.size(), Size::Exact(0), "{}", d.name());
        assert!(all(&d).is_empty());
        assert!(d.item_at(0).is_none());
        assert!(
            matches!(d.generate_one(rng), Err(Error::EmptyDomain { .. })),
            "{}",
            d.name()
        );
    }
    empty(Range::new(0), &mut rng);
    empty(Range::span(3, 1, 1).unwrap(), &mut rng);
    empty(Values::<u8>::new(vec![]), &mut rng);
    empty(Product::new((Range::new(3), Range::new(0))), &mut rng);
    empty(
        Product::new((Range::new(0), Range::new(3), Boolean)),
        &mut rng,
    );
    empty(Product::repeat(Range::new(0), 2), &mut rng);
    empty(Product::unordered(Range::new(2), 3).unwrap(), &mut rng);
    empty(Sequences::new(Range::new(0), 2), &mut rng);
    empty(
        Sequences::with_lengths(Range::new(0), 1, 3).unwrap(),
        &mut rng,
    );
    empty(Subsets::with_size(Range::new(3), 4).unwrap(), &mut rng);
    empty(
        Mappings::new(Range::new(2), Range::new(0)).unwrap(),
        &mut rng,
    );
    empty(Join::new(vec![Range::new(0), Range::new(0)]), &mut rng);
    empty(Join::new(Vec::<Range>::new()), &mut rng);
}

#[test]
fn pipelines_over_domains() {
    let p = Product::new((Range::new(100), Range::new(100)));
    let n = p.clone().filter(|(a, b)| a < b).count().run(false).unwrap();
    assert_eq!(n, 4950);
    let s = Subsets::new(Range::new(12)).unwrap();
    assert_eq!(s.clone().count().run(true).unwrap(), 4096);
    let sizes: Vec<usize> = Subsets::new(Range::new(3))
        .unwrap()
        .map(|s| s.len())
        .collect()
        .run(true)
        .unwrap();
    assert_eq!(sizes, vec![0, 1, 2, 3, 2, 1, 2, 1]);
    let perms = Permutations::new(Range::new(7))
        .unwrap()
        .count()
        .run(true)
        .unwrap();
    assert_eq!(perms, 5040);
}

#[test]
fn strictness() {
    assert!(Range::new(3).is_strict());
    assert!(Boolean.is_strict());
    assert!(Subsets::new(Range::new(3)).unwrap().is_strict());
    assert!(
        !Subsets::new(Range::new(3).filter(|_| true))
            .unwrap()
            .is_strict()
    );
    assert!(Sequences::new(Boolean, 2).is_strict());
    assert!(Mappings::new(Range::new(2), Boolean).unwrap().is_strict());
    assert!(
        !Mappings::new(Range::new(2), Boolean.map(|b| b))
            .unwrap()
            .is_strict()
    );
    assert!(Join::new(vec![Range::new(1), Range::new(2)]).is_strict());
    assert!(Product::unordered(Range::new(3), 2).unwrap().is_strict());
    assert!(Permutations::new(Range::new(3)).unwrap().is_strict());
}
