//! A plain transition system: states and a successor function.

use std::fmt;
use std::marker::PhantomData;

/// Anything with a successor function over its states: [`System`] and every
/// [`super::Dlts`]. Breadth-first exploration ([`super::Bfs`]), [`super::bfs_path`] and
/// [`super::to_dot`] work on it.
///
/// ```
/// use haydi_domains::systems::{Successors, System};
/// let s = System::new(|x: &u32| [x + 1, x * 2]);
/// let mut out = Vec::new();
/// s.successors(&3, &mut |y| out.push(y));
/// assert_eq!(out, vec![4, 6]);
/// ```
pub trait Successors: Send + Sync {
    /// The states.
    type State;

    /// Calls `f` on every successor of `state`, in a fixed order (duplicates are allowed; a
    /// search visits each state once).
    fn successors(&self, state: &Self::State, f: &mut dyn FnMut(Self::State));

    /// The breadth-first exploration of this system from `init` ([`super::Bfs::new`]; the
    /// Python `DLTS.bfs` and `System.iterate_states`).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::systems::{dlts_from_map, Successors};
    /// use std::collections::BTreeMap;
    /// let m = dlts_from_map(BTreeMap::from([((0, 'a'), 1), ((0, 'b'), 0), ((1, 'a'), 0)]));
    /// assert_eq!(m.bfs([0]).max_depth(5).collect().run(true).unwrap(), vec![0, 1]);
    /// ```
    fn bfs<I>(self, init: I) -> super::Bfs<Self>
    where
        Self: Sized,
        Self::State: super::State,
        I: IntoIterator<Item = Self::State>,
    {
        super::Bfs::new(self, init)
    }
}

/// A transition system given by a successor closure (the Python `System` with its
/// `compute_next`): `successors(&s)` returns the next states of `s` as anything
/// `IntoIterator`, in the order a breadth-first search visits them.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::systems::{Bfs, System};
/// // The integers reachable from 1 by "+3" and "*2" below 20, breadth first.
/// let s = System::new(|x: &u32| [x + 3, x * 2].into_iter().filter(|y| *y < 20));
/// let v = Bfs::new(s, [1]).collect().run(true).unwrap();
/// assert_eq!(v, vec![1, 4, 2, 7, 8, 5, 10, 14, 11, 16, 13, 17, 19]);
/// ```
pub struct System<S, F> {
    successors: F,
    _states: PhantomData<fn() -> S>,
}

impl<S, F: Clone> Clone for System<S, F> {
    fn clone(&self) -> Self {
        System {
            successors: self.successors.clone(),
            _states: PhantomData,
        }
    }
}

impl<S, F> fmt::Debug for System<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("System").finish_non_exhaustive()
    }
}

impl<S, F, I> System<S, F>
where
    F: Fn(&S) -> I + Send + Sync,
    I: IntoIterator<Item = S>,
{
    /// The system whose successors of `s` are `successors(&s)`.
    ///
    /// ```
    /// use haydi_domains::systems::System;
    /// let s = System::new(|x: &u8| x.checked_add(1));
    /// assert_eq!(s.next_states(&254), vec![255]);
    /// assert!(s.next_states(&255).is_empty());
    /// ```
    pub fn new(successors: F) -> Self {
        System {
            successors,
            _states: PhantomData,
        }
    }

    /// The successors of `state`, collected.
    ///
    /// ```
    /// use haydi_domains::systems::System;
    /// assert_eq!(System::new(|x: &i32| vec![-x, x + 1]).next_states(&2), vec![-2, 3]);
    /// ```
    pub fn next_states(&self, state: &S) -> Vec<S> {
        (self.successors)(state).into_iter().collect()
    }
}

impl<S, F, I> Successors for System<S, F>
where
    F: Fn(&S) -> I + Send + Sync,
    I: IntoIterator<Item = S>,
{
    type State = S;

    fn successors(&self, state: &S, f: &mut dyn FnMut(S)) {
        for s in (self.successors)(state) {
            f(s);
        }
    }
}
