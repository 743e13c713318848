//! The fast path for functional structures: total maps `S x L -> S` (automata: states `S`,
//! letters `L`, two different USets) and `S -> S` (functional graphs), at most 32 keys.
//!
//! A (partial) map is kept as the array of its values in key order: key `(i, j)` is position
//! `i * m + j` (`m` letters, `m = 1` without letters), which is the value order of the keys
//! (`Value::Seq([q_i, a_j])` compare by `i`, then `j`). The orderly generation assigns these
//! positions one at a time, so a node is a prefix of the array.
//!
//! *Canonicity.* A prefix of length `len` uses the states `0..k` and the letters `0..l`
//! (`l = min(len, m)`); a renaming is a pair `(σ, τ)` of permutations of those. The image's
//! pairs, sorted by key, are compared lexicographically with the prefix's. The prefix's keys are
//! the `len` smallest keys there are, so the image's `t`-th key is never smaller than the
//! prefix's: walking `t` in order, the image has key `t` exactly when the preimage key
//! `(σ⁻¹ i, τ⁻¹ j)` is in the prefix (else the image is greater), and then their values are
//! compared. For each `τ` the search builds `σ` along the walk: the row state `σ⁻¹ i` is chosen
//! (a branch) only when no earlier value named index `i`; a value's state that has no index yet
//! must get the next free index (any other gives a greater image), so the walk is otherwise
//! forced, and it stops at the first position that decides the comparison. Automorphisms found
//! on the `τ = id` walks (complete walks equal to the prefix) prune branches in one orbit of the
//! automorphisms fixing the states already placed. The result equals the general search
//! (tested on every prefix of small cases).

use haydi_core::Domain;
use haydi_domains::{Permutations, Range};

/// The largest number of keys (`states x letters`) of the fast path.
pub(crate) const MAX_KEYS: usize = 32;

const NONE: u8 = u8::MAX;

/// A prefix of a functional structure: the values of the first `len` keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Func {
    /// Values (state indices) in key order; only the first `len` are meaningful.
    pub vals: [u8; MAX_KEYS],
    /// Number of keys assigned.
    pub len: u8,
    /// States used (`0..k`: keys' states and values).
    pub k: u8,
}

impl Func {
    /// The empty prefix.
    pub fn empty() -> Func {
        Func {
            vals: [0; MAX_KEYS],
            len: 0,
            k: 0,
        }
    }

    /// The prefix extended by value `v` at the next key (`m` letters per state).
    pub fn with(&self, v: u8, m: usize) -> Func {
        let mut h = *self;
        let row = (self.len as usize / m) as u8;
        h.vals[self.len as usize] = v;
        h.len += 1;
        h.k = h.k.max(row + 1).max(v + 1);
        h
    }

    /// The values the next key may take (`n` states, `m` letters): every used state and the
    /// next unused one (a new state must be the next index).
    pub fn next_values(&self, n: usize, m: usize) -> std::ops::Range<u8> {
        let row = (self.len as usize / m) as u8;
        let used = self.k.max(row + 1);
        0..(used as usize + 1).min(n) as u8
    }
}

/// Permutations of `0..l` in lexicographic order (identity first): haydi's `Permutations`
/// domain over `0..l`.
fn permutations(l: usize) -> Vec<Vec<u8>> {
    let Ok(perms) = Permutations::new(Range::new(l as i64)) else {
        return Vec::new();
    };
    perms
        .iter()
        .map(|p| p.into_iter().map(|x| x as u8).collect())
        .collect()
}

/// Whether the prefix `f` is the smallest of its class (`m` letters per state). The group is
/// the renamings of states (of the states other than state 0 when `fix_first`: an automaton's
/// initial state) times the letter permutations `letter_perms[l]` of `0..l`
/// ([`letter_perms`]: all of them; [`identity_perms`]: letters are not renamed).
pub fn is_canonical_func(
    f: &Func,
    m: usize,
    letter_perms: &[Vec<Vec<u8>>],
    fix_first: bool,
) -> bool {
    let len = f.len as usize;
    if len == 0 {
        return true;
    }
    let l = len.min(m);
    let mut t = Test {
        f: &f.vals[..len],
        m,
        k: f.k as usize,
        tau_inv: [0; MAX_KEYS],
        sigma: [NONE; MAX_KEYS],
        sigma_inv: [NONE; MAX_KEYS],
        placed: 0,
        gens: Vec::new(),
        record: false,
        fix_first,
    };
    for tau in &letter_perms[l] {
        for (j, &x) in tau.iter().enumerate() {
            t.tau_inv[x as usize] = j as u8;
        }
        t.record = tau.iter().enumerate().all(|(j, &x)| j == x as usize);
        if t.walk(0) == Found::Smaller {
            return false;
        }
    }
    true
}

/// The permutations of `0..l` for every `l <= m` (index `l`).
pub fn letter_perms(m: usize) -> Vec<Vec<Vec<u8>>> {
    (0..=m).map(permutations).collect()
}

/// Only the identity of `0..l` for every `l <= m`: letters that are not renamed.
pub fn identity_perms(m: usize) -> Vec<Vec<Vec<u8>>> {
    (0..=m).map(|l| vec![(0..l as u8).collect()]).collect()
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Found {
    /// A renaming gives a smaller image: not canonical.
    Smaller,
    /// Nothing smaller below this node.
    Nothing,
}

struct Test<'a> {
    f: &'a [u8],
    m: usize,
    k: usize,
    /// Image letter -> original letter.
    tau_inv: [u8; MAX_KEYS],
    /// Original state -> index (or `NONE`).
    sigma: [u8; MAX_KEYS],
    /// Index -> original state, for the indices `0..placed`.
    sigma_inv: [u8; MAX_KEYS],
    placed: usize,
    /// Automorphisms (original state -> original state) with the identity letter map.
    gens: Vec<[u8; MAX_KEYS]>,
    /// Whether complete walks are automorphisms to record (`τ` is the identity).
    record: bool,
    /// Whether state 0 keeps index 0 (an initial state).
    fix_first: bool,
}

impl Test<'_> {
    fn place(&mut self, state: usize) {
        self.sigma[state] = self.placed as u8;
        self.sigma_inv[self.placed] = state as u8;
        self.placed += 1;
    }

    fn unplace(&mut self) {
        self.placed -= 1;
        let s = self.sigma_inv[self.placed] as usize;
        self.sigma[s] = NONE;
    }

    /// Compares the image with `f` from the start of row `i` (position `i * m`) on, under the
    /// partial `σ`. The walk is forced (a loop, not a recursion) until it meets a row with no
    /// state yet (always at the row's first position), where [`Test::branch`] tries each
    /// candidate; the states this walk placed are unplaced when it returns, so `σ` is as it was.
    fn walk(&mut self, mut i: usize) -> Found {
        let len = self.f.len();
        let placed_before = self.placed;
        let (mut t, mut j) = (i * self.m, 0);
        let found = loop {
            if t == len {
                if self.record && self.placed == self.k {
                    self.record_automorphism();
                }
                break Found::Nothing;
            }
            if i >= self.placed {
                break self.branch(i);
            }
            let s = self.sigma_inv[i] as usize * self.m + self.tau_inv[j] as usize;
            if s >= len {
                break Found::Nothing; // the image lacks key t: greater
            }
            let v = self.f[s] as usize;
            let new = self.sigma[v] == NONE;
            let w = if new {
                self.placed
            } else {
                self.sigma[v] as usize
            };
            let target = self.f[t] as usize;
            if w != target {
                break if w < target {
                    Found::Smaller
                } else {
                    Found::Nothing
                };
            }
            if new {
                self.place(v);
            }
            t += 1;
            j += 1;
            if j == self.m {
                j = 0;
                i += 1;
            }
        };
        while self.placed > placed_before {
            self.unplace();
        }
        found
    }

    /// A complete walk under `τ = id` equal to `f`: `σ⁻¹` maps `f` to itself, an automorphism
    /// (original -> original); kept unless it is the identity.
    fn record_automorphism(&mut self) {
        let mut g = [0u8; MAX_KEYS];
        let mut moved = false;
        for (x, gx) in g.iter_mut().enumerate().take(self.k) {
            *gx = self.sigma_inv[x];
            moved |= *gx as usize != x;
        }
        if moved {
            self.gens.push(g);
        }
    }

    /// Row `i` has no state yet: try each unplaced state as index `placed` (= `i`), once per
    /// orbit of the automorphisms fixing the placed states.
    fn branch(&mut self, i: usize) -> Found {
        let mut tried: u32 = 0;
        for c in 0..self.k {
            if self.sigma[c] != NONE || (self.fix_first && self.placed == 0 && c != 0) {
                continue;
            }
            if tried != 0 && self.in_orbit_of(c, tried) {
                continue;
            }
            tried |= 1 << c;
            self.place(c);
            let r = self.walk(i);
            self.unplace();
            if r == Found::Smaller {
                return r;
            }
        }
        Found::Nothing
    }

    /// Whether `c` is in the orbit of a state of `tried` under the automorphisms fixing every
    /// placed state.
    fn in_orbit_of(&self, c: usize, tried: u32) -> bool {
        let placed = &self.sigma_inv[..self.placed];
        let fixes = |g: &[u8; MAX_KEYS]| placed.iter().all(|&s| g[s as usize] == s);
        let mut orbit: u32 = 1 << c;
        loop {
            let mut next = orbit;
            for g in self.gens.iter().filter(|g| fixes(g)) {
                let mut o = orbit;
                while o != 0 {
                    let x = o.trailing_zeros() as usize;
                    o &= o - 1;
                    next |= 1 << g[x];
                }
            }
            if next == orbit {
                return orbit & tried != 0;
            }
            orbit = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::is_canonical_value;
    use crate::{Atom, USet, Value};

    /// The prefix as the general search sees it (`Value::Mapping` in key order).
    fn value(f: &Func, s: &USet, l: Option<&USet>, m: usize) -> Value {
        let q = |i: usize| Value::Atom(Atom::new(s.id(), i as u32));
        Value::Mapping(
            (0..f.len as usize)
                .map(|t| {
                    let key = match l {
                        None => q(t),
                        Some(l) => Value::Seq(vec![q(t / m), Value::Atom(l.atom((t % m) as u32))]),
                    };
                    (key, q(f.vals[t] as usize))
                })
                .collect(),
        )
    }

    /// Every compact prefix of `n` states and `m` letters: the fast test equals the general one.
    fn check(n: usize, m: usize, letters: bool) -> usize {
        let s = USet::new(n as u32, "q");
        let l = USet::new(m as u32, "a");
        let perms = letter_perms(m);
        let mut stack = vec![Func::empty()];
        let mut checked = 0;
        while let Some(f) = stack.pop() {
            let v = value(&f, &s, letters.then_some(&l), m);
            assert_eq!(
                is_canonical_func(&f, m, &perms, false),
                is_canonical_value(&v),
                "{v:?}"
            );
            checked += 1;
            if (f.len as usize) < n * m {
                for x in f.next_values(n, m) {
                    stack.push(f.with(x, m));
                }
            }
        }
        checked
    }

    /// Whether no renaming in the group (state renamings fixing state 0 when `fix_first`,
    /// letter renamings when `all_letters`) maps the prefix to a smaller list of
    /// `(key, value)` pairs sorted by key (all `n! m!` of them).
    fn brute_canonical(f: &Func, n: usize, m: usize, fix_first: bool, all_letters: bool) -> bool {
        let own: Vec<(usize, usize)> = (0..f.len as usize)
            .map(|t| (t, f.vals[t] as usize))
            .collect();
        let states = permutations(n);
        let letters = if all_letters {
            permutations(m)
        } else {
            vec![(0..m as u8).collect()]
        };
        for s in states.iter().filter(|s| !fix_first || s[0] == 0) {
            for l in &letters {
                let mut img: Vec<(usize, usize)> = own
                    .iter()
                    .map(|&(t, v)| (s[t / m] as usize * m + l[t % m] as usize, s[v] as usize))
                    .collect();
                img.sort();
                if img < own {
                    return false;
                }
            }
        }
        true
    }

    #[test]
    fn fixed_first_state_and_labelled_letters_equal_brute_force() {
        let (mut yes, mut no) = (0, 0);
        for (n, m) in [(3, 2), (4, 1), (2, 3), (4, 2)] {
            for (fix_first, all_letters) in [(true, true), (true, false), (false, false)] {
                let perms = if all_letters {
                    letter_perms(m)
                } else {
                    identity_perms(m)
                };
                let mut stack = vec![Func::empty()];
                while let Some(f) = stack.pop() {
                    let want = brute_canonical(&f, n, m, fix_first, all_letters);
                    assert_eq!(
                        is_canonical_func(&f, m, &perms, fix_first),
                        want,
                        "n={n} m={m} fix_first={fix_first} letters={all_letters} {:?}",
                        &f.vals[..f.len as usize]
                    );
                    if want {
                        yes += 1;
                    } else {
                        no += 1;
                    }
                    if (f.len as usize) < n * m {
                        for x in f.next_values(n, m) {
                            stack.push(f.with(x, m));
                        }
                    }
                }
            }
        }
        assert!(yes > 1000 && no > 1000, "{yes} canonical, {no} not");
    }

    #[test]
    fn equals_general_search_on_every_prefix() {
        assert!(check(3, 2, true) > 100);
        check(2, 3, true);
        check(4, 1, false);
        check(5, 1, false);
        check(3, 1, true);
    }
}
