//! Labelled sweeps (`haydi::contexts::sweep`) on every context, against nested loops.

use crate::{Ctx, check, check_eq};
use haydi::contexts::sweep::{Label, Sweep, Table};

fn e(e: haydi::Error) -> String {
    e.to_string()
}

pub fn sweep_table(_: &Ctx) -> Result<(), String> {
    // The grid: a in {1, 2}, b in {10, 20, 30}, c in {100..400}, a + b + c.
    let s = Sweep::new()
        .param("a", [1, 2])
        .param("b", [10, 20, 30])
        .param("c", (100..=400).step_by(100));
    let mut oracle = Vec::new();
    for a in [1i64, 2] {
        for b in [10i64, 20, 30] {
            for c in [100i64, 200, 300, 400] {
                oracle.push((vec![Label::Int(a), Label::Int(b), Label::Int(c)], a + b + c));
            }
        }
    }
    let f = |p: &haydi::contexts::sweep::Params<'_>| p.int("a") + p.int("b") + p.int("c");
    let t = s.run(f).map_err(e)?;
    check_eq!(t.names, ["a", "b", "c"]);
    check_eq!(t.rows, oracle);
    // Shuffled execution, restored to grid order.
    check_eq!(s.clone().shuffled(3).run(f).map_err(e)?, t);
    // A seeded sample: 5 distinct rows of the grid, in grid order, the same on every context.
    let sample = s.clone().sample(5, 11).run(f).map_err(e)?;
    check_eq!(sample.len(), 5);
    check!(sample.rows.iter().all(|r| oracle.contains(r)));
    let pos: Vec<usize> = sample
        .rows
        .iter()
        .map(|r| oracle.iter().position(|o| o == r).unwrap())
        .collect();
    check!(pos.windows(2).all(|w| w[0] < w[1]), "{pos:?}");
    // Harvest: a fifth value of c runs only the 6 new combinations.
    let calls = std::sync::atomic::AtomicU64::new(0);
    let more = Sweep::new()
        .param("a", [1, 2])
        .param("b", [10, 20, 30])
        .param("c", (100..=500).step_by(100))
        .run_missing(&t, |p| {
            calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            p.int("a") + p.int("b") + p.int("c")
        })
        .map_err(e)?;
    check_eq!(more.len(), 30);
    check!(
        more.rows
            .iter()
            .all(|(l, r)| *r == l.iter().map(|x| x.as_i64().unwrap()).sum::<i64>())
    );
    // Calls happen on whichever process ran the chunk: counted here only in one process.
    if !haydi::contexts::extensions::is_collective(&*haydi::session::parallel_context()) {
        check_eq!(calls.load(std::sync::atomic::Ordering::Relaxed), 6);
    }
    // CSV and JSON lines, read back.
    let mut csv = Vec::new();
    t.write_csv(&mut csv).map_err(e)?;
    let csv = String::from_utf8(csv).unwrap();
    check_eq!(csv.lines().next(), Some("a,b,c,output"));
    check_eq!(csv.lines().nth(1), Some("1,10,100,111"));
    check_eq!(csv.lines().count(), 25);
    let mut j = Vec::new();
    t.write_json_lines(&mut j).map_err(e)?;
    let back: Table<i64> = Table::read_json_lines(&t.names, &j[..]).map_err(e)?;
    check_eq!(back, t);
    // A duplicate parameter is an error, not a silent shadow.
    check!(
        Sweep::new()
            .param("a", [1])
            .param("a", [2])
            .run(|_| 0)
            .is_err()
    );
    Ok(())
}
