//! Chunks run one after the other on the calling thread, each merged as it comes: the exact
//! `take` budgets are known before each chunk, and the result budget is checked after each
//! merge. The tiny-run path and the plain serial run (`SerialContext`) both go this way.

use super::merge::{Limits, Merged};
use crate::context::{Outcome, RunReport};
use crate::error::Result;
use crate::plumbing::erased::{ChunkOutput, ErasedJob};

/// A run on the calling thread, in index order, with no scheduler.
pub(crate) struct InOrder<'j> {
    job: &'j dyn ErasedJob,
    limits: Limits,
    merged: Merged,
}

impl<'j> InOrder<'j> {
    /// A run of `job` with the result `budget`, over `total` indices (`None`: an endless source
    /// under a `take`).
    pub fn new(job: &'j dyn ErasedJob, budget: u64, total: Option<u128>) -> Self {
        let takes = job.take_limits().to_vec();
        InOrder {
            job,
            merged: Merged::new(takes.len()),
            limits: Limits {
                takes,
                budget,
                total,
            },
        }
    }

    /// Indices run and merged so far.
    pub fn done(&self) -> u128 {
        self.merged.processed
    }

    /// Estimated bytes of the merged result.
    pub fn bytes(&self) -> u64 {
        self.merged.bytes
    }

    /// Runs the next `len` indices and merges them. `Some(report)` when the run is over (its
    /// end reached, or a `take` exhausted).
    pub fn step(&mut self, len: u128) -> Result<Option<RunReport>> {
        let start = self.done();
        let budgets = self.merged.budgets(&self.limits);
        let out = self.job.run_chunk(start, start + len, &budgets)?;
        self.merged
            .append(self.job, start..start + len, out, &self.limits, 0)?;
        let done = self.done();
        if Some(done) != self.limits.total && !self.merged.exhausted(&self.limits) {
            return Ok(None);
        }
        let merged = std::mem::replace(&mut self.merged, Merged::new(0));
        let covered = merged.covered.clone();
        Ok(Some(Outcome {
            value: merged.into_partial(self.job),
            complete: true,
            processed: done,
            total: self.limits.total,
            covered,
            resumed: 0,
        }))
    }

    /// What ran so far, as the output of the one chunk `[0, done)`.
    pub fn into_output(self) -> ChunkOutput {
        self.merged.into_output(self.job)
    }
}
