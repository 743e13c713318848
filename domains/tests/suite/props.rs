//! Property tests: for random small domains of every kind, splitting the index space, unranking,
//! sizes and random generation all agree with the full iteration.

use crate::common;

use crate::common::check;
use haydi_core::Domain;
use haydi_domains::*;
use proptest::prelude::*;

fn cuts() -> impl Strategy<Value = Vec<u128>> {
    prop::collection::vec(0u128..1000, 0..5)
}

/// `Range(n)` without the multiples of `m` (no filter when `m == 0`).
fn filtered(n: i64, m: i64) -> impl Domain<Item = i64> + std::fmt::Debug {
    Range::new(n).filter(move |x| m == 0 || x % m != 0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn range(start in -30i64..30, end in -30i64..30, step in prop::sample::select(vec![-7i64, -3, -2, -1, 1, 2, 3, 7]), cs in cuts(), seed: u64) {
        let r = Range::span(start, end, step).unwrap();
        let v = check(&r, &cs, seed);
        let expected: Vec<i64> = if step > 0 {
            (start..end).step_by(step as usize).collect()
        } else {
            let mut v = Vec::new();
            let mut x = start;
            while x > end { v.push(x); x += step; }
            v
        };
        prop_assert_eq!(v, expected);
    }

    #[test]
    fn values(items in prop::collection::vec(0u8..10, 0..7), cs in cuts(), seed: u64) {
        let v = check(&Values::new(items.clone()), &cs, seed);
        prop_assert_eq!(v, items);
    }

    #[test]
    fn product2(a in 0i64..6, ma in 0i64..4, b in 0i64..6, mb in 0i64..4, cs in cuts(), seed: u64) {
        let p = Product::new((filtered(a, ma), filtered(b, mb)));
        let v = check(&p, &cs, seed);
        let xs = common::all(&filtered(a, ma));
        let ys = common::all(&filtered(b, mb));
        let expected: Vec<(i64, i64)> = xs.iter().flat_map(|&x| ys.iter().map(move |&y| (x, y))).collect();
        prop_assert_eq!(v, expected);
    }

    #[test]
    fn product3(a in 0i64..4, b in 0i64..4, mb in 0i64..3, c in 0i64..4, cs in cuts(), seed: u64) {
        let p = Product::new((Range::new(a), filtered(b, mb), Product::new((Boolean, Range::new(c)))));
        let v = check(&p, &cs, seed);
        let mut expected = Vec::new();
        for x in 0..a { for y in common::all(&filtered(b, mb)) { for z in [false, true] { for w in 0..c {
            expected.push((x, y, (z, w)));
        }}}}
        prop_assert_eq!(v, expected);
    }

    #[test]
    fn repeat(n in 0i64..5, m in 0i64..3, k in 0usize..4, cs in cuts(), seed: u64) {
        let p = Product::repeat(filtered(n, m), k);
        let v = check(&p, &cs, seed);
        let xs = common::all(&filtered(n, m));
        prop_assert_eq!(v.len(), xs.len().pow(k as u32));
    }

    #[test]
    fn unordered(n in 0i64..8, m in 0i64..3, k in 0usize..5, cs in cuts(), seed: u64) {
        use itertools::Itertools;
        let p = Product::unordered(filtered(n, m), k).unwrap();
        let v = check(&p, &cs, seed);
        let xs = common::all(&filtered(n, m));
        let expected: Vec<Vec<i64>> = xs.into_iter().combinations(k).collect();
        prop_assert_eq!(v, expected);
    }

    #[test]
    fn sequences(n in 0i64..4, m in 0i64..3, min in 0usize..3, extra in 0usize..3, cs in cuts(), seed: u64) {
        let s = Sequences::with_lengths(filtered(n, m), min, min + extra).unwrap();
        let v = check(&s, &cs, seed);
        let mut expected = Vec::new();
        for len in min..=min + extra {
            expected.extend(common::all(&Product::repeat(filtered(n, m), len)));
        }
        prop_assert_eq!(v, expected);
    }

    #[test]
    fn subsets(n in 0i64..7, m in 0i64..3, min in 0usize..4, extra in 0usize..8, cs in cuts(), seed: u64) {
        let s = Subsets::with_sizes(filtered(n, m), min, min + extra).unwrap();
        let v = check(&s, &cs, seed);
        // Oracle: all index subsets in DFS order, keeping those free of filtered items.
        let xs: Vec<Option<i64>> = (0..n as u128).map(|i| filtered(n, m).item_at(i)).collect();
        let mut expected = Vec::new();
        fn rec(xs: &[Option<i64>], min: usize, max: usize, pre: &mut Vec<usize>, next: usize, out: &mut Vec<Vec<i64>>) {
            if min <= pre.len() && pre.len() <= max {
                if let Some(s) = pre.iter().map(|&i| xs[i]).collect::<Option<Vec<i64>>>() {
                    out.push(s);
                }
            }
            for c in next..xs.len() {
                pre.push(c);
                rec(xs, min, max, pre, c + 1, out);
                pre.pop();
            }
        }
        rec(&xs, min, min + extra, &mut Vec::new(), 0, &mut expected);
        let got: Vec<Vec<i64>> = v.into_iter().map(|s| s.into_vec()).collect();
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn mappings(k in 0i64..4, mk in 0i64..3, n in 0i64..4, mn in 0i64..3, cs in cuts(), seed: u64) {
        let m = Mappings::new(filtered(k, mk), filtered(n, mn)).unwrap();
        let v = check(&m, &cs, seed);
        let keys = common::all(&filtered(k, mk));
        let vals = common::all(&filtered(n, mn));
        prop_assert_eq!(v.len(), vals.len().pow(keys.len() as u32));
        for x in &v {
            prop_assert!(x.keys().copied().eq(keys.iter().copied()));
        }
    }

    #[test]
    fn join(parts in prop::collection::vec((0i64..5, 0i64..3), 0..5), cs in cuts(), seed: u64) {
        let j = Join::new(parts.iter().map(|&(n, m)| filtered(n, m).boxed()).collect());
        let v = check(&j, &cs, seed);
        let expected: Vec<i64> = parts.iter().flat_map(|&(n, m)| common::all(&filtered(n, m))).collect();
        prop_assert_eq!(v, expected);
    }

    #[test]
    fn permutations(n in 0i64..6, m in 0i64..3, cs in prop::collection::vec(0u128..800, 0..5), seed: u64) {
        use itertools::Itertools;
        let p = Permutations::new(filtered(n, m)).unwrap();
        let v = check(&p, &cs, seed);
        let xs = common::all(&filtered(n, m));
        let k = xs.len();
        let expected: Vec<Vec<i64>> = xs.into_iter().permutations(k).collect();
        prop_assert_eq!(v, expected);
    }
}
