//! The end of a driver's program: its workers finish their own `main`, then the driver's
//! process exits, and the workers' log folder goes (or stays, saying where, when a worker
//! failed).
//!
//! A driver's context ends when its last clone is dropped, or when the process exits: the
//! README's pattern (`session::set_parallel_context(DistributedContext::spawn(4)?)`) keeps the
//! context in the session, which is never dropped, so an exit handler (`atexit`) ends every
//! driver still alive. Ending a context tells every worker `Shutdown`: the worker goes on with
//! its own `main` to its end (a later run of that context there is an error). Spawned workers
//! are children of the driver and die with it (`launcher::watch_parent`), so the driver's
//! process waits for them at its exit: every worker that was part of the job when the
//! context ended is waited for as long as it is alive (its connection stays open, with
//! heartbeats, until its process ends); one lost during the job, or whose heartbeats stop (a
//! stopped process), is killed, and the logs are then kept. A context dropped mid-program
//! hands its workers over to the exit handler (dropping does not block), with the I/O that
//! watches their heartbeats.

use super::children::Children;
use super::coordinator::DriverState;
use super::launcher::LogDir;
use super::Role;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, Once, Weak};
use std::time::{Duration, Instant};

/// Everything needed to see a driver's workers to their end.
pub(crate) struct Ending {
    /// The driver's state after the shutdown (its events say when a worker's connection ends).
    pub state: DriverState,
    /// Spawned workers (none for `from_env` drivers: their workers are not our children).
    pub children: Arc<Children>,
    /// Ranks that were part of the job when it ended: waited for.
    pub live: BTreeSet<u32>,
    /// Where the spawned workers write their output.
    pub logs: Option<LogDir>,
    /// Keep the logs even when nothing failed.
    pub keep_logs: bool,
    /// A worker failed during the job (was lost).
    pub failed: bool,
    /// The driver's I/O runtime: it carries the heartbeats until the workers are done.
    pub rt: Option<tokio::runtime::Runtime>,
    /// How long a worker's process may take to exit after its connection closed.
    pub grace: Duration,
}

/// Drivers alive in this process, ended by the exit handler.
static DRIVERS: Mutex<Vec<Weak<Role>>> = Mutex::new(Vec::new());
/// Contexts dropped mid-program whose workers the exit handler waits for.
static DEFERRED: Mutex<Vec<Ending>> = Mutex::new(Vec::new());

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Registers a driver's context, so that it is ended at the process's exit if it is still
/// alive then. Installs the exit handler (once per process).
pub(crate) fn watch(role: &Arc<Role>) {
    static HANDLER: Once = Once::new();
    HANDLER.call_once(|| {
        // SAFETY: `atexit` stores the pointer of a function that takes and returns nothing;
        // `at_exit` never unwinds (it catches any panic).
        #[cfg(unix)]
        let rc = unsafe { libc::atexit(at_exit) };
        #[cfg(not(unix))]
        let rc = 0;
        if rc != 0 {
            haydi_core::warning!(
                "cannot register haydi's exit handler: at the end of the program the workers may be killed before their main ends"
            );
        }
    });
    let mut d = lock(&DRIVERS);
    d.retain(|w| w.strong_count() > 0);
    d.push(Arc::downgrade(role));
}

/// Keeps the ending of a context dropped mid-program until the process exits.
pub(crate) fn defer(e: Ending) {
    lock(&DEFERRED).push(e);
}

extern "C" fn at_exit() {
    let _ = std::panic::catch_unwind(end_all);
}

/// Ends every driver still alive, then sees every ending through.
fn end_all() {
    let drivers: Vec<Arc<Role>> = std::mem::take(&mut *lock(&DRIVERS))
        .iter()
        .filter_map(Weak::upgrade)
        .collect();
    let mut endings: Vec<Ending> = drivers
        .iter()
        .filter_map(|r| match &**r {
            Role::Driver(d) => d.end(),
            _ => None,
        })
        .collect();
    endings.extend(std::mem::take(&mut *lock(&DEFERRED)));
    for e in endings {
        e.finish();
    }
    // The contexts are dropped here, already ended: their drop has nothing left to do.
    drop(drivers);
}

/// After this long without every worker done, the driver says what it waits for (once).
const NOTICE: Duration = Duration::from_secs(10);

impl Ending {
    /// Waits for the workers that were part of the job to end their `main`, kills the others
    /// (and those whose connection went silent), then removes or keeps the logs.
    pub(crate) fn finish(mut self) {
        let started = Instant::now();
        let mut noticed = false;
        // When each rank's connection ended (process exit, or silence past the heartbeat
        // deadline): the process then has `grace` to be gone.
        let mut gone_at: std::collections::BTreeMap<u32, Instant> = Default::default();
        let mut failed = self.failed;
        loop {
            for rank in self.state.drain_lost() {
                gone_at.entry(rank).or_insert_with(Instant::now);
            }
            let now = Instant::now();
            let mut waiting = Vec::new();
            for (rank, pid, status) in self.children.poll() {
                if let Some(st) = status {
                    failed |= !st.success();
                    continue;
                }
                let expected = self.live.contains(&rank);
                let overdue = gone_at
                    .get(&rank)
                    .is_some_and(|t| now.duration_since(*t) >= self.grace);
                if !expected || overdue {
                    if expected {
                        haydi_core::warning!(
                            rank, pid,
                            "worker {rank} (pid {pid}) went silent after the driver's program ended and did not exit; killing it"
                        );
                    }
                    self.children.kill(rank);
                    failed = true;
                    continue;
                }
                waiting.push(format!("{rank} (pid {pid})"));
            }
            if waiting.is_empty() {
                break;
            }
            if !noticed && started.elapsed() >= NOTICE {
                noticed = true;
                haydi_core::warning!(
                    "the driver's program ended; waiting for workers {} to finish their main",
                    waiting.join(", ")
                );
            }
            self.state.wait_event(Duration::from_millis(20));
        }
        if let Some(logs) = self.logs.take() {
            logs.finish(self.keep_logs, failed);
        }
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}
