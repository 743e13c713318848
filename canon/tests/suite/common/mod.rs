//! The brute-force oracle shared by the canon tests: try every relabelling of the atoms.

#![allow(dead_code)] // each test binary uses its own part of this module

pub mod geng;

use haydi_canon::{Atom, Canonical, CnfsExt, UsetId, Value};
use haydi_core::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Every permutation of `0..n`.
pub fn perms(n: u32) -> Vec<Vec<u32>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in perms(n - 1) {
        for pos in 0..n as usize {
            let mut q = p.clone();
            q.insert(pos, n - 1);
            out.push(q);
        }
    }
    out
}

/// Every permutation of `0..n`, as indices.
pub fn index_perms(n: usize) -> Vec<Vec<usize>> {
    perms(n as u32)
        .into_iter()
        .map(|p| p.into_iter().map(|x| x as usize).collect())
        .collect()
}

/// Every relabelling of the atoms: one permutation per USet, in the order of `usets`.
pub fn relabellings(usets: &[UsetId]) -> Vec<Vec<Vec<u32>>> {
    let mut out: Vec<Vec<Vec<u32>>> = vec![vec![]];
    for u in usets {
        let ps = perms(u.size());
        out = out
            .into_iter()
            .flat_map(|pre| {
                ps.iter().map(move |p| {
                    let mut t = pre.clone();
                    t.push(p.clone());
                    t
                })
            })
            .collect();
    }
    out
}

/// The smallest value of the orbit of `v` under the relabellings `rel` of `usets`.
pub fn brute_min(v: &Value, usets: &[UsetId], rel: &[Vec<Vec<u32>>]) -> Value {
    rel.iter()
        .map(|r| {
            v.map_atoms(&mut |a: Atom| {
                let k = usets.iter().position(|u| *u == a.uset()).unwrap();
                Atom::new(a.uset(), r[k][a.index() as usize])
            })
        })
        .min()
        .unwrap()
}

/// The canonical forms `d.cnfs()` enumerates (a serial run), as values, in its order.
pub fn cnf_values<D>(d: &D) -> Vec<Value>
where
    D: CnfsExt,
    D::Item: Canonical + Send + Serialize + DeserializeOwned + 'static,
{
    d.cnfs()
        .unwrap()
        .collect()
        .run(false)
        .unwrap()
        .iter()
        .map(Canonical::to_value)
        .collect()
}
