//! Classes of graphs pruned during generation ([`Graphs`]) against three independent oracles:
//! nauty's `geng` with the same switches (every class, n <= 10; the cheap classes at n = 11),
//! OEIS sequences (A001349 connected, A006785 triangle-free, A033995 bipartite as the Euler
//! transform of A005142 connected bipartite, A002218 biconnected, A000055 trees), and a plain
//! filter over every graph (the unpruned generation, with the properties written out here by
//! brute force) for every combination of classes at small n.

use crate::common::geng;
use haydi_canon::{BitGraph, CnfsExt, Graphs, USet};
use haydi_core::prelude::*;
use haydi_domains::Subsets;

/// `Graphs::geng(n, switches)` counted with `run(true)`.
fn ours(n: usize, switches: &str) -> u64 {
    Graphs::geng(n, switches)
        .unwrap()
        .count()
        .run(true)
        .unwrap_or_else(|e| panic!("{switches} n={n}: {e}"))
}

/// Every n in `ns`, our count against geng's for the same switches (geng refuses classes it
/// knows to be empty, like minimum degree 2 on 2 vertices: we must give 0 there).
fn against_geng(bin: &str, switches: &str, ns: impl IntoIterator<Item = usize>) {
    for n in ns {
        // geng runs while we count
        let words: Vec<String> = switches
            .split_whitespace()
            .filter(|w| w.starts_with('-'))
            .map(String::from)
            .chain([n.to_string()])
            .chain(
                switches
                    .split_whitespace()
                    .filter(|w| !w.starts_with('-'))
                    .map(String::from),
            )
            .collect();
        let (bin, args) = (bin.to_string(), words.clone());
        let theirs = std::thread::spawn(move || {
            let a: Vec<&str> = args.iter().map(String::as_str).collect();
            geng::count(&bin, &a)
        });
        let mine = ours(n, switches);
        let theirs = theirs.join().expect("geng thread");
        assert_eq!(
            mine,
            theirs.unwrap_or(0),
            "geng -u {} (geng {})",
            words.join(" "),
            if theirs.is_none() {
                "refused it"
            } else {
                "counted"
            }
        );
    }
}

#[test]
fn every_class_equals_geng_up_to_10() {
    let Some(bin) = geng::required("every_class_equals_geng_up_to_10") else {
        return;
    };
    // the expensive classes (millions of graphs at n = 10) and the cheap ones alike
    for switches in [
        "", "-c", "-C", "-t", "-f", "-k", "-b", "-d1", "-d2", "-D3", "-D4", "-ct", "-tf", "-cb",
        "-kD5", "-cD3", "-d2D4", "-Cf", "-c 10:12", "0:22", "-t 8:0", "-b 5:9",
    ] {
        against_geng(bin, switches, 1..=10);
    }
}

#[test]
fn cheap_classes_equal_geng_at_11() {
    let Some(bin) = geng::required("cheap_classes_equal_geng_at_11") else {
        return;
    };
    for switches in ["-t", "-f", "-b", "-D3", "-tf", "-cD3", "-bD4", "-c 10:11"] {
        against_geng(bin, switches, [11]);
    }
}

#[test]
fn connected_is_a001349() {
    let a001349 = [1u64, 1, 2, 6, 21, 112, 853, 11117, 261080, 11716571];
    for (i, want) in a001349.iter().enumerate() {
        let n = i + 1;
        assert_eq!(
            Graphs::new(n)
                .unwrap()
                .connected()
                .count()
                .run(true)
                .unwrap(),
            *want,
            "n={n}"
        );
    }
}

#[test]
fn triangle_free_is_a006785() {
    let a006785 = [1u64, 2, 3, 7, 14, 38, 107, 410, 1897, 12172, 105071];
    for (i, want) in a006785.iter().enumerate() {
        let n = i + 1;
        let got = Graphs::new(n)
            .unwrap()
            .triangle_free()
            .count()
            .run(true)
            .unwrap();
        assert_eq!(got, *want, "n={n}");
    }
}

/// The Euler transform: `b(n)` counts multisets of `a`-objects of total size `n`.
fn euler_transform(a: &[u64]) -> Vec<u64> {
    // a[k - 1] objects of size k; c(k) = sum over d | k of d a(d); b(n) = (1/n) sum c(k) b(n-k)
    let n = a.len();
    let c: Vec<u64> = (1..=n)
        .map(|k| {
            (1..=k)
                .filter(|d| k % d == 0)
                .map(|d| d as u64 * a[d - 1])
                .sum()
        })
        .collect();
    let mut b = vec![1u64];
    for m in 1..=n {
        let s: u64 = (1..=m).map(|k| c[k - 1] * b[m - k]).sum();
        b.push(s / m as u64);
    }
    b[1..].to_vec()
}

#[test]
fn bipartite_is_a033995_and_connected_bipartite_a005142() {
    // A005142 (connected bipartite graphs), n = 1..11; A033995 is its Euler transform (the
    // graphs whose components are connected bipartite graphs), as OEIS says.
    let a005142 = [1u64, 1, 1, 3, 5, 17, 44, 182, 730, 4032, 25598];
    let a033995 = euler_transform(&a005142);
    assert_eq!(a033995[..5], [1, 2, 3, 7, 13]); // the first terms, as OEIS lists them
    for n in 1..=11 {
        let g = Graphs::new(n).unwrap().bipartite();
        assert_eq!(
            g.clone().count().run(true).unwrap(),
            a033995[n - 1],
            "n={n}"
        );
        assert_eq!(
            g.connected().count().run(true).unwrap(),
            a005142[n - 1],
            "n={n}"
        );
    }
}

#[test]
fn biconnected_is_a002218_and_trees_a000055() {
    // A002218 from n = 3 (it counts K2 as a block; we do not, as geng -C does not)
    let a002218 = [1u64, 3, 10, 56, 468, 7123, 194066];
    for (i, want) in a002218.iter().enumerate() {
        let n = i + 3;
        assert_eq!(
            Graphs::new(n)
                .unwrap()
                .biconnected()
                .count()
                .run(true)
                .unwrap(),
            *want
        );
    }
    let a000055 = [1u64, 1, 1, 1, 2, 3, 6, 11, 23, 47, 106, 235];
    for (i, want) in a000055.iter().enumerate().skip(1) {
        let trees = Graphs::new(i).unwrap().connected().edges(i - 1..=i - 1);
        assert_eq!(trees.count().run(true).unwrap(), *want, "n={i}");
    }
}

/// Brute-force properties of a graph on `n` vertices, written without the generator's code.
mod brute {
    use haydi_canon::BitGraph;

    fn vs(g: &BitGraph) -> std::ops::Range<usize> {
        0..g.vertices()
    }

    pub fn connected_without(g: &BitGraph, gone: Option<usize>) -> bool {
        let keep: Vec<usize> = vs(g).filter(|&v| Some(v) != gone).collect();
        let Some(&first) = keep.first() else {
            return true;
        };
        let mut seen = vec![first];
        let mut i = 0;
        while i < seen.len() {
            let v = seen[i];
            for &u in &keep {
                if g.has_edge(u, v) && !seen.contains(&u) {
                    seen.push(u);
                }
            }
            i += 1;
        }
        seen.len() == keep.len()
    }

    pub fn biconnected(g: &BitGraph) -> bool {
        g.vertices() >= 3
            && connected_without(g, None)
            && vs(g).all(|v| connected_without(g, Some(v)))
    }

    pub fn has_triangle(g: &BitGraph) -> bool {
        vs(g).any(|a| {
            vs(g).any(|b| {
                vs(g).any(|c| {
                    a < b && b < c && g.has_edge(a, b) && g.has_edge(b, c) && g.has_edge(a, c)
                })
            })
        })
    }

    /// A 4-cycle a - b - c - d - a on four distinct vertices.
    pub fn has_c4(g: &BitGraph) -> bool {
        vs(g).any(|a| {
            vs(g).any(|b| {
                vs(g).any(|c| {
                    vs(g).any(|d| {
                        let distinct = a != b && a != c && a != d && b != c && b != d && c != d;
                        distinct
                            && g.has_edge(a, b)
                            && g.has_edge(b, c)
                            && g.has_edge(c, d)
                            && g.has_edge(d, a)
                    })
                })
            })
        })
    }

    pub fn has_k4(g: &BitGraph) -> bool {
        let e = |a, b| g.has_edge(a, b);
        vs(g).any(|a| {
            vs(g).any(|b| {
                vs(g).any(|c| {
                    vs(g).any(|d| {
                        a < b
                            && b < c
                            && c < d
                            && e(a, b)
                            && e(a, c)
                            && e(a, d)
                            && e(b, c)
                            && e(b, d)
                            && e(c, d)
                    })
                })
            })
        })
    }

    /// Some 2-colouring with no edge inside a colour (all 2^n colourings).
    pub fn bipartite(g: &BitGraph) -> bool {
        let n = g.vertices();
        (0u32..1 << n).any(|col| g.edges().all(|(i, j)| (col >> i & 1) != (col >> j & 1)))
    }

    pub fn degrees(g: &BitGraph) -> Vec<usize> {
        vs(g)
            .map(|v| vs(g).filter(|&u| g.has_edge(u, v)).count())
            .collect()
    }
}

/// One class as builder switches and as a brute-force predicate.
type Class = (&'static str, fn(&BitGraph) -> bool);

fn classes() -> Vec<Class> {
    vec![
        ("-c", |g| brute::connected_without(g, None)),
        ("-C", brute::biconnected),
        ("-t", |g| !brute::has_triangle(g)),
        ("-f", |g| !brute::has_c4(g)),
        ("-k", |g| !brute::has_k4(g)),
        ("-b", brute::bipartite),
        ("-d1", |g| brute::degrees(g).iter().all(|&d| d >= 1)),
        ("-d2", |g| brute::degrees(g).iter().all(|&d| d >= 2)),
        ("-D2", |g| brute::degrees(g).iter().all(|&d| d <= 2)),
        ("-D3", |g| brute::degrees(g).iter().all(|&d| d <= 3)),
        ("4:7", |g| (4..=7).contains(&g.edges().count())),
        ("9:0", |g| g.edges().count() >= 9),
    ]
}

#[test]
fn every_pair_of_classes_equals_a_filter_over_all_graphs() {
    let cs = classes();
    for n in 1..=7usize {
        let all = Subsets::new(Subsets::with_size(USet::new(n as u32, "v"), 2).unwrap())
            .unwrap()
            .cnfs_as::<BitGraph>()
            .unwrap()
            .collect()
            .run(false)
            .unwrap();
        for (i, (s1, p1)) in cs.iter().enumerate() {
            for (s2, p2) in &cs[i..] {
                let switches = format!("{s1} {s2}");
                let want: Vec<BitGraph> = all.iter().filter(|g| p1(g) && p2(g)).copied().collect();
                // the same representatives, in the same order (the pruned tree's pre-order)
                let got = Graphs::geng(n, &switches)
                    .unwrap()
                    .collect()
                    .run(false)
                    .unwrap();
                assert_eq!(got, want, "{switches} n={n}");
            }
        }
    }
}

#[test]
fn parts_split_the_tree_exactly() {
    for (n, switches, modulus) in [
        (8, "", 7u64),
        (9, "-c", 13),
        (10, "-t", 100),
        (7, "-b 4:9", 3),
    ] {
        let whole = Graphs::geng(n, switches)
            .unwrap()
            .collect()
            .run(false)
            .unwrap();
        let mut parts = Vec::new();
        for res in 0..modulus {
            let part = Graphs::geng(n, &format!("{switches} {res}/{modulus}")).unwrap();
            let items = part.collect().run(true).unwrap();
            assert!(
                items.windows(2).all(|w| w[0] != w[1]),
                "{switches} {res}/{modulus}"
            );
            parts.extend(items);
        }
        parts.sort();
        let mut sorted = whole.clone();
        sorted.sort();
        assert_eq!(parts, sorted, "n={n} {switches} in {modulus} parts");
    }
    // a part of a large tree holds about its share
    let (res, modulus) = (3u64, 50u64);
    let part = Graphs::new(10)
        .unwrap()
        .part(res, modulus)
        .unwrap()
        .count()
        .run(true)
        .unwrap();
    let share = part as f64 * modulus as f64 / 12_005_168.0;
    assert!(
        (0.5..2.0).contains(&share),
        "part {res}/{modulus} holds {part} graphs"
    );
}

#[test]
fn parallel_runs_equal_serial() {
    for switches in ["-c", "-t -D4", "-C", "-b 6:0"] {
        let g = Graphs::geng(9, switches).unwrap();
        let serial = g.clone().collect().run(false).unwrap();
        assert_eq!(g.collect().run(true).unwrap(), serial, "{switches}");
    }
}

#[test]
fn prune_equals_the_builtin_classes_and_a_filter() {
    let deg4 = |g: &BitGraph| (0..g.vertices()).any(|v| g.degree(v) >= 4);
    for n in 1..=9 {
        let by_prune = Graphs::new(n).unwrap().prune(deg4).unwrap();
        let builtin = Graphs::new(n).unwrap().max_degree(3);
        assert_eq!(
            by_prune.collect().run(true).unwrap(),
            builtin.collect().run(true).unwrap(),
            "n={n}"
        );
    }
    // a property with no built-in: no K_{1,3} plus an edge (a "paw" or larger): at most... any
    // monotone property equals the filter of all graphs
    let has_k13_or_c4 =
        |g: &BitGraph| (0..g.vertices()).any(|v| g.degree(v) >= 3) || brute::has_c4(g);
    for n in 1..=8 {
        let pruned = Graphs::new(n)
            .unwrap()
            .connected()
            .prune(has_k13_or_c4)
            .unwrap();
        let filtered = Graphs::new(n)
            .unwrap()
            .connected()
            .filter(move |g| !has_k13_or_c4(g));
        assert_eq!(
            pruned.collect().run(true).unwrap(),
            filtered.collect().run(true).unwrap(),
            "n={n}"
        );
    }
    // two prunes: a graph is cut when either cuts it
    let both = Graphs::new(8)
        .unwrap()
        .prune(|g| g.edge_count() > 9)
        .unwrap()
        .prune(|g| g.triangles() > 0)
        .unwrap();
    assert_eq!(both.count().run(false).unwrap(), ours(8, "-t 0:9"));
}

#[test]
fn prune_contract_is_checked_in_debug_builds() {
    if !haydi_canon::PRUNE_CHECKED {
        eprintln!("release build of haydi-canon: the prune contract is not checked");
        return;
    }
    // depends on the labels
    let e = Graphs::new(6)
        .unwrap()
        .prune(|g| g.degree(0) >= 2)
        .unwrap_err();
    assert!(e.to_string().contains("labels"), "{e}");
    // not monotone: connectivity can be gained by adding edges
    let e = Graphs::new(6)
        .unwrap()
        .prune(|g| !g.is_connected())
        .unwrap_err();
    assert!(e.to_string().contains("not monotone"), "{e}");
    // claw-free is kept by induced subgraphs only: adding an edge destroys a claw
    let claw = |g: &BitGraph| {
        (0..g.vertices()).any(|v| {
            let nb: Vec<usize> = (0..g.vertices()).filter(|&u| g.has_edge(u, v)).collect();
            nb.iter().enumerate().any(|(x, &a)| {
                nb[x + 1..].iter().enumerate().any(|(y, &b)| {
                    nb[x + y + 2..]
                        .iter()
                        .any(|&c| !g.has_edge(a, b) && !g.has_edge(a, c) && !g.has_edge(b, c))
                })
            })
        })
    };
    assert!(Graphs::new(7).unwrap().prune(claw).is_err());
    // a monotone, label-free prune passes
    assert!(Graphs::new(7).unwrap().prune(|g| g.triangles() > 0).is_ok());
}

#[test]
fn bad_switches_and_sizes_are_refused() {
    assert!(Graphs::new(17).is_err());
    for bad in ["-T", "-d", "x:3", "-cx", "3:y"] {
        let e = Graphs::geng(6, bad).unwrap_err();
        assert!(e.to_string().contains("geng switches"), "{bad}: {e}");
    }
    // empty classes are empty, not errors
    assert_eq!(
        Graphs::new(5)
            .unwrap()
            .edges(7..=9)
            .edges(..=3)
            .count()
            .run(false)
            .unwrap(),
        0
    );
    assert_eq!(
        Graphs::new(5)
            .unwrap()
            .edges(..0)
            .count()
            .run(false)
            .unwrap(),
        0
    );
    assert_eq!(
        Graphs::new(4)
            .unwrap()
            .min_degree(4)
            .count()
            .run(false)
            .unwrap(),
        0
    );
    assert_eq!(Graphs::new(0).unwrap().count().run(false).unwrap(), 1);
}
