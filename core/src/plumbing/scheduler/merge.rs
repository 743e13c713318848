//! The ordered merge: a finished chunk appended to the merged result of the chunks before it,
//! with its `take` counts, its items and its indices, and the result budget checked after it.
//! Every path that merges goes through [`Merged::append`]: the scheduler's merged prefix, the end
//! of a timed-out run (the chunks past its gaps), and chunks run in order on the calling thread
//! (tiny runs, the serial runner).

use crate::error::{Error, Result};
use crate::plumbing::erased::{ChunkOutput, ErasedJob, ErasedPartial};
use std::ops::Range;

/// What a run merges under: its `take` limits, its result budget and its length.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    /// The limits of the pipeline's `take`s, in chain order.
    pub takes: Vec<u64>,
    /// The result budget in bytes ([`crate::RunOptions::result_budget`]).
    pub budget: u64,
    /// The length of the index space (`None`: endless).
    pub total: Option<u128>,
}

/// The merged result of the chunks merged so far, in index order.
pub(crate) struct Merged {
    /// The merged partial; `None` before the first chunk, whose partial is taken as it is.
    acc: Option<ErasedPartial>,
    /// Items let through by each `take`.
    pub taken: Vec<u64>,
    /// Items that reached the action (counted when progress or a trace needs them).
    pub items: u64,
    /// Indices merged.
    pub processed: u128,
    /// Estimated bytes of the merged partial, as of its last merge.
    pub bytes: u64,
    /// The index ranges merged: sorted, coalesced, none empty.
    pub covered: Vec<Range<u128>>,
}

impl Merged {
    /// Nothing merged yet, for a pipeline of `takes` `take`s.
    pub fn new(takes: usize) -> Self {
        Merged {
            acc: None,
            taken: vec![0; takes],
            items: 0,
            processed: 0,
            bytes: 0,
            covered: Vec::new(),
        }
    }

    /// The prefix `[0, end)` restored from a checkpoint: its partial and counts.
    pub fn restored(
        job: &dyn ErasedJob,
        acc: ErasedPartial,
        taken: Vec<u64>,
        processed: u128,
        items: u64,
        end: u128,
    ) -> Self {
        Merged {
            bytes: job.partial_bytes(&acc),
            acc: Some(acc),
            taken,
            items,
            processed,
            covered: prefix(end),
        }
    }

    /// What each `take` may still let through.
    pub fn budgets(&self, limits: &Limits) -> Vec<u64> {
        limits
            .takes
            .iter()
            .zip(&self.taken)
            .map(|(n, k)| n - k)
            .collect()
    }

    /// Whether a chunk that let `counts` through each `take` fits what is left of them (else it
    /// must run again with the exact budgets).
    pub fn fits(&self, limits: &Limits, counts: &[u64]) -> bool {
        counts
            .iter()
            .zip(limits.takes.iter().zip(&self.taken))
            .all(|(k, (n, c))| *k <= n - c)
    }

    /// Whether some `take` is exhausted: nothing after this point can change the result.
    pub fn exhausted(&self, limits: &Limits) -> bool {
        limits.takes.iter().zip(&self.taken).any(|(n, c)| c >= n)
    }

    /// Appends `out`, the output of the chunk `range`, which comes after everything merged so
    /// far: adds its `take` counts and items, merges its partial, counts its indices and
    /// re-measures the result. Fails with the merge's error, or with
    /// [`Error::ResultTooLarge`] when the result and `pending` bytes (partials waiting to be
    /// merged) take more than the budget.
    pub fn append(
        &mut self,
        job: &dyn ErasedJob,
        range: Range<u128>,
        out: ChunkOutput,
        limits: &Limits,
        pending: u64,
    ) -> Result<()> {
        for (c, k) in self.taken.iter_mut().zip(&out.take_counts) {
            *c += k;
        }
        self.items += out.items;
        let acc = match &mut self.acc {
            Some(acc) => {
                job.merge(acc, out.partial)?;
                acc
            }
            None => self.acc.insert(out.partial),
        };
        self.bytes = job.partial_bytes(acc);
        self.processed += range.end - range.start;
        push_range(&mut self.covered, range);
        self.check_budget(limits, pending)
    }

    /// [`Error::ResultTooLarge`] when the merged result and `pending` bytes take more than the
    /// budget. O(1): both sizes are kept as they change.
    pub fn check_budget(&self, limits: &Limits, pending: u64) -> Result<()> {
        let bytes = self.bytes.saturating_add(pending);
        if bytes <= limits.budget {
            return Ok(());
        }
        Err(Error::ResultTooLarge {
            budget: limits.budget,
            bytes,
            processed: self.processed,
            total: limits.total,
        })
    }

    /// The merged partial, if a chunk was merged.
    pub fn partial(&self) -> Option<&ErasedPartial> {
        self.acc.as_ref()
    }

    /// The merged partial (the job's empty partial when nothing was merged).
    pub fn into_partial(self, job: &dyn ErasedJob) -> ErasedPartial {
        self.acc.unwrap_or_else(|| job.empty_partial())
    }

    /// Everything merged as the output of one chunk (the tiny-run path hands its work to the
    /// scheduler so).
    pub fn into_output(self, job: &dyn ErasedJob) -> ChunkOutput {
        ChunkOutput {
            take_counts: self.taken.clone(),
            items: self.items,
            partial: self.into_partial(job),
        }
    }
}

/// Appends `r` to the sorted, coalesced ranges `to` (`r` starts at or after their end); an
/// empty `r` is left out and one that continues the last range extends it.
fn push_range(to: &mut Vec<Range<u128>>, r: Range<u128>) {
    if r.is_empty() {
        return;
    }
    match to.last_mut() {
        Some(last) if last.end >= r.start => last.end = last.end.max(r.end),
        _ => to.push(r),
    }
}

/// The ranges `[0, end)` as a report's `covered` gives them: none when `end` is 0.
fn prefix(end: u128) -> Vec<Range<u128>> {
    let mut v = Vec::new();
    push_range(&mut v, 0..end);
    v
}
