//! The sizing model: how many indices the next chunk gets. Pure functions of what was measured
//! (the cost of an index, the size of the last chunk, where the run is); no lock, no clock, so
//! every rule of `README.md`'s *Chunk sizes* can be checked on its own.

use std::time::Duration;

/// Tuning of the chunk sizes. The defaults suit threads; remote contexts use longer chunks.
///
/// ```
/// use haydi_core::plumbing::ScheduleConfig;
/// let c = ScheduleConfig::default();
/// assert!(c.target_chunk > c.probe_budget);
/// ```
#[derive(Debug, Clone)]
pub struct ScheduleConfig {
    /// How long one chunk should take on one worker.
    pub target_chunk: Duration,
    /// How long the calling thread runs small probe chunks before it decides how to go on.
    pub probe_budget: Duration,
    /// A run whose rest is estimated to take less than this finishes on the calling thread.
    pub inline_threshold: Duration,
    /// A chunk is at most this many times larger than the one before it.
    pub max_growth: u128,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig {
            target_chunk: Duration::from_millis(20),
            probe_budget: Duration::from_micros(100),
            inline_threshold: Duration::from_micros(200),
            max_growth: 4,
        }
    }
}

/// How much a chunk of the scheduler-free tiny-run path (and of the plain serial run) may exceed
/// what was already done: at most this many times the indices done so far. (The probe's inline
/// chunks grow by [`ScheduleConfig::max_growth`].) A chunk that turns out slow hands the run
/// over at once.
///
/// ```
/// assert_eq!(haydi_core::plumbing::TINY_GROWTH, 16);
/// ```
pub const TINY_GROWTH: u128 = 16;

/// The first chunk of the plain serial run, in indices (rounded up to the source's alignment).
pub(crate) const IN_ORDER_FIRST: u128 = 4096;

/// Where a run stands, for the size of its next chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// The calling thread probes the cost of an index.
    Probe,
    /// The rest is small: the calling thread takes it as one chunk (at most `max_growth` times
    /// what is done).
    RestAtOnce,
    /// Workers share the run: chunks sized for `target_chunk`, never more than a worker's share
    /// of what is left.
    Parallel,
}

/// What the chunk sizes of one run depend on.
#[derive(Debug, Clone)]
pub(crate) struct Sizing {
    pub config: ScheduleConfig,
    /// Chunk boundaries are multiples of this (at least 1).
    pub align: u128,
    /// Parallel workers (at least 1).
    pub workers: u128,
    /// The end of the index space (`None`: an endless source).
    pub end: Option<u128>,
    /// Chunks of exactly this many indices ([`crate::RunOptions::chunk_size`]).
    pub fixed: Option<u128>,
}

/// `n` (at least 1) rounded up to a multiple of `align`.
pub(crate) fn aligned(n: u128, align: u128) -> u128 {
    n.max(1).div_ceil(align).saturating_mul(align)
}

/// A float count of indices as a `u128`, saturating.
fn to_indices(x: f64) -> u128 {
    if x >= u128::MAX as f64 {
        u128::MAX
    } else {
        x as u128
    }
}

impl Sizing {
    /// The size of a fixed chunk, aligned; `None` when chunks are sized by time.
    pub fn fixed_size(&self) -> Option<u128> {
        self.fixed.map(|k| aligned(k, self.align))
    }

    /// The size of the next chunk, starting at `next`, after a chunk of `last` indices, at the
    /// measured `cost` (seconds per index on one worker). The caller cuts it at the end of the
    /// index space and at restored chunks.
    pub fn next(&self, next: u128, last: u128, cost: Option<f64>, phase: Phase) -> u128 {
        if let Some(k) = self.fixed_size() {
            return k;
        }
        let growth = self.config.max_growth;
        let mut size = match cost {
            None => 1,
            Some(cost) => to_indices((self.config.target_chunk.as_secs_f64() / cost).max(1.0))
                .min(last.max(1).saturating_mul(growth)),
        };
        if let Some(end) = self.end {
            let remaining = end - next;
            match phase {
                Phase::RestAtOnce => size = remaining.min(next.max(1).saturating_mul(growth)),
                // Guided tail: never hand one worker more than its share of what is left.
                Phase::Parallel => size = size.min(self.share(remaining)),
                Phase::Probe => {}
            }
            size = size.min(remaining);
        }
        aligned(size, self.align)
    }

    /// The size of a chunk for a worker that sizes its own (about `hint` indices, from its own
    /// rate): still a fixed size in a run with fixed chunks, and never more than a worker's share
    /// of what is left.
    pub fn hinted(&self, next: u128, hint: u128) -> u128 {
        if let Some(k) = self.fixed_size() {
            return k;
        }
        let mut size = hint.max(1);
        if let Some(end) = self.end {
            size = size.min(self.share(end - next));
        }
        aligned(size, self.align)
    }

    /// A worker's share of `remaining` indices: `remaining / (2 × workers)`, rounded up.
    fn share(&self, remaining: u128) -> u128 {
        remaining.div_ceil(2 * self.workers)
    }

    /// Whether `rest` indices at `cost` seconds each are under the inline threshold.
    pub fn rest_is_small(&self, rest: u128, cost: f64) -> bool {
        (rest as f64) * cost < self.config.inline_threshold.as_secs_f64()
    }
}

/// The cost estimate (seconds per index, a moving average) after a chunk of `len` indices took
/// `elapsed`. Costs are averaged, not rates: one slow chunk after fast ones pulls the estimate
/// down at once.
pub(crate) fn cost_after(old: Option<f64>, elapsed: Duration, len: u128) -> f64 {
    let cost = elapsed.as_secs_f64().max(1e-9) / len.max(1) as f64;
    match old {
        None => cost,
        Some(old) => 0.5 * old + 0.5 * cost,
    }
}

/// The next chunk of a tiny run (before any scheduler exists): one alignment unit, then at most
/// [`TINY_GROWTH`] times the indices `done`, cut at `end`.
pub(crate) fn tiny_next(done: u128, align: u128, end: u128) -> u128 {
    let len = if done == 0 {
        align
    } else {
        done.saturating_mul(TINY_GROWTH)
    };
    len.min(end - done)
}

/// The next chunk of the plain serial run: [`IN_ORDER_FIRST`] indices, then at most
/// [`TINY_GROWTH`] times the indices `done`, and no more than the result `budget` is estimated to
/// leave room for at the `bytes` the merged result takes now (at least a sixteenth of what is
/// done, so a run near its budget fails in a few steps); aligned, cut at `end`.
pub(crate) fn in_order_next(done: u128, bytes: u64, budget: u64, align: u128, end: u128) -> u128 {
    let mut len = if done == 0 {
        IN_ORDER_FIRST
    } else {
        done.saturating_mul(TINY_GROWTH)
    };
    if done > 0 && bytes > 0 {
        let per_index = bytes as f64 / done as f64;
        let room = to_indices(budget.saturating_sub(bytes) as f64 / per_index);
        len = len.min(room.max(done / TINY_GROWTH));
    }
    aligned(len, align).min(end - done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizing(end: Option<u128>, workers: u128) -> Sizing {
        Sizing {
            config: ScheduleConfig::default(),
            align: 1,
            workers,
            end,
            fixed: None,
        }
    }

    #[test]
    fn first_chunk_is_one_index_then_sized_for_the_target_and_capped_by_growth() {
        let s = sizing(Some(1 << 40), 2);
        assert_eq!(s.next(0, 0, None, Phase::Probe), 1);
        // 1 µs an index: 20 ms is 20 000 indices, but at most 4 times the last chunk.
        assert_eq!(s.next(1, 1, Some(1e-6), Phase::Probe), 4);
        assert_eq!(s.next(100, 10_000, Some(1e-6), Phase::Probe), 20_000);
    }

    #[test]
    fn the_guided_tail_keeps_chunks_to_a_workers_share() {
        let s = sizing(Some(1000), 4);
        // 8 workers' shares of 1000 left: 125.
        assert_eq!(s.next(0, 10_000, Some(1e-9), Phase::Parallel), 125);
        assert_eq!(s.next(999, 10_000, Some(1e-9), Phase::Parallel), 1);
        // Not while probing.
        assert_eq!(s.next(0, 10_000, Some(1e-9), Phase::Probe), 1000);
        assert_eq!(s.hinted(0, 1 << 20), 125);
        assert_eq!(s.hinted(900, 30), 13);
    }

    #[test]
    fn the_rest_at_once_is_capped_by_growth_over_what_is_done() {
        let s = sizing(Some(1000), 2);
        assert_eq!(s.next(100, 1, Some(1.0), Phase::RestAtOnce), 400);
        assert_eq!(s.next(300, 1, Some(1.0), Phase::RestAtOnce), 700);
    }

    #[test]
    fn fixed_and_aligned_sizes() {
        let mut s = sizing(Some(1000), 2);
        s.align = 1024;
        assert_eq!(s.next(0, 0, None, Phase::Parallel), 1024);
        s.fixed = Some(3);
        assert_eq!(s.fixed_size(), Some(1024));
        s.align = 1;
        assert_eq!(s.next(0, 0, Some(1.0), Phase::Parallel), 3);
        assert_eq!(s.hinted(0, 500), 3);
    }

    #[test]
    fn costs_are_a_moving_average_of_time_per_index() {
        let c = cost_after(None, Duration::from_millis(10), 10);
        assert!((c - 1e-3).abs() < 1e-12);
        let c = cost_after(Some(c), Duration::from_millis(30), 10);
        assert!((c - 2e-3).abs() < 1e-12);
        assert!(sizing(None, 1).rest_is_small(100, 1e-6));
        assert!(!sizing(None, 1).rest_is_small(1000, 1e-6));
    }

    #[test]
    fn tiny_and_serial_chunks_grow_by_sixteen() {
        assert_eq!(tiny_next(0, 1, 100), 1);
        assert_eq!(tiny_next(1, 1, 100), 16);
        assert_eq!(tiny_next(17, 1, 100), 83);
        assert_eq!(in_order_next(0, 0, 1 << 30, 1, 1 << 40), IN_ORDER_FIRST);
        assert_eq!(in_order_next(4096, 8, 1 << 30, 1, 1 << 40), 65_536);
        // 4096 indices took 4096 bytes; 8192 bytes of room left: 8192 more indices.
        assert_eq!(in_order_next(4096, 4096, 12_288, 1, 1 << 40), 8192);
        // No room: a sixteenth of what is done.
        assert_eq!(in_order_next(4096, 4096, 4096, 1, 1 << 40), 256);
        assert_eq!(in_order_next(4096, 0, 4096, 1024, 5000), 904);
    }
}
