//! The end of a run: what finished after the deadline merged where it can, the checkpoint
//! written, and the merged result returned as the run's report.

use super::{Flow, Scheduler};
use crate::context::{Outcome, RunEnd, RunReport};
use crate::error::Result;
use crate::plumbing::Unpoisoned;

impl<'j> Scheduler<'j> {
    /// Ends the run and returns the merged result. The final progress report (and so the
    /// user's callback) runs without the lock held; a panic in it fails the run with
    /// [`Error::Panicked`](crate::Error::Panicked).
    pub fn finish(self) -> Result<RunReport> {
        {
            // Chunks that finished after the deadline may still continue the merged prefix
            // (up to the end, or to an exhausted take). A re-run this needs runs unlocked, as
            // during the run.
            let mut st = self.lock();
            if st.flow == Flow::TimedOut {
                st.flow = Flow::Running;
                st = self.merge_ready(st, None);
                if st.flow == Flow::Running {
                    st.flow = Flow::TimedOut;
                }
            }
        }
        if self.ckpt.is_some() {
            // Before the timed-out path below merges chunks past gaps: the file holds the
            // prefix and the chunks past it apart.
            let mut st = self.lock();
            if let Err(e) = self.save_checkpoint(&st) {
                st.error.get_or_insert(e);
            }
        }
        let observer = self.observer;
        let mut st = self.state.into_inner_unpoisoned();
        if let Some(e) = st.error.take() {
            // The run failed already: a panic of the final report adds nothing to that.
            let _ = observer.finish_checked(st.merged.processed, st.merged.items, RunEnd::Failed);
            return Err(e);
        }
        let complete = st.flow == Flow::Complete
            || (st.flow == Flow::Running && self.sizing.end == Some(st.merged_to));
        if !complete && self.limits.takes.is_empty() {
            // Timed out: without takes, every finished chunk counts, merged in index order
            // past the gaps.
            for (start, done) in std::mem::take(&mut st.pending) {
                // Without takes an error fails the run at once, so none is pending here.
                let Ok(out) = done.out else { continue };
                st.pending_bytes = st
                    .pending_bytes
                    .saturating_sub(self.job.partial_bytes(&out.partial));
                let pending = st.pending_bytes;
                if let Err(e) =
                    st.merged
                        .append(self.job, start..done.end, out, &self.limits, pending)
                {
                    let _ = observer.finish_checked(
                        st.merged.processed,
                        st.merged.items,
                        RunEnd::Failed,
                    );
                    return Err(e);
                }
            }
        }
        let end = if complete {
            RunEnd::Complete
        } else {
            RunEnd::TimedOut
        };
        observer.finish_checked(st.merged.processed, st.merged.items, end)?;
        let merged = st.merged;
        Ok(Outcome {
            complete,
            processed: merged.processed,
            total: self.sizing.end,
            covered: merged.covered.clone(),
            resumed: st.resumed,
            value: merged.into_partial(self.job),
        })
    }
}
