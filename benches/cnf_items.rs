//! What an item of canonical forms costs, serially: `cargo bench --bench cnf_items`, then
//! `python3 benches/ratios.py cnf_` for the ratios. Each group runs over the same canonical forms
//! (undirected graphs on 9 vertices, automata with 5 states and 2 letters) and gives the same
//! answer three ways: `count()` (no item at all), `counts_by` over the domain's own items
//! (`Set<Set<Atom>>`, `Mapping<(Atom, Atom), Atom>`, decoded from a `Value`), and `counts_by` over
//! the typed items (`BitGraph`, `TransitionTable`, copied out of the generation tree).

mod common;

use common::quick;
use criterion::{Criterion, criterion_group, criterion_main};
use haydi::prelude::*;
use haydi::{BitGraph, TransitionTable};

/// Graphs on 9 vertices (274,668), by number of edges.
fn graphs(c: &mut Criterion) {
    let d = Subsets::new(Subsets::with_size(USet::new(9, "v"), 2).unwrap()).unwrap();
    let total = 274_668u64;
    let mut g = quick(c, "cnf_graphs_9", 5);
    g.bench_function("count", |b| {
        b.iter(|| assert_eq!(d.cnfs().unwrap().count().run(false).unwrap(), total))
    });
    g.bench_function("counts_by_domain_items", |b| {
        b.iter(|| {
            let by = d.cnfs().unwrap().counts_by(|g| g.len()).run(false).unwrap();
            assert_eq!(by.values().sum::<u64>(), total);
        })
    });
    g.bench_function("counts_by_bitgraph", |b| {
        b.iter(|| {
            let by = d
                .cnfs_as::<BitGraph>()
                .unwrap()
                .counts_by(|g| g.edge_count())
                .run(false)
                .unwrap();
            assert_eq!(by.values().sum::<u64>(), total);
        })
    });
    g.finish();
}

/// Automata with 5 states and 2 letters (41,876), by the number of states with a loop.
fn automata(c: &mut Criterion) {
    let (q, a) = (USet::new(5, "q"), USet::new(2, "a"));
    let d = Mappings::new(Product::new((q.clone(), a)), q).unwrap();
    let total = 41_876u64;
    let mut g = quick(c, "cnf_automata_5", 5);
    g.bench_function("count", |b| {
        b.iter(|| assert_eq!(d.cnfs().unwrap().count().run(false).unwrap(), total))
    });
    g.bench_function("counts_by_domain_items", |b| {
        b.iter(|| {
            let by = d
                .cnfs()
                .unwrap()
                .counts_by(|m| m.iter().filter(|((s, _), t)| s == *t).count())
                .run(false)
                .unwrap();
            assert_eq!(by.values().sum::<u64>(), total);
        })
    });
    g.bench_function("counts_by_transition_table", |b| {
        b.iter(|| {
            let by = d
                .cnfs_as::<TransitionTable>()
                .unwrap()
                .counts_by(|t| {
                    (0..t.states() * t.letters())
                        .filter(|&k| t.values()[k] as usize == k / t.letters())
                        .count()
                })
                .run(false)
                .unwrap();
            assert_eq!(by.values().sum::<u64>(), total);
        })
    });
    g.finish();
}

criterion_group!(benches, graphs, automata);
criterion_main!(benches);
