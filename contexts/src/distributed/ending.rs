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
//! stopped process), is killed, and the logs are then kept. A worker still catching up on
//! runs that ended (a restarted worker that joined late) is served the results it reaches
//! until it is through (spawned or not), so that a legitimate rejoin never fails a run, even
//! when the driver's program ends first. A context dropped mid-program
//! sees its workers through on a thread of its own (dropping does not block), with the I/O
//! that watches their heartbeats; the process's exit waits for that thread.

use super::children::Children;
use super::context::Role;
use super::coordinator::DriverState;
use super::launcher::LogDir;
use haydi_core::plumbing::Unpoisoned;
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
    /// Live workers still catching up on runs that ended (late joiners): served the results
    /// they reach, and waited for until their connection ends or they reach a run past the
    /// last (spawned or not).
    pub behind: BTreeSet<u32>,
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
/// What this process's workers say at its exit.
static FAREWELLS: Mutex<Vec<crate::distributed::worker::Farewell>> = Mutex::new(Vec::new());

/// Contexts dropped mid-program: the threads that see their workers through, joined by the
/// exit handler.
static DEFERRED: Mutex<Vec<std::thread::JoinHandle<()>>> = Mutex::new(Vec::new());

/// Registers a driver's context, so that it is ended at the process's exit if it is still
/// alive then. Installs the exit handler (once per process).
pub(crate) fn watch(role: &Arc<Role>) {
    install();
    let mut d = DRIVERS.lock_unpoisoned();
    d.retain(|w| w.strong_count() > 0);
    d.push(Arc::downgrade(role));
}

/// Keeps what a worker says at the process's exit (`ToDriver::Leaving`): whether or not its
/// context object still exists then, its program ended.
pub(crate) fn farewell_at_exit(f: crate::distributed::worker::Farewell) {
    install();
    FAREWELLS.lock_unpoisoned().push(f);
}

/// Installs the exit handler (once per process).
fn install() {
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
}

/// Sees the workers of a context dropped mid-program through on a thread of its own (the
/// drop does not wait for them); the process's exit waits for that thread.
pub(crate) fn defer(e: Ending) {
    match std::thread::Builder::new()
        .name("haydi-ending".into())
        .spawn(move || e.finish())
    {
        Ok(t) => DEFERRED.lock_unpoisoned().push(t),
        Err(err) => {
            haydi_core::warning!(error = %err, "cannot start a thread to wait for the workers of a dropped context; they are killed");
        }
    }
}

extern "C" fn at_exit() {
    // On a thread of its own: the exiting thread's thread-locals are gone by now (C's `exit`
    // destroys them before it calls the handlers), and `tracing` (haydi's warnings) needs them.
    let ended = std::thread::Builder::new()
        .name("haydi-exit".into())
        .spawn(|| {
            let _ = std::panic::catch_unwind(end_all);
        })
        .map(|t| t.join());
    if ended.is_err() {
        let _ = std::panic::catch_unwind(end_all);
    }
}

/// Ends every driver still alive, then sees every ending through.
fn end_all() {
    let drivers: Vec<Arc<Role>> = std::mem::take(&mut *DRIVERS.lock_unpoisoned())
        .iter()
        .filter_map(Weak::upgrade)
        .collect();
    let endings: Vec<Ending> = drivers
        .iter()
        .filter_map(|r| match &**r {
            Role::Driver(d) => d.end(),
            _ => None,
        })
        .collect();
    for f in std::mem::take(&mut *FAREWELLS.lock_unpoisoned()) {
        f.say();
    }
    for e in endings {
        e.finish();
    }
    for t in std::mem::take(&mut *DEFERRED.lock_unpoisoned()) {
        let _ = t.join();
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
            for rank in self.state.serve_after_end(&mut self.behind) {
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
                            rank,
                            pid,
                            "worker {rank} (pid {pid}) went silent after the driver's program ended and did not exit; killing it"
                        );
                    }
                    self.children.kill(rank);
                    failed = true;
                    continue;
                }
                waiting.push(format!("{rank} (pid {pid})"));
            }
            waiting.extend(
                self.behind
                    .iter()
                    .filter(|r| !self.children.contains(**r))
                    .map(|r| format!("{r} (catching up)")),
            );
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
