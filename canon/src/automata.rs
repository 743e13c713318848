//! [`Automata`]: deterministic automata (and functional graphs) up to isomorphism, of a class
//! pruned during generation.

use crate::atom::USet;
use crate::func::{MAX_KEYS, identity_perms, letter_perms};
use crate::func_class::FuncClass;
use crate::generate::Gen;
use crate::prune_check::{PRUNE_CHECKED, check_table_prune};
use crate::source::CnfSource;
use crate::typed::{PartialTable, TransitionTable};
use haydi_core::pipeline::{Filter, Identity, IntoPipeline, Map, Pipeline};
use haydi_core::{Error, Result};
use std::sync::Arc;

/// Deterministic automata with `n` states and `m` letters (total transition functions
/// `states x letters -> states`; `m = 1`: functional graphs) up to isomorphism, of a class,
/// as [`TransitionTable`]s: one canonical representative per class (for the plain class, the
/// same ones as [`crate::CnfsExt::cnfs_as`] of `Mappings(Product(S, L), S)`), generated with
/// the class's pruning. A source of the usual chain (`count`, `counts_by`, `filter`, ...,
/// `run(true)`).
///
/// Isomorphisms rename the states and the letters; [`Automata::initial_state`] makes state 0
/// the initial state (renamings fix it), [`Automata::labelled_letters`] keeps the letters.
/// Classes combine:
///
/// | method | pruned |
/// |---|---|
/// | [`Automata::initially_connected`] | at each state's row: its state must have been reached |
/// | [`Automata::permutation_letters`] | at every node: a letter's repeated target |
/// | [`Automata::prune`] | at every node, by a closure on the [`PartialTable`] |
///
/// ```
/// use haydi_canon::Automata;
/// use haydi_core::prelude::*;
/// // binary automata with 3 states up to renaming states and swapping letters
/// assert_eq!(Automata::new(3, 2)?.count().run(true)?, 74);
/// // ... with an initial state from which every state is reachable
/// let ic = Automata::new(3, 2)?.initially_connected();
/// assert_eq!(ic.count().run(true)?, 114);
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Automata {
    n: usize,
    m: usize,
    class: FuncClass,
}

impl std::fmt::Debug for Automata {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Automata(states={}, letters={}, {})",
            self.n,
            self.m,
            self.class.describe()
        )
    }
}

impl Automata {
    /// All automata with `states` states and `letters` letters up to renaming states and
    /// letters; [`Error::InvalidArgument`] unless `states >= 1`, `1 <= letters <= 6` and
    /// `states * letters <= 32`.
    ///
    /// ```
    /// use haydi_canon::Automata;
    /// use haydi_core::prelude::*;
    /// assert_eq!(Automata::new(4, 1)?.count().run(false)?, 19); // functional graphs, A001372
    /// assert!(Automata::new(0, 2).is_err() && Automata::new(9, 4).is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn new(states: usize, letters: usize) -> Result<Automata> {
        if states == 0 || !(1..=6).contains(&letters) || states * letters > MAX_KEYS {
            return Err(Error::InvalidArgument(format!(
                "Automata::new({states}, {letters}): at least one state, 1 to 6 letters, at most {MAX_KEYS} transitions"
            )));
        }
        Ok(Automata {
            n: states,
            m: letters,
            class: FuncClass::default(),
        })
    }

    /// The number of states.
    pub fn states(&self) -> usize {
        self.n
    }

    /// The number of letters.
    pub fn letters(&self) -> usize {
        self.m
    }

    /// State 0 is the initial state: isomorphisms fix it (they rename the other states).
    ///
    /// ```
    /// use haydi_canon::Automata;
    /// use haydi_core::prelude::*;
    /// // functional graphs on 3 points with a marked point
    /// assert_eq!(Automata::new(3, 1)?.initial_state().count().run(false)?, 15);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn initial_state(mut self) -> Self {
        self.class.initial = true;
        self
    }

    /// Only initially connected automata: every state is reachable from the initial state,
    /// state 0 (this sets [`Automata::initial_state`]). In the tables, the states are then
    /// numbered in the order the transitions, read state by state, first reach them.
    ///
    /// ```
    /// use haydi_canon::Automata;
    /// use haydi_core::prelude::*;
    /// // one letter: a path from q0 into a cycle, entered at any of its n states
    /// assert_eq!(Automata::new(5, 1)?.initially_connected().count().run(false)?, 5);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn initially_connected(mut self) -> Self {
        self.class.initial = true;
        self.class.accessible = true;
        self
    }

    /// Only automata whose letters are permutations of the states (group automata).
    ///
    /// ```
    /// use haydi_canon::Automata;
    /// use haydi_core::prelude::*;
    /// // one letter: permutations of 6 points up to conjugacy, the partitions of 6 (A000041)
    /// assert_eq!(Automata::new(6, 1)?.permutation_letters().count().run(false)?, 11);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn permutation_letters(mut self) -> Self {
        self.class.permutations = true;
        self
    }

    /// Letters are not renamed: automata that differ by a renaming of letters count apart.
    ///
    /// ```
    /// use haydi_canon::Automata;
    /// use haydi_core::prelude::*;
    /// // binary automata up to renaming states only (OEIS A054050)
    /// assert_eq!(Automata::new(3, 2)?.labelled_letters().count().run(false)?, 129);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn labelled_letters(mut self) -> Self {
        self.class.labelled_letters = true;
        self
    }

    /// Cuts every partial table for which `prune` returns `true`, during generation: it is
    /// called on every node of the generation tree, a [`PartialTable`] whose first keys (in
    /// key order) have their target, and a cut node's completions are never made.
    ///
    /// **Contract.** `prune` must be *monotone*: when it cuts a partial table it cuts every
    /// completion of it (if a structure fails, every extension fails; decide from the keys
    /// assigned so far, or return `false` until the table is complete), and on complete tables
    /// it must not depend on the labels (of the states, but the initial state when there is
    /// one, and of the letters unless they are labelled).
    ///
    /// In debug builds of haydi-canon ([`crate::PRUNE_CHECKED`]) the contract is checked on
    /// [`crate::PRUNE_SAMPLE`] random tables: each against renamings of its states and
    /// letters, and against its prefixes one key longer or shorter; a violation is
    /// [`Error::InvalidArgument`] naming both tables. Release builds skip the check.
    ///
    /// ```
    /// use haydi_canon::Automata;
    /// use haydi_core::prelude::*;
    /// // binary automata on 3 states with no state fixed by both letters
    /// let prune = |t: &haydi_canon::PartialTable| {
    ///     (0..t.states()).any(|s| t.next(s, 0) == Some(s) && t.next(s, 1) == Some(s))
    /// };
    /// let a = Automata::new(3, 2)?.prune(prune)?;
    /// let by_filter = Automata::new(3, 2)?.filter(|t| (0..3).all(|s| t.next(s, 0) != s || t.next(s, 1) != s));
    /// assert_eq!(a.count().run(false)?, by_filter.count().run(false)?);
    /// // "state 0 is a loop" depends on the labels: refused (in debug builds)
    /// let bad = Automata::new(3, 2)?.prune(|t| t.next(0, 0) == Some(0));
    /// assert!(!haydi_canon::PRUNE_CHECKED || bad.is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn prune<F>(mut self, prune: F) -> Result<Self>
    where
        F: Fn(&PartialTable<'_>) -> bool + Send + Sync + 'static,
    {
        if PRUNE_CHECKED {
            check_table_prune(
                self.n,
                self.m,
                self.class.initial,
                self.class.labelled_letters,
                &prune,
            )?;
        }
        self.class.prunes.push(Arc::new(prune));
        Ok(self)
    }

    /// The pipeline of these automata (what every adapter and action starts from).
    ///
    /// ```
    /// use haydi_canon::Automata;
    /// use haydi_core::prelude::*;
    /// let first = Automata::new(2, 2)?.iterate().first().run(false)?.unwrap();
    /// assert_eq!(first.values(), &[0, 0, 0, 0]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn iterate(self) -> Pipeline<CnfSource<TransitionTable>, Identity> {
        let states = USet::new(self.n as u32, "q");
        let letters = (self.m > 1).then(|| USet::new(self.m as u32, "a").id());
        let perms = if self.class.labelled_letters {
            identity_perms(self.m)
        } else {
            letter_perms(self.m)
        };
        let tree = Gen::Func {
            states: states.id(),
            letters,
            n: self.n,
            m: self.m,
            perms,
            class: self.class,
        };
        Pipeline::new(CnfSource::of_typed_tree(tree))
    }

    /// The automata passed through `f` (a pipeline; see [`Pipeline::map`]).
    ///
    /// ```
    /// use haydi_canon::Automata;
    /// use haydi_core::prelude::*;
    /// let loops = Automata::new(2, 1)?.map(|t| (0..2).filter(|&s| t.next(s, 0) == s).count());
    /// assert_eq!(loops.collect().run(false)?, vec![1, 2, 0]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn map<F, O>(self, f: F) -> Pipeline<CnfSource<TransitionTable>, Map<Identity, F>>
    where
        F: Fn(TransitionTable) -> O + Send + Sync,
    {
        self.iterate().map(f)
    }

    /// The automata for which `pred` holds, after generation (a pipeline; see
    /// [`Pipeline::filter`]); for a monotone property, [`Automata::prune`] cuts earlier.
    ///
    /// ```
    /// use haydi_canon::Automata;
    /// use haydi_core::prelude::*;
    /// let onto = Automata::new(3, 1)?.filter(|t| (0..3).all(|s| (0..3).any(|r| t.next(r, 0) == s)));
    /// assert_eq!(onto.count().run(false)?, 3); // the permutations of 3 points up to conjugacy
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn filter<F>(self, pred: F) -> Pipeline<CnfSource<TransitionTable>, Filter<Identity, F>>
    where
        F: Fn(&TransitionTable) -> bool + Send + Sync,
    {
        self.iterate().filter(pred)
    }
}

impl IntoPipeline for Automata {
    type Source = CnfSource<TransitionTable>;
    type Transform = Identity;
    type Item = TransitionTable;

    fn into_pipeline(self) -> Pipeline<CnfSource<TransitionTable>, Identity> {
        self.iterate()
    }
}
