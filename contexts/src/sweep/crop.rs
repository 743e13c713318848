//! A sweep as a crop: its combinations cut into batches on disk, grown anywhere (here, or as the
//! array tasks of a batch system), reaped into the same [`Table`] that [`Sweep::run`] returns.

use super::table::Table;
use super::{Params, Sweep};
use crate::crop::Crop;
use haydi_core::action::Action;
use haydi_core::domain::Indices;
use haydi_core::pipeline::{Source, Transform};
use haydi_core::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;

/// A [`Crop`] of a sweep ([`Sweep::crop`]): everything a crop does (`sow`, `grow`,
/// `grow_missing`, `grow_from_env`, `status`, `check`, `script`, `clean`, through `Deref`),
/// and [`SweepCrop::reap`], which returns the sweep's table.
///
/// ```
/// use haydi_contexts::crop::Batches;
/// use haydi_contexts::sweep::Sweep;
/// let dir = tempfile::tempdir()?;
/// let sweep = Sweep::new().param("a", [1, 2]).param("b", [10, 20, 30]);
/// let crop = sweep.crop("ab", dir.path(), |p| p.int("a") * p.int("b"))?;
/// crop.sow(Batches::Count(3))?;
/// crop.grow_missing()?;
/// assert_eq!(crop.reap()?, sweep.run(|p| p.int("a") * p.int("b"))?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SweepCrop<S, T, A> {
    /// The sweep, shared with the crop's job (which maps positions to combinations).
    sweep: Arc<Sweep>,
    crop: Crop<S, T, A>,
}

impl<S, T, A> std::fmt::Debug for SweepCrop<S, T, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SweepCrop")
            .field("sweep", &self.sweep)
            .field("crop", &self.crop)
            .finish()
    }
}

impl<S, T, A> Deref for SweepCrop<S, T, A> {
    type Target = Crop<S, T, A>;

    fn deref(&self) -> &Crop<S, T, A> {
        &self.crop
    }
}

impl<S, T, A, R> SweepCrop<S, T, A>
where
    S: Source,
    T: Transform<S::Item>,
    A: Action<T::Out, Output = Vec<(usize, R)>>,
{
    /// Merges the grown batches into the sweep's table, in grid order: exactly what
    /// [`Sweep::run`] returns. While batches are missing it is an error naming them.
    ///
    /// ```
    /// use haydi_contexts::crop::Batches;
    /// use haydi_contexts::sweep::Sweep;
    /// let dir = tempfile::tempdir()?;
    /// let sweep = Sweep::new().param("n", 0..10).shuffled(3);
    /// let crop = sweep.crop("n", dir.path(), |p| p.int("n") * p.int("n"))?;
    /// crop.sow(Batches::Size(4))?;
    /// crop.grow(1)?;
    /// assert!(crop.reap().unwrap_err().to_string().contains("batch 2-3"));
    /// crop.grow_missing()?;
    /// assert_eq!(crop.reap()?.outputs(), (0..10).map(|n| n * n).collect::<Vec<i64>>());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reap(&self) -> Result<Table<R>> {
        let mut rows = self.crop.reap()?;
        rows.sort_by_key(|(pos, _)| *pos);
        Ok(Table {
            names: self.sweep.names(),
            rows: rows
                .into_iter()
                .map(|(pos, r)| (self.sweep.combo(pos).into_iter().cloned().collect(), r))
                .collect(),
        })
    }

    /// The crop itself (for what `Deref` does not reach, such as moving it).
    ///
    /// ```
    /// use haydi_contexts::sweep::Sweep;
    /// let dir = tempfile::tempdir()?;
    /// let crop = Sweep::new().param("n", [1]).crop("one", dir.path(), |p| p.int("n"))?;
    /// assert_eq!(crop.crop().name(), "one");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn crop(&self) -> &Crop<S, T, A> {
        &self.crop
    }
}

impl Sweep {
    /// The sweep as a crop `name` in `dir`: its combinations (or its sample, in its run order)
    /// are the crop's indices, and its grid (names, values, sample and shuffle) is part of the
    /// crop's domain fingerprint, so a crop of another grid is refused rather than mixed. Make it at one call
    /// site, as any crop; grow it with `grow`, `grow_missing` or array tasks
    /// (`grow_from_env`), reap the table with [`SweepCrop::reap`].
    ///
    /// ```
    /// use haydi_contexts::crop::Batches;
    /// use haydi_contexts::sweep::Sweep;
    /// let dir = tempfile::tempdir()?;
    /// let make = |values: Vec<i64>| {
    ///     Sweep::new().param("a", values).crop("a", dir.path(), |p| p.int("a") + 1)
    /// };
    /// make(vec![1, 2, 3])?.sow(Batches::Count(3))?;
    /// // The same size, other values: another grid, refused.
    /// assert!(make(vec![4, 5, 6])?.sow(Batches::Count(3)).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[track_caller]
    #[allow(clippy::type_complexity)] // the impl types of the crop's job
    pub fn crop<R, F, P>(
        &self,
        name: &str,
        dir: P,
        f: F,
    ) -> Result<
        // `use<..>`: the crop owns its copy of the sweep and borrows neither `self` nor `name`.
        SweepCrop<
            impl Source<Item = u64> + use<R, F, P>,
            impl Transform<u64, Out = (usize, R)> + use<R, F, P>,
            impl Action<(usize, R), Output = Vec<(usize, R)>> + use<R, F, P>,
        >,
    >
    where
        P: AsRef<Path>,
        R: Send + Serialize + DeserializeOwned + 'static,
        F: Fn(&Params<'_>) -> R + Send + Sync + 'static,
    {
        let n = self.check()?;
        let order: Vec<usize> = if n == 0 {
            Vec::new()
        } else {
            self.positions(n).0
        };
        let sweep = Arc::new(self.clone());
        let order = Arc::new(order);
        let len = order.len() as u64;
        let job = {
            let sweep = Arc::clone(&sweep);
            Indices(len)
                .iterate()
                .map(move |i| sweep.task(&order, i, &f))
                .collect()
        };
        // The grid is what the crop's index domain (positions) cannot show of itself.
        let crop = Crop::new(name, dir, job)?.describe_domain(self.identity());
        Ok(SweepCrop { sweep, crop })
    }

    /// A digest of the grid: names, values (with their kinds), sample and shuffle.
    fn identity(&self) -> String {
        let text = format!(
            "{:?} sample {:?} shuffle {:?}",
            self.params, self.sample, self.shuffle
        );
        let digest = Sha256::digest(text.as_bytes());
        format!("sweep {}", hex::encode(digest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_tells_kinds_and_orders_apart() {
        let a = Sweep::new().param("x", [1, 2]);
        let b = Sweep::new().param("x", [1.0, 2.0]);
        let c = Sweep::new().param("x", [2, 1]);
        let d = Sweep::new().param("x", [1, 2]).shuffled(1);
        let ids: Vec<String> = [&a, &b, &c, &d].iter().map(|s| s.identity()).collect();
        for i in 0..ids.len() {
            for j in 0..i {
                assert_ne!(ids[i], ids[j], "{i} and {j}");
            }
        }
        assert_eq!(a.identity(), Sweep::new().param("x", [1, 2]).identity());
    }
}
