//! [`TransitionTable`]: the typed item of the functional fast path (automata, functional
//! graphs).

use super::{CnfItem, NodeRef, TreeRef, sealed, wrong_path};
use crate::atom::{Atom, USet};
use crate::generate::{Gen, Node};
use crate::value::Value;
use haydi_core::{Error, Mapping, Result};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// A total map `S x L -> S` (an automaton's transitions: `n` states, `m` letters) or `S -> S`
/// (a functional graph, `m = 1`) as the array of its values: the typed item of the canonical
/// forms of `Mappings(Product(S, L), S)` and `Mappings(S, S)` for USets `S` and `L`, up to
/// renaming of states and letters (`domain.cnfs_as::<TransitionTable>()`).
///
/// State `i` is atom `i` of `S`, letter `j` atom `j` of `L`. Ordered as the domain's own items
/// are (the values in key order, compared lexicographically).
///
/// ```
/// use haydi_canon::{CnfsExt, TransitionTable, USet};
/// use haydi_core::prelude::*;
/// use haydi_domains::{Mappings, Product};
/// let (q, a) = (USet::new(3, "q"), USet::new(2, "a"));
/// let automata = Mappings::new(Product::new((q.clone(), a)), q)?;
/// // automata with 3 states and 2 letters up to renaming, by the number of states that are
/// // the image of some transition
/// let by_image = automata
///     .cnfs_as::<TransitionTable>()?
///     .counts_by(|t| t.values().iter().fold(0u32, |m, &s| m | 1 << s).count_ones())
///     .run(true)?;
/// assert_eq!(by_image.values().sum::<u64>(), automata.cnfs()?.count().run(false)?);
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawTransitionTable")]
pub struct TransitionTable {
    n: u8,
    m: u8,
    vals: [u8; crate::func::MAX_KEYS],
}

impl TransitionTable {
    /// The number of states `n`.
    pub fn states(&self) -> usize {
        self.n as usize
    }

    /// The number of letters `m` (1 for a map `S -> S`).
    pub fn letters(&self) -> usize {
        self.m as usize
    }

    /// The state reached from `state` by `letter` (`letter` 0 for a map `S -> S`).
    ///
    /// # Panics
    ///
    /// When `state >= states()` or `letter >= letters()`, like an index out of a slice's bounds.
    ///
    /// ```
    /// use haydi_canon::{CnfsExt, TransitionTable, USet};
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Mappings;
    /// let q = USet::new(3, "q");
    /// let maps = Mappings::new(q.clone(), q)?.cnfs_as::<TransitionTable>()?.collect().run(false)?;
    /// // functional graphs on 3 points up to isomorphism (OEIS A001372)
    /// assert_eq!(maps.len(), 7);
    /// assert!(maps.iter().all(|t| (0..3).all(|s| t.next(s, 0) < 3)));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    #[inline]
    pub fn next(&self, state: usize, letter: usize) -> usize {
        assert!(
            state < self.states() && letter < self.letters(),
            "state {state} or letter {letter} out of range ({} states, {} letters)",
            self.n,
            self.m
        );
        self.vals[state * self.m as usize + letter] as usize
    }

    /// The domain's own item for an automaton: the map `(state, letter) -> state` over the
    /// atoms of `states` and `letters` (the USets the domain was built on), or
    /// [`Error::InvalidArgument`] when their sizes are not `states()` and `letters()`.
    ///
    /// ```
    /// use haydi_canon::{CnfsExt, TransitionTable, USet};
    /// use haydi_core::prelude::*;
    /// use haydi_domains::{Mappings, Product};
    /// let (q, a) = (USet::new(2, "q"), USet::new(2, "a"));
    /// let automata = Mappings::new(Product::new((q.clone(), a.clone())), q.clone())?;
    /// let typed = automata.cnfs_as::<TransitionTable>()?.collect().run(false)?;
    /// let items = automata.cnfs()?.collect().run(false)?;
    /// for (t, item) in typed.iter().zip(&items) {
    ///     assert_eq!(&t.to_mapping(&q, &a)?, item);
    /// }
    /// assert!(typed[0].to_mapping(&a, &q).is_ok()); // any USets of the right sizes
    /// assert!(typed[0].to_mapping(&USet::new(3, "q"), &a).is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn to_mapping(&self, states: &USet, letters: &USet) -> Result<Mapping<(Atom, Atom), Atom>> {
        self.check_sizes(states, Some(letters))?;
        Ok(Mapping::from_sorted_pairs(
            (0..self.states())
                .flat_map(|s| (0..self.letters()).map(move |l| (s, l)))
                .map(|(s, l)| {
                    let key = (states.atom(s as u32), letters.atom(l as u32));
                    (key, states.atom(self.next(s, l) as u32))
                })
                .collect(),
        ))
    }

    /// The domain's own item for a functional graph (`letters() == 1`): the map
    /// `state -> state` over the atoms of `states`, or [`Error::InvalidArgument`] when `states`
    /// does not have `states()` atoms or the table has more than one letter.
    ///
    /// ```
    /// use haydi_canon::{CnfsExt, TransitionTable, USet};
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Mappings;
    /// let q = USet::new(3, "q");
    /// let maps = Mappings::new(q.clone(), q.clone())?;
    /// let typed = maps.cnfs_as::<TransitionTable>()?.collect().run(false)?;
    /// let items = maps.cnfs()?.collect().run(false)?;
    /// for (t, item) in typed.iter().zip(&items) {
    ///     assert_eq!(&t.to_function(&q)?, item);
    /// }
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn to_function(&self, states: &USet) -> Result<Mapping<Atom, Atom>> {
        self.check_sizes(states, None)?;
        Ok(Mapping::from_sorted_pairs(
            (0..self.states())
                .map(|s| (states.atom(s as u32), states.atom(self.next(s, 0) as u32)))
                .collect(),
        ))
    }

    /// `states` has `states()` atoms, and `letters` (or, without letters, 1) `letters()`.
    fn check_sizes(&self, states: &USet, letters: Option<&USet>) -> Result<()> {
        let m = letters.map_or(1, |l| l.len() as usize);
        if states.len() as usize != self.states() || m != self.letters() {
            return Err(Error::InvalidArgument(format!(
                "a table of {} states and {} letters, given {states:?} and {}",
                self.n,
                self.m,
                letters.map_or("no letters".to_string(), |l| format!("{l:?}"))
            )));
        }
        Ok(())
    }

    /// The values in key order: `values()[state * letters() + letter]`.
    ///
    /// ```
    /// use haydi_canon::{CnfsExt, TransitionTable, USet};
    /// use haydi_core::prelude::*;
    /// use haydi_domains::{Mappings, Product};
    /// let (q, a) = (USet::new(2, "q"), USet::new(2, "a"));
    /// let all = Mappings::new(Product::new((q.clone(), a)), q)?
    ///     .cnfs_as::<TransitionTable>()?
    ///     .collect()
    ///     .run(false)?;
    /// let t = all[0]; // the smallest: every transition goes to state 0
    /// assert_eq!((t.states(), t.letters(), t.values()), (2, 2, &[0u8, 0, 0, 0][..]));
    /// assert_eq!(t.next(1, 1), 0);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn values(&self) -> &[u8] {
        &self.vals[..self.n as usize * self.m as usize]
    }
}

impl std::fmt::Debug for TransitionTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "TransitionTable(n={}, m={}, {:?})",
            self.n,
            self.m,
            self.values()
        )
    }
}

impl Ord for TransitionTable {
    fn cmp(&self, other: &Self) -> Ordering {
        self.values()
            .cmp(other.values())
            .then((self.n, self.m).cmp(&(other.n, other.m)))
    }
}

impl PartialOrd for TransitionTable {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl sealed::Sealed for TransitionTable {}

impl CnfItem for TransitionTable {
    const FROM_NODE: bool = true;
    fn check(TreeRef(tree): TreeRef<'_>) -> Result<()> {
        match tree {
            Gen::Func { .. } => Ok(()),
            other => Err(wrong_path(
                "TransitionTable",
                "the functional fast path (Mappings from S or Product(S, L) to S, USets S and L, at most 32 keys and 6 letters)",
                other,
            )),
        }
    }
    fn from_value(_: &Value) -> Result<Self> {
        Err(Error::InvalidArgument(
            "TransitionTable items are made from the generation tree's nodes, not from values"
                .into(),
        ))
    }
    fn from_node(NodeRef(tree, node): NodeRef<'_>) -> Result<Self> {
        match (tree, node) {
            (Gen::Func { n, m, .. }, Node::Func(h)) => Ok(TransitionTable {
                n: *n as u8,
                m: *m as u8,
                vals: h.vals,
            }),
            _ => unreachable!("checked when the source was made"),
        }
    }
}

/// A [`TransitionTable`] as it comes off the wire, before its invariants are checked: at most
/// 32 keys, every value a state, the unused tail zero.
#[derive(Deserialize)]
struct RawTransitionTable {
    n: u8,
    m: u8,
    vals: [u8; crate::func::MAX_KEYS],
}

impl TryFrom<RawTransitionTable> for TransitionTable {
    type Error = String;
    fn try_from(r: RawTransitionTable) -> std::result::Result<TransitionTable, String> {
        let keys = r.n as usize * r.m as usize;
        if r.n == 0 || r.m == 0 || keys > crate::func::MAX_KEYS {
            return Err(format!(
                "a TransitionTable with {} states and {} letters (at least one each, at most {} keys)",
                r.n,
                r.m,
                crate::func::MAX_KEYS
            ));
        }
        if let Some(k) = (0..crate::func::MAX_KEYS).find(|&k| {
            if k < keys {
                r.vals[k] >= r.n
            } else {
                r.vals[k] != 0
            }
        }) {
            return Err(format!(
                "a TransitionTable on {} states with value {} at key {k}",
                r.n, r.vals[k]
            ));
        }
        Ok(TransitionTable {
            n: r.n,
            m: r.m,
            vals: r.vals,
        })
    }
}
