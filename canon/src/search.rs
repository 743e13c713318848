//! The search for the smallest isomorphic copy of a [`Value`].
//!
//! Atoms are relabelled one target index at a time (USets in id order, indices `0, 1, ...`):
//! a node of the search tree is a partial relabelling. Its *partial image* is the value with the
//! assigned atoms renamed and every other atom marked pending; a pending atom will receive an
//! index not smaller than the number of atoms already assigned in its USet. Comparing the partial
//! image with the best complete image found so far is three-valued (less, equal, greater,
//! unknown): when it is already greater, no completion can win and the subtree is cut. Complete
//! images equal to the best one give automorphisms; children of a node that lie in one orbit of
//! the automorphisms fixing the node's assigned atoms lead to the same images, so only the first
//! is explored.

use crate::atom::{Atom, UsetId};
use crate::value::Value;
use std::cmp::Ordering;

const PENDING: u32 = 1 << 31;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ord3 {
    Less,
    Equal,
    Greater,
    Unknown,
}

fn rank(v: &Value) -> u8 {
    match v {
        Value::Bool(_) => 0,
        Value::Int(_) => 1,
        Value::Str(_) => 2,
        Value::Atom(_) => 3,
        Value::None => 4,
        Value::Some(_) => 5,
        Value::Seq(_) => 6,
        Value::Set(_) => 7,
        Value::Mapping(_) => 8,
    }
}

fn of(o: Ordering) -> Ord3 {
    match o {
        Ordering::Less => Ord3::Less,
        Ordering::Equal => Ord3::Equal,
        Ordering::Greater => Ord3::Greater,
    }
}

/// Compares a partial image `a` (may hold pending atoms) with a complete value `b`.
fn cmp3(a: &Value, b: &Value, k: &dyn Fn(UsetId) -> u32) -> Ord3 {
    match (a, b) {
        (Value::Atom(x), Value::Atom(y)) => {
            if x.uset() != y.uset() {
                of(x.uset().cmp(&y.uset()))
            } else if x.index() >= PENDING {
                if y.index() < k(x.uset()) {
                    Ord3::Greater
                } else {
                    Ord3::Unknown
                }
            } else {
                of(x.index().cmp(&y.index()))
            }
        }
        (Value::Some(x), Value::Some(y)) => cmp3(x, y, k),
        (Value::Seq(xs), Value::Seq(ys)) | (Value::Set(xs), Value::Set(ys)) => {
            for (x, y) in xs.iter().zip(ys) {
                match cmp3(x, y, k) {
                    Ord3::Equal => {}
                    o => return o,
                }
            }
            of(xs.len().cmp(&ys.len()))
        }
        (Value::Mapping(xs), Value::Mapping(ys)) => {
            for ((xk, xv), (yk, yv)) in xs.iter().zip(ys) {
                match cmp3(xk, yk, k) {
                    Ord3::Equal => {}
                    o => return o,
                }
                match cmp3(xv, yv, k) {
                    Ord3::Equal => {}
                    o => return o,
                }
            }
            of(xs.len().cmp(&ys.len()))
        }
        _ if rank(a) != rank(b) => of(rank(a).cmp(&rank(b))),
        _ => of(a.cmp(b)),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Canonize,
    Test,
}

struct Search<'a> {
    v: &'a Value,
    atoms: Vec<Atom>,
    /// `(start, end)` of each USet's atoms in `atoms`.
    groups: Vec<(usize, usize)>,
    /// local atom -> new index
    assign: Vec<u32>,
    assigned: Vec<usize>,
    best: Option<Value>,
    /// group start + new index -> local atom, for the best image
    best_inv: Vec<usize>,
    gens: Vec<Vec<usize>>,
    mode: Mode,
    smaller_found: bool,
}

impl<'a> Search<'a> {
    fn new(v: &'a Value, mode: Mode) -> Self {
        let atoms = v.atoms();
        let mut groups: Vec<(usize, usize)> = Vec::new();
        for (i, a) in atoms.iter().enumerate() {
            match groups.last_mut() {
                Some(g) if atoms[g.0].uset() == a.uset() => g.1 = i + 1,
                _ => groups.push((i, i + 1)),
            }
        }
        let n = atoms.len();
        Search {
            v,
            atoms,
            groups,
            assign: vec![u32::MAX; n],
            assigned: Vec::with_capacity(n),
            best: None,
            best_inv: Vec::new(),
            gens: Vec::new(),
            mode,
            smaller_found: false,
        }
    }

    fn local(&self, a: Atom) -> usize {
        self.atoms.binary_search(&a).expect("atom of the value")
    }

    fn image(&self) -> Value {
        self.v.map_atoms(&mut |a| {
            let l = self.local(a);
            let i = self.assign[l];
            if i == u32::MAX {
                Atom::new(a.uset(), PENDING + l as u32)
            } else {
                Atom::new(a.uset(), i)
            }
        })
    }

    fn counts(&self) -> Vec<(UsetId, u32)> {
        self.groups
            .iter()
            .map(|&(s, e)| {
                let k = (s..e).filter(|&l| self.assign[l] != u32::MAX).count() as u32;
                (self.atoms[s].uset(), k)
            })
            .collect()
    }

    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }

    fn orbits(&self) -> Vec<usize> {
        let n = self.atoms.len();
        let mut parent: Vec<usize> = (0..n).collect();
        for g in &self.gens {
            if self.assigned.iter().all(|&a| g[a] == a) {
                for (x, &y) in g.iter().enumerate() {
                    let (rx, ry) = (Self::find(&mut parent, x), Self::find(&mut parent, y));
                    if rx != ry {
                        parent[rx.max(ry)] = rx.min(ry);
                    }
                }
            }
        }
        for x in 0..n {
            Self::find(&mut parent, x);
        }
        parent
    }

    fn leaf(&mut self) {
        let img = self.image();
        let ord = match &self.best {
            None => Ordering::Less,
            Some(b) => img.cmp(b),
        };
        match ord {
            Ordering::Less => {
                if self.mode == Mode::Test {
                    self.smaller_found = true;
                    return;
                }
                self.best = Some(img);
                self.set_best_inv();
            }
            Ordering::Equal => {
                // automorphism: local x -> the local that the best labelling sends to x's index
                let mut g = vec![0; self.atoms.len()];
                for &(s, e) in &self.groups {
                    for (l, x) in g.iter_mut().enumerate().take(e).skip(s) {
                        *x = self.best_inv[s + self.assign[l] as usize];
                    }
                }
                if g.iter().enumerate().any(|(i, &x)| i != x) {
                    self.gens.push(g);
                }
            }
            Ordering::Greater => {}
        }
    }

    fn set_best_inv(&mut self) {
        self.best_inv = vec![0; self.atoms.len()];
        for &(s, e) in &self.groups {
            for l in s..e {
                self.best_inv[s + self.assign[l] as usize] = l;
            }
        }
    }

    fn dfs(&mut self, level: usize) {
        if self.smaller_found {
            return;
        }
        if level == self.atoms.len() {
            self.leaf();
            return;
        }
        if level > 0 {
            if let Some(b) = &self.best {
                let counts = self.counts();
                let k = |u: UsetId| {
                    counts
                        .iter()
                        .find(|(x, _)| *x == u)
                        .map(|c| c.1)
                        .unwrap_or(0)
                };
                if cmp3(&self.image(), b, &k) == Ord3::Greater {
                    return;
                }
            }
        }
        let &(s, e) = self
            .groups
            .iter()
            .find(|&&(s, e)| s <= level && level < e)
            .expect("level inside a group");
        let index = (level - s) as u32;
        let mut tried: Vec<usize> = Vec::new();
        for c in s..e {
            if self.assign[c] != u32::MAX {
                continue;
            }
            if !tried.is_empty() {
                let orb = self.orbits();
                if tried.iter().any(|&t| orb[t] == orb[c]) {
                    continue;
                }
            }
            tried.push(c);
            self.assign[c] = index;
            self.assigned.push(c);
            self.dfs(level + 1);
            self.assigned.pop();
            self.assign[c] = u32::MAX;
            if self.smaller_found {
                return;
            }
        }
    }
}

/// The smallest value isomorphic to `v` (see [`crate::canonize`]).
pub fn canonize_value(v: &Value) -> Value {
    let mut s = Search::new(v, Mode::Canonize);
    s.dfs(0);
    s.best.unwrap_or_else(|| v.clone())
}

/// Whether `v` is the smallest value of its isomorphism class (see [`crate::is_canonical`]).
pub fn is_canonical_value(v: &Value) -> bool {
    if v.compact_counts().is_none() {
        return false;
    }
    let mut s = Search::new(v, Mode::Test);
    s.best = Some(v.clone());
    s.best_inv = (0..s.atoms.len())
        .map(|i| {
            let (st, _) = *s.groups.iter().find(|g| g.0 <= i && i < g.1).unwrap();
            st + s.atoms[i].index() as usize
        })
        .collect();
    s.dfs(0);
    !s.smaller_found
}

/// Every value isomorphic to `v` (renamings into the whole USets), sorted.
pub fn expand_value(v: &Value) -> Vec<Value> {
    let atoms = v.atoms();
    let mut out = std::collections::BTreeSet::new();
    let mut img: Vec<u32> = vec![0; atoms.len()];
    fn rec(
        i: usize,
        atoms: &[Atom],
        img: &mut Vec<u32>,
        v: &Value,
        out: &mut std::collections::BTreeSet<Value>,
    ) {
        if i == atoms.len() {
            out.insert(v.map_atoms(&mut |a| {
                let l = atoms.binary_search(&a).unwrap();
                Atom::new(a.uset(), img[l])
            }));
            return;
        }
        let u = atoms[i].uset();
        for x in 0..u.size() {
            if (0..i).any(|j| atoms[j].uset() == u && img[j] == x) {
                continue;
            }
            img[i] = x;
            rec(i + 1, atoms, img, v, out);
        }
    }
    rec(0, &atoms, &mut img, v, &mut out);
    out.into_iter().collect()
}
