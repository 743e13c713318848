//! Shortest paths by breadth-first search.

use super::{HashMap, HashSet, Successors};
use std::hash::Hash;

/// A shortest path from one of the `init` states to a state for which `goal` holds, as the
/// states along it (the first is an initial state, the last satisfies `goal`), or `None` when no
/// such state is within `max_depth` steps (`None`: unbounded). Among shortest paths it returns
/// the one a breadth-first search reaches first: initial states in their order, successors in
/// theirs. An initial state that satisfies `goal` is a path of one state. Runs serially on the
/// calling thread, and stops as soon as a goal state is reached. (The Python `DLTS.bfs_path`
/// never worked; this is what it was meant to do.)
///
/// ```
/// use haydi_domains::systems::{bfs_path, System};
/// // From 1 to 10 with "+1" and "*2": 1, 2, 4, 5, 10 is one of the shortest.
/// let s = System::new(|x: &u32| [x + 1, x * 2]);
/// assert_eq!(bfs_path(&s, [1], |x| *x == 10, None), Some(vec![1, 2, 4, 5, 10]));
/// assert_eq!(bfs_path(&s, [1], |x| *x == 10, Some(3)), None);
/// assert_eq!(bfs_path(&s, [1], |x| *x == 0, Some(20)), None);
/// ```
pub fn bfs_path<G, I, P>(
    system: &G,
    init: I,
    goal: P,
    max_depth: Option<u32>,
) -> Option<Vec<G::State>>
where
    G: Successors,
    G::State: Clone + Eq + Hash,
    I: IntoIterator<Item = G::State>,
    P: Fn(&G::State) -> bool,
{
    // Every state found, with the index of the state it was reached from.
    let mut states: Vec<(G::State, usize)> = Vec::new();
    let mut index: HashMap<G::State, usize> = HashMap::default();
    let path_to = |states: &[(G::State, usize)], mut i: usize| {
        let mut path = vec![states[i].0.clone()];
        while states[i].1 != i {
            i = states[i].1;
            path.push(states[i].0.clone());
        }
        path.reverse();
        path
    };
    for s in init {
        if index.contains_key(&s) {
            continue;
        }
        let i = states.len();
        if goal(&s) {
            return Some(vec![s]);
        }
        index.insert(s.clone(), i);
        states.push((s, i));
    }
    let (mut start, mut depth) = (0usize, 0u32);
    while start < states.len() && max_depth.is_none_or(|d| depth < d) {
        let end = states.len();
        for from in start..end {
            let mut found = None;
            let current = states[from].0.clone();
            system.successors(&current, &mut |next| {
                if found.is_some() || index.contains_key(&next) {
                    return;
                }
                let i = states.len();
                if goal(&next) {
                    found = Some(i);
                }
                index.insert(next.clone(), i);
                states.push((next, from));
            });
            if let Some(i) = found {
                return Some(path_to(&states, i));
            }
        }
        start = end;
        depth += 1;
    }
    None
}

/// The first hit of a breadth-first search (the Python `haydi.algorithms.search.bfs`; named
/// apart from [`bfs`](super::bfs), the breadth-first exploration as a source): from `init`,
/// expand each state `s` at depth `d` into `step(&s, d + 1)` (the depth its successors will
/// have), and return the first `Some` that `eval(&s, depth)` gives, in breadth-first order
/// (`init` at depth 0 first, each state evaluated once); `None` when no state within
/// `max_depth` steps gives one (`None`: unbounded).
///
/// ```
/// use haydi_domains::systems::bfs_find;
/// // The distance from (0, 0) to (4, 2) on a grid with 4-neighbour steps.
/// let step = |&(x, y): &(i32, i32), _depth: u32| [(x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)];
/// let found = bfs_find((0, 0), step, |s, depth| (*s == (4, 2)).then_some(depth), None);
/// assert_eq!(found, Some(6));
/// assert_eq!(bfs_find((0, 0), step, |s, d| (*s == (4, 2)).then_some(d), Some(5)), None);
/// ```
pub fn bfs_find<S, I, F, E, T>(init: S, step: F, eval: E, max_depth: Option<u32>) -> Option<T>
where
    S: Clone + Eq + Hash,
    F: Fn(&S, u32) -> I,
    I: IntoIterator<Item = S>,
    E: Fn(&S, u32) -> Option<T>,
{
    if let Some(v) = eval(&init, 0) {
        return Some(v);
    }
    let mut seen: HashSet<S> = HashSet::default();
    seen.insert(init.clone());
    let mut level = vec![init];
    let mut depth = 0u32;
    while !level.is_empty() && max_depth.is_none_or(|d| depth < d) {
        depth += 1;
        let mut next = Vec::new();
        for s in &level {
            for t in step(s, depth) {
                if seen.contains(&t) {
                    continue;
                }
                if let Some(v) = eval(&t, depth) {
                    return Some(v);
                }
                seen.insert(t.clone());
                next.push(t);
            }
        }
        level = next;
    }
    None
}
