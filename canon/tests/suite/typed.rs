//! Typed items of the fast paths (`BitGraph`, `TransitionTable`) against the domain's own
//! items (the value path, itself checked against brute force and OEIS elsewhere) and against
//! OEIS: the same representatives, in the same order, item for item.

use haydi_canon::{Atom, BitGraph, CnfsExt, StrictFilterExt, TransitionTable, USet};
use haydi_core::prelude::*;
use haydi_domains::{Mappings, Product, Subsets};
use std::collections::BTreeMap;

fn graphs(n: u32) -> haydi_domains::Subsets<haydi_domains::Subsets<USet>> {
    Subsets::new(Subsets::with_size(USet::new(n, "v"), 2).unwrap()).unwrap()
}

/// The edges of a domain item, as vertex indices.
fn edges_of(g: &Set<Set<Atom>>) -> Vec<(usize, usize)> {
    g.iter()
        .map(|e| {
            let v: Vec<usize> = e.iter().map(|a| a.index() as usize).collect();
            (v[0], v[1])
        })
        .collect()
}

#[test]
fn bit_graphs_are_the_domain_items_in_the_same_order() {
    for n in 1..=7 {
        let d = graphs(n);
        let plain = d.cnfs().unwrap().collect().run(false).unwrap();
        for parallel in [false, true] {
            let typed = d
                .cnfs_as::<BitGraph>()
                .unwrap()
                .collect()
                .run(parallel)
                .unwrap();
            assert_eq!(typed.len(), plain.len(), "n={n}");
            for (t, p) in typed.iter().zip(&plain) {
                assert_eq!(t.vertices(), n as usize);
                assert_eq!(t.edges().collect::<Vec<_>>(), edges_of(p), "n={n}");
                assert_eq!(t.edge_count() as usize, p.len());
                assert_eq!(*t, BitGraph::from_edges(n as usize, &edges_of(p)).unwrap());
                // the same USet declaration (name and size) gives the same atoms
                assert_eq!(&t.to_edge_set(&USet::new(n, "v")).unwrap(), p);
            }
        }
        // the order of typed items is the order of the domain's items
        let typed = d
            .cnfs_as::<BitGraph>()
            .unwrap()
            .collect()
            .run(false)
            .unwrap();
        for i in (0..typed.len()).step_by(7) {
            for j in (0..typed.len()).step_by(5) {
                assert_eq!(
                    typed[i].cmp(&typed[j]),
                    plain[i].cmp(&plain[j]),
                    "n={n} {i} {j}"
                );
            }
        }
        assert!(typed.windows(2).all(|w| w[0] < w[1]), "n={n}");
    }
}

/// OEIS A008406: graphs on n nodes with k edges (rows n = 5 and 6), by `counts_by` on typed
/// items, serially and in parallel.
#[test]
fn graphs_by_edge_count_a008406() {
    let rows: [(u32, &[u64]); 2] = [
        (5, &[1, 1, 2, 4, 6, 6, 6, 4, 2, 1, 1]),
        (6, &[1, 1, 2, 5, 9, 15, 21, 24, 24, 21, 15, 9, 5, 2, 1, 1]),
    ];
    for (n, row) in rows {
        for parallel in [false, true] {
            let by = graphs(n)
                .cnfs_as::<BitGraph>()
                .unwrap()
                .counts_by(|g| g.edge_count())
                .run(parallel)
                .unwrap();
            let got: Vec<u64> = (0..row.len() as u32).map(|k| by[&k]).collect();
            assert_eq!(got, row, "n={n}");
            assert_eq!(by.len(), row.len());
        }
    }
}

/// A strict filter on the domain runs its predicate on the value; the typed items that pass
/// are those of the domain items that pass. Connected graphs: OEIS A001349.
#[test]
fn strict_filter_then_typed_items_a001349() {
    let connected = |g: &Set<Set<Atom>>, n: u32| {
        let mut seen = 1u32;
        loop {
            let next = g.iter().fold(seen, |s, e| {
                let v: Vec<u32> = e.iter().map(|a| a.index()).collect();
                if s >> v[0] & 1 == 1 || s >> v[1] & 1 == 1 {
                    s | 1 << v[0] | 1 << v[1]
                } else {
                    s
                }
            });
            if next == seen {
                return seen == (1 << n) - 1;
            }
            seen = next;
        }
    };
    for (n, expect) in [(4, 6u64), (5, 21), (6, 112)] {
        let d = graphs(n).filter_strict(move |g| connected(g, n)).unwrap();
        let typed = d.cnfs_as::<BitGraph>().unwrap();
        assert_eq!(typed.clone().count().run(true).unwrap(), expect, "n={n}");
        let all = typed.collect().run(false).unwrap();
        let plain = d.cnfs().unwrap().collect().run(false).unwrap();
        assert_eq!(
            all.iter()
                .map(|g| g.edges().collect::<Vec<_>>())
                .collect::<Vec<_>>(),
            plain.iter().map(edges_of).collect::<Vec<_>>()
        );
    }
}

/// A plain filter over typed items (no value built for the predicate): connected graphs,
/// OEIS A001349, up to n = 8 (9 in release builds).
#[test]
fn connected_graphs_a001349_by_a_filter_on_typed_items() {
    let a001349 = [1u64, 1, 2, 6, 21, 112, 853, 11117, 261080];
    let max = if cfg!(debug_assertions) { 8 } else { 9 };
    for n in 1..=max {
        let connected = graphs(n)
            .cnfs_as::<BitGraph>()
            .unwrap()
            .filter(|g| g.is_connected())
            .count()
            .run(true)
            .unwrap();
        assert_eq!(connected, a001349[n as usize - 1], "n={n}");
    }
}

#[test]
fn transition_tables_are_the_domain_items_in_the_same_order() {
    for (n, m) in [(1, 2), (2, 2), (3, 2), (4, 2), (2, 3), (3, 3)] {
        let (q, a) = (USet::new(n, "q"), USet::new(m, "a"));
        let automata = Mappings::new(Product::new((q.clone(), a.clone())), q.clone()).unwrap();
        let plain = automata.cnfs().unwrap().collect().run(false).unwrap();
        let typed = automata
            .cnfs_as::<TransitionTable>()
            .unwrap()
            .collect()
            .run(true)
            .unwrap();
        assert_eq!(typed.len(), plain.len(), "n={n} m={m}");
        for (t, p) in typed.iter().zip(&plain) {
            assert_eq!((t.states(), t.letters()), (n as usize, m as usize));
            let want: BTreeMap<(usize, usize), usize> = p
                .iter()
                .map(|((s, l), v)| ((s.index() as usize, l.index() as usize), v.index() as usize))
                .collect();
            let got: BTreeMap<(usize, usize), usize> = (0..n as usize)
                .flat_map(|s| (0..m as usize).map(move |l| (s, l)))
                .map(|(s, l)| ((s, l), t.next(s, l)))
                .collect();
            assert_eq!(got, want, "n={n} m={m}");
            assert_eq!(&t.to_mapping(&q, &a).unwrap(), p);
        }
        for i in 0..typed.len() {
            for j in (0..typed.len()).step_by(3) {
                assert_eq!(typed[i].cmp(&typed[j]), plain[i].cmp(&plain[j]));
            }
        }
    }
}

/// Functional graphs (maps S -> S up to renaming): OEIS A001372, by `reduce` over typed items
/// (the number of items, and the number of fixed points summed, against the value path).
#[test]
fn functional_graphs_a001372_by_reduce() {
    let a001372 = [1u64, 3, 7, 19, 47, 130, 343];
    for n in 1..=7u32 {
        let q = USet::new(n, "q");
        let maps = Mappings::new(q.clone(), q).unwrap();
        let typed = maps.cnfs_as::<TransitionTable>().unwrap();
        let (count, fixed) = typed
            .clone()
            .map(|t| {
                (
                    1u64,
                    (0..t.states()).filter(|&s| t.next(s, 0) == s).count() as u64,
                )
            })
            .reduce_with(|a, b| (a.0 + b.0, a.1 + b.1))
            .run(true)
            .unwrap()
            .unwrap();
        assert_eq!(count, a001372[n as usize - 1], "n={n}");
        let fixed_plain: u64 = maps
            .cnfs()
            .unwrap()
            .map(|f| f.iter().filter(|(k, v)| k == v).count() as u64)
            .reduce_with(|a, b| a + b)
            .run(false)
            .unwrap()
            .unwrap();
        assert_eq!(fixed, fixed_plain, "n={n}");
        assert_eq!(typed.count().run(false).unwrap(), count);
    }
}

#[test]
fn a_typed_item_of_another_fast_path_is_a_clear_error() {
    let q = USet::new(3, "q");
    let maps = Mappings::new(q.clone(), q.clone()).unwrap();
    let message = |r: Result<_>| match r {
        Err(Error::InvalidArgument(m)) => m,
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("accepted"),
    };
    let m = message(maps.cnfs_as::<BitGraph>().map(drop));
    assert!(m.contains("BitGraph") && m.contains("functions"), "{m}");
    let m = message(graphs(4).cnfs_as::<TransitionTable>().map(drop));
    assert!(m.contains("TransitionTable") && m.contains("graphs"), "{m}");
    let pairs = Product::new((q.clone(), q));
    let m = message(pairs.cnfs_as::<BitGraph>().map(drop));
    assert!(m.contains("product"), "{m}");
    // a graph domain over more than 16 vertices leaves the fast path: refused, not truncated
    let big = graphs(17);
    assert!(matches!(
        big.cnfs_as::<BitGraph>().map(drop),
        Err(Error::InvalidArgument(_))
    ));
}

/// Typed items cross process boundaries (distributed contexts serialize results).
#[test]
fn typed_items_round_trip_through_bincode() {
    let cfg = bincode::config::standard();
    let gs = graphs(5)
        .cnfs_as::<BitGraph>()
        .unwrap()
        .collect()
        .run(false)
        .unwrap();
    for g in &gs {
        let bytes = bincode::serde::encode_to_vec(g, cfg).unwrap();
        let (back, _): (BitGraph, usize) = bincode::serde::decode_from_slice(&bytes, cfg).unwrap();
        assert_eq!(&back, g);
    }
    let q = USet::new(3, "q");
    let ts = Mappings::new(q.clone(), q)
        .unwrap()
        .cnfs_as::<TransitionTable>()
        .unwrap()
        .collect()
        .run(false)
        .unwrap();
    for t in &ts {
        let bytes = bincode::serde::encode_to_vec(t, cfg).unwrap();
        let (back, _): (TransitionTable, usize) =
            bincode::serde::decode_from_slice(&bytes, cfg).unwrap();
        assert_eq!(&back, t);
    }
}

/// Sixteen vertices, the most a BitGraph holds: the highest bits are read right.
#[test]
fn bit_graphs_on_sixteen_vertices() {
    let path: Vec<(usize, usize)> = (0..15).map(|i| (i, i + 1)).collect();
    let g = BitGraph::from_edges(16, &path).unwrap();
    assert!(g.is_connected());
    assert_eq!(g.edges().collect::<Vec<_>>(), path);
    assert!(g.has_edge(15, 14) && !g.has_edge(0, 15));
    assert_eq!((g.degree(15), g.neighbours(15)), (1, 1 << 14));
    let mut cut = path.clone();
    cut.remove(14);
    assert!(!BitGraph::from_edges(16, &cut).unwrap().is_connected());
    assert!(BitGraph::from_edges(17, &[]).is_err());
    assert!(BitGraph::from_edges(16, &[(3, 3)]).is_err());
    let bad = std::panic::catch_unwind(|| g.has_edge(0, 16));
    assert!(
        bad.is_err(),
        "a vertex out of range is refused, not wrapped around"
    );
}

/// A forged or corrupted message cannot make a typed item that breaks its invariants: the
/// wire form is checked when it is decoded (same field layout as a tuple in bincode).
#[test]
fn forged_typed_items_are_refused_when_decoded() {
    let cfg = bincode::config::standard();
    let decode_graph = |n: u8, adj: [u16; 16]| {
        let bytes = bincode::serde::encode_to_vec((n, adj), cfg).unwrap();
        bincode::serde::decode_from_slice::<BitGraph, _>(&bytes, cfg).map(|x| x.0)
    };
    let mut adj = [0u16; 16];
    adj[0] = 0b10;
    adj[1] = 0b01;
    assert_eq!(
        decode_graph(2, adj).unwrap(),
        BitGraph::from_edges(2, &[(0, 1)]).unwrap()
    );
    assert!(decode_graph(17, [0; 16]).is_err(), "too many vertices");
    assert!(decode_graph(1, adj).is_err(), "a vertex beyond n");
    let mut one_way = [0u16; 16];
    one_way[0] = 0b10;
    assert!(decode_graph(2, one_way).is_err(), "not symmetric");
    let mut a_loop = [0u16; 16];
    a_loop[1] = 0b10;
    assert!(decode_graph(2, a_loop).is_err(), "a loop");

    let decode_table = |n: u8, m: u8, vals: [u8; 32]| {
        let bytes = bincode::serde::encode_to_vec((n, m, vals), cfg).unwrap();
        bincode::serde::decode_from_slice::<TransitionTable, _>(&bytes, cfg).map(|x| x.0)
    };
    let mut vals = [0u8; 32];
    vals[1] = 1;
    let t = decode_table(2, 1, vals).unwrap();
    assert_eq!((t.next(0, 0), t.next(1, 0)), (0, 1));
    assert!(
        decode_table(1, 1, vals).is_err(),
        "a value that is no state"
    );
    assert!(decode_table(2, 0, [0; 32]).is_err(), "no letters");
    assert!(decode_table(9, 4, [0; 32]).is_err(), "more than 32 keys");
    let mut tail = [0u8; 32];
    tail[5] = 1;
    assert!(decode_table(2, 2, tail).is_err(), "a value past the keys");
}
