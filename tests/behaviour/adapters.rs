//! Behaviour checks of the adapters and actions of `IntoPipeline`, each against `std`'s
//! iterators over the same items (the oracle), on every context.

use crate::{Ctx, check, check_eq};
use haydi::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};

fn err(e: Error) -> String {
    e.to_string()
}

/// The same chain called on a domain and on `iterate()` of it gives the same items, and a
/// closure that cannot be cloned (it owns an `AtomicU64`) works on both.
pub fn one_chain(_: &Ctx) -> Result<(), String> {
    let d = Range::new(5000);
    let a = d.take(7).collect().run(true).map_err(err)?;
    let b = d.iterate().take(7).collect().run(true).map_err(err)?;
    check_eq!(a, b);
    check_eq!(a, (0..7).collect::<Vec<i64>>());
    let calls = AtomicU64::new(0);
    let on_domain = d
        .map(move |x| {
            calls.fetch_add(1, Ordering::Relaxed);
            x % 13
        })
        .sum()
        .run(true)
        .map_err(err)?;
    let calls = AtomicU64::new(0);
    let on_pipeline = d
        .iterate()
        .map(move |x| {
            calls.fetch_add(1, Ordering::Relaxed);
            x % 13
        })
        .sum()
        .run(true)
        .map_err(err)?;
    check_eq!(on_domain, on_pipeline);
    check_eq!(on_domain, (0..5000i64).map(|x| x % 13).sum::<i64>());
    Ok(())
}

pub fn filter_map(_: &Ctx) -> Result<(), String> {
    let f = |x: i64| (x % 7 == 3).then(|| x * x);
    let got = Range::new(50_000)
        .filter_map(f)
        .collect()
        .run(true)
        .map_err(err)?;
    check_eq!(got, (0..50_000).filter_map(f).collect::<Vec<_>>());
    let taken = Range::new(50_000)
        .filter_map(f)
        .take(5)
        .collect()
        .run(true)
        .map_err(err)?;
    check_eq!(taken, (0..50_000).filter_map(f).take(5).collect::<Vec<_>>());
    Ok(())
}

pub fn flat_map(_: &Ctx) -> Result<(), String> {
    // Item x expands to x % 5 items: serial order means every expansion is whole and in place.
    let f = |x: i64| (0..x % 5).map(move |k| (x, k));
    let got = Range::new(30_000)
        .flat_map(f)
        .collect()
        .run(true)
        .map_err(err)?;
    check_eq!(got, (0..30_000).flat_map(f).collect::<Vec<_>>());
    // A take stopping inside one item's expansion.
    let some = Range::new(30_000)
        .flat_map(f)
        .take(11)
        .collect()
        .run(true)
        .map_err(err)?;
    check_eq!(some, (0..30_000).flat_map(f).take(11).collect::<Vec<_>>());
    let n = Range::new(30_000)
        .iterate()
        .flat_map(|x| vec![x; (x % 3) as usize])
        .count()
        .run(true)
        .map_err(err)?;
    check_eq!(n, 30_000);
    Ok(())
}

/// `inspect` sees every item that reaches it (counted on the workers: this holds in-process;
/// under a distributed context the driver's counter only sees what the driver ran, which is
/// why the count is checked only for in-process contexts).
pub fn inspect(ctx: &Ctx) -> Result<(), String> {
    let seen = AtomicU64::new(0);
    let n = Range::new(20_000)
        .filter(|x| x % 2 == 0)
        .inspect(|_| {
            seen.fetch_add(1, Ordering::Relaxed);
        })
        .filter(|x| x % 3 == 0)
        .count()
        .run(true)
        .map_err(err)?;
    check_eq!(n, (0..20_000).filter(|x| x % 6 == 0).count() as u64);
    let seen = seen.load(Ordering::Relaxed);
    if in_process(ctx) {
        check_eq!(seen, 10_000);
    } else {
        check!(seen <= 10_000, "inspect saw {seen} items");
    }
    Ok(())
}

fn in_process(ctx: &Ctx) -> bool {
    let name = ctx.name();
    name.starts_with("serial") || name.starts_with("threads")
}

pub fn enumerate(_: &Ctx) -> Result<(), String> {
    // After a filter: positions among the survivors (a counting pass).
    let keep = |x: &i64| x % 7 == 2 || x % 11 == 0;
    let got = Range::new(100_000)
        .iterate()
        .filter(keep)
        .enumerate()
        .filter(|(i, _)| i % 5 == 0)
        .collect()
        .run(true)
        .map_err(err)?;
    let oracle: Vec<(u64, i64)> = (0..100_000)
        .filter(keep)
        .enumerate()
        .filter(|(i, _)| i % 5 == 0)
        .map(|(i, x)| (i as u64, x))
        .collect();
    check_eq!(got, oracle);
    // After a domain-level filter, with a take before and after enumerate.
    let got = Range::new(1_000_000)
        .filter(|x| x % 3 == 1)
        .take(50_000)
        .enumerate()
        .map(|(i, x)| (i, x * 2))
        .take(20)
        .collect()
        .run(true)
        .map_err(err)?;
    let oracle: Vec<(u64, i64)> = (0..1_000_000)
        .filter(|x| x % 3 == 1)
        .take(50_000)
        .enumerate()
        .map(|(i, x)| (i as u64, x * 2))
        .take(20)
        .collect();
    check_eq!(got, oracle);
    // Two counting enumerates in one pipeline: the second counts over the first's segments.
    let twice = Range::new(50_000)
        .filter(|x| x % 3 == 0)
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .enumerate()
        .collect()
        .run(true)
        .map_err(err)?;
    let oracle: Vec<(u64, (u64, i64))> = (0..50_000)
        .filter(|x| x % 3 == 0)
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .enumerate()
        .map(|(j, (i, x))| (j as u64, (i as u64, x)))
        .collect();
    check_eq!(twice, oracle);
    // No filter before: positions are source indices, one pass; also on a random stream.
    let last = Range::new(10_000)
        .iterate()
        .map(|x| x * 3)
        .enumerate()
        .max_by_key(|(_, x)| *x)
        .run(true)
        .map_err(err)?;
    check_eq!(last, Some(((9_999, 29_997), 29_997)));
    let g = Range::new(10).generate(5).enumerate().take(3000).collect();
    let g = g.run(true).map_err(err)?;
    check_eq!(
        g.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        (0..3000).collect::<Vec<u64>>()
    );
    let plain = Range::new(10)
        .generate(5)
        .take(3000)
        .collect()
        .run(true)
        .map_err(err)?;
    check_eq!(g.into_iter().map(|(_, x)| x).collect::<Vec<_>>(), plain);
    // A filtered endless stream before enumerate needs a take or a timeout.
    let e = Range::new(10)
        .generate(5)
        .filter(|x| *x > 3)
        .enumerate()
        .count()
        .run(true);
    check!(matches!(e, Err(Error::Unbounded)), "{e:?}");
    Ok(())
}

pub fn for_each(ctx: &Ctx) -> Result<(), String> {
    let sum = AtomicU64::new(0);
    Range::new(10_000)
        .filter(|x| x % 4 == 1)
        .for_each(|x| {
            sum.fetch_add(x as u64, Ordering::Relaxed);
        })
        .run(true)
        .map_err(err)?;
    let oracle: u64 = (0..10_000u64).filter(|x| x % 4 == 1).sum();
    let sum = sum.load(Ordering::Relaxed);
    if in_process(ctx) {
        check_eq!(sum, oracle);
    } else {
        // Worker processes add to their own copies: the driver sees its own chunks only.
        check!(sum <= oracle, "for_each added up {sum}, more than {oracle}");
    }
    Ok(())
}

pub fn any_all(_: &Ctx) -> Result<(), String> {
    let huge = Range::new(1_000_000_000_000);
    let seen = AtomicU64::new(0);
    let found = huge
        .iterate()
        .inspect(|_| {
            seen.fetch_add(1, Ordering::Relaxed);
        })
        .any(|x| x == 1234)
        .run(true)
        .map_err(err)?;
    check!(found);
    let work = seen.load(Ordering::Relaxed);
    check!(work < 50_000_000, "any evaluated {work} items");
    check!(!huge.all(|x| x < 5000).run(true).map_err(err)?);
    check!(
        Range::new(10_000)
            .all(|x| x < 10_000)
            .run(true)
            .map_err(err)?
    );
    check!(
        !Range::new(10_000)
            .any(|x| x >= 10_000)
            .run(true)
            .map_err(err)?
    );
    let empty = Range::new(0);
    check!(empty.all(|_| false).run(true).map_err(err)?);
    check!(!empty.any(|_| true).run(true).map_err(err)?);
    Ok(())
}

pub fn by_key(_: &Ctx) -> Result<(), String> {
    let key = |x: &i64| (x * 7919) % 1000;
    let d = Range::new(20_000);
    let max = d.max_by_key(key).run(true).map_err(err)?;
    let omax = (0..20_000).max_by_key(key).map(|x| (x, key(&x)));
    check_eq!(max, omax);
    let min = d.min_by_key(key).run(true).map_err(err)?;
    let omin = (0..20_000).min_by_key(key).map(|x| (x, key(&x)));
    check_eq!(min, omin);
    check_eq!(Range::new(0).max_by_key(key).run(true).map_err(err)?, None);
    Ok(())
}

pub fn counts_by(_: &Ctx) -> Result<(), String> {
    let key = |x: &i64| x.count_ones() % 4;
    let got = Range::new(50_000).counts_by(key).run(true).map_err(err)?;
    let mut oracle = BTreeMap::new();
    for x in 0..50_000i64 {
        *oracle.entry(key(&x)).or_insert(0u64) += 1;
    }
    check_eq!(got, oracle);
    let via_groups = Range::new(50_000)
        .groups_counts_limited(key, 0)
        .run(true)
        .map_err(err)?;
    check_eq!(
        via_groups
            .into_iter()
            .map(|(k, g)| (k, g.count))
            .collect::<BTreeMap<_, _>>(),
        got
    );
    Ok(())
}

pub fn sum_product(_: &Ctx) -> Result<(), String> {
    let p = Range::new(30)
        .iterate()
        .map(|x| (x % 3 + 1) as u128)
        .product()
        .run(true)
        .map_err(err)?;
    check_eq!(p, (0..30u128).map(|x| x % 3 + 1).product::<u128>());
    let f = Range::new(1000)
        .iterate()
        .map(|x| 1.0 + 1.0 / (x as f64 + 1.0))
        .product()
        .run(true)
        .map_err(err)?;
    let close = (f - 1001.0).abs() < 1e-6;
    check!(close, "telescoping product gave {f}");
    check_eq!(
        Range::new(0)
            .iterate()
            .map(|x| x as u64)
            .product()
            .run(true)
            .map_err(err)?,
        1
    );
    check_eq!(Range::new(1001).sum().run(true).map_err(err)?, 500_500);
    Ok(())
}

pub fn collect_as(_: &Ctx) -> Result<(), String> {
    let set = Range::new(40_000)
        .iterate()
        .map(|x| x % 97)
        .collect_as::<BTreeSet<_>>()
        .run(true)
        .map_err(err)?;
    check_eq!(set, (0..97).collect::<BTreeSet<i64>>());
    let map = Range::new(40_000)
        .iterate()
        .map(|x| (x % 10, x))
        .collect_as::<HashMap<_, _>>()
        .run(true)
        .map_err(err)?;
    // Later items replace earlier ones with the same key, as in `FromIterator`.
    let oracle: HashMap<i64, i64> = (0..40_000).map(|x| (x % 10, x)).collect();
    check_eq!(map, oracle);
    let v = Range::new(40_000)
        .filter(|x| x % 9 == 0)
        .collect_as::<std::collections::VecDeque<_>>()
        .run(true)
        .map_err(err)?;
    check_eq!(
        v.into_iter().collect::<Vec<_>>(),
        (0..40_000).filter(|x| x % 9 == 0).collect::<Vec<i64>>()
    );
    Ok(())
}
