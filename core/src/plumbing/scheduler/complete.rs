//! Completing chunks: a chunk's result recorded, then merged in index order as soon as it
//! continues the merged prefix (through the one ordered merge of `merge.rs`), kept pending
//! otherwise; a chunk that let too much through a `take` re-run outside the lock; the
//! checkpoint written when due.

use super::sizing;
use super::{ChunkSpec, Completion, Done, Flow, Rerun, Scheduler, State};
use crate::error::{Error, Result};
use crate::plumbing::erased::ChunkOutput;
use std::sync::MutexGuard;
use std::time::Instant;

impl<'j> Scheduler<'j> {
    /// Records the result of chunk `spec` (see [`Completion`]). The result of a chunk whose
    /// start was already completed (a duplicate, such as a speculative copy) is ignored.
    ///
    /// User code runs outside the scheduler's lock: the re-run of a chunk that straddles the
    /// end of a `take` and the progress callback (a panic in it fails the run with
    /// [`Error::Panicked`]). Meanwhile other workers go on taking and completing chunks.
    pub fn complete(&self, spec: &ChunkSpec, result: Result<ChunkOutput>, how: Completion) {
        let mut st = self.lock();
        st.outstanding = st.outstanding.saturating_sub(1);
        if spec.start < st.merged_to
            || st.pending.contains_key(&spec.start)
            || st.rerunning == Some(spec.start)
        {
            // Another copy of this chunk (a speculative re-run) completed first: this one is
            // ignored, whatever its result, so no chunk is ever merged twice.
            return;
        }
        if st.flow != Flow::Running && st.flow != Flow::TimedOut {
            return;
        }
        let out = match result {
            Err(e) if self.limits.takes.is_empty() || spec.start == st.merged_to => {
                self.fail_locked(&mut st, e);
                return;
            }
            Err(e) => Err(e),
            Ok(out) => {
                if how.measured {
                    st.cost = Some(sizing::cost_after(
                        st.cost,
                        how.elapsed,
                        spec.end - spec.start,
                    ));
                }
                self.observer.chunk_done(
                    how.worker,
                    spec.start,
                    spec.end,
                    out.items,
                    how.elapsed,
                    how.began,
                );
                Ok(out)
            }
        };
        let done = Done {
            end: spec.end,
            out,
            exact: false,
        };
        let mut st = if st.flow == Flow::Running && spec.start == st.merged_to {
            // The common case on one thread: the chunk continues the merged prefix.
            self.merge_ready(st, Some((spec.start, done)))
        } else {
            self.insert_pending(&mut st, spec.start, done);
            if st.flow == Flow::Running {
                self.merge_ready(st, None)
            } else {
                st
            }
        };
        if st.flow == Flow::Running {
            self.checkpoint_if_due(&mut st);
        }
        let (processed, items, running) = (
            st.merged.processed,
            st.merged.items,
            st.flow == Flow::Running,
        );
        drop(st);
        if running {
            // The observer (and so the user's progress callback) runs without the lock held.
            if let Err(e) = self.observer.progress(processed, items, false) {
                self.fail(e);
            }
        }
    }

    /// Writes the checkpoint when `checkpoint_every` passed since the last one; a write that
    /// fails fails the run (the user asked for a checkpoint: none must not pass silently).
    fn checkpoint_if_due(&self, st: &mut State) {
        let Some(ck) = &self.ckpt else { return };
        if st.last_saved.elapsed() < ck.every() {
            return;
        }
        st.last_saved = Instant::now();
        if let Err(e) = self.save_checkpoint(st) {
            self.fail_locked(st, e);
        }
    }

    /// Writes the merged prefix and the finished chunks past it to the checkpoint file.
    pub(super) fn save_checkpoint(&self, st: &State) -> Result<()> {
        let Some(ck) = &self.ckpt else { return Ok(()) };
        let pending = st
            .pending
            .iter()
            .filter_map(|(s, d)| d.out.as_ref().ok().map(|o| (*s, d.end, o)));
        ck.save(self.job, st.merged_to, &st.merged, pending)
    }

    /// Stores a completed chunk until the merged prefix reaches it.
    pub(super) fn insert_pending(&self, st: &mut State, start: u128, done: Done) {
        if let Ok(out) = &done.out {
            st.pending_bytes = st
                .pending_bytes
                .saturating_add(self.job.partial_bytes(&out.partial));
        }
        st.pending.insert(start, done);
        if st.flow == Flow::Failed {
            return;
        }
        if let Err(e) = st.merged.check_budget(&self.limits, st.pending_bytes) {
            self.fail_over_budget(st, e);
        }
    }

    /// Fails the run with a [`Error::ResultTooLarge`]; a timed-out run returns it too.
    fn fail_over_budget(&self, st: &mut State, e: Error) {
        self.fail_locked(st, e);
        st.flow = Flow::Failed;
    }

    /// Merges `first` (a chunk that starts where the merged prefix ends), then every pending
    /// chunk that continues the prefix. A chunk that must run again with exact `take` budgets
    /// is re-run with the lock released (and marked, so no one merges past it or runs it
    /// twice), then merged; the guard returned is a fresh one in that case.
    pub(super) fn merge_ready<'s>(
        &'s self,
        mut st: MutexGuard<'s, State>,
        first: Option<(u128, Done)>,
    ) -> MutexGuard<'s, State> {
        let mut rerun = match first {
            Some((start, done)) => self.merge_one(&mut st, start, done),
            None => None,
        };
        if rerun.is_none() {
            rerun = self.merge_prefix(&mut st);
        }
        while let Some(r) = rerun {
            st.rerunning = Some(r.start);
            st.outstanding += 1;
            drop(st);
            let out = self.job.run_chunk(r.start, r.end, &r.budgets);
            st = self.lock();
            st.rerunning = None;
            st.outstanding = st.outstanding.saturating_sub(1);
            let done = Done {
                end: r.end,
                out,
                exact: true,
            };
            rerun = match st.flow {
                // Nothing merged past the chunk meanwhile: it continues the prefix.
                Flow::Running => self
                    .merge_one(&mut st, r.start, done)
                    .or_else(|| self.merge_prefix(&mut st)),
                // The deadline passed meanwhile: `finish` merges what continues the prefix.
                Flow::TimedOut => {
                    self.insert_pending(&mut st, r.start, done);
                    None
                }
                Flow::Complete | Flow::Failed => None,
            };
        }
        st
    }

    /// Merges the completed chunks that continue the merged prefix, up to one that must be
    /// re-run (returned).
    fn merge_prefix(&self, st: &mut State) -> Option<Rerun> {
        while st.flow == Flow::Running {
            let Some(entry) = st.pending.first_entry() else {
                break;
            };
            if *entry.key() != st.merged_to {
                break;
            }
            let start = *entry.key();
            let done = entry.remove();
            if let Ok(out) = &done.out {
                let bytes = self.job.partial_bytes(&out.partial);
                st.pending_bytes = st.pending_bytes.saturating_sub(bytes);
            }
            if let Some(r) = self.merge_one(st, start, done) {
                return Some(r);
            }
        }
        None
    }

    /// Merges one chunk that starts where the merged prefix ends, checking its `take` counts
    /// and the result budget. A chunk that let more through some `take` than the items before
    /// it leave room for is not merged: it is returned, to be run again with exact budgets.
    fn merge_one(&self, st: &mut State, start: u128, done: Done) -> Option<Rerun> {
        let Done { end, out, exact } = done;
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                self.fail_locked(st, e);
                return None;
            }
        };
        if !exact && !st.merged.fits(&self.limits, &out.take_counts) {
            let budgets = st.merged.budgets(&self.limits);
            return Some(Rerun {
                start,
                end,
                budgets,
            });
        }
        let pending = st.pending_bytes;
        match st
            .merged
            .append(self.job, start..end, out, &self.limits, pending)
        {
            Ok(()) => st.merged_to = end,
            Err(e @ Error::ResultTooLarge { .. }) => {
                st.merged_to = end;
                self.fail_over_budget(st, e);
                return None;
            }
            Err(e) => {
                self.fail_locked(st, e);
                return None;
            }
        }
        if st.merged.exhausted(&self.limits) || self.sizing.end == Some(end) {
            self.stop_with(st, Flow::Complete);
        }
        None
    }
}
