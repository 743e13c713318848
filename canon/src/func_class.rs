//! Classes of functional structures (automata, functional graphs) pruned during the orderly
//! generation (what [`crate::Automata`] builds): an initial state, initially connected
//! automata, letters that are permutations, and a user's monotone `prune`.
//!
//! The tree assigns the keys' targets in key order (state 0's letters, then state 1's, ...),
//! so a node's descendants are its completions: a property that fails on a prefix and on all
//! its completions (a repeated target of one letter) cuts the node's subtree.
//!
//! *Initially connected.* With an initial state (state 0, which renamings then fix), a
//! canonical table numbers the other states in the order their first transition reaches them
//! (a new target is always the next unused state). So every state is reachable from state 0
//! exactly when each state `r >= 1` is the target of some key of the rows before row `r`:
//! otherwise the rows `0..r` only reach the states `0..r`. The generation checks this at each
//! row's end.

use crate::func::Func;
use crate::typed::PartialTable;
use std::sync::Arc;

/// A user's prune of partial tables: `true` cuts the table and (by its contract) every
/// completion of it.
pub(crate) type TablePrune = Arc<dyn Fn(&PartialTable<'_>) -> bool + Send + Sync>;

/// A class of functional structures (all fields off: every table, up to renaming every state
/// and letter).
#[derive(Clone, Default)]
pub(crate) struct FuncClass {
    /// State 0 is the initial state: renamings fix it.
    pub initial: bool,
    /// Every state is reachable from state 0 (implies `initial`).
    pub accessible: bool,
    /// Every letter maps states one to one.
    pub permutations: bool,
    /// Letters are not renamed.
    pub labelled_letters: bool,
    /// The user's monotone prunes.
    pub prunes: Vec<TablePrune>,
}

impl std::fmt::Debug for FuncClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl FuncClass {
    /// Whether a child needs the class's checks.
    #[inline]
    pub fn checks(&self) -> bool {
        self.accessible || self.permutations
    }

    /// Whether the child `c` (its parent plus the target `v` of key `c.len - 1`) can still be
    /// completed into a member (`n` states, `m` letters).
    #[inline]
    pub fn admits(&self, c: &Func, n: usize, m: usize) -> bool {
        let t = c.len as usize - 1;
        if self.permutations {
            // no earlier state reaches the same target by the same letter
            let v = c.vals[t];
            let letter = t % m;
            if (letter..t).step_by(m).any(|k| c.vals[k] == v) {
                return false;
            }
        }
        if self.accessible {
            // at the end of row r - 1, state r (if any) must be a target already
            let len = t + 1;
            if len % m == 0 && len < n * m && c.k as usize <= len / m {
                return false;
            }
        }
        true
    }

    /// Whether the user's prunes keep the partial table `c`.
    #[inline]
    pub fn kept_by_prunes(&self, c: &Func, n: usize, m: usize) -> bool {
        if self.prunes.is_empty() {
            return true;
        }
        let t = PartialTable::new(n, m, &c.vals[..c.len as usize]);
        !self.prunes.iter().any(|p| p(&t))
    }

    /// The class in words, or `all`.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for (on, name) in [
            (self.initial && !self.accessible, "initial state"),
            (self.accessible, "initially connected"),
            (self.permutations, "letters are permutations"),
            (self.labelled_letters, "labelled letters"),
        ] {
            if on {
                parts.push(name.into());
            }
        }
        if !self.prunes.is_empty() {
            parts.push(format!("{} user prune(s)", self.prunes.len()));
        }
        if parts.is_empty() {
            "all".into()
        } else {
            parts.join(", ")
        }
    }
}
