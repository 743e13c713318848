//! Behaviour suite: every pipeline behaviour, checked on every context against serial runs and
//! brute-force oracles. Run with `cargo test --test behaviour`; pass a substring to run only the
//! matching checks (`cargo test --test behaviour -- take`).

mod adapters;
mod canon_classes;
mod harness;
#[cfg(feature = "mpi")]
mod mpi;
mod pool;
mod sweep;
mod systems;

use harness::{Check, run_suite};
use haydi::prelude::*;
use haydi::{BitGraph, CnfValues, Size, TransitionTable};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The context under test, as every check gets it.
pub type Ctx = Arc<dyn ParallelContext>;

fn collect_order(_: &Ctx) -> Result<(), String> {
    let d = Range::new(10_000);
    let job = d.iterate().map(|x| x * 3).filter(|x| x % 7 != 1).collect();
    let expected: Vec<i64> = (0..10_000).map(|x| x * 3).filter(|x| x % 7 != 1).collect();
    check_eq!(job.run(true).map_err(|e| e.to_string())?, expected);
    check_eq!(job.run(false).map_err(|e| e.to_string())?, expected);
    Ok(())
}

fn count_sum(_: &Ctx) -> Result<(), String> {
    let n = Range::new(100_000)
        .filter(|x| x % 3 == 0)
        .count()
        .run(true)
        .unwrap();
    check_eq!(n, 33_334);
    let s = Range::new(100_001).sum().run(true).unwrap();
    check_eq!(s, 5_000_050_000i64);
    Ok(())
}

fn reduce_keeps_order(_: &Ctx) -> Result<(), String> {
    // String concatenation is associative but not commutative: any reordering shows.
    let job = Range::new(3000)
        .iterate()
        .map(|x| format!("{x},"))
        .reduce_with(|a, b| a + &b);
    let expected: String = (0..3000).map(|x| format!("{x},")).collect();
    check_eq!(job.run(true).unwrap(), Some(expected));
    let with = Range::new(101)
        .reduce(|| 100, |a, b| a + b)
        .run(true)
        .unwrap();
    check_eq!(with, 5150);
    Ok(())
}

fn empty_domain(_: &Ctx) -> Result<(), String> {
    let e = Range::new(0);
    check_eq!(e.count().run(true).unwrap(), 0);
    check_eq!(e.reduce_with(|a, b| a + b).run(true).unwrap(), None);
    check_eq!(e.reduce(|| 7, |a, b| a + b).run(true).unwrap(), 7);
    check_eq!(e.max_all(|x| *x).run(true).unwrap(), Vec::<i64>::new());
    check_eq!(e.first().run(true).unwrap(), None);
    check_eq!(e.collect().run(true).unwrap(), Vec::<i64>::new());
    Ok(())
}

fn extremes(_: &Ctx) -> Result<(), String> {
    let d = Range::new(20_000);
    let all = d.max_all(|x| (x * 7919) % 1000).run(true).unwrap();
    let expected: Vec<i64> = (0..20_000).filter(|x| (x * 7919) % 1000 == 999).collect();
    check_eq!(all, expected);
    let two = d
        .max_all_limited(|x| (x * 7919) % 1000, 2)
        .run(true)
        .unwrap();
    check_eq!(two, expected[..2].to_vec());
    let mins = d.min_all_limited(|x| x % 10, 3).run(true).unwrap();
    check_eq!(mins, vec![0, 10, 20]);
    Ok(())
}

fn groups(_: &Ctx) -> Result<(), String> {
    let d = Range::new(10_000);
    let g = d.groups(|x| x % 7).run(true).unwrap();
    let mut oracle: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for x in 0..10_000 {
        oracle.entry(x % 7).or_default().push(x);
    }
    check_eq!(g, oracle);
    let limited = d.groups_limited(|x| x % 7, 3).run(true).unwrap();
    for (k, v) in &oracle {
        check_eq!(limited[k], v[..3].to_vec());
    }
    let counts = d.groups_counts_limited(|x| x % 7, 2).run(true).unwrap();
    for (k, v) in &oracle {
        check_eq!(counts[k].count, v.len() as u64);
        check_eq!(counts[k].items, v[..2].to_vec());
    }
    // The Python haydi's groups_counts example: {0: 4 [0, 3], 1: 3 [1, 4], 2: 3 [2, 5]}.
    let small = Range::new(10)
        .groups_counts_limited(|x| x % 3, 2)
        .run(true)
        .unwrap();
    check_eq!((small[&0].count, small[&0].items.clone()), (4, vec![0, 3]));
    check_eq!((small[&2].count, small[&2].items.clone()), (3, vec![2, 5]));
    Ok(())
}

fn take_where_it_stands(_: &Ctx) -> Result<(), String> {
    let r = |n| Range::new(n).iterate();
    check_eq!(
        r(10)
            .take(3)
            .filter(|x| *x > 5)
            .collect()
            .run(true)
            .unwrap(),
        Vec::<i64>::new()
    );
    check_eq!(
        r(10)
            .filter(|x| *x > 5)
            .take(3)
            .collect()
            .run(true)
            .unwrap(),
        vec![6, 7, 8]
    );
    check_eq!(
        r(3).take(2).take(5).collect().run(true).unwrap(),
        vec![0, 1]
    );
    check_eq!(
        r(10).take(5).take(2).collect().run(true).unwrap(),
        vec![0, 1]
    );
    check_eq!(r(100).take(0).count().run(true).unwrap(), 0);
    // take, then more transformations, then a non-collect action
    let n = r(100_000)
        .filter(|x| x % 3 == 0)
        .take(1000)
        .map(|x| x + 1)
        .filter(|x| x % 2 == 0)
        .count();
    let oracle = (0..100_000i64)
        .filter(|x| x % 3 == 0)
        .take(1000)
        .map(|x| x + 1)
        .filter(|x| x % 2 == 0)
        .count();
    check_eq!(n.run(true).unwrap(), oracle as u64);
    // nested takes with filters between them, summed
    let s = r(1_000_000)
        .filter(|x| x % 5 != 0)
        .take(40_000)
        .filter(|x| x % 3 == 0)
        .take(7_777)
        .sum();
    let so: i64 = (0..1_000_000i64)
        .filter(|x| x % 5 != 0)
        .take(40_000)
        .filter(|x| x % 3 == 0)
        .take(7_777)
        .sum();
    check_eq!(s.run(true).unwrap(), so);
    Ok(())
}

fn first(_: &Ctx) -> Result<(), String> {
    check_eq!(
        Range::new(100)
            .filter(|x| *x == 50)
            .first()
            .run(true)
            .unwrap(),
        Some(50)
    );
    check_eq!(
        Range::new(100)
            .filter(|x| *x >= 100)
            .first()
            .run(true)
            .unwrap(),
        None
    );
    Ok(())
}

fn short_circuit(_: &Ctx) -> Result<(), String> {
    // A huge range: only the work needed for the first three hits may be done.
    let seen = AtomicU64::new(0);
    let v = Range::new(1_000_000_000_000)
        .iterate()
        .filter(|x| {
            seen.fetch_add(1, Ordering::Relaxed);
            x % 1000 == 7
        })
        .take(3)
        .collect()
        .run(true)
        .unwrap();
    check_eq!(v, vec![7, 1007, 2007]);
    let work = seen.load(Ordering::Relaxed);
    check!(work < 50_000_000, "evaluated {work} items for take(3)");
    Ok(())
}

fn generate_is_deterministic(_: &Ctx) -> Result<(), String> {
    let d = Product::new((Range::new(1000), Range::new(1000)));
    let job = d
        .clone()
        .generate(42)
        .filter(|(a, _)| a % 2 == 0)
        .take(5000)
        .collect();
    let par = job.run(true).unwrap();
    let ser = job.run(false).unwrap();
    check_eq!(par.len(), 5000);
    check!(par.iter().all(|(a, b)| a % 2 == 0 && (0..1000).contains(b)));
    check_eq!(par, ser);
    let other = d.generate(43).take(10).collect().run(true).unwrap();
    check!(
        other != par[..10].to_vec(),
        "different seeds gave the same stream"
    );
    Ok(())
}

fn endless_needs_a_bound(_: &Ctx) -> Result<(), String> {
    let e = Range::new(10).generate(1).count().run(true);
    check!(matches!(e, Err(Error::Unbounded)), "{e:?}");
    Ok(())
}

fn panic_is_reported(ctx: &Ctx) -> Result<(), String> {
    let r = Range::new(100_000)
        .iterate()
        .map(|x| {
            if x == 77_777 {
                panic!("boom at {x}");
            }
            x
        })
        .count()
        .run(true);
    match r {
        Err(Error::Panicked { chunk, message, .. }) => {
            check!(
                chunk.contains(&77_777),
                "chunk {chunk:?} does not hold the element"
            );
            check!(message.contains("boom at 77777"), "{message}");
        }
        other => return Err(format!("expected a panic error, got {other:?}")),
    }
    // The context stays usable.
    check_eq!(Range::new(1000).count().run_in(ctx.as_ref()).unwrap(), 1000);
    Ok(())
}

fn nested_parallel_run_is_rejected(_: &Ctx) -> Result<(), String> {
    let inner = Range::new(10)
        .iterate()
        .map(|x| {
            Range::new(3)
                .count()
                .run(true)
                .map(|_| x)
                .map_err(|e| e.to_string())
        })
        .collect()
        .run(true)
        .unwrap();
    check!(!inner.is_empty());
    for r in &inner {
        check!(
            r.as_ref().is_err_and(|e| e.contains("nested parallel run")),
            "inner run(true) gave {r:?}"
        );
    }
    let ok = Range::new(10)
        .iterate()
        .map(|x| Range::new(x + 1).count().run(false).unwrap())
        .sum()
        .run(true)
        .unwrap();
    check_eq!(ok, 55);
    Ok(())
}

fn timeout_marks_partial(_: &Ctx) -> Result<(), String> {
    let job = Range::new(1_000_000)
        .iterate()
        .map(|x| {
            std::thread::sleep(Duration::from_micros(200));
            x
        })
        .count();
    let out = job
        .run_with(true, &RunOptions::new().timeout(Duration::from_millis(150)))
        .unwrap();
    check!(
        !out.complete,
        "a 200 s run finished within its 150 ms timeout"
    );
    check_eq!(out.total, Some(1_000_000));
    check!(out.processed < 1_000_000);
    check_eq!(out.value as u128, out.processed);
    check!(out.clone().into_complete().is_err());
    let full = Range::new(100)
        .count()
        .run_with(true, &RunOptions::new().timeout(Duration::from_secs(60)))
        .unwrap();
    check!(full.complete && full.value == 100);
    Ok(())
}

fn skewed_work_equals_serial(_: &Ctx) -> Result<(), String> {
    let job = Range::new(3000)
        .iterate()
        .map(|i| (0..i * 20).fold(i, |a, b| a ^ (b * 31)))
        .collect();
    check_eq!(job.run(true).unwrap(), job.run(false).unwrap());
    Ok(())
}

fn progress_and_trace(ctx: &Ctx) -> Result<(), String> {
    let last = Arc::new(std::sync::Mutex::new(None));
    let seen = last.clone();
    let dir = std::env::temp_dir().join(format!("haydi-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("chunks.trace.json");
    let opts = RunOptions::new()
        .progress_bar(true)
        .on_progress(move |p| *seen.lock().unwrap() = Some(p.clone()))
        .chunk_trace(&path);
    let out = Range::new(200_000)
        .filter(|x| x % 2 == 0)
        .count()
        .run_with(true, &opts)
        .unwrap();
    check_eq!(out.value, 100_000);
    let p = last.lock().unwrap().clone().ok_or("no progress report")?;
    check!(p.finished);
    check_eq!(p.processed, 200_000);
    check_eq!(p.total, Some(200_000));
    let worker_rank = ["HAYDI_RANK", "OMPI_COMM_WORLD_RANK"]
        .iter()
        .any(|v| std::env::var(v).is_ok_and(|r| r != "0"));
    if worker_rank && haydi::contexts::extensions::is_collective(&**ctx) {
        // Only the driver writes traces: a worker process of a distributed context has none.
        check!(!path.exists(), "a worker wrote {}", path.display());
        return Ok(());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let events = doc["traceEvents"].as_array().ok_or("no traceEvents")?;
    let covered: u128 = events
        .iter()
        .filter(|e| e["ph"] == "X")
        .map(|e| {
            let s: u128 = e["args"]["start"].as_str().unwrap().parse().unwrap();
            let t: u128 = e["args"]["end"].as_str().unwrap().parse().unwrap();
            t - s
        })
        .sum();
    check_eq!(covered, 200_000);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn huge_index_space(_: &Ctx) -> Result<(), String> {
    // 10^12 x 10^12 = 10^24 indices: beyond u64. The last three items, and a take from the start.
    let big = Range::new(1_000_000_000_000);
    let p = Product::new((big, big));
    check_eq!(p.size(), Size::Exact(1_000_000_000_000_000_000_000_000));
    let v = p
        .clone()
        .filter(|(_, b)| b % 2 == 1)
        .take(3)
        .collect()
        .run(true)
        .unwrap();
    check_eq!(v, vec![(0, 1), (0, 3), (0, 5)]);
    // The last items, reached by unranking indices beyond u64.
    let last: Vec<(i64, i64)> = p
        .iter_range(1_000_000_000_000_000_000_000_000 - 2, u128::MAX)
        .collect();
    check_eq!(
        last,
        vec![
            (999_999_999_999, 999_999_999_998),
            (999_999_999_999, 999_999_999_999)
        ]
    );
    Ok(())
}

fn domains_in_parallel(_: &Ctx) -> Result<(), String> {
    let s = Subsets::new(Range::new(12)).map_err(|e| e.to_string())?;
    check_eq!(s.clone().count().run(true).unwrap(), 4096);
    check_eq!(
        s.clone().collect().run(true).unwrap(),
        s.clone().collect().run(false).unwrap()
    );
    let m = Mappings::new(Range::new(4), Range::new(3)).map_err(|e| e.to_string())?;
    check_eq!(
        m.clone()
            .filter(|f| f.values().all(|v| *v > 0))
            .count()
            .run(true)
            .unwrap(),
        16
    );
    let seqs = Sequences::with_lengths(Range::new(3), 0, 6).map_err(|e| e.to_string())?;
    check_eq!(
        seqs.clone().collect().run(true).unwrap(),
        seqs.collect().run(false).unwrap()
    );
    Ok(())
}

type T8 = (i64, i64, i64, i64, i64, i64, i64, i64);

/// The tuple `(0, 0, 0, 0, 0, 0, g, h)`.
fn tail8(g: i64, h: i64) -> T8 {
    (0, 0, 0, 0, 0, 0, g, h)
}

fn overflowing_domains(_: &Ctx) -> Result<(), String> {
    let e = |e: Error| e.to_string();
    // 10^48 tuples: more than u128 can count (issue 9).
    let r = Range::new(1_000_000);
    let p = Product::new((r, r, r, r, r, r, r, r));
    check_eq!(p.size(), Size::Unknown);
    let first3 = vec![tail8(0, 0), tail8(0, 1), tail8(0, 2)];
    check_eq!(p.clone().take(3).collect().run(true).map_err(e)?, first3);
    check_eq!(p.clone().take(3).collect().run(false).map_err(e)?, first3);
    // Filtered searches, in serial order: hits close together, then a million items apart.
    let near = p
        .clone()
        .filter(|t| t.6 == 0 && t.7 >= 999_997)
        .take(3)
        .collect();
    let expected: Vec<T8> = (999_997..1_000_000).map(|h| tail8(0, h)).collect();
    check_eq!(near.run(true).map_err(e)?, expected);
    let apart = p
        .clone()
        .iterate()
        .filter(|t| t.7 == 999_999 && t.6 < 3)
        .take(3)
        .collect();
    let expected: Vec<T8> = (0..3).map(|g| tail8(g, 999_999)).collect();
    check_eq!(apart.run(true).map_err(e)?, expected);
    // Rare hits spread over many chunks (2^128 items).
    let big = Range::new(1 << 62);
    let q = Product::new((big, big, Range::new(16)));
    let rare = q
        .iterate()
        .filter(|(a, b, c)| *a == 0 && b % 5000 == 4999 && *c == 15)
        .take(3)
        .collect()
        .run(true)
        .map_err(e)?;
    check_eq!(rare, vec![(0, 4999, 15), (0, 9999, 15), (0, 14_999, 15)]);
    // first() on 1000^30 sequences, with and without a filter.
    let s = Sequences::new(Range::new(1000), 30);
    check_eq!(s.clone().first().run(true).map_err(e)?, Some(vec![0; 30]));
    let mut v = vec![0; 30];
    v[28] = 3;
    v[29] = 7;
    let hit = s
        .clone()
        .iterate()
        .filter(|x| x[28] == 3 && x[29] == 7)
        .first()
        .run(true)
        .map_err(e)?;
    check_eq!(hit, Some(v));
    // Random items: inside the domain, the same on every context.
    let g = p.clone().generate(42).take(5).collect();
    let items = g.run(true).map_err(e)?;
    check_eq!(items, g.run(false).map_err(e)?);
    check_eq!(items.len(), 5);
    check!(items.iter().all(|t| {
        [t.0, t.1, t.2, t.3, t.4, t.5, t.6, t.7]
            .iter()
            .all(|x| (0..1_000_000).contains(x))
    }));
    let gs = s.generate(7).take(5).collect();
    check_eq!(gs.run(true).map_err(e)?, gs.run(false).map_err(e)?);
    // A run over the whole space, exact: two items, the second past index u128::MAX - 2.
    let last = Range::new(1 << 16).filter(|x| *x == 65_535);
    let first = Range::new(1 << 16).filter(|x| *x == 0 || *x == 65_535);
    let l = || last.clone();
    let sparse = Product::new((first, l(), l(), l(), l(), l(), l(), l()));
    let m = 65_535;
    check_eq!(
        sparse.clone().collect().run(true).map_err(e)?,
        vec![(0, m, m, m, m, m, m, m), (m, m, m, m, m, m, m, m)]
    );
    let out = sparse
        .count()
        .run_with(true, &RunOptions::new())
        .map_err(e)?;
    check_eq!(
        (out.value, out.complete, out.total),
        (2, true, Some(Size::OVERFLOW_EXTENT))
    );
    Ok(())
}

fn canonical_forms(_: &Ctx) -> Result<(), String> {
    let e = |e: Error| e.to_string();
    // Graphs on 6 vertices up to isomorphism (OEIS A000088: 156), split among the workers.
    let v = USet::new(6, "v");
    let graphs = Subsets::new(Subsets::with_size(v, 2).map_err(e)?).map_err(e)?;
    check_eq!(graphs.cnfs().map_err(e)?.count().run(true).unwrap(), 156);
    // Functional graphs on 5 points (OEIS A001372: 47), in serial order.
    let u = USet::new(5, "u");
    let f = Mappings::new(u.clone(), u).map_err(e)?;
    let par = f.cnfs().map_err(e)?.collect().run(true).unwrap();
    check_eq!(par.len(), 47);
    check_eq!(par, f.cnfs().map_err(e)?.collect().run(false).unwrap());
    // Typed items (copied out of the generation tree) cross the context like any item: the
    // same tables in the same order, and graphs by edge count (OEIS A008406, n = 6).
    let tables = f.cnfs_as::<TransitionTable>().map_err(e)?;
    let typed = tables.collect().run(true).unwrap();
    check_eq!(typed.len(), 47);
    check_eq!(
        typed
            .iter()
            .map(|t| t.values().to_vec())
            .collect::<Vec<_>>(),
        par.iter()
            .map(|m| m.values().map(|a| a.index() as u8).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    );
    let by_edges = graphs
        .cnfs_as::<BitGraph>()
        .map_err(e)?
        .counts_by(|g| g.edge_count())
        .run(true)
        .unwrap();
    check_eq!(
        by_edges.values().copied().collect::<Vec<u64>>(),
        vec![1, 1, 2, 5, 9, 15, 21, 24, 24, 21, 15, 9, 5, 2, 1, 1]
    );
    Ok(())
}

fn canonical_value_sets(_: &Ctx) -> Result<(), String> {
    let e = |e: Error| e.to_string();
    // Graphs on 5 vertices with exactly 4 edges, through a strict filter: 6 classes (of 34).
    let v = USet::new(5, "v");
    let graphs = Subsets::new(Subsets::with_size(v, 2).map_err(e)?).map_err(e)?;
    let four = graphs.clone().filter_strict(|g| g.len() == 4).map_err(e)?;
    let par = four.cnfs().map_err(e)?.collect().run(true).unwrap();
    check_eq!(par.len(), 6);
    check_eq!(par, four.cnfs().map_err(e)?.collect().run(false).unwrap());
    // The 34 classes iterated as all 1024 labelled graphs, in parallel and in order.
    let all = CnfValues::new(graphs.cnfs().map_err(e)?.collect().run(true).unwrap()).map_err(e)?;
    check_eq!(all.size(), Size::Exact(1024));
    check_eq!(
        all.clone().collect().run(true).unwrap(),
        all.iter().collect::<Vec<_>>()
    );
    // A join with ratios generates the same stream on every context.
    let j = Join::with_ratios(vec![Range::new(3), Range::new(5)], vec![1.0, 4.0]).map_err(e)?;
    check_eq!(
        j.clone().generate(9).take(500).collect().run(true).unwrap(),
        j.generate(9).take(500).collect().run(false).unwrap()
    );
    Ok(())
}

fn main() {
    let checks = checks();
    // With the `mpi` feature the suite runs on the MPI transport: this binary starts
    // `mpirun -n 3` on itself, whose ranks run every check on `DistributedContext::mpi()`.
    // (The default build runs it on every other context.)
    #[cfg(feature = "mpi")]
    {
        if std::env::var_os("OMPI_COMM_WORLD_RANK").is_some() {
            let ctx = DistributedContext::mpi().expect("the MPI context");
            return run_suite(vec![Arc::new(ctx)], &checks);
        }
        mpi::run_under_mpirun();
    }
    #[cfg(not(feature = "mpi"))]
    run_suite(contexts(), &checks);
}

/// Every context of the default build.
#[cfg(not(feature = "mpi"))]
fn contexts() -> Vec<Ctx> {
    let mut contexts: Vec<Ctx> = vec![Arc::new(haydi::SerialContext)];
    for n in [1, 2, 4] {
        contexts.push(Arc::new(ThreadContext::new(n).expect("thread pool")));
    }
    // Worker processes: this binary is re-executed as the workers, which follow this same `main`
    // (and run the serial and thread checks above by themselves) until their `spawn` call.
    for n in [2, 3] {
        contexts.push(Arc::new(
            DistributedContext::spawn(n).expect("spawn workers"),
        ));
    }
    contexts
}

fn checks() -> Vec<(&'static str, Check)> {
    vec![
        ("collect_order", collect_order),
        ("count_sum", count_sum),
        ("reduce_keeps_order", reduce_keeps_order),
        ("empty_domain", empty_domain),
        ("extremes", extremes),
        ("groups", groups),
        ("take_where_it_stands", take_where_it_stands),
        ("first", first),
        ("short_circuit", short_circuit),
        ("generate_is_deterministic", generate_is_deterministic),
        ("endless_needs_a_bound", endless_needs_a_bound),
        ("panic_is_reported", panic_is_reported),
        (
            "nested_parallel_run_is_rejected",
            nested_parallel_run_is_rejected,
        ),
        ("timeout_marks_partial", timeout_marks_partial),
        ("skewed_work_equals_serial", skewed_work_equals_serial),
        ("progress_and_trace", progress_and_trace),
        ("huge_index_space", huge_index_space),
        ("domains_in_parallel", domains_in_parallel),
        ("overflowing_domains", overflowing_domains),
        ("canonical_forms", canonical_forms),
        ("canonical_value_sets", canonical_value_sets),
        ("graph_classes", canon_classes::graph_classes),
        ("automata_classes", canon_classes::automata_classes),
        ("one_chain", adapters::one_chain),
        ("filter_map", adapters::filter_map),
        ("flat_map", adapters::flat_map),
        ("inspect", adapters::inspect),
        ("enumerate", adapters::enumerate),
        ("for_each", adapters::for_each),
        ("any_all", adapters::any_all),
        ("by_key", adapters::by_key),
        ("counts_by", adapters::counts_by),
        ("sum_product", adapters::sum_product),
        ("collect_as", adapters::collect_as),
        ("bfs_states", systems::bfs_states),
        ("bfs_bounds", systems::bfs_bounds),
        ("dlts_product_bfs", systems::dlts_product_bfs),
        ("bfs_timeout_and_nested", systems::bfs_timeout_and_nested),
        ("pool_map", pool::pool_map),
        ("pool_lazy", pool::pool_lazy),
        ("pool_apply_push", pool::pool_apply_push),
        ("pool_submit", pool::pool_submit),
        ("pool_timeout", pool::pool_timeout),
        ("pool_spreads", pool::pool_spreads),
        ("sweep_table", sweep::sweep_table),
    ]
}
