//! [`PartialTable`]: a node of the functional generation tree as a user's prune sees it.

/// The transitions of an automaton (or functional graph) being generated: the first
/// [`PartialTable::assigned`] keys in key order (state 0's letters, then state 1's, ...) have
/// their target, the others none yet. What [`crate::Automata::prune`] is called on, at every
/// node of the generation tree; a complete one is a [`crate::TransitionTable`].
///
/// ```
/// use haydi_canon::Automata;
/// use haydi_core::prelude::*;
/// // automata with 3 states and 2 letters in which no state maps to itself: the prune sees
/// // each partial table and cuts the first loop
/// let no_loops = Automata::new(3, 2)?.prune(|t| {
///     (0..t.states()).any(|s| (0..t.letters()).any(|l| t.next(s, l) == Some(s)))
/// })?;
/// let all = no_loops.collect().run(false)?;
/// assert!(all.iter().all(|a| (0..3).all(|s| a.next(s, 0) != s && a.next(s, 1) != s)));
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartialTable<'a> {
    n: u8,
    m: u8,
    vals: &'a [u8],
}

impl<'a> PartialTable<'a> {
    /// The table of `n` states and `m` letters whose first `vals.len()` keys are assigned.
    pub(crate) fn new(n: usize, m: usize, vals: &'a [u8]) -> PartialTable<'a> {
        debug_assert!(vals.len() <= n * m);
        PartialTable {
            n: n as u8,
            m: m as u8,
            vals,
        }
    }

    /// The number of states.
    pub fn states(&self) -> usize {
        self.n as usize
    }

    /// The number of letters (1 for a functional graph).
    pub fn letters(&self) -> usize {
        self.m as usize
    }

    /// How many keys have a target: the keys `0..assigned()`, key `state * letters() + letter`.
    pub fn assigned(&self) -> usize {
        self.vals.len()
    }

    /// Whether every key has a target.
    pub fn is_complete(&self) -> bool {
        self.vals.len() == self.states() * self.letters()
    }

    /// The state reached from `state` by `letter`, or `None` while that key has no target.
    ///
    /// # Panics
    ///
    /// When `state >= states()` or `letter >= letters()`, like an index out of bounds.
    ///
    /// ```
    /// use haydi_canon::Automata;
    /// use haydi_core::prelude::*;
    /// // the prune sees the tables with 0, 1, 2, ... keys assigned
    /// let a = Automata::new(2, 1)?.prune(|t| {
    ///     assert!(t.assigned() < 1 || t.next(0, 0).is_some());
    ///     assert!(t.assigned() > 1 || t.next(1, 0).is_none());
    ///     false
    /// })?;
    /// assert_eq!(a.count().run(false)?, 3); // functional graphs on 2 points
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn next(&self, state: usize, letter: usize) -> Option<usize> {
        assert!(
            state < self.states() && letter < self.letters(),
            "state {state} or letter {letter} out of range ({} states, {} letters)",
            self.n,
            self.m
        );
        self.vals
            .get(state * self.letters() + letter)
            .map(|&v| v as usize)
    }

    /// The assigned targets in key order.
    pub fn values(&self) -> &'a [u8] {
        self.vals
    }
}
