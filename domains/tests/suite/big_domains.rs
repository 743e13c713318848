//! Domains with more than `u128::MAX` items (issue 9): pipelines split them by blocks, and the
//! items come in serial order. Oracles are written out by hand or built by direct construction.

use haydi_core::prelude::*;
use haydi_domains::*;
use std::ops::ControlFlow;

type T8 = (i64, i64, i64, i64, i64, i64, i64, i64);

fn r6() -> Range {
    Range::new(1_000_000)
}

fn product8(r: Range) -> Product8<Range, Range, Range, Range, Range, Range, Range, Range> {
    Product::new((r, r, r, r, r, r, r, r))
}

/// The tuple `(0, 0, 0, 0, 0, 0, g, h)`.
fn tail(g: i64, h: i64) -> T8 {
    (0, 0, 0, 0, 0, 0, g, h)
}

/// The first `n` items from index `start` on, past `u128::MAX` too.
fn from_index<D: Domain>(d: &D, start: u128, n: usize) -> Vec<D::Item> {
    let mut v = Vec::new();
    let _ = d.visit_from(start, &mut |x| {
        v.push(x);
        if v.len() == n {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    v
}

#[test]
fn take_three_of_an_overflowing_product() {
    let p = product8(r6());
    assert_eq!(p.size(), Size::Unknown);
    let expected = vec![tail(0, 0), tail(0, 1), tail(0, 2)];
    assert_eq!(p.clone().take(3).collect().run(false).unwrap(), expected);
    assert_eq!(p.clone().take(3).collect().run(true).unwrap(), expected);
    assert_eq!(p.clone().first().run(false).unwrap(), Some(tail(0, 0)));
    assert_eq!(
        p.iterate()
            .map(|t| t.7)
            .take(3)
            .collect()
            .run(true)
            .unwrap(),
        vec![0, 1, 2]
    );
}

#[test]
fn filtered_take_of_an_overflowing_product_is_in_serial_order() {
    let p = product8(r6());
    // Hits at the end of the last coordinate: the first three in serial order.
    let job = p
        .clone()
        .filter(|t| t.6 == 0 && t.7 >= 999_997)
        .take(3)
        .collect();
    let expected: Vec<T8> = (999_997..1_000_000).map(|h| tail(0, h)).collect();
    assert_eq!(job.run(false).unwrap(), expected);
    assert_eq!(job.run(true).unwrap(), expected);
    // A pipeline filter whose hits lie a million items apart.
    let job = p
        .iterate()
        .filter(|t| t.7 == 999_999 && t.6 < 3)
        .take(3)
        .collect();
    let mut expected = Vec::new();
    for g in 0..3 {
        for h in 0..1_000_000 {
            if h == 999_999 {
                expected.push(tail(g, h));
            }
        }
    }
    assert_eq!(job.run(false).unwrap(), expected);
    assert_eq!(job.run(true).unwrap(), expected);
}

#[test]
fn first_of_overflowing_sequences_and_mappings() {
    let s = Sequences::new(Range::new(1000), 30);
    assert_eq!(s.size(), Size::Unknown);
    assert_eq!(s.clone().first().run(false).unwrap(), Some(vec![0; 30]));
    let hit = s
        .clone()
        .iterate()
        .filter(|v| v[28] == 3 && v[29] == 7)
        .first()
        .run(true)
        .unwrap();
    let mut expected = vec![0; 30];
    expected[28] = 3;
    expected[29] = 7;
    assert_eq!(hit, Some(expected));
    // Several lengths, the longer ones overflowing: shortest first.
    let s = Sequences::with_lengths(Range::new(1000), 0, 30).unwrap();
    assert_eq!(s.size(), Size::Unknown);
    assert_eq!(
        s.take(3).collect().run(true).unwrap(),
        vec![vec![], vec![0], vec![1]]
    );
    let m = Mappings::new(Range::new(30), Range::new(1000)).unwrap();
    assert_eq!(m.size(), Size::Unknown);
    let f = m
        .filter(|f| f.values().last() == Some(&999))
        .first()
        .run(false)
        .unwrap()
        .unwrap();
    let mut expected = vec![0; 30];
    expected[29] = 999;
    assert_eq!(f.values().copied().collect::<Vec<_>>(), expected);
    assert_eq!(
        f.keys().copied().collect::<Vec<_>>(),
        (0..30).collect::<Vec<_>>()
    );
}

#[test]
fn join_moves_on_to_an_overflowing_part() {
    let j = Join::new(vec![product8(Range::new(2)), product8(r6())]);
    assert_eq!(j.size(), Size::Unknown);
    let mut expected: Vec<T8> = Vec::new();
    for i in 0..256i64 {
        let b = |k: u32| (i >> (7 - k)) & 1;
        expected.push((b(0), b(1), b(2), b(3), b(4), b(5), b(6), b(7)));
    }
    expected.extend((0..44).map(|h| tail(0, h)));
    assert_eq!(j.clone().take(300).collect().run(false).unwrap(), expected);
    assert_eq!(j.take(300).collect().run(true).unwrap(), expected);
    // Boxed and mapped parts forward the block view.
    let boxed = Join::new(vec![
        Range::new(3).map(|x| vec![x]).boxed(),
        Sequences::new(Range::new(1000), 20).boxed(),
    ]);
    assert_eq!(
        boxed.take(4).collect().run(true).unwrap(),
        vec![vec![0], vec![1], vec![2], vec![0; 20]]
    );
}

#[test]
fn visit_from_reaches_past_u128() {
    // 2^62 x 2^62 x 16 = 2^128 items: one more than u128 can count.
    let big = Range::new(1 << 62);
    let p = Product::new((big, big, Range::new(16)));
    assert_eq!(p.size(), Size::Unknown);
    assert!(p.visits_past_u128());
    let m = (1i64 << 62) - 1;
    // Index u128::MAX - 2 and the rest: the last three items, then the end.
    assert_eq!(
        from_index(&p, u128::MAX - 2, 10),
        vec![(m, m, 13), (m, m, 14), (m, m, 15)]
    );
    // From index 0 and from inside, the same items as unranking gives.
    for start in [0, 5, (1 << 66) - 3, 1 << 127] {
        let by_index: Vec<_> = (start..start + 40).map(|i| p.item_at(i).unwrap()).collect();
        assert_eq!(from_index(&p, start, 40), by_index);
    }
    // 1000^30 sequences near the end of u128, and across it: the next vector in odometer order.
    let s = Sequences::new(Range::new(1000), 30);
    assert!(s.visits_past_u128());
    // (A join's item_at stops one short of u128::MAX; the repeat product's reaches it.)
    let r = Product::repeat(Range::new(1000), 30);
    let by_index: Vec<_> = (u128::MAX - 2000..=u128::MAX)
        .map(|i| r.item_at(i).unwrap())
        .collect();
    let mut next = by_index.last().unwrap().clone();
    for d in next.iter_mut().rev() {
        if *d == 999 {
            *d = 0;
        } else {
            *d += 1;
            break;
        }
    }
    let walked = from_index(&s, u128::MAX - 2000, 2002);
    assert_eq!(walked[..2001], by_index[..]);
    assert_eq!(walked[2001], next);
    // Subsets of 200 items and permutations of 40 step past u128 the same way.
    let sub = Subsets::new(Range::new(200)).unwrap();
    assert_eq!(sub.size(), Size::Unknown);
    let by_index: Vec<_> = (0..300).map(|i| sub.item_at(i).unwrap()).collect();
    assert_eq!(from_index(&sub, 0, 300), by_index);
    let perm = Permutations::new(Range::new(40)).unwrap();
    let by_index: Vec<_> = (77..177).map(|i| perm.item_at(i).unwrap()).collect();
    assert_eq!(from_index(&perm, 77, 100), by_index);
}

/// Eight coordinates of 2^16 values: 2^128 indices, one past u128. Each coordinate keeps only
/// its last value, the first one also 0: two items, the second at index u128::MAX.
fn sparse() -> impl Domain<Item = (i64, i64, i64, i64, i64, i64, i64, i64)> {
    let last = Range::new(1 << 16).filter(|x| *x == 65_535);
    let first = Range::new(1 << 16).filter(|x| *x == 0 || *x == 65_535);
    Product::new((
        first,
        last.clone(),
        last.clone(),
        last.clone(),
        last.clone(),
        last.clone(),
        last.clone(),
        last,
    ))
}

#[test]
fn a_run_over_the_whole_overflowing_space_is_exact() {
    let d = sparse();
    assert_eq!(d.size(), Size::Unknown);
    let m = 65_535;
    let expected = vec![(0, m, m, m, m, m, m, m), (m, m, m, m, m, m, m, m)];
    for parallel in [false, true] {
        assert_eq!(d.clone().collect().run(parallel).unwrap(), expected);
        let out = d
            .clone()
            .count()
            .run_with(parallel, &RunOptions::new())
            .unwrap();
        assert_eq!(
            (out.value, out.complete, out.processed, out.total),
            (2, true, Size::OVERFLOW_EXTENT, Some(Size::OVERFLOW_EXTENT))
        );
    }
}

#[test]
fn an_empty_factor_makes_an_empty_product() {
    let p = Product::new((Range::new(0), Sequences::new(Range::new(1000), 30)));
    assert_eq!(p.size(), Size::Exact(0));
    assert_eq!(p.clone().count().run(false).unwrap(), 0);
    assert_eq!(p.first().run(true).unwrap(), None);
}

#[test]
fn outcome_of_an_overflowing_domain() {
    let p = product8(r6());
    let out = p
        .clone()
        .take(5)
        .collect()
        .run_with(true, &RunOptions::new())
        .unwrap();
    assert!(out.complete);
    assert_eq!(out.value, (0..5).map(|h| tail(0, h)).collect::<Vec<_>>());
    assert_eq!(out.total, Some(Size::OVERFLOW_EXTENT));
    // Indices are items here: five items, five indices (more only if a chunk ran ahead).
    assert!(out.processed >= 5 && out.processed < 1 << 20);
    // A count over the whole space cannot finish; with a timeout it stops and says so.
    for parallel in [false, true] {
        let t = std::time::Instant::now();
        let out = Sequences::new(Range::new(1000), 30)
            .count()
            .run_with(
                parallel,
                &RunOptions::new().timeout(std::time::Duration::from_millis(100)),
            )
            .unwrap();
        assert!(t.elapsed() < std::time::Duration::from_secs(20));
        assert!(!out.complete);
        assert_eq!(out.total, Some(Size::OVERFLOW_EXTENT));
        assert!(out.processed > 0);
        assert_eq!(out.value as u128, out.processed);
    }
    // A compound domain that overflows and cannot be walked past u128 fails clearly.
    let q = Product::new((
        Range::new(2),
        Product::unordered(Range::new(300), 100).unwrap(),
    ));
    assert!(!q.visits_past_u128());
    assert!(matches!(
        q.first().run(false),
        Err(Error::SizeOverflow { .. })
    ));
}

#[test]
fn generate_on_overflowing_domains() {
    let p = product8(r6());
    let a = p.clone().generate(11).take(5).collect().run(false).unwrap();
    let b = p.generate(11).take(5).collect().run(true).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.len(), 5);
    assert!(
        a.iter()
            .all(|t| (0..1_000_000).contains(&t.0) && (0..1_000_000).contains(&t.7))
    );
    let s = Sequences::new(Range::new(1000), 30);
    let v = s.clone().generate(5).take(5).collect().run(true).unwrap();
    assert_eq!(v, s.generate(5).take(5).collect().run(false).unwrap());
    assert!(
        v.iter()
            .all(|x| x.len() == 30 && x.iter().all(|d| (0..1000).contains(d)))
    );
    // Distinct draws: five equal vectors of 30 digits would be a broken generator.
    assert!(v.windows(2).any(|w| w[0] != w[1]));
}

#[test]
fn generate_weights_overflowing_lengths_exactly() {
    // 2^127 + 2^128 + 2^129 sequences: lengths 127, 128, 129 in ratio 1 : 2 : 4.
    let s = Sequences::with_lengths(Range::new(2), 127, 129).unwrap();
    assert_eq!(s.size(), Size::Unknown);
    let v = s.generate(9).take(7000).collect().run(false).unwrap();
    let mut by_len = [0usize; 3];
    for x in &v {
        by_len[x.len() - 127] += 1;
        assert!(x.iter().all(|d| *d == 0 || *d == 1));
    }
    // Expected 1000, 2000, 4000; a 5-sigma band.
    for (got, want) in by_len.iter().zip([1000.0f64, 2000.0, 4000.0]) {
        let sd = (want * (1.0 - want / 7000.0)).sqrt();
        assert!((*got as f64 - want).abs() < 5.0 * sd, "{by_len:?}");
    }
    // A join of several overflowing parts cannot weight them: a clear error.
    let j = Join::new(vec![
        Sequences::new(Range::new(1000), 20),
        Sequences::new(Range::new(1000), 21),
    ]);
    assert!(matches!(
        j.generate(1).take(1).collect().run(false),
        Err(Error::SizeOverflow { .. })
    ));
}

#[test]
fn enumerate_on_an_overflowing_product() {
    let p = product8(r6());
    // A take before enumerate bounds the counting pass: positions after the filter.
    let v = p
        .clone()
        .filter(|t| t.7 % 2 == 1)
        .take(3)
        .enumerate()
        .collect()
        .run(true)
        .unwrap();
    assert_eq!(v, vec![(0, tail(0, 1)), (1, tail(0, 3)), (2, tail(0, 5))]);
    // Without one the count would never end: a clear error instead of a hang.
    let e = p
        .filter(|t| t.7 % 2 == 1)
        .enumerate()
        .take(3)
        .collect()
        .run(true)
        .unwrap_err();
    assert!(
        e.to_string().contains("put a take(n) before enumerate"),
        "{e}"
    );
}
