//! Looking at a crop: status, missing batches, checking results, reaping, cleaning up.

use super::result::{self, Stored};
use super::{CheckReport, Crop, CropStatus};
use haydi_core::action::Action;
use haydi_core::pipeline::{Source, Transform};
use haydi_core::{Error, Outcome, Result};
use std::ops::Range;

/// `1, 2, 5-9, 12`, at most 20 runs.
fn ids_text(ids: &[usize]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &id in ids {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == id => *end = id,
            _ => runs.push((id, id)),
        }
    }
    let mut parts: Vec<String> = runs
        .iter()
        .take(20)
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    if runs.len() > 20 {
        parts.push("...".into());
    }
    parts.join(", ")
}

impl<S, T, A> Crop<S, T, A>
where
    S: Source,
    T: Transform<S::Item>,
    A: Action<T::Out>,
{
    /// Where the crop stands: batches sown, done (a verified result), missing, being grown.
    /// Before sowing, `batches` is `None` (displayed as `not sown`).
    ///
    /// ```
    /// use haydi_contexts::crop::{Batches, Crop};
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let crop = Crop::new("c", dir.path(), Range::new(10).count())?;
    /// assert_eq!(crop.status()?.batches, None);
    /// crop.sow(Batches::Size(5))?;
    /// crop.grow(1)?;
    /// assert_eq!(crop.status()?.to_string(), "1 / 2 batches completed [##########..........]");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn status(&self) -> Result<CropStatus> {
        let Some((m, fp)) = self.manifest()? else {
            return Ok(CropStatus {
                batches: None,
                done: 0,
                missing: Vec::new(),
                growing: 0,
            });
        };
        let missing = self.missing_of(&m.plan, fp)?;
        let growing = (1..=m.plan.len())
            .filter(|&id| std::fs::symlink_metadata(self.lease_path(id)).is_ok())
            .count();
        Ok(CropStatus {
            batches: Some(m.plan.len()),
            done: m.plan.len() - missing.len(),
            missing,
            growing,
        })
    }

    /// The batches (1-based ids, in order) without a verified result: no file, or a file that
    /// fails its checks (owner and mode, MAC, header). Fails when the crop is not sown.
    ///
    /// ```
    /// use haydi_contexts::crop::{Batches, Crop};
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let crop = Crop::new("c", dir.path(), Range::new(10).count())?;
    /// assert!(crop.missing().is_err());
    /// crop.sow(Batches::Count(3))?;
    /// crop.grow(2)?;
    /// assert_eq!(crop.missing()?, vec![1, 3]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn missing(&self) -> Result<Vec<usize>> {
        let (m, fp) = self.sown()?;
        self.missing_of(&m.plan, fp)
    }

    pub(super) fn missing_of(&self, plan: &[Range<u128>], fp: [u8; 32]) -> Result<Vec<usize>> {
        let mut missing = Vec::new();
        for (i, range) in plan.iter().enumerate() {
            let id = i + 1;
            if !matches!(
                result::read(&self.result_path(id), fp, id, range)?,
                Stored::Done(_)
            ) {
                missing.push(id);
            }
        }
        Ok(missing)
    }

    /// Verifies every result file (owner and mode, MAC, header, and that the partial decodes) and
    /// removes those that fail, so that they are missing again and grown by the next
    /// [`Crop::grow_missing`]. Returns what it found.
    ///
    /// ```
    /// use haydi_contexts::crop::{Batches, Crop};
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let crop = Crop::new("c", dir.path(), Range::new(10).count())?;
    /// crop.sow(Batches::Count(2))?;
    /// crop.grow_missing()?;
    /// let file = crop.path().join("results/batch-2.result");
    /// let bytes = std::fs::read(&file)?;
    /// std::fs::write(&file, &bytes[..bytes.len() - 1])?; // truncated
    /// let found = crop.check()?;
    /// assert_eq!(found.bad.len(), 1);
    /// assert_eq!(crop.missing()?, vec![2]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check(&self) -> Result<CheckReport> {
        let (m, fp) = self.sown()?;
        let mut report = CheckReport::default();
        for (i, range) in m.plan.iter().enumerate() {
            let id = i + 1;
            let path = self.result_path(id);
            let why = match result::read(&path, fp, id, range)? {
                Stored::Missing => continue,
                Stored::Bad(why) => why,
                Stored::Done(file) => match self.job.decode_partial(&file.partial) {
                    Ok(_) => {
                        report.checked += 1;
                        continue;
                    }
                    Err(e) => format!("its partial cannot be decoded: {e}"),
                },
            };
            report.checked += 1;
            std::fs::remove_file(&path)
                .map_err(|e| Error::Context(format!("cannot remove {}: {e}", path.display())))?;
            report.bad.push((id, why));
        }
        Ok(report)
    }

    /// Merges every batch's result in index order and finishes it: exactly what
    /// `job.run(false)` returns. While batches are missing it fails with an
    /// [`Error::Context`] naming them.
    ///
    /// ```
    /// use haydi_contexts::crop::{Batches, Crop};
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let crop = Crop::new("c", dir.path(), Range::new(10).filter(|x| x % 3 == 0).collect())?;
    /// crop.sow(Batches::Size(4))?;
    /// crop.grow(1)?;
    /// let e = crop.reap().unwrap_err().to_string();
    /// assert!(e.contains("2-3"), "{e}");
    /// crop.grow_missing()?;
    /// assert_eq!(crop.reap()?, vec![0, 3, 6, 9]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reap(&self) -> Result<A::Output> {
        let out = self.reap_partial()?;
        if !out.complete {
            let (m, fp) = self.sown()?;
            let missing = self.missing_of(&m.plan, fp)?;
            return Err(Error::Context(format!(
                "crop {}: {} of {} batches are missing (batch {}); grow them (grow_missing, or \
                 array tasks) before reaping, or use reap_partial",
                self.name,
                missing.len(),
                m.plan.len(),
                ids_text(&missing)
            )));
        }
        Ok(out.value)
    }

    /// Merges the results there are, in index order: an [`Outcome`] whose `covered` lists the
    /// index ranges of the batches done (the value is the serial result over exactly those),
    /// `complete` says whether every batch is done, `processed` and `resumed` count the
    /// indices covered (all read from disk) and `total` is the index-space length.
    ///
    /// ```
    /// use haydi_contexts::crop::{Batches, Crop};
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let crop = Crop::new("c", dir.path(), Range::new(10).collect())?;
    /// crop.sow(Batches::Size(4))?;
    /// crop.grow(1)?;
    /// crop.grow(3)?;
    /// let out = crop.reap_partial()?;
    /// assert!(!out.complete);
    /// assert_eq!(out.covered, vec![0..4, 8..10]);
    /// assert_eq!(out.value, vec![0, 1, 2, 3, 8, 9]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reap_partial(&self) -> Result<Outcome<A::Output>> {
        let (m, fp) = self.sown()?;
        let mut acc = self.job.empty_partial();
        let mut covered: Vec<Range<u128>> = Vec::new();
        let mut complete = true;
        for (i, range) in m.plan.iter().enumerate() {
            let id = i + 1;
            let file = match result::read(&self.result_path(id), fp, id, range)? {
                Stored::Done(f) => f,
                _ => {
                    complete = false;
                    continue;
                }
            };
            let part = self.job.decode_partial(&file.partial).map_err(|e| {
                Error::Context(format!(
                    "crop {}: the result of batch {id} cannot be decoded ({e}); run check() to \
                     remove it",
                    self.name
                ))
            })?;
            self.job.merge_partial(&mut acc, part)?;
            match covered.last_mut() {
                Some(last) if last.end == range.start => last.end = range.end,
                _ => covered.push(range.clone()),
            }
        }
        let processed = covered.iter().map(|r| r.end - r.start).sum();
        Ok(Outcome {
            value: self.job.finish_partial(acc)?,
            complete,
            processed,
            total: Some(m.job.extent),
            covered,
            resumed: processed,
        })
    }

    /// Removes the crop's folder and everything in it (a link there is refused, never
    /// followed). Removing a crop that is not there is no error.
    ///
    /// ```
    /// use haydi_contexts::crop::{Batches, Crop};
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let crop = Crop::new("c", dir.path(), Range::new(10).count())?;
    /// crop.sow(Batches::Size(5))?;
    /// crop.clean()?;
    /// assert!(!crop.path().exists());
    /// assert_eq!(crop.status()?.batches, None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn clean(&self) -> Result<()> {
        match std::fs::symlink_metadata(&self.root) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => {
                return Err(Error::Context(format!(
                    "cannot inspect {}: {e}",
                    self.root.display()
                )));
            }
            Ok(m) if m.file_type().is_symlink() || !m.is_dir() => {
                return Err(Error::Context(format!(
                    "{} is not a crop folder (a link or a file): refusing to remove it",
                    self.root.display()
                )));
            }
            Ok(_) => {}
        }
        std::fs::remove_dir_all(&self.root)
            .map_err(|e| Error::Context(format!("cannot remove {}: {e}", self.root.display())))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_written_as_runs() {
        assert_eq!(super::ids_text(&[1, 2, 3, 5, 7, 8]), "1-3, 5, 7-8");
        assert_eq!(super::ids_text(&[]), "");
    }
}
