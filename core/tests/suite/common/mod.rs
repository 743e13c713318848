//! Helpers shared by the scheduler tests.

use haydi_core::ThreadContext;
use haydi_core::plumbing::ScheduleConfig;
use std::time::Duration;

/// A thread context whose chunks are as small as possible (no probe, no inline run, growth 2):
/// runs are cut into hundreds of chunks that complete and merge out of order.
pub fn tiny_chunks(threads: usize) -> ThreadContext {
    ThreadContext::new(threads)
        .unwrap()
        .with_config(ScheduleConfig {
            target_chunk: Duration::from_nanos(1),
            probe_budget: Duration::ZERO,
            inline_threshold: Duration::ZERO,
            max_growth: 2,
        })
}
