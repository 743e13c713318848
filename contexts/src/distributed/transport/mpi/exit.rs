//! The exit handler of an MPI process: the end of the program (however it ends, short of a
//! signal) goes through the shutdown handshake before MPI is finalized, so that no rank
//! finalizes while others wait for it (see the module docs).

use super::comm::Command;
use crossbeam_channel::Sender;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// The communication thread's commands, for the handler.
static COMMANDS: OnceLock<Sender<Command>> = OnceLock::new();
/// Set once MPI is finalized (or about to be, on the communication thread's own exit).
static FINISHED: AtomicBool = AtomicBool::new(false);

/// Registers the handler (once per process).
pub(super) fn register(commands: Sender<Command>) {
    if COMMANDS.set(commands).is_ok() {
        // SAFETY: `atexit` only stores the pointer of a function that takes and returns
        // nothing; `at_exit` never unwinds (it catches any panic) and only uses channels.
        let rc = unsafe { libc::atexit(at_exit) };
        if rc != 0 {
            haydi_core::warning!(
                "cannot register the MPI exit handler: the job may not end cleanly"
            );
        }
    }
}

/// MPI is finalized: the handler has nothing left to do.
pub(super) fn finished() {
    FINISHED.store(true, Ordering::SeqCst);
}

extern "C" fn at_exit() {
    let _ = std::panic::catch_unwind(finish);
}

/// Asks the communication thread to finish the protocol and finalize, and waits until it did.
/// A worker waits for its driver's `Shutdown` (bounded by the driver's heartbeats: a silent
/// driver makes the thread abort the job); the driver shuts the workers down first.
fn finish() {
    if FINISHED.load(Ordering::SeqCst) {
        return;
    }
    let Some(commands) = COMMANDS.get() else {
        return;
    };
    let (done, wait) = crossbeam_channel::bounded(1);
    if commands.send(Command::Finish(done)).is_ok() {
        // Disconnected means the thread ended without answering: nothing left to wait for.
        let _ = wait.recv();
    }
}
