//! Data cut into one contiguous part per worker (pyMOR's `scatter_list` and `scatter_array`):
//! one flat vector and the bounds of each worker's part, so a part is a slice of it, never a
//! vector of its own.

use super::{Pool, Remote};
use haydi_core::{Error, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Items cut into one contiguous part per worker (see [`Pool::scatter_list`] and
/// [`Pool::scatter_array`]): worker `w`'s part is [`part(w)`](Scattered::part), a slice of one
/// flat vector.
///
/// ```
/// use haydi_contexts::pool::Scattered;
/// let s = Scattered::new(vec![1, 2, 3, 4, 5], 2);
/// assert_eq!(s.sizes(), [3, 2]);
/// assert_eq!(s.part(1), [4, 5]);
/// assert_eq!(Scattered::new(vec![1, 2], 4).sizes(), [1, 1, 0, 0]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Wire<T>", bound(deserialize = "T: Deserialize<'de>"))]
pub struct Scattered<T> {
    items: Vec<T>,
    /// `bounds[w]..bounds[w + 1]` is worker `w`'s part; `bounds.len()` is workers + 1.
    bounds: Vec<usize>,
    /// Items per row (1 for a list): parts hold whole rows.
    row_len: usize,
}

/// The travelling form, checked when decoded.
#[derive(Deserialize)]
struct Wire<T> {
    items: Vec<T>,
    bounds: Vec<usize>,
    row_len: usize,
}

impl<T> TryFrom<Wire<T>> for Scattered<T> {
    type Error = String;
    fn try_from(w: Wire<T>) -> std::result::Result<Self, String> {
        let ok = w.row_len > 0
            && w.bounds.len() >= 2
            && w.bounds[0] == 0
            && w.bounds.last() == Some(&w.items.len())
            && w.bounds.windows(2).all(|b| b[0] <= b[1])
            && w.bounds.iter().all(|b| b % w.row_len == 0);
        if !ok {
            return Err("a scattered list whose bounds do not cut its items".into());
        }
        Ok(Scattered {
            items: w.items,
            bounds: w.bounds,
            row_len: w.row_len,
        })
    }
}

impl<T> Scattered<T> {
    /// Cuts `items` into `workers` contiguous parts of `ceil(n / workers)` items (the last ones
    /// shorter or empty). `workers` of 0 counts as 1.
    ///
    /// ```
    /// use haydi_contexts::pool::Scattered;
    /// assert_eq!(Scattered::new(vec![0; 7], 3).sizes(), [3, 3, 1]);
    /// ```
    pub fn new(items: Vec<T>, workers: usize) -> Self {
        Self::rows(items, 1, workers).expect("rows of one item always cut a list")
    }

    /// Cuts a row-major array of rows of `row_len` items into `workers` contiguous parts of
    /// `ceil(rows / workers)` whole rows each. Fails when `row_len` is 0 or does not divide
    /// the number of items.
    ///
    /// ```
    /// use haydi_contexts::pool::Scattered;
    /// // Five rows of two items, for two workers: three rows, then two.
    /// let s = Scattered::rows((0..10).collect(), 2, 2)?;
    /// assert_eq!(s.part(0), [0, 1, 2, 3, 4, 5]);
    /// assert_eq!(s.part_rows(1).collect::<Vec<_>>(), [&[6, 7][..], &[8, 9][..]]);
    /// assert!(Scattered::rows(vec![1, 2, 3], 2, 2).is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn rows(items: Vec<T>, row_len: usize, workers: usize) -> Result<Self> {
        if row_len == 0 || items.len() % row_len != 0 {
            return Err(Error::InvalidArgument(format!(
                "scatter: {} items are not rows of {row_len}",
                items.len()
            )));
        }
        let workers = workers.max(1);
        let rows = items.len() / row_len;
        let each = rows.div_ceil(workers).max(1);
        let bounds = (0..=workers)
            .map(|w| (w * each).min(rows) * row_len)
            .collect();
        Ok(Scattered {
            items,
            bounds,
            row_len,
        })
    }

    /// Worker `w`'s part (empty past the last worker).
    ///
    /// ```
    /// use haydi_contexts::pool::Scattered;
    /// assert!(Scattered::new(vec![1], 2).part(5).is_empty());
    /// ```
    pub fn part(&self, w: usize) -> &[T] {
        match (self.bounds.get(w), self.bounds.get(w + 1)) {
            (Some(&a), Some(&b)) => &self.items[a..b],
            _ => &[],
        }
    }

    /// Worker `w`'s part as rows (see [`Scattered::rows`]; rows of one item for a list).
    ///
    /// ```
    /// use haydi_contexts::pool::Scattered;
    /// let s = Scattered::rows(vec![1, 2, 3, 4], 2, 1)?;
    /// assert_eq!(s.part_rows(0).count(), 2);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn part_rows(&self, w: usize) -> std::slice::ChunksExact<'_, T> {
        self.part(w).chunks_exact(self.row_len)
    }

    /// The number of items of each part, by worker.
    ///
    /// ```
    /// use haydi_contexts::pool::Scattered;
    /// assert_eq!(Scattered::new(vec!['a'; 4], 2).sizes(), [2, 2]);
    /// ```
    pub fn sizes(&self) -> Vec<usize> {
        self.bounds.windows(2).map(|b| b[1] - b[0]).collect()
    }
}

impl Pool {
    /// Cuts `items` into one contiguous part per worker ([`Scattered`]: `ceil(n / len())`
    /// items each) and pushes it (see [`Pool::push`]: on a distributed context every process
    /// gets the driver's list); a task of [`Pool::apply`] for worker `w` uses `part(w)`.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(ThreadContext::new(2)?);
    /// let s = pool.scatter_list((1..=5u64).collect())?;
    /// assert_eq!(s.sizes(), [3, 2]);
    /// let sums = pool.apply(|w| s.part(w).iter().sum::<u64>())?;
    /// assert_eq!(sums, [6, 9]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    #[track_caller]
    pub fn scatter_list<T>(&self, items: Vec<T>) -> Result<Remote<Scattered<T>>>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
    {
        self.push(Scattered::new(items, self.len()))
    }

    /// pyMOR's `scatter_array`: cuts a row-major array (rows of `row_len` items, one flat
    /// vector) into one contiguous slice of whole rows per worker and pushes it. Worker `w`'s
    /// rows are `part_rows(w)`, slices of the one vector (no vector per part or per row).
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(ThreadContext::new(2)?);
    /// // A 4 x 3 matrix: each worker sums its rows.
    /// let m = pool.scatter_array((1..=12u64).collect(), 3)?;
    /// let sums = pool.apply(|w| m.part_rows(w).map(|r| r.iter().sum::<u64>()).collect::<Vec<_>>())?;
    /// assert_eq!(sums, [vec![6, 15], vec![24, 33]]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    #[track_caller]
    pub fn scatter_array<T>(&self, items: Vec<T>, row_len: usize) -> Result<Remote<Scattered<T>>>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
    {
        self.push(Scattered::rows(items, row_len, self.len())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_the_items_in_order() {
        for n in 0..20usize {
            for workers in 1..6 {
                let s = Scattered::new((0..n).collect(), workers);
                let joined: Vec<usize> = (0..workers).flat_map(|w| s.part(w).to_vec()).collect();
                assert_eq!(joined, (0..n).collect::<Vec<_>>());
                assert_eq!(s.sizes().len(), workers);
                let each = n.div_ceil(workers).max(1);
                assert!(s.sizes().iter().all(|&k| k <= each));
            }
        }
    }

    #[test]
    fn a_forged_wire_form_is_refused() {
        let good = Scattered::rows((0..6u32).collect(), 2, 2).unwrap();
        let bytes = haydi_core::plumbing::encode_value(&good).unwrap();
        let back: Scattered<u32> = haydi_core::plumbing::decode_value(&bytes).unwrap();
        assert_eq!(back, good);
        // Bounds past the items, or cutting a row, do not decode.
        for (bounds, row_len) in [
            (vec![0usize, 4, 9], 2usize),
            (vec![0, 3, 6], 2),
            (vec![0, 6], 0),
        ] {
            let forged = Wire {
                items: (0..6u32).collect(),
                bounds,
                row_len,
            };
            assert!(Scattered::try_from(forged).is_err());
        }
    }
}
