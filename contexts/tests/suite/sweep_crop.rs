//! Sweeps as crops (`Sweep::crop`): the grid a in {1, 2}, b in {10, 20, 30}, c in
//! {100..400} with `a + b + c`, sown, grown in part, grown to the end on threads(2) and reaped
//! into the table `Sweep::run` gives and plain loops compute; a truncated batch is found and
//! regrown; a crop of another grid (same size) is refused; samples and shuffles reap in grid
//! order.

use haydi_contexts::crop::{Batches, Grow};
use haydi_contexts::sweep::{Label, Sweep};
use haydi_core::prelude::*;

fn sweep() -> Sweep {
    Sweep::new()
        .param("a", [1, 2])
        .param("b", [10, 20, 30])
        .param("c", [100, 200, 300, 400])
}

fn oracle() -> Vec<(Vec<Label>, i64)> {
    let mut rows = Vec::new();
    for a in [1, 2] {
        for b in [10, 20, 30] {
            for c in [100, 200, 300, 400] {
                rows.push((vec![Label::Int(a), Label::Int(b), Label::Int(c)], a + b + c));
            }
        }
    }
    rows
}

fn sum(p: &haydi_contexts::sweep::Params<'_>) -> i64 {
    p.int("a") + p.int("b") + p.int("c")
}

#[test]
fn a_sweep_crop_reaps_the_sweeps_table() {
    let dir = tempfile::tempdir().unwrap();
    let s = sweep();
    let crop = s.crop("abc", dir.path(), sum).unwrap();
    assert_eq!(crop.status().unwrap().to_string(), "not sown");
    assert_eq!(crop.sow(Batches::Size(5)).unwrap(), 5);
    crop.grow(2).unwrap();
    assert_eq!(crop.missing().unwrap(), vec![1, 3, 4, 5]);
    let e = crop.reap().unwrap_err().to_string();
    assert!(e.contains("4 of 5 batches are missing"), "{e}");
    let grown =
        session::with_parallel_context(ThreadContext::new(2).unwrap(), || crop.grow_missing())
            .unwrap();
    assert_eq!(grown.len(), 4);
    assert!(crop.check().unwrap().is_clean());
    let table = crop.reap().unwrap();
    assert_eq!(table.names, ["a", "b", "c"]);
    assert_eq!(table.rows, oracle());
    assert_eq!(table, s.run(sum).unwrap());
}

#[test]
fn a_truncated_batch_is_found_and_regrown() {
    let dir = tempfile::tempdir().unwrap();
    let crop = sweep().crop("trunc", dir.path(), sum).unwrap();
    crop.sow(Batches::Count(4)).unwrap();
    crop.grow_missing().unwrap();
    let f = crop.path().join("results").join("batch-3.result");
    let bytes = std::fs::read(&f).unwrap();
    std::fs::write(&f, &bytes[..bytes.len() - 3]).unwrap();
    assert_eq!(crop.missing().unwrap(), vec![3]);
    let found = crop.check().unwrap();
    assert_eq!(found.bad.len(), 1, "{found}");
    assert_eq!(crop.grow_missing().unwrap(), vec![(3, Grow::Grown)]);
    assert_eq!(crop.reap().unwrap().rows, oracle());
}

#[test]
fn another_grid_of_the_same_size_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let make = |c: [i64; 4]| {
        Sweep::new()
            .param("a", [1, 2])
            .param("b", [10, 20, 30])
            .param("c", c)
            .crop("grid", dir.path(), sum)
            .unwrap()
    };
    let first = make([100, 200, 300, 400]);
    first.sow(Batches::Count(2)).unwrap();
    first.grow(1).unwrap();
    let other = make([100, 200, 300, 500]);
    assert!(
        other.sow(Batches::Count(2)).is_err(),
        "another grid is refused"
    );
    assert!(other.reap().is_err());
    // The first grid's crop is untouched and still grows and reaps.
    let again = make([100, 200, 300, 400]);
    assert_eq!(again.missing().unwrap(), vec![2]);
    again.grow(2).unwrap();
    assert_eq!(again.reap().unwrap().rows, oracle());
}

#[test]
fn samples_and_shuffles_reap_in_grid_order() {
    for s in [
        sweep().shuffled(11),
        sweep().sample(7, 5),
        sweep().sample(7, 5).shuffled(2),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let crop = s.crop("s", dir.path(), sum).unwrap();
        crop.sow(Batches::Size(3)).unwrap();
        crop.grow_missing().unwrap();
        let table = crop.reap().unwrap();
        assert_eq!(table, s.run(sum).unwrap(), "{s:?}");
        let all = oracle();
        assert!(
            table.rows.iter().all(|r| all.contains(r)),
            "every row is the grid's"
        );
        assert!(
            table
                .rows
                .windows(2)
                .all(|w| all.iter().position(|r| *r == w[0]) < all.iter().position(|r| *r == w[1])),
            "grid order"
        );
    }
}
