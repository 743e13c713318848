//! Device actions: what a kernel's values become (count, sum, min/max with the index, counts by
//! key, the first matching indices), on the CPU and on the device alike.

use haydi_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// The largest key range of [`crate::KernelStage::counts_by`]: the device keeps one counter per
/// key (plus one for keys out of range) in workgroup memory.
pub const MAX_KEYS: u32 = 1024;

/// What a kernel job computes from the kernel's value `v = kernel(i)` at each index `i`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Op {
    /// How many indices have `v != 0`.
    Count,
    /// The sum of `v`.
    Sum,
    /// The smallest `v` and its first index.
    Min,
    /// The largest `v` and its first index.
    Max,
    /// How many indices have each `v` in `0..k` (and, last, how many have `v >= k`).
    CountsBy(u32),
    /// The first indices with `v != 0`, in index order (at most the limit, if any).
    Matches(Option<u64>),
}

/// A partial result over a chunk of indices (the monoid the scheduler merges in index order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Part {
    Count(u64),
    Sum(u128),
    /// `(value, index)`.
    Best(Option<(u32, u64)>),
    /// Counts of keys `0..k`, then of keys out of range.
    Hist(Vec<u64>),
    Found(Vec<u64>),
}

impl Op {
    /// The `take` limits the scheduler enforces (and short-circuits on).
    pub(crate) fn take_limits(&self) -> Vec<u64> {
        match self {
            Op::Matches(Some(k)) => vec![*k],
            _ => Vec::new(),
        }
    }

    /// A short name, used in shader labels.
    pub(crate) fn label(&self) -> String {
        match self {
            Op::Count => "count".into(),
            Op::Sum => "sum".into(),
            Op::Min => "min".into(),
            Op::Max => "max".into(),
            Op::CountsBy(k) => format!("counts_by({k})"),
            Op::Matches(Some(k)) => format!("take({k})"),
            Op::Matches(None) => "collect".into(),
        }
    }

    pub(crate) fn empty(&self) -> Part {
        match self {
            Op::Count => Part::Count(0),
            Op::Sum => Part::Sum(0),
            Op::Min | Op::Max => Part::Best(None),
            Op::CountsBy(k) => Part::Hist(vec![0; *k as usize + 1]),
            Op::Matches(_) => Part::Found(Vec::new()),
        }
    }

    /// Whether `(v, i)` replaces `best` (earlier indices win ties).
    pub(crate) fn better(&self, v: u32, best: Option<(u32, u64)>) -> bool {
        match (self, best) {
            (_, None) => true,
            (Op::Min, Some((b, _))) => v < b,
            (Op::Max, Some((b, _))) => v > b,
            _ => false,
        }
    }

    /// The CPU form of a chunk: `f` at every index of `[start, end)`, stopping early once
    /// `budget` matches are found.
    pub(crate) fn cpu_chunk(
        &self,
        f: &dyn Fn(u64) -> u32,
        start: u64,
        end: u64,
        budget: u64,
    ) -> Part {
        match self {
            Op::Count => Part::Count((start..end).filter(|&i| f(i) != 0).count() as u64),
            Op::Sum => Part::Sum((start..end).map(|i| u128::from(f(i))).sum()),
            Op::Min | Op::Max => {
                let mut best = None;
                for i in start..end {
                    let v = f(i);
                    if self.better(v, best) {
                        best = Some((v, i));
                    }
                }
                Part::Best(best)
            }
            Op::CountsBy(k) => {
                let mut h = vec![0u64; *k as usize + 1];
                for i in start..end {
                    h[f(i).min(*k) as usize] += 1;
                }
                Part::Hist(h)
            }
            Op::Matches(_) => {
                let mut found = Vec::new();
                if budget > 0 {
                    for i in start..end {
                        if f(i) != 0 {
                            found.push(i);
                            if found.len() as u64 >= budget {
                                break;
                            }
                        }
                    }
                }
                Part::Found(found)
            }
        }
    }

    /// Appends `right`, the partial of a later chunk, to `left`.
    pub(crate) fn merge(&self, left: &mut Part, right: Part) -> Result<()> {
        match (left, right) {
            (Part::Count(a), Part::Count(b)) => *a += b,
            (Part::Sum(a), Part::Sum(b)) => *a += b,
            (Part::Best(a), Part::Best(b)) => {
                if let Some((v, i)) = b {
                    if self.better(v, *a) {
                        *a = Some((v, i));
                    }
                }
            }
            (Part::Hist(a), Part::Hist(b)) if a.len() == b.len() => {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
            }
            (Part::Found(a), Part::Found(b)) => {
                a.extend(b);
                if let Op::Matches(Some(k)) = self {
                    a.truncate(usize::try_from(*k).unwrap_or(usize::MAX));
                }
            }
            (l, r) => {
                return Err(Error::Context(format!(
                    "kernel job: cannot merge {l:?} with {r:?} (a bug)"
                )));
            }
        }
        Ok(())
    }

    /// How many matches a chunk's partial let through its `take` (the scheduler's take count).
    pub(crate) fn taken(&self, p: &Part) -> Vec<u64> {
        match (self, p) {
            (Op::Matches(Some(_)), Part::Found(v)) => vec![v.len() as u64],
            _ => Vec::new(),
        }
    }

    /// An estimate of the bytes a partial takes (for the run's result budget).
    pub(crate) fn bytes(p: &Part) -> u64 {
        let extra = match p {
            Part::Hist(v) | Part::Found(v) => v.capacity() * 8,
            _ => 0,
        };
        (std::mem::size_of::<Part>() + extra) as u64
    }
}

/// Checks the key range of `counts_by`.
pub(crate) fn check_keys(k: u32) -> Result<()> {
    if k == 0 || k > MAX_KEYS {
        return Err(Error::InvalidArgument(format!(
            "counts_by: the key range must be 1..={MAX_KEYS}, not {k}"
        )));
    }
    Ok(())
}
