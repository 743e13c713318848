//! The driver's logic (rank 0): hands out chunks from the
//! [`Scheduler`](haydi_core::plumbing::Scheduler), merges the workers' partials, re-runs the
//! chunks of lost workers, broadcasts the final result of every run, and lets late workers
//! catch up. It sees its workers through the transport's seam only: the
//! [`Event`](crate::distributed::transport::Event)s of every worker on one channel in, and
//! one [`Link`](crate::distributed::transport::Link) per worker out.
//!
//! One concept a file: [`peer`] (a worker as the driver sees it), [`state`] (the driver's view
//! of all workers and its reactions to their events), [`run`] (one run: hand-out, merge,
//! broadcast), [`speculate`] (stragglers and the hang bound), [`history`] (finished runs, for
//! late workers).

mod history;
mod peer;
mod run;
mod speculate;
mod state;

pub(crate) use crate::distributed::monitor::board::Board;
pub(crate) use crate::distributed::transport::Event;
pub(crate) use run::execute_driver;
pub(crate) use state::DriverState;

/// Tells what became of a lost worker's process (for spawned workers: its exit status and
/// signal and its log file), for the messages that report the loss.
pub(crate) type Describe = Box<dyn Fn(u32) -> Option<String> + Send>;
