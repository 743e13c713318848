//! Deterministic labelled transition systems: states, actions and a partial step function.

use super::Successors;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// A deterministic labelled transition system (the Python haydi's `DLTS`): in every state some
/// actions are enabled ([`Dlts::actions`], in a fixed order), and each enabled action leads to at
/// most one next state ([`Dlts::step`]).
///
/// Every `Dlts` is also a [`Successors`] (its successors are the steps of its enabled actions, in
/// action order), so [`super::Bfs::new`], [`super::bfs_path`] and [`super::to_dot`] apply to it;
/// [`super::dlts_to_dot`] labels the edges with the actions.
///
/// ```
/// use haydi_domains::systems::{dlts, Dlts};
/// // A counter modulo 4 with "inc" and "reset".
/// let counter = dlts(vec!["inc", "reset"], |s: &u8, a: &&str| match *a {
///     "inc" => Some((s + 1) % 4),
///     _ => (*s != 0).then_some(0),
/// });
/// assert_eq!(counter.step(&3, &"inc"), Some(0));
/// assert_eq!(counter.step(&0, &"reset"), None);
/// assert_eq!(counter.path(&2, &["inc", "inc", "reset"]), vec![2, 3, 0]);
/// ```
pub trait Dlts: Send + Sync {
    /// The states.
    type State: Clone;
    /// The actions (labels of transitions).
    type Action: Clone;

    /// The actions enabled in `state`, in a fixed order (the Python `get_enabled_actions`).
    fn actions(&self, state: &Self::State) -> Vec<Self::Action>;

    /// The state reached from `state` by `action`, or `None` when `action` does nothing there.
    fn step(&self, state: &Self::State, action: &Self::Action) -> Option<Self::State>;

    /// The states visited from `state` by the actions in turn, `state` first; it stops at the
    /// first action that does not step (the Python `make_path`).
    ///
    /// ```
    /// use haydi_domains::systems::{dlts_from_map, Dlts};
    /// use std::collections::BTreeMap;
    /// let m = dlts_from_map(BTreeMap::from([((0, 'a'), 1), ((0, 'b'), 0), ((1, 'a'), 0)]));
    /// assert_eq!(m.path(&0, &['a', 'a', 'b']), vec![0, 1, 0, 0]);
    /// assert_eq!(m.path(&1, &['b', 'a']), vec![1]);
    /// ```
    fn path(&self, state: &Self::State, actions: &[Self::Action]) -> Vec<Self::State> {
        let mut out = vec![state.clone()];
        for a in actions {
            match self.step(out.last().expect("never empty"), a) {
                Some(next) => out.push(next),
                None => break,
            }
        }
        out
    }

    /// A shortest word of actions leading from `init` to a state for which `goal` holds, within
    /// `max_depth` steps (`None`: unbounded): the actions along the path [`super::bfs_path`]
    /// finds (the first in breadth-first order, actions tried in their order). `Some(vec![])`
    /// when `init` itself satisfies `goal`; `None` when no such state is reachable.
    ///
    /// ```
    /// use haydi_domains::systems::{dlts_from_map, Dlts};
    /// use std::collections::BTreeMap;
    /// let m = dlts_from_map(BTreeMap::from([((0, 'a'), 1), ((0, 'b'), 0), ((1, 'a'), 2), ((2, 'b'), 0)]));
    /// assert_eq!(m.shortest_word(&0, |s| *s == 2, None), Some(vec!['a', 'a']));
    /// assert_eq!(m.shortest_word(&0, |s| *s == 2, Some(1)), None);
    /// assert_eq!(m.shortest_word(&0, |s| *s == 0, None), Some(vec![]));
    /// assert_eq!(m.shortest_word(&0, |s| *s == 9, None), None);
    /// ```
    fn shortest_word<P>(
        &self,
        init: &Self::State,
        goal: P,
        max_depth: Option<u32>,
    ) -> Option<Vec<Self::Action>>
    where
        Self::State: Eq + std::hash::Hash,
        P: Fn(&Self::State) -> bool,
    {
        // Every state found, with the state and action it was reached by.
        let mut found: Vec<(Self::State, usize, Option<Self::Action>)> =
            vec![(init.clone(), 0, None)];
        let mut seen: super::HashSet<_> = super::HashSet::default();
        seen.insert(init.clone());
        if goal(init) {
            return Some(Vec::new());
        }
        let (mut start, mut depth) = (0usize, 0u32);
        while start < found.len() && max_depth.is_none_or(|d| depth < d) {
            let end = found.len();
            for from in start..end {
                let state = found[from].0.clone();
                for a in self.actions(&state) {
                    let Some(next) = self.step(&state, &a) else {
                        continue;
                    };
                    if !seen.insert(next.clone()) {
                        continue;
                    }
                    let hit = goal(&next);
                    found.push((next, from, Some(a)));
                    if hit {
                        let (mut w, mut i) = (Vec::new(), found.len() - 1);
                        while let Some(a) = &found[i].2 {
                            w.push(a.clone());
                            i = found[i].1;
                        }
                        w.reverse();
                        return Some(w);
                    }
                }
            }
            start = end;
            depth += 1;
        }
        None
    }

    /// The product of this system with `other` (the Python `*` on DLTSs): see [`DltsProduct`].
    ///
    /// ```
    /// use haydi_domains::systems::{dlts, Dlts};
    /// let a = dlts(vec![1u8], |s: &u8, _: &u8| Some((s + 1) % 2));
    /// let b = dlts(vec![1u8], |s: &u8, _: &u8| Some((s + 1) % 3));
    /// assert_eq!(a.product(b).step(&(1, 2), &1), Some((0, 0)));
    /// ```
    fn product<R>(self, other: R) -> DltsProduct<Self, R>
    where
        Self: Sized,
        R: Dlts<Action = Self::Action>,
        Self::Action: PartialEq,
    {
        DltsProduct::new(self, other)
    }
}

impl<D: Dlts> Successors for D {
    type State = D::State;

    fn successors(&self, state: &D::State, f: &mut dyn FnMut(D::State)) {
        for a in self.actions(state) {
            if let Some(next) = self.step(state, &a) {
                f(next);
            }
        }
    }
}

/// A [`Dlts`] given by its actions (enabled in every state, in this order) and a step closure;
/// made by [`dlts`].
///
/// ```
/// use haydi_domains::systems::{dlts, Dlts};
/// let d = dlts(vec![-1i32, 1], |s: &i32, a: &i32| (s + a).abs().le(&2).then_some(s + a));
/// assert_eq!(d.actions(&0), vec![-1, 1]);
/// assert_eq!(d.step(&2, &1), None);
/// ```
pub struct DltsFn<S, A, F> {
    actions: Vec<A>,
    step: F,
    _states: PhantomData<fn(&S) -> S>,
}

impl<S, A: Clone, F: Clone> Clone for DltsFn<S, A, F> {
    fn clone(&self) -> Self {
        DltsFn {
            actions: self.actions.clone(),
            step: self.step.clone(),
            _states: PhantomData,
        }
    }
}

impl<S, A: fmt::Debug, F> fmt::Debug for DltsFn<S, A, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DltsFn")
            .field("actions", &self.actions)
            .finish_non_exhaustive()
    }
}

/// A [`Dlts`] whose `actions` are enabled in every state and whose step is `step` (the Python
/// way of subclassing `DLTS` with a `step` method and an `actions` list).
///
/// ```
/// use haydi_domains::systems::{dlts, Dlts};
/// let double = dlts(vec!['x'], |s: &u32, _: &char| (*s < 100).then(|| s * 2));
/// assert_eq!(double.path(&3, &['x'; 3]), vec![3, 6, 12, 24]);
/// ```
pub fn dlts<S, A, F>(actions: Vec<A>, step: F) -> DltsFn<S, A, F>
where
    S: Clone,
    A: Clone + Send + Sync,
    F: Fn(&S, &A) -> Option<S> + Send + Sync,
{
    DltsFn {
        actions,
        step,
        _states: PhantomData,
    }
}

impl<S, A, F> Dlts for DltsFn<S, A, F>
where
    S: Clone,
    A: Clone + Send + Sync,
    F: Fn(&S, &A) -> Option<S> + Send + Sync,
{
    type State = S;
    type Action = A;

    fn actions(&self, _: &S) -> Vec<A> {
        self.actions.clone()
    }

    fn step(&self, state: &S, action: &A) -> Option<S> {
        (self.step)(state, action)
    }
}

/// The synchronous product of two systems over the same actions (the Python `DLTSProduct`):
/// states are pairs, an action is enabled where both components enable it (in the left
/// component's order), and it steps both components; when either does not step, neither does.
/// Chain products for more components: `a.product(b).product(c)` has states `((sa, sb), sc)`.
///
/// ```
/// use haydi_domains::systems::{dlts_from_map, Dlts, DltsProduct};
/// use std::collections::BTreeMap;
/// let a = dlts_from_map(BTreeMap::from([((0, 'x'), 1), ((1, 'x'), 0), ((0, 'y'), 0)]));
/// let b = dlts_from_map(BTreeMap::from([((0, 'x'), 0), ((0, 'y'), 1)]));
/// let p = DltsProduct::new(a, b);
/// assert_eq!(p.actions(&(0, 0)), vec!['x', 'y']);
/// assert_eq!(p.step(&(0, 0), &'x'), Some((1, 0)));
/// assert_eq!(p.step(&(1, 0), &'y'), None); // a has no 'y' in state 1
/// ```
#[derive(Debug, Clone)]
pub struct DltsProduct<L, R> {
    left: L,
    right: R,
}

impl<L, R> DltsProduct<L, R>
where
    L: Dlts,
    R: Dlts<Action = L::Action>,
    L::Action: PartialEq,
{
    /// The product of `left` and `right`.
    ///
    /// ```
    /// use haydi_domains::systems::{dlts, Dlts, DltsProduct};
    /// let flip = dlts(vec![()], |s: &bool, _: &()| Some(!s));
    /// let p = DltsProduct::new(flip.clone(), flip);
    /// assert_eq!(p.path(&(false, true), &[(), ()]), vec![(false, true), (true, false), (false, true)]);
    /// ```
    pub fn new(left: L, right: R) -> Self {
        DltsProduct { left, right }
    }
}

impl<L, R> Dlts for DltsProduct<L, R>
where
    L: Dlts,
    R: Dlts<Action = L::Action>,
    L::Action: PartialEq,
{
    type State = (L::State, R::State);
    type Action = L::Action;

    fn actions(&self, state: &Self::State) -> Vec<L::Action> {
        let right = self.right.actions(&state.1);
        self.left
            .actions(&state.0)
            .into_iter()
            .filter(|a| right.contains(a))
            .collect()
    }

    fn step(&self, state: &Self::State, action: &L::Action) -> Option<Self::State> {
        Some((
            self.left.step(&state.0, action)?,
            self.right.step(&state.1, action)?,
        ))
    }
}

/// A [`Dlts`] given by its transition table; made by [`dlts_from_map`].
///
/// ```
/// use haydi_domains::systems::{dlts_from_map, Dlts};
/// use std::collections::BTreeMap;
/// let m = dlts_from_map(BTreeMap::from([(("off", "push"), "on"), (("on", "push"), "off")]));
/// assert_eq!(m.step(&"on", &"push"), Some("off"));
/// ```
#[derive(Debug, Clone)]
pub struct MapDlts<S, A> {
    table: BTreeMap<S, Vec<(A, S)>>,
}

/// The [`Dlts`] whose transitions are the entries `(state, action) -> next` of `table` (the
/// Python `dlts_from_dict`): the actions enabled in a state are those with an entry for it, in
/// the map's (sorted) order; a state without entries has none.
///
/// ```
/// use haydi_domains::systems::{dlts_from_map, Dlts};
/// use std::collections::BTreeMap;
/// let m = dlts_from_map(BTreeMap::from([((0, 'a'), 1), ((0, 'b'), 0), ((1, 'a'), 0)]));
/// assert_eq!(m.actions(&0), vec!['a', 'b']);
/// assert_eq!(m.actions(&1), vec!['a']);
/// assert_eq!(m.actions(&7), Vec::<char>::new());
/// assert_eq!(m.step(&1, &'b'), None);
/// ```
pub fn dlts_from_map<S: Ord + Clone, A: Clone>(table: BTreeMap<(S, A), S>) -> MapDlts<S, A> {
    let mut by_state: BTreeMap<S, Vec<(A, S)>> = BTreeMap::new();
    for ((s, a), t) in table {
        by_state.entry(s).or_default().push((a, t));
    }
    MapDlts { table: by_state }
}

impl<S, A> Dlts for MapDlts<S, A>
where
    S: Ord + Clone + Send + Sync,
    A: PartialEq + Clone + Send + Sync,
{
    type State = S;
    type Action = A;

    fn actions(&self, state: &S) -> Vec<A> {
        self.table
            .get(state)
            .map(|v| v.iter().map(|(a, _)| a.clone()).collect())
            .unwrap_or_default()
    }

    fn step(&self, state: &S, action: &A) -> Option<S> {
        self.table
            .get(state)?
            .iter()
            .find(|(a, _)| a == action)
            .map(|(_, t)| t.clone())
    }
}
