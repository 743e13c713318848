//! How a crop cuts its job's index space into batches.

use haydi_core::{Error, Result};
use std::ops::Range;

/// The most batches a crop may have: every batch is a file, a lease and an array task.
///
/// ```
/// use haydi_contexts::crop::{Batches, MAX_BATCHES};
/// assert!(Batches::Size(1).plan(MAX_BATCHES as u128 + 1).is_err());
/// ```
pub const MAX_BATCHES: usize = 1 << 20;

/// How to cut a job's index space into batches (xyzpy's `batchsize` / `num_batches`).
///
/// Every batch is a non-empty, contiguous index range, the batches follow each other in index
/// order and cover every index exactly once.
///
/// - `Size(n)`: batches of `n` indices, the last one shorter (`ceil(len / n)` batches; one
///   batch when `n >= len`).
/// - `Count(k)`: exactly `k` batches, their sizes differing by at most one, the longer ones
///   first (xyzpy's `divmod`); more batches than indices is an error, never empty batches.
///
/// ```
/// use haydi_contexts::crop::Batches;
/// assert_eq!(Batches::Size(5).plan(12).unwrap(), vec![0..5, 5..10, 10..12]);
/// assert_eq!(Batches::Count(3).plan(10).unwrap(), vec![0..4, 4..7, 7..10]);
/// assert!(Batches::Size(0).plan(10).is_err());
/// assert!(Batches::Count(11).plan(10).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batches {
    /// Batches of this many indices (the last one may be shorter).
    Size(u128),
    /// This many batches of (nearly) equal size.
    Count(usize),
}

impl Batches {
    /// The batch plan for an index space of `len` indices: the index range of each batch, in
    /// order. Fails with [`Error::InvalidArgument`] for a zero size or count, an empty index
    /// space, more batches than indices, or more than [`MAX_BATCHES`] batches.
    ///
    /// ```
    /// use haydi_contexts::crop::Batches;
    /// let plan = Batches::Count(67).plan(99).unwrap();
    /// assert_eq!(plan.len(), 67);
    /// assert_eq!(plan.iter().map(|r| r.end - r.start).sum::<u128>(), 99);
    /// ```
    pub fn plan(self, len: u128) -> Result<Vec<Range<u128>>> {
        let invalid = |m: String| Err(Error::InvalidArgument(format!("crop batches: {m}")));
        if len == 0 {
            return invalid("the job's index space is empty: there is nothing to sow".into());
        }
        let (count, size, rem) = match self {
            Batches::Size(0) => return invalid("a batch size must be at least 1".into()),
            Batches::Count(0) => return invalid("the number of batches must be at least 1".into()),
            Batches::Size(n) => {
                let count = len.div_ceil(n);
                (count, n, 0)
            }
            Batches::Count(k) => {
                let k = k as u128;
                if k > len {
                    return invalid(format!(
                        "{k} batches for {len} indices: some batches would be empty \
                         (ask for at most {len})"
                    ));
                }
                (k, len / k, len % k)
            }
        };
        if count > MAX_BATCHES as u128 {
            return invalid(format!(
                "{count} batches for {len} indices: more than the {MAX_BATCHES} a crop may \
                 have; use larger batches"
            ));
        }
        let mut plan = Vec::with_capacity(count as usize);
        let mut start = 0u128;
        for i in 0..count {
            let n = size + u128::from(i < rem);
            let end = start.saturating_add(n).min(len);
            plan.push(start..end);
            start = end;
        }
        debug_assert_eq!(start, len);
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every batch non-empty, contiguous, in order, covering `0..len`.
    fn whole(plan: &[Range<u128>], len: u128) {
        let mut at = 0;
        for r in plan {
            assert_eq!(r.start, at, "{plan:?}");
            assert!(r.end > r.start, "{plan:?}");
            at = r.end;
        }
        assert_eq!(at, len, "{plan:?}");
    }

    #[test]
    fn xyzpy_cases_are_kept_whole() {
        for k in [1, 2, 33, 50, 67, 98, 99] {
            let plan = Batches::Count(k).plan(99).unwrap();
            assert_eq!(plan.len(), k);
            whole(&plan, 99);
            let sizes: Vec<u128> = plan.iter().map(|r| r.end - r.start).collect();
            let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            assert!(hi - lo <= 1, "{sizes:?}");
        }
        let plan = Batches::Count(98).plan(99).unwrap();
        assert_eq!(plan[0], 0..2);
        assert_eq!(plan[1], 2..3);
        for n in 1..=100 {
            let plan = Batches::Size(n).plan(99).unwrap();
            assert_eq!(plan.len() as u128, 99u128.div_ceil(n));
            whole(&plan, 99);
        }
    }

    #[test]
    fn impossible_plans_are_errors() {
        for (b, len, what) in [
            (Batches::Size(0), 10, "at least 1"),
            (Batches::Count(0), 10, "at least 1"),
            (Batches::Count(11), 10, "empty"),
            (Batches::Size(3), 0, "nothing to sow"),
            (Batches::Size(1), 1 << 40, "more than"),
        ] {
            match b.plan(len) {
                Err(Error::InvalidArgument(m)) => assert!(m.contains(what), "{m}"),
                other => panic!("{b:?} {len}: {other:?}"),
            }
        }
        assert_eq!(Batches::Size(1000).plan(10).unwrap(), vec![0..10]);
        assert_eq!(Batches::Count(10).plan(10).unwrap().len(), 10);
    }
}
