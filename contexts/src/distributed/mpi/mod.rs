//! The MPI transport (cargo feature `mpi`): the chunk protocol over MPI point-to-point
//! messages, for clusters whose processes `mpirun` or `srun` start and whose fabric
//! (InfiniBand, Omni-Path) MPI drives, where TCP ports between nodes are often closed.
//!
//! The protocol is the TCP transport's, message for message (the same bincode bytes), and the
//! driver's dispatch loop is the same code: only the seam of `coordinator::link` differs. One
//! thread per process calls MPI (`comm.rs`); the driver's side of the protocol is in
//! `driver.rs`, a worker's in `worker.rs`, the end of a process in `exit.rs`.
//!
//! # How it differs from TCP
//! - **Trust.** Messages are not sealed: MPI's processes are the job's own, started by its
//!   launcher, on its fabric. A malformed message or one over `max_message` aborts the job.
//! - **Fail-stop.** A process that dies takes the job with it (`mpirun` aborts it), and a
//!   process that goes silent for `heartbeat_timeout` makes the others abort it with a message
//!   naming it: MPI cannot go on without a rank, so the TCP transport's re-running of a lost
//!   worker's chunks does not apply. Pair long runs with `RunOptions::checkpoint`: the job
//!   restarted with the same checkpoint resumes where it stopped.
//! - **Ending.** Every process must finalize MPI, and not while others still wait for it
//!   (rsmpi#197: a rank that finalizes or hangs after a panic leaves the others blocked). So no
//!   rank finalizes on its own: an exit handler (run when `main` returns, on
//!   `std::process::exit`, and after a panic that unwound out of `main`) tells the driver the
//!   program ended (`ToDriver::Leaving`) and waits for its `Shutdown`; the driver's exit
//!   handler shuts every worker down, then all finalize. A worker told to shut down during a
//!   run (its driver ended early, for instance after a panic) exits with status 3. A panic in a
//!   user closure is `Error::Panicked` on every rank, as with TCP.
//! - **Monitors** connect over TCP as usual (`DistributedContext::write_monitor_file`); the
//!   driver accepts no TCP workers.

pub(crate) mod comm;
mod context;
pub(crate) mod driver;
mod exit;
pub(crate) mod worker;

pub(crate) use context::launched_by_mpi;
pub use context::ENV_TRANSPORT;

use comm::{Command, Inbox};
use crossbeam_channel::{unbounded, Sender};
use haydi_core::{Error, Result};
use mpi::topology::Communicator;
use std::time::Duration;

/// A worker's queue to the driver (its `Outbox`).
#[derive(Clone)]
pub(crate) struct ToDriverQueue(Sender<Command>);

impl ToDriverQueue {
    /// Queues one encoded message for rank 0; `false` when the communication thread ended.
    pub fn send(&self, bytes: Vec<u8>) -> bool {
        self.0
            .send(Command::Send(0, std::sync::Arc::new(bytes), None))
            .is_ok()
    }
}

/// MPI started on its communication thread, waiting for this process's side of the protocol.
pub(crate) struct Started {
    pub rank: u32,
    pub size: u32,
    pub commands: Sender<Command>,
    inbox: Sender<Box<dyn Inbox>>,
}

impl Started {
    /// Hands the communication thread this process's side of the protocol: it starts
    /// delivering messages to it.
    pub fn serve(&self, inbox: Box<dyn Inbox>) -> Result<()> {
        self.inbox
            .send(inbox)
            .map_err(|_| Error::Context("the MPI communication thread ended".into()))
    }
}

/// Initializes MPI on a new communication thread (`haydi-mpi`) and registers the exit handler
/// that ends the job cleanly. Fails if MPI is initialized already (by another library, or by
/// an earlier call that the caller should have reused).
pub(crate) fn start() -> Result<Started> {
    let (ready_tx, ready_rx) = unbounded::<std::result::Result<(u32, u32), String>>();
    let (inbox_tx, inbox_rx) = unbounded::<Box<dyn Inbox>>();
    let (commands, command_rx) = unbounded::<Command>();
    std::thread::Builder::new()
        .name("haydi-mpi".into())
        .spawn(move || {
            let Some((universe, threading)) =
                mpi::initialize_with_threading(mpi::Threading::Serialized)
            else {
                let _ = ready_tx.send(Err("MPI is initialized already in this process \
                    (haydi's MPI transport initializes it, once per process)"
                    .into()));
                return;
            };
            let world = universe.world();
            let rank = world.rank() as u32;
            let size = world.size() as u32;
            tracing::debug!(target: "haydi", rank, size, ?threading, "MPI initialized");
            let _ = ready_tx.send(Ok((rank, size)));
            let Ok(inbox) = inbox_rx.recv() else {
                // The process could not set up its side: nothing was exchanged yet.
                drop(universe);
                return;
            };
            let ended = comm::run(&world, rank, inbox, &command_rx);
            if let comm::Flow::Abort(why) = &ended.flow {
                eprintln!(
                    "haydi (MPI rank {rank}): {why}; aborting the MPI job (MPI is fail-stop)"
                );
                world.abort(comm::ABORT_CODE)
            }
            drop(world);
            drop(universe);
            // Only now may the process end: an exit handler that runs from here on returns at
            // once, and one that asked before is answered.
            exit::finished();
            tracing::debug!(target: "haydi", rank, flow = ?ended.flow, "MPI finalized");
            let waiting = ended
                .finish
                .into_iter()
                .chain(command_rx.try_iter().filter_map(|c| match c {
                    Command::Finish(done) => Some(done),
                    Command::Send(..) => None,
                }));
            for done in waiting {
                let _ = done.send(());
            }
            if let comm::Flow::Exit(code) = ended.flow {
                // Told to shut down while the program runs on (as with TCP, a worker ends
                // with its driver). Not `exit`: the program's own thread may be in `exit`
                // already, and two at once are undefined behaviour.
                exit::end_now(code);
            }
        })
        .map_err(|e| Error::Context(format!("cannot start the MPI thread: {e}")))?;
    let (rank, size) = ready_rx
        .recv_timeout(Duration::from_secs(600))
        .map_err(|_| Error::Context("MPI did not initialize".into()))?
        .map_err(Error::Context)?;
    exit::register(commands.clone());
    Ok(Started {
        rank,
        size,
        commands,
        inbox: inbox_tx,
    })
}
