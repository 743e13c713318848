//! The worker pool (`haydi::contexts::Pool`) on every context, against plain loops: the seeds'
//! cases (pyMOR's `WorkerPool`, Glimpse's pools, apyfal's executor) and its failure modes.

use crate::{Ctx, check, check_eq};
use haydi::contexts::Pool;
use haydi::contexts::extensions::{Collective, is_collective, is_serial};
use haydi::contexts::pool::{MapOptions, TaskSet};
use haydi::prelude::*;
use std::collections::BTreeMap;
use std::time::Duration;

fn e(e: Error) -> String {
    e.to_string()
}

pub fn pool_map(ctx: &Ctx) -> Result<(), String> {
    let pool = Pool::from_shared(ctx.clone());
    let expected = match ctx.extension_of::<Collective>() {
        Some(c) => c.worker_processes,
        None => ctx.workers(),
    };
    check_eq!(pool.len(), expected.max(1));
    check_eq!(pool.is_parallel(), !is_serial(&**ctx));
    let hex = pool
        .map(|x: &u32| format!("{x:#x}"), &[1, 2, 3])
        .map_err(e)?;
    check_eq!(hex, ["0x1", "0x2", "0x3"]);
    check_eq!(
        pool.map(|x: &u32| x + 1, &[]).map_err(e)?,
        Vec::<u32>::new()
    );
    // Order kept over many uneven tasks, fixed and adaptive chunks alike.
    let items: Vec<u64> = (0..3000).collect();
    let f = |x: &u64| (0..(x % 97)).fold(*x, |a, k| a.wrapping_mul(31).wrapping_add(k));
    let oracle: Vec<u64> = items.iter().map(f).collect();
    check_eq!(pool.map(f, &items).map_err(e)?, oracle);
    let ones = MapOptions::new().chunk_size(7);
    check_eq!(pool.map_with(f, &items, &ones).map_err(e)?, oracle);
    // Several inputs: equal lengths, else an error before anything runs.
    check_eq!(
        pool.map2(|a: &u64, b: &u64| a * b, &[1, 2, 3], &[4, 5, 6])
            .map_err(e)?,
        [4, 10, 18]
    );
    check!(matches!(
        pool.map2(|a: &u64, b: &u64| a * b, &[1, 2, 3], &[4]),
        Err(Error::InvalidArgument(_))
    ));
    // A panicking task names itself.
    let err = pool
        .map(
            |x: &u64| if *x == 1234 { panic!("bad item") } else { *x },
            &items,
        )
        .unwrap_err()
        .to_string();
    check!(err.contains("task 1234 panicked: bad item"), "{err}");
    Ok(())
}

pub fn pool_lazy(ctx: &Ctx) -> Result<(), String> {
    let pool = Pool::from_shared(ctx.clone());
    // An endless input: only the batches asked for run.
    let sq: Vec<u64> = pool
        .imap_with(|x: &u64| x * x, 0.., &MapOptions::new().batch(10))
        .take(25)
        .collect::<Result<_>>()
        .map_err(e)?;
    check_eq!(sq, (0..25u64).map(|x| x * x).collect::<Vec<_>>());
    let mut un: Vec<(u64, u64)> = pool
        .imap_unordered(|x: &u64| x + 100, 0..300u64)
        .collect::<Result<_>>()
        .map_err(e)?;
    un.sort();
    check_eq!(un, (0..300u64).map(|i| (i, i + 100)).collect::<Vec<_>>());
    Ok(())
}

pub fn pool_apply_push(ctx: &Ctx) -> Result<(), String> {
    let pool = Pool::from_shared(ctx.clone());
    let n = pool.len();
    check_eq!(pool.apply(|_| 2 * 3).map_err(e)?, vec![6; n]);
    check_eq!(pool.apply(|w| w).map_err(e)?, (0..n).collect::<Vec<_>>());
    if !is_collective(&**ctx) && n > 1 {
        // In this process: each call on its own worker thread.
        let names = pool
            .apply(|_| std::thread::current().name().unwrap_or("?").to_string())
            .map_err(e)?;
        let distinct: std::collections::BTreeSet<_> = names.iter().collect();
        check_eq!(distinct.len(), n);
    }
    if is_collective(&**ctx) {
        // On worker processes: worker w is process w + 1, so n distinct processes answer.
        let pids = pool.apply(|_| std::process::id()).map_err(e)?;
        let distinct: std::collections::BTreeSet<_> = pids.iter().collect();
        check_eq!(distinct.len(), n);
        let last = pool.apply_only(n - 1, |_| std::process::id()).map_err(e)?;
        check_eq!(last, pids[n - 1]);
    }
    check_eq!(pool.apply_only(n - 1, |w| w * 2).map_err(e)?, 2 * (n - 1));
    check!(pool.apply_only(n, |w| w).is_err());
    // scatter_list: ceil(len / workers) each, contiguous.
    let s = haydi::contexts::pool::Scattered::new(vec![1, 2, 3, 4, 5], 2);
    check_eq!(s.sizes(), [3, 2]);
    check_eq!(
        haydi::contexts::pool::Scattered::new(vec![1, 2], 4).sizes(),
        [1, 1, 0, 0]
    );
    let data: Vec<u64> = (1..=1000).collect();
    let sc = pool.scatter_list(data.clone()).map_err(e)?;
    let parts = pool.apply(|w| sc.part(w).iter().sum::<u64>()).map_err(e)?;
    check_eq!(parts.iter().sum::<u64>(), data.iter().sum::<u64>());
    check_eq!(parts.len(), n);
    drop(sc);
    // Push the same object twice: one copy; dropping both handles removes it exactly once.
    let before = (pool.objects_stored_total(), pool.objects_removed_total());
    let big: Vec<u64> = (0..100_000).collect();
    let a = pool.push(big.clone()).map_err(e)?;
    let b = pool.push(big.clone()).map_err(e)?;
    check_eq!(a.id(), b.id());
    check_eq!(pool.stored_objects(), 1);
    check_eq!(pool.objects_stored_total() - before.0, 1);
    let sums = pool
        .map(|k: &u64| a.iter().sum::<u64>() + k, &[0, 1, 2])
        .map_err(e)?;
    let total: u64 = big.iter().sum();
    check_eq!(sums, [total, total + 1, total + 2]);
    a.remove();
    a.remove();
    check_eq!(pool.stored_objects(), 1);
    drop(a);
    drop(b);
    check_eq!(pool.stored_objects(), 0);
    check_eq!(pool.objects_removed_total() - before.1, 1);
    Ok(())
}

pub fn pool_submit(ctx: &Ctx) -> Result<(), String> {
    let pool = Pool::from_shared(ctx.clone());
    let hs: Vec<_> = (0..20u64).map(|i| pool.submit(|i: u64| i * i, i)).collect();
    check_eq!(
        hs.iter().map(|h| h.id()).collect::<Vec<_>>(),
        (0..20).collect::<Vec<_>>()
    );
    let rs: Vec<u64> = hs
        .into_iter()
        .map(|h| h.wait())
        .collect::<Result<_>>()
        .map_err(e)?;
    check_eq!(rs, (0..20u64).map(|i| i * i).collect::<Vec<_>>());
    // A JoinSet over handles: every task once.
    let mut set = TaskSet::new();
    for i in 0..10u64 {
        set.push(pool.submit(|i: u64| i + 1, i));
    }
    let mut got = BTreeMap::new();
    while let Some((id, r)) = set.join_next() {
        got.insert(id, r.map_err(e)?);
    }
    check_eq!(got.len(), 10);
    check!(got.iter().all(|(id, r)| *r == id - 20 + 1), "{got:?}");
    // A panic is the task's error, named; the other tasks are unaffected.
    let bad = pool.submit(|x: u64| if x == 3 { panic!("three") } else { x }, 3);
    let good = pool.submit(|x: u64| x, 4);
    let err = bad.wait().unwrap_err().to_string();
    check!(err.contains("panicked: three"), "{err}");
    check_eq!(good.wait().map_err(e)?, 4);
    // Cancel before it runs (serial and distributed pools run at the first look).
    if is_collective(&**ctx) || is_serial(&**ctx) {
        let c = pool.submit(|x: u64| x, 1);
        check!(c.cancel());
        check!(c.wait().is_err());
    }
    // A 1 ms wait on a 50 ms task is a timeout error, never a hang or a made-up value.
    let slow = pool.submit(
        |ms: u64| {
            std::thread::sleep(Duration::from_millis(ms));
            ms
        },
        50,
    );
    check!(matches!(
        slow.wait_timeout(Duration::from_millis(1)),
        Err(Error::TimedOut { .. })
    ));
    pool.flush();
    Ok(())
}

pub fn pool_timeout(ctx: &Ctx) -> Result<(), String> {
    let pool = Pool::from_shared(ctx.clone());
    let slow = |ms: &u64| {
        std::thread::sleep(Duration::from_millis(*ms));
        *ms
    };
    let items = vec![50u64; 8];
    let opts = MapOptions::new()
        .timeout(Duration::from_millis(1))
        .chunk_size(1);
    match pool.map_with(slow, &items, &opts) {
        Err(Error::TimedOut {
            done,
            total,
            missing,
            ..
        }) => {
            check_eq!(total, 8);
            check!(done < 8);
            let gone: u64 = missing.iter().map(|r| r.end - r.start).sum();
            check_eq!(done + gone, 8);
        }
        other => return Err(format!("a 1 ms timeout on 50 ms tasks gave {other:?}")),
    }
    let p = pool.map_partial(slow, &items, &opts).map_err(e)?;
    check!(!p.is_complete());
    for (i, r) in p.results.iter().enumerate() {
        let missing = p.missing.iter().any(|m| m.contains(&(i as u64)));
        check_eq!(r.is_none(), missing);
        if let Some(v) = r {
            check_eq!(*v, 50);
        }
    }
    Ok(())
}

/// Least-loaded dispatch: 8 equal submits on `n` idle worker threads run `8 / n` on each.
pub fn pool_spreads(ctx: &Ctx) -> Result<(), String> {
    if is_collective(&**ctx) || is_serial(&**ctx) {
        // One thread (serial) or several processes with prefetching (distributed): the
        // spread is checked on the in-process contexts.
        return Ok(());
    }
    let pool = Pool::from_shared(ctx.clone());
    let n = pool.len();
    if 8 % n != 0 {
        return Ok(());
    }
    let hs: Vec<_> = (0..8)
        .map(|_| {
            pool.submit(
                |ms: u64| {
                    std::thread::sleep(Duration::from_millis(ms));
                    std::thread::current().name().unwrap_or("?").to_string()
                },
                60,
            )
        })
        .collect();
    let mut per: BTreeMap<String, usize> = BTreeMap::new();
    for h in hs {
        *per.entry(h.wait().map_err(e)?).or_default() += 1;
    }
    check_eq!(per.len(), n);
    check!(per.values().all(|c| *c == 8 / n), "{per:?}");
    Ok(())
}
