//! haydi-contexts' in-process integration tests in one binary: crops, the scheduler's
//! duplicates, sweeps as crops and the trace tool. The multi-process tests are the `distributed`
//! binary (`harness = false`).

#[path = "../distributed/support/mod.rs"]
mod support;

mod crop;
mod scheduler_duplicates;
mod sweep_crop;
mod trace_tool;
