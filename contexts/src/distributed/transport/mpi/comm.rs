//! The communication thread: the only thread of a process that calls MPI.
//!
//! It initializes MPI, then loops: it sends what the process queued (non-blocking sends, so
//! that two ranks sending large messages to each other never wait on each other: while a send
//! is pending it keeps receiving), receives whole messages from any rank and hands them to
//! the process's [`Inbox`] (the driver's or a worker's side of the protocol), and lets the
//! inbox keep its heartbeats and liveness deadlines. It finalizes MPI when the inbox says the
//! process is done, and aborts the whole MPI job (`MPI_Abort`) when the inbox says a rank was
//! lost: MPI is fail-stop.
//!
//! Messages are the protocol's bincode bytes. One longer than [`PIECE`] (or
//! `HAYDI_MPI_PIECE` bytes) travels as several
//! pieces (tag [`TAG_PART`], then a last one with [`TAG_LAST`]; MPI keeps the order of
//! messages between two ranks), because an MPI count is a 32-bit integer; the receiver
//! refuses a message longer than `DistributedOptions::max_message` before receiving it.

use crate::distributed::transport::Backlog;
use crossbeam_channel::{Receiver, RecvTimeoutError};
use mpi::Tag;
use mpi::datatype::Equivalence;
use mpi::point_to_point::{Destination, MatchedReceiveVec, Source, Status};
use mpi::topology::{Communicator, SimpleCommunicator};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The last (often the only) piece of a message.
pub(crate) const TAG_LAST: Tag = 0x4879;
/// A piece with more to follow.
pub(crate) const TAG_PART: Tag = 0x487a;
/// Largest piece sent at once (an MPI count is an `i32`), unless [`ENV_PIECE`] sets less.
pub(crate) const PIECE: usize = 1 << 28;
/// Sets a smaller piece size in bytes (at least 1024): tests use it to send long messages in
/// many pieces.
pub(crate) const ENV_PIECE: &str = "HAYDI_MPI_PIECE";

/// The piece size of this process.
fn piece() -> usize {
    static P: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *P.get_or_init(|| {
        std::env::var(ENV_PIECE)
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .map_or(PIECE, |p| p.clamp(1024, PIECE))
    })
}
/// The longest an idle communication thread sleeps between looks for a message, in µs: each
/// hop of a message may wait this long, and an idle thread wakes this often.
const MAX_IDLE_WAIT_US: u64 = 200;
/// The wait of a communication thread that has been quiet for [`QUIET_AFTER`], in µs.
const QUIET_WAIT_US: u64 = 1000;
/// How long without messages makes a communication thread quiet.
const QUIET_AFTER: Duration = Duration::from_millis(10);
/// The exit status of ranks that abort the job.
pub(crate) const ABORT_CODE: i32 = 75;

/// What the process asks of its communication thread.
pub(crate) enum Command {
    /// Send `bytes` to a rank; `backlog` (the driver's link) learns when it left.
    Send(u32, Arc<Vec<u8>>, Option<Arc<Backlog>>),
    /// The process is ending: finish the protocol (the inbox says how), finalize MPI, then
    /// answer.
    Finish(crossbeam_channel::Sender<()>),
}

/// What an inbox wants the communication thread to do next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    /// Go on.
    Go,
    /// This process's part is over: finalize MPI (after the queued sends) and end the thread.
    Finalize,
    /// A rank was lost or broke the protocol: print this and abort the MPI job.
    Abort(String),
}

/// Messages an inbox wants sent.
#[derive(Default)]
pub(crate) struct Outgoing(pub Vec<(u32, Arc<Vec<u8>>)>);

impl Outgoing {
    /// Queues `bytes` for `rank`.
    pub fn push(&mut self, rank: u32, bytes: Arc<Vec<u8>>) {
        self.0.push((rank, bytes));
    }
}

/// One side of the protocol, as the communication thread drives it.
pub(crate) trait Inbox: Send {
    /// Called once the thread runs (a worker sends its join message here).
    fn start(&mut self, out: &mut Outgoing);
    /// A whole message from rank `from`.
    fn message(&mut self, from: u32, bytes: Vec<u8>, out: &mut Outgoing) -> Flow;
    /// Every turn of the loop: heartbeats to send, deadlines passed.
    fn tick(&mut self, now: Instant, out: &mut Outgoing) -> Flow;
    /// The process is ending (its exit handler ran): what to send, and whether the thread
    /// may finalize at once (`Finalize`) or must wait for a message first (`Go`).
    fn finishing(&mut self, out: &mut Outgoing) -> Flow;
    /// The longest message accepted (`DistributedOptions::max_message`).
    fn max_message(&self) -> usize;
}

/// A message waiting to be sent: to whom, its bytes, the link's backlog to tell when it left.
type Queued = (u32, Arc<Vec<u8>>, Option<Arc<Backlog>>);

/// The loop's state.
struct Loop<'w> {
    world: &'w SimpleCommunicator,
    rank: u32,
    inbox: Box<dyn Inbox>,
    /// Pieces received so far of a message in several pieces, by source rank.
    partial: HashMap<u32, Vec<u8>>,
    /// Messages waiting to be sent, in order.
    pending: VecDeque<Queued>,
    /// Who waits for the process's end to be done.
    finish: Option<crossbeam_channel::Sender<()>>,
    flow: Flow,
}

/// How the loop ended, for the thread that runs it.
pub(crate) struct Ended {
    /// `Finalize` or `Abort(why)`.
    pub flow: Flow,
    /// Who waits for the end (the exit handler), to answer after finalizing.
    pub finish: Option<crossbeam_channel::Sender<()>>,
}

/// Runs the communication loop of rank `rank` until its inbox says the process is done (or a
/// rank was lost), then returns how it ended: the caller finalizes or aborts.
pub(crate) fn run(
    world: &SimpleCommunicator,
    rank: u32,
    inbox: Box<dyn Inbox>,
    commands: &Receiver<Command>,
) -> Ended {
    let mut l = Loop {
        world,
        rank,
        inbox,
        partial: HashMap::new(),
        pending: VecDeque::new(),
        finish: None,
        flow: Flow::Go,
    };
    let mut out = Outgoing::default();
    l.inbox.start(&mut out);
    l.queue(out);
    let mut idle = 0u32;
    let mut last_busy = Instant::now();
    let mut commands_open = true;
    loop {
        let mut busy = false;
        while let Ok(c) = commands.try_recv() {
            busy = true;
            l.command(c);
        }
        busy |= l.receive();
        let mut out = Outgoing::default();
        let f = l.inbox.tick(Instant::now(), &mut out);
        l.set(f);
        l.queue(out);
        while !matches!(l.flow, Flow::Abort(_)) {
            let Some((to, bytes, backlog)) = l.pending.pop_front() else {
                break;
            };
            busy = true;
            l.send(to, &bytes);
            if let Some(b) = backlog {
                b.written();
            }
        }
        if l.flow != Flow::Go {
            break;
        }
        if busy {
            idle = 0;
            last_busy = Instant::now();
            continue;
        }
        // Nothing to do: wait for a command, or a little while for a message (MPI has no
        // wait on "a message or a channel"). The wait grows from microseconds to
        // MAX_IDLE_WAIT_US while messages come often (it bounds how long one waits to be
        // noticed), and is QUIET_WAIT_US once nothing happened for QUIET_AFTER (between runs,
        // or during long chunks), so that idle ranks cost the cores little.
        idle = idle.saturating_add(1);
        if idle < 8 {
            std::thread::yield_now();
            continue;
        }
        let wait = if last_busy.elapsed() > QUIET_AFTER {
            Duration::from_micros(QUIET_WAIT_US)
        } else {
            Duration::from_micros((1u64 << (idle - 8).min(8)).min(MAX_IDLE_WAIT_US))
        };
        if !commands_open {
            std::thread::sleep(wait);
            continue;
        }
        match commands.recv_timeout(wait) {
            Ok(c) => {
                idle = 0;
                l.command(c);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => commands_open = false,
        }
    }
    Ended {
        flow: l.flow,
        finish: l.finish,
    }
}

impl Loop<'_> {
    fn set(&mut self, f: Flow) {
        // The first decision other than going on wins (an abort stays an abort).
        if self.flow == Flow::Go {
            self.flow = f;
        }
    }

    fn queue(&mut self, out: Outgoing) {
        self.pending
            .extend(out.0.into_iter().map(|(to, b)| (to, b, None)));
    }

    fn command(&mut self, c: Command) {
        match c {
            Command::Send(to, bytes, backlog) => self.pending.push_back((to, bytes, backlog)),
            Command::Finish(done) => {
                self.finish = Some(done);
                let mut out = Outgoing::default();
                let f = self.inbox.finishing(&mut out);
                self.set(f);
                self.queue(out);
            }
        }
    }

    /// Receives every message that has arrived; returns whether anything did.
    fn receive(&mut self) -> bool {
        let mut any = false;
        while self.flow == Flow::Go && self.receive_one() {
            any = true;
        }
        any
    }

    /// Receives one piece if one has arrived (handing a completed message to the inbox and
    /// queueing its replies); returns whether one had.
    fn receive_one(&mut self) -> bool {
        let Some((msg, status)) = self.world.any_process().immediate_matched_probe() else {
            return false;
        };
        let from = status.source_rank() as u32;
        let tag = status.tag();
        let n = piece_len(&status);
        let have = self.partial.get(&from).map_or(0, Vec::len);
        let max = self.inbox.max_message();
        if have.saturating_add(n) > max {
            // A matched message must be received; then the job is given up.
            drop((msg, status).matched_receive_vec::<u8>());
            self.set(Flow::Abort(format!(
                "rank {from} sent a message of more than {} bytes, over \
                 DistributedOptions::max_message ({max} bytes)",
                have.saturating_add(n)
            )));
            return true;
        }
        let (data, _) = (msg, status).matched_receive_vec::<u8>();
        if tag != TAG_LAST && tag != TAG_PART {
            self.set(Flow::Abort(format!(
                "rank {from} sent a message with tag {tag}, which is not haydi's"
            )));
            return true;
        }
        let whole = match (self.partial.remove(&from), tag == TAG_LAST) {
            (None, true) => data,
            (None, false) => {
                self.partial.insert(from, data);
                return true;
            }
            (Some(mut buf), last) => {
                buf.extend_from_slice(&data);
                if !last {
                    self.partial.insert(from, buf);
                    return true;
                }
                buf
            }
        };
        let mut out = Outgoing::default();
        let f = self.inbox.message(from, whole, &mut out);
        self.set(f);
        self.queue(out);
        true
    }

    /// Sends one message (in pieces when long). While a piece is pending the loop keeps
    /// receiving, since the other rank may be sending to this one at the same time; replies
    /// to what it receives wait in `pending`, behind this message.
    fn send(&mut self, rank: u32, bytes: &[u8]) {
        if rank == self.rank || i64::from(rank) >= i64::from(self.world.size()) {
            return;
        }
        let pieces: Vec<&[u8]> = if bytes.is_empty() {
            vec![bytes]
        } else {
            bytes.chunks(piece()).collect()
        };
        let last = pieces.len() - 1;
        for (i, piece) in pieces.into_iter().enumerate() {
            let tag = if i == last { TAG_LAST } else { TAG_PART };
            let world = self.world;
            mpi::request::scope(|scope| {
                let mut req = world
                    .process_at_rank(rank as i32)
                    .immediate_send_with_tag(scope, piece, tag);
                let mut idle = 0u32;
                loop {
                    match req.test() {
                        Ok(_) => break,
                        Err(r) => req = r,
                    }
                    if self.receive_one() {
                        idle = 0;
                    } else {
                        idle = idle.saturating_add(1);
                        if idle < 64 {
                            std::thread::yield_now();
                        } else {
                            std::thread::sleep(Duration::from_micros(50));
                        }
                    }
                }
            });
        }
    }
}

/// Bytes in a received piece.
fn piece_len(status: &Status) -> usize {
    usize::try_from(status.count(u8::equivalent_datatype())).unwrap_or(0)
}
