//! The MPI flavour (cargo feature `mpi`): the protocol over MPI point-to-point messages, for
//! clusters whose processes `mpirun` or `srun` start and whose fabric (InfiniBand, Omni-Path)
//! MPI drives, where TCP ports between nodes are often closed.
//!
//! The messages are the TCP flavour's, message for message (the same bincode bytes), and the
//! driver's and workers' logic is the same code: one [`Link`] implementation ([`MpiLink`], to
//! any rank) and the same reports. One thread per process calls MPI (`comm.rs`); the driver's
//! side is in `driver.rs` ([`serve_driver`]), a worker's in `worker.rs` ([`join_worker`]), the
//! end of a process in `exit.rs`. `DistributedContext::mpi` (`distributed/mpi.rs`) starts it.
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
//!   run (its driver ended early, for instance after a panic) fails that run, as with TCP; one
//!   dismissed by the driver exits with status 3 (the worker's logic decides, and the exit
//!   handler above still finalizes). A panic in a user closure is `Error::Panicked` on every
//!   rank, as with TCP.
//! - **Monitors** connect over TCP as usual (`DistributedContext::write_monitor_file`); the
//!   driver accepts no TCP workers.

mod comm;
mod driver;
mod exit;
mod worker;

use super::{Backlog, Event, Hear, Link};
use crate::distributed::DistributedOptions;
use crate::distributed::monitor::board::Board;
use crate::distributed::protocol::Join;
use comm::{Command, Inbox};
use crossbeam_channel::{Sender, unbounded};
use driver::DriverInbox;
use haydi_core::{Error, Result};
use mpi::topology::Communicator;
use std::sync::Arc;
use std::time::Duration;
use worker::{JoinAnswer, WorkerInbox};

/// The link to one rank (the driver's to a worker, a worker's to the driver): its messages go
/// through the communication thread, which tells the backlog when each has left.
pub(crate) struct MpiLink {
    rank: u32,
    commands: Sender<Command>,
    backlog: Arc<Backlog>,
}

impl MpiLink {
    fn new(rank: u32, commands: Sender<Command>, backlog: Arc<Backlog>) -> Self {
        MpiLink {
            rank,
            commands,
            backlog,
        }
    }
}

impl Link for MpiLink {
    fn send(&self, bytes: Arc<Vec<u8>>) -> bool {
        self.backlog.queued();
        let ok = self
            .commands
            .send(Command::Send(self.rank, bytes, Some(self.backlog.clone())))
            .is_ok();
        if !ok {
            self.backlog.close();
        }
        ok
    }

    fn backlog(&self) -> &Backlog {
        &self.backlog
    }
}

/// MPI started on its communication thread, waiting for this process's side of the protocol
/// ([`join_worker`] or [`serve_driver`]).
pub(crate) struct Started {
    pub rank: u32,
    pub size: u32,
    commands: Sender<Command>,
    inbox: Sender<Box<dyn Inbox>>,
}

impl Started {
    /// Hands the communication thread this process's side of the protocol: it starts
    /// delivering messages to it.
    fn serve(&self, inbox: Box<dyn Inbox>) -> Result<()> {
        self.inbox
            .send(inbox)
            .map_err(|_| Error::Context("the MPI communication thread ended".into()))
    }
}

/// A worker's side: joins the driver (rank 0) as `join` says, then reports what the driver
/// says to `hear`; `leaving` is what it says at the process's exit. Returns the link to the
/// driver and the number of processes. The communication thread aborts the job if the
/// driver does not answer within `connect_timeout`.
pub(crate) fn join_worker(
    started: &Started,
    join: Join,
    opts: &DistributedOptions,
    hear: Hear,
    leaving: Box<dyn Fn() -> Vec<u8> + Send>,
) -> Result<(Arc<dyn Link>, u32)> {
    let rank = join.rank;
    let (answer_tx, answer_rx) = crossbeam_channel::bounded::<JoinAnswer>(1);
    started.serve(Box::new(WorkerInbox::new(
        join, opts, answer_tx, hear, leaving,
    )))?;
    let size = answer_rx
        .recv_timeout(opts.connect_timeout + Duration::from_secs(5))
        .map_err(|_| {
            Error::Worker(format!(
                "rank {rank} got no answer from the driver (rank 0) within {:?}",
                opts.connect_timeout
            ))
        })?
        .map_err(Error::Protocol)?;
    let link = MpiLink::new(0, started.commands.clone(), Arc::new(Backlog::default()));
    Ok((Arc::new(link), size))
}

/// The driver's side: admits the ranks that join and reports them, their messages and their
/// links as [`Event`]s on `events`, keeping `board` (what monitors see) up to date.
pub(crate) fn serve_driver(
    started: &Started,
    opts: &DistributedOptions,
    events: Sender<Event>,
    board: Arc<Board>,
) -> Result<()> {
    started.serve(Box::new(DriverInbox::new(
        started.size,
        opts,
        events,
        started.commands.clone(),
        board,
    )))
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
