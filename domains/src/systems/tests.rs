//! Unit tests of the systems module against hand-computed results and brute force.

use super::*;
use haydi_core::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

/// A small pseudo-random graph on `0..n`: the successors of `x`, deterministic.
fn graph(n: u32, seed: u32) -> impl Fn(&u32) -> Vec<u32> + Clone + Send + Sync {
    move |x: &u32| {
        let k = (x.wrapping_mul(2654435761).wrapping_add(seed) >> 7) % 4;
        (0..k)
            .map(|j| (x.wrapping_mul(31).wrapping_add(j * 17 + seed)) % n)
            .collect()
    }
}

/// Brute force: the distance of every reachable state (Bellman-Ford style relaxation until
/// nothing changes), independent of any queue order.
fn distances(succ: &dyn Fn(&u32) -> Vec<u32>, init: &[u32], n: u32) -> HashMap<u32, u32> {
    let mut d: HashMap<u32, u32> = init.iter().map(|s| (*s, 0)).collect();
    loop {
        let mut changed = false;
        for x in 0..n {
            if let Some(&dx) = d.get(&x) {
                for y in succ(&x) {
                    if d.get(&y).is_none_or(|&dy| dy > dx + 1) {
                        d.insert(y, dx + 1);
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            return d;
        }
    }
}

/// A plain queue BFS: the oracle of the order.
fn queue_bfs(succ: &dyn Fn(&u32) -> Vec<u32>, init: &[u32]) -> Vec<u32> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut q = VecDeque::new();
    for s in init {
        if seen.insert(*s) {
            q.push_back(*s);
        }
    }
    while let Some(s) = q.pop_front() {
        out.push(s);
        for t in succ(&s) {
            if seen.insert(t) {
                q.push_back(t);
            }
        }
    }
    out
}

#[test]
fn python_dlts_from_dict_case() {
    let m = dlts_from_map(BTreeMap::from([
        ((0, 'a'), 1),
        ((0, 'b'), 0),
        ((1, 'a'), 0),
    ]));
    assert_eq!(
        Bfs::new(m.clone(), [0]).collect().run(false).unwrap(),
        vec![0, 1]
    );
    assert_eq!(m.path(&0, &['a', 'a', 'b']), vec![0, 1, 0, 0]);
}

#[test]
fn bfs_matches_a_queue_and_distances() {
    let ctx = ThreadContext::new(3).unwrap();
    for seed in 0..20 {
        let n = 200;
        let g = graph(n, seed);
        let init = [seed % n, (seed * 7) % n, seed % n];
        let expected = queue_bfs(&g, &init);
        let dist = distances(&g, &init, n);
        let b = Bfs::new(System::new(g.clone()), init).with_depth();
        let job = b.collect();
        let serial = job.run(false).unwrap();
        let threads = job.run_in(&ctx).unwrap();
        assert_eq!(serial, threads);
        assert_eq!(serial.iter().map(|p| p.0).collect::<Vec<_>>(), expected);
        for (s, d) in &serial {
            assert_eq!(dist[s], *d, "depth of {s}");
        }
        assert_eq!(serial.len(), dist.len());
        // Depth bound: exactly the states within it.
        for k in 0..4 {
            let v = Bfs::new(System::new(g.clone()), init)
                .max_depth(k)
                .collect()
                .run(false)
                .unwrap();
            let want: Vec<u32> = expected.iter().copied().filter(|s| dist[s] <= k).collect();
            assert_eq!(v, want);
        }
        // State bound: the prefix, exactly.
        for k in [0u64, 1, 2, 5, 50, 1000] {
            let e = Bfs::new(System::new(g.clone()), init)
                .max_states(k)
                .explore(false)
                .unwrap();
            let want = &expected[..expected.len().min(k as usize)];
            assert_eq!(e.states, want);
            let end = if (k as usize) < expected.len() {
                BfsEnd::MaxStates
            } else {
                BfsEnd::Exhausted
            };
            assert_eq!(e.end, end, "seed {seed} k {k}");
        }
    }
}

#[test]
fn empty_and_zero_bounds() {
    let s = System::new(|x: &u8| [x.wrapping_add(1)]);
    let e = Bfs::new(s.clone(), Vec::<u8>::new())
        .explore(false)
        .unwrap();
    assert_eq!((e.states.len(), e.end), (0, BfsEnd::Exhausted));
    assert_eq!(Bfs::new(s.clone(), []).count().run(true).unwrap(), 0);
    let e = Bfs::new(s.clone(), [3])
        .max_states(0)
        .explore(true)
        .unwrap();
    assert_eq!((e.states.len(), e.end), (0, BfsEnd::MaxStates));
    let e = Bfs::new(s.clone(), [3]).max_depth(0).explore(true).unwrap();
    assert_eq!((e.states, e.end), (vec![3], BfsEnd::MaxDepth));
    assert_eq!(Bfs::new(s, [3]).count().run(true).unwrap(), 256);
}

#[test]
fn chain_on_bfs() {
    let s = System::new(|x: &u32| [x * 2 % 101, x * 3 % 101]);
    let all = queue_bfs(&|x: &u32| vec![x * 2 % 101, x * 3 % 101], &[1]);
    let b = Bfs::new(s, [1]);
    let f: Vec<u32> = all
        .iter()
        .copied()
        .filter(|x| x % 3 == 0)
        .map(|x| x + 1)
        .collect();
    assert_eq!(
        b.clone()
            .filter(|x| x % 3 == 0)
            .map(|x| x + 1)
            .collect()
            .run(true)
            .unwrap(),
        f
    );
    assert_eq!(
        b.clone().take(7).collect().run(true).unwrap(),
        all[..7].to_vec()
    );
    assert_eq!(b.clone().count().run(true).unwrap(), all.len() as u64);
    assert_eq!(
        b.clone()
            .enumerate()
            .filter(|(i, _)| i % 10 == 0)
            .collect()
            .run(true)
            .unwrap(),
        all.iter()
            .copied()
            .enumerate()
            .filter(|(i, _)| i % 10 == 0)
            .map(|(i, x)| (i as u64, x))
            .collect::<Vec<_>>()
    );
    // A counting pass (enumerate after a filter) over the explored states.
    let want: Vec<(u64, u32)> = all
        .iter()
        .copied()
        .filter(|x| x % 4 == 1)
        .enumerate()
        .map(|(i, x)| (i as u64, x))
        .collect();
    let job = b.clone().filter(|x| x % 4 == 1).enumerate().collect();
    assert_eq!(job.run(false).unwrap(), want);
    let out = job.run_with(true, &RunOptions::new()).unwrap();
    assert_eq!(out.value, want);
    assert!(out.complete);
    assert_eq!(out.covered, vec![0..all.len() as u128]);
    let out = b.count().run_with(true, &RunOptions::new()).unwrap();
    assert!(out.complete);
    assert_eq!(out.total, Some(all.len() as u128));
}

#[test]
fn product_steps_every_component() {
    let a = dlts(vec!['x', 'y'], |s: &u8, c: &char| match c {
        'x' => Some((s + 1) % 2),
        _ => (*s == 0).then_some(0),
    });
    let b = dlts_from_map(BTreeMap::from([
        ((0u8, 'x'), 1u8),
        ((1, 'x'), 2),
        ((2, 'x'), 0),
        ((2, 'y'), 1),
    ]));
    let p = a.clone().product(b.clone());
    // Brute force over all states and actions.
    for s in 0..2u8 {
        for t in 0..3u8 {
            let enabled = p.actions(&(s, t));
            let want: Vec<char> = ['x', 'y']
                .into_iter()
                .filter(|c| b.actions(&t).contains(c))
                .collect();
            assert_eq!(enabled, want);
            for c in ['x', 'y'] {
                let both = a.step(&s, &c).zip(b.step(&t, &c));
                assert_eq!(p.step(&(s, t), &c), both);
            }
        }
    }
    let reach = Bfs::new(p, [(0, 0)]).collect().run(true).unwrap();
    // By hand: 'y' only steps where b is in state 2 and a in state 0.
    assert_eq!(reach, vec![(0, 0), (1, 1), (0, 2), (1, 0), (0, 1), (1, 2)]);
}

/// Brute force of the shortest path: every word of actions by increasing length.
#[test]
fn bfs_path_is_shortest() {
    for seed in 0..30 {
        let n = 40;
        let g = graph(n, seed);
        let s = System::new(g.clone());
        let init = [seed % n];
        let dist = distances(&g, &init, n);
        for target in 0..n {
            let p = bfs_path(&s, init, |x| *x == target, None);
            match dist.get(&target) {
                None => assert_eq!(p, None),
                Some(&d) => {
                    let p = p.expect("a path");
                    assert_eq!(p.len() as u32, d + 1);
                    assert_eq!(p[0], init[0]);
                    assert_eq!(*p.last().unwrap(), target);
                    for w in p.windows(2) {
                        assert!(g(&w[0]).contains(&w[1]), "{w:?} is not an edge");
                    }
                    if d > 0 {
                        assert_eq!(bfs_path(&s, init, |x| *x == target, Some(d - 1)), None);
                    }
                    assert!(bfs_path(&s, init, |x| *x == target, Some(d)).is_some());
                }
            }
        }
    }
}

#[test]
fn search_bfs_python_case() {
    let step = |&(x, y): &(i32, i32), _: u32| [(x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)];
    assert_eq!(
        bfs_find((0, 0), step, |s, d| (*s == (4, 2)).then_some(d), None),
        Some(6)
    );
    assert_eq!(
        bfs_find((0, 0), step, |s, d| (*s == (0, 0)).then_some(d), Some(0)),
        Some(0)
    );
    assert_eq!(bfs_find(0u8, |x, _| [x / 2], |_, _| None::<()>, None), None);
}

#[test]
fn dot_of_a_tiny_system() {
    let m = dlts_from_map(BTreeMap::from([
        ((0, 'a'), 1),
        ((0, 'b'), 0),
        ((1, 'a'), 2),
    ]));
    let want = "digraph {\n  s0 [label=\"0\", style=filled, fillcolor=gray];\n  s1 [label=\"1\"];\n  s0 -> s1 [label=\"'a'\"];\n  s0 -> s0 [label=\"'b'\"];\n}\n";
    assert_eq!(dlts_to_dot(&m, [0], Some(1)), want);
    let e = Bfs::new(m.clone(), [0]).explore(false).unwrap();
    assert_eq!(
        e.to_dot(&m),
        "digraph {\n  s0 [label=\"0\", style=filled, fillcolor=gray];\n  s1 [label=\"1\"];\n  s2 [label=\"2\"];\n  s0 -> s1;\n  s0 -> s0;\n  s1 -> s2;\n}\n"
    );
    let q = System::new(|s: &String| (s.len() < 2).then(|| format!("{s}\"")));
    assert_eq!(
        to_dot(&q, [String::new()], None),
        "digraph {\n  s0 [label=\"\\\"\\\"\", style=filled, fillcolor=gray];\n  s1 [label=\"\\\"\\\\\\\"\\\"\"];\n  s2 [label=\"\\\"\\\\\\\"\\\\\\\"\\\"\"];\n  s0 -> s1;\n  s1 -> s2;\n}\n"
    );
}

#[test]
fn panicking_successors_are_an_error() {
    let s = System::new(|x: &u8| if *x == 3 { panic!("boom") } else { vec![x + 1] });
    let err = Bfs::new(s, [0]).count().run(true).unwrap_err();
    assert!(err.to_string().contains("boom"), "{err}");
}

/// Brute force: every word over the actions by increasing length; the first length at which
/// some word reaches the goal is the shortest.
#[test]
fn shortest_word_against_all_words() {
    for seed in 0..25u32 {
        let mut table = BTreeMap::new();
        for s in 0..6u32 {
            for (k, c) in ['a', 'b', 'c'].into_iter().enumerate() {
                let h = (s * 7 + k as u32 * 13 + seed * 5) % 11;
                if h < 8 {
                    table.insert((s, c), (s * 3 + k as u32 + seed) % 6);
                }
            }
        }
        let m = dlts_from_map(table);
        for target in 0..6u32 {
            let got = m.shortest_word(&0, |s| *s == target, None);
            let mut best = None;
            'len: for len in 0..7u32 {
                for code in 0..3u32.pow(len) {
                    let w: Vec<char> = (0..len)
                        .map(|i| ['a', 'b', 'c'][(code / 3u32.pow(i) % 3) as usize])
                        .collect();
                    let p = m.path(&0, &w);
                    if p.len() == w.len() + 1 && *p.last().unwrap() == target {
                        best = Some(len);
                        break 'len;
                    }
                }
            }
            assert_eq!(
                got.as_ref().map(|w| w.len() as u32),
                best,
                "seed {seed} target {target}"
            );
            if let Some(w) = got {
                let p = m.path(&0, &w);
                assert_eq!((p.len(), *p.last().unwrap()), (w.len() + 1, target));
            }
        }
    }
}
