//! Handing chunks out: the next chunk in index order (sized by the model, or by the worker's
//! hint), a slot of a run with fixed chunks, or one a lost worker handed back.

use super::{ChunkSpec, Flow, Request, Scheduler, State};
use std::sync::MutexGuard;
use std::sync::atomic::Ordering;
use std::time::Instant;

impl<'j> Scheduler<'j> {
    /// The state, locked, if chunks may still be handed out (the run goes on and its deadline
    /// has not passed; a passed deadline stops it here).
    fn lock_for_hand_out(&self) -> Option<MutexGuard<'_, State>> {
        if self.stop.load(Ordering::Acquire) {
            return None;
        }
        let mut st = self.lock();
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            self.stop_with(&mut st, Flow::TimedOut);
            return None;
        }
        (st.flow == Flow::Running).then_some(st)
    }

    /// The next chunk for a worker (see [`Request`]), or `None` when the run is over or
    /// everything is handed out (a chunk handed back later, by [`Scheduler::requeue`], is
    /// handed out again).
    pub fn next_chunk(&self, request: Request) -> Option<ChunkSpec> {
        let mut st = self.lock_for_hand_out()?;
        if let Some(slot) = request.slot {
            return self.slot_chunk(&mut st, slot);
        }
        if let Some(spec) = st.requeued.pop_front() {
            st.outstanding += 1;
            return Some(spec);
        }
        // Chunks restored from a checkpoint are not run again, nor slots handed out already.
        let fixed = self.sizing.fixed_size();
        loop {
            let at = st.next;
            if let Some(e) = st.skip.remove(&at) {
                st.next = e;
            } else if let Some(k) = fixed.filter(|k| at % k == 0 && st.slots.remove(&(at / k))) {
                st.next = at.saturating_add(k);
            } else {
                break;
            }
        }
        if self.sizing.end.is_some_and(|e| st.next >= e) {
            return None;
        }
        let size = match request.size_hint {
            Some(hint) => self.sizing.hinted(st.next, hint),
            None => self.sizing.next(st.next, st.last_size, st.cost, st.phase),
        };
        let start = st.next;
        let mut end = start.saturating_add(size);
        if let Some(e) = self.sizing.end {
            end = end.min(e);
        }
        if let Some((&s, _)) = st.skip.range(start..).next() {
            end = end.min(s);
        }
        st.next = end;
        let size = end - start;
        if size >= st.last_size.saturating_mul(2) || size.saturating_mul(2) <= st.last_size {
            tracing::debug!(target: "haydi", from = %st.last_size, to = %size, "chunk size changed");
        }
        st.last_size = size;
        Some(self.hand(&mut st, start, end))
    }

    /// Records `[start, end)` as handed out.
    pub(super) fn hand(&self, st: &mut State, start: u128, end: u128) -> ChunkSpec {
        st.outstanding += 1;
        let id = st.next_id;
        st.next_id += 1;
        ChunkSpec {
            id,
            start,
            end,
            budgets: st.merged.budgets(&self.limits),
        }
    }

    /// The chunk of `slot` in a run with fixed chunks, once.
    fn slot_chunk(&self, st: &mut State, slot: u128) -> Option<ChunkSpec> {
        let k = self.sizing.fixed_size()?;
        let start = slot.checked_mul(k)?;
        let past_end = self.sizing.end.is_some_and(|e| start >= e);
        if past_end || start < st.next || st.skip.contains_key(&start) || !st.slots.insert(slot) {
            return None;
        }
        let mut end = start.saturating_add(k);
        if let Some(e) = self.sizing.end {
            end = end.min(e);
        }
        Some(self.hand(st, start, end))
    }
}
