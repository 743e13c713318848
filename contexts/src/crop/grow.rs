//! Growing batches: here on the session's context, or as a batch system's array task.

use super::lease::{Acquired, acquire};
use super::result::{self, Stored};
use super::{Crop, Grow};
use haydi_core::action::Action;
use haydi_core::domain::Indices;
use haydi_core::pipeline::{Source, Transform};
use haydi_core::plumbing::Unpoisoned;
use haydi_core::{DomainExt, IntoPipeline, SerialContext};
use haydi_core::{Error, ParallelContext, Result, RunOptions, session};
use std::sync::Mutex;

/// The variables that carry an array task's index, in the order they are looked at.
/// `HAYDI_CROP_BATCH` comes first: set by hand, it wins over an inherited scheduler variable.
///
/// ```
/// assert_eq!(haydi_contexts::crop::ARRAY_VARIABLES[1], "SLURM_ARRAY_TASK_ID");
/// ```
pub const ARRAY_VARIABLES: [&str; 6] = [
    "HAYDI_CROP_BATCH",
    "SLURM_ARRAY_TASK_ID",
    "PBS_ARRAY_INDEX",
    "PBS_ARRAYID",
    "SGE_TASK_ID",
    "HQ_TASK_ID",
];

/// When set (by a script of [`Crop::script`] for some batches only), array index `k` grows
/// the `k`-th batch of this comma-separated list instead of batch `k`.
///
/// ```
/// assert_eq!(haydi_contexts::crop::BATCH_LIST_VARIABLE, "HAYDI_CROP_BATCHES");
/// ```
pub const BATCH_LIST_VARIABLE: &str = "HAYDI_CROP_BATCHES";

impl<S, T, A> Crop<S, T, A>
where
    S: Source,
    T: Transform<S::Item>,
    A: Action<T::Out>,
{
    /// Grows batch `id` (1-based) on the session's context ([`session`]; in parallel on a
    /// thread context): runs the job over exactly the batch's index range and stores the
    /// action's partial atomically. All or nothing: a batch that fails stores nothing. A batch
    /// with a verified result is not run again ([`Grow::AlreadyDone`]), nor one whose lease
    /// another live grower holds ([`Grow::Leased`]); a stale lease is taken over.
    ///
    /// ```
    /// use haydi_contexts::crop::{Batches, Crop, Grow};
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let crop = Crop::new("c", dir.path(), Range::new(10).collect())?;
    /// crop.sow(Batches::Size(5))?;
    /// assert_eq!(crop.grow(1)?, Grow::Grown);
    /// assert_eq!(crop.grow(1)?, Grow::AlreadyDone);
    /// assert!(crop.grow(3).is_err()); // there are batches 1 and 2
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn grow(&self, id: usize) -> Result<Grow> {
        let ctx = session::parallel_context();
        self.grow_in(ctx.as_ref(), id)
    }

    /// [`Crop::grow`] on the given context.
    ///
    /// ```
    /// use haydi_contexts::crop::{Batches, Crop, Grow};
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let crop = Crop::new("c", dir.path(), Range::new(10).sum())?;
    /// crop.sow(Batches::Count(2))?;
    /// assert_eq!(crop.grow_in(&ThreadContext::new(2)?, 2)?, Grow::Grown);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn grow_in(&self, ctx: &dyn ParallelContext, id: usize) -> Result<Grow> {
        let (m, fp) = self.sown()?;
        let range = Self::batch(&m, id)?;
        if crate::extensions::is_collective(ctx) {
            return Err(Error::InvalidArgument(format!(
                "crop {}: growing on a collective (distributed) context would make every \
                 process write the batch; grow batches as array tasks of a batch system, or \
                 on a thread context",
                self.name
            )));
        }
        let path = self.result_path(id);
        if matches!(result::read(&path, fp, id, &range)?, Stored::Done(_)) {
            return Ok(Grow::AlreadyDone);
        }
        let lease = match acquire(&self.lease_path(id), self.lease_timeout)? {
            Acquired::Held(who) => return Ok(Grow::Leased(who)),
            Acquired::Got(lease, took_over) => {
                if let Some(why) = took_over {
                    haydi_core::warning!(crop = %self.name, batch = id, "took over a stale lease: {why}");
                }
                lease
            }
        };
        // Another grower may have finished it between our look and our lease.
        if matches!(result::read(&path, fp, id, &range)?, Stored::Done(_)) {
            return Ok(Grow::AlreadyDone);
        }
        let out = self
            .job
            .run_range_partial_in(ctx, range.clone(), &RunOptions::default())?;
        if !out.complete {
            return Err(Error::Context(format!(
                "crop {}: batch {id} did not complete ({} of {} indices)",
                self.name,
                out.processed,
                range.end - range.start
            )));
        }
        let bytes = self.job.encode_partial(&out.value)?;
        result::write(&path, fp, id, &range, bytes)?;
        drop(lease);
        Ok(Grow::Grown)
    }

    /// Grows the batches `ids` on the session's context, in parallel (xyzpy's
    /// `grow_missing(parallel=True)`), and says what became of each, in the order of `ids`.
    /// Every id is checked first. With at least as many batches as the context has workers,
    /// batches grow side by side, each as one task on one worker (so many small batches
    /// overlap their runs and their file writes); fewer batches grow one after the other,
    /// each on the whole context. A failing batch stores nothing and the call returns its
    /// error (the first in the order of `ids`), after the other batches ended: those grown
    /// keep their results.
    ///
    /// ```
    /// use haydi_contexts::crop::{Batches, Crop, Grow};
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let crop = Crop::new("c", dir.path(), Range::new(10).count())?;
    /// crop.sow(Batches::Size(3))?;
    /// let done = crop.grow_many(&[1, 3])?;
    /// assert_eq!(done, vec![(1, Grow::Grown), (3, Grow::Grown)]);
    /// assert_eq!(crop.missing()?, vec![2, 4]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn grow_many(&self, ids: &[usize]) -> Result<Vec<(usize, Grow)>> {
        let ctx = session::parallel_context();
        self.grow_many_in(ctx.as_ref(), ids)
    }

    /// [`Crop::grow_many`] on the given context.
    ///
    /// ```
    /// use haydi_contexts::crop::{Batches, Crop, Grow};
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let crop = Crop::new("c", dir.path(), Range::new(100).sum())?;
    /// crop.sow(Batches::Count(8))?;
    /// let done = crop.grow_many_in(&ThreadContext::new(2)?, &[1, 2, 3, 4])?; // 2 at a time
    /// assert!(done.iter().all(|(_, g)| *g == Grow::Grown));
    /// assert_eq!(crop.missing()?, vec![5, 6, 7, 8]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn grow_many_in(
        &self,
        ctx: &dyn ParallelContext,
        ids: &[usize],
    ) -> Result<Vec<(usize, Grow)>> {
        let (m, _) = self.sown()?;
        for &id in ids {
            Self::batch(&m, id)?;
        }
        let workers = ctx.workers();
        if crate::extensions::is_collective(ctx)
            || crate::extensions::is_serial(ctx)
            || workers < 2
            || ids.len() < workers
        {
            // One after the other, each on the whole context (a collective context is
            // refused by grow_in, with its reason).
            return ids
                .iter()
                .map(|&id| Ok((id, self.grow_in(ctx, id)?)))
                .collect();
        }
        // One task per batch, each batch run serially inside its task: the tasks are chunks
        // of one run of one index each, so every free worker takes the next batch.
        let failed: Mutex<Vec<(usize, Error)>> = Mutex::new(Vec::new());
        let grown = Indices(ids.len() as u64)
            .iterate()
            .map(|i| {
                let id = ids[i as usize];
                match self.grow_in(&SerialContext, id) {
                    Ok(g) => Some(g),
                    Err(e) => {
                        failed.lock_unpoisoned().push((i as usize, e));
                        None
                    }
                }
            })
            .collect()
            .run_in_with(ctx, &RunOptions::new().chunk_size(1))?
            .value;
        let mut failed = failed.into_inner_unpoisoned();
        failed.sort_by_key(|(i, _)| *i);
        if let Some((_, e)) = failed.into_iter().next() {
            return Err(e);
        }
        ids.iter()
            .zip(grown)
            .map(|(&id, g)| {
                g.map(|g| (id, g)).ok_or_else(|| {
                    Error::Context(format!("crop {}: batch {id} reported nothing", self.name))
                })
            })
            .collect()
    }

    /// Grows every missing batch ([`Crop::missing`]), in parallel on the session's context, as
    /// [`Crop::grow_many`].
    ///
    /// ```
    /// use haydi_contexts::crop::{Batches, Crop};
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let crop = Crop::new("c", dir.path(), Range::new(10).count())?;
    /// crop.sow(Batches::Size(3))?;
    /// assert_eq!(crop.grow_missing()?.len(), 4);
    /// assert!(crop.missing()?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn grow_missing(&self) -> Result<Vec<(usize, Grow)>> {
        let missing = self.missing()?;
        self.grow_many(&missing)
    }

    /// Grows the batch of this array task, if this process is one: the array index comes
    /// from the first of [`ARRAY_VARIABLES`] that is set (`HAYDI_CROP_BATCH`,
    /// `SLURM_ARRAY_TASK_ID`, `PBS_ARRAY_INDEX`, `PBS_ARRAYID`, `SGE_TASK_ID`, `HQ_TASK_ID`;
    /// SGE's `undefined` counts as unset). Index `k` grows batch `k`, or, when
    /// [`BATCH_LIST_VARIABLE`] is set, the `k`-th batch of that list. Returns `None` when no
    /// variable is set (not an array task), else the batch and what became of it.
    ///
    /// ```
    /// use haydi_contexts::crop::{Batches, Crop, Grow};
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let crop = Crop::new("c", dir.path(), Range::new(10).count())?;
    /// crop.sow(Batches::Size(5))?;
    /// unsafe { std::env::set_var("HAYDI_CROP_BATCH", "2") };
    /// assert_eq!(crop.grow_from_env()?, Some((2, Grow::Grown)));
    /// unsafe { std::env::remove_var("HAYDI_CROP_BATCH") };
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn grow_from_env(&self) -> Result<Option<(usize, Grow)>> {
        let Some(id) = batch_from_env(|k| std::env::var(k).ok())? else {
            return Ok(None);
        };
        Ok(Some((id, self.grow(id)?)))
    }
}

/// The batch an array task should grow, from its environment (`var` reads one variable).
pub(crate) fn batch_from_env(var: impl Fn(&str) -> Option<String>) -> Result<Option<usize>> {
    let found = ARRAY_VARIABLES.iter().find_map(|&k| {
        var(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty() && v != "undefined")
            .map(|v| (k, v))
    });
    let Some((key, value)) = found else {
        return Ok(None);
    };
    let k: usize = value.parse().map_err(|_| {
        Error::InvalidArgument(format!(
            "{key}={value:?} is not an array index (a whole number)"
        ))
    })?;
    let Some(list) = var(BATCH_LIST_VARIABLE) else {
        return Ok(Some(k));
    };
    let ids: Vec<usize> = list
        .split(',')
        .map(|s| s.trim().parse::<usize>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| {
            Error::InvalidArgument(format!(
                "{BATCH_LIST_VARIABLE}={list:?} is not a comma-separated list of batch ids"
            ))
        })?;
    match k.checked_sub(1).and_then(|i| ids.get(i)) {
        Some(&id) => Ok(Some(id)),
        None => Err(Error::InvalidArgument(format!(
            "{key}={k}, but {BATCH_LIST_VARIABLE} lists {} batches (indices 1 to {})",
            ids.len(),
            ids.len()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> Result<Option<usize>> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        batch_from_env(|k| m.get(k).cloned())
    }

    #[test]
    fn array_variables() {
        assert_eq!(env(&[]).unwrap(), None);
        assert_eq!(env(&[("SLURM_ARRAY_TASK_ID", "3")]).unwrap(), Some(3));
        assert_eq!(env(&[("PBS_ARRAY_INDEX", "4")]).unwrap(), Some(4));
        assert_eq!(env(&[("PBS_ARRAYID", "5")]).unwrap(), Some(5));
        assert_eq!(env(&[("HQ_TASK_ID", "6")]).unwrap(), Some(6));
        assert_eq!(env(&[("SGE_TASK_ID", "undefined")]).unwrap(), None);
        assert_eq!(env(&[("SGE_TASK_ID", "7")]).unwrap(), Some(7));
        assert_eq!(
            env(&[("SLURM_ARRAY_TASK_ID", "3"), ("HAYDI_CROP_BATCH", "1")]).unwrap(),
            Some(1)
        );
        assert_eq!(
            env(&[("SGE_TASK_ID", "2"), (BATCH_LIST_VARIABLE, "4,9,11")]).unwrap(),
            Some(9)
        );
        assert!(env(&[("SGE_TASK_ID", "4"), (BATCH_LIST_VARIABLE, "4,9,11")]).is_err());
        assert!(env(&[("SGE_TASK_ID", "x")]).is_err());
        assert!(env(&[("SGE_TASK_ID", "1"), (BATCH_LIST_VARIABLE, "1,,2")]).is_err());
    }
}
