//! The driver's side of the MPI transport: admits the ranks that join, relays their messages
//! to the dispatch loop as the same [`Event`]s the TCP connections produce, gives each a
//! [`Link`], keeps the heartbeats, and aborts the job when a rank goes silent (fail-stop).

use super::MpiLink;
use super::comm::{Command, Flow, Inbox, Outgoing};
use crate::distributed::DistributedOptions;
use crate::distributed::monitor::board::{Board, Seen};
use crate::distributed::protocol::{Join, ToDriver, ToWorker, decode, encode};
use crate::distributed::transport::admission::{Refusal, check_join};
use crate::distributed::transport::{Backlog, Event};
use crossbeam_channel::Sender;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A rank as the driver's communication thread sees it.
struct Rank {
    /// Set once it joined.
    joined: Option<Joined>,
    /// Told to shut down (then nothing more is expected from it).
    shut: bool,
}

struct Joined {
    host: String,
    pid: u32,
    heard: Instant,
    seen: Arc<Seen>,
    backlog: Arc<Backlog>,
}

/// The driver's inbox.
pub(crate) struct DriverInbox {
    size: u32,
    exe_hash: [u8; 32],
    job: String,
    interval: Duration,
    timeout: Duration,
    max_message: usize,
    events: Sender<Event>,
    commands: Sender<Command>,
    board: Arc<Board>,
    ranks: BTreeMap<u32, Rank>,
    last_beat: Instant,
    heartbeat: Arc<Vec<u8>>,
    shutdown: Arc<Vec<u8>>,
}

impl DriverInbox {
    /// The inbox of a driver of `size` processes whose dispatch loop reads `events`.
    pub fn new(
        size: u32,
        opts: &DistributedOptions,
        events: Sender<Event>,
        commands: Sender<Command>,
        board: Arc<Board>,
    ) -> Self {
        let ranks = (1..size)
            .map(|r| {
                (
                    r,
                    Rank {
                        joined: None,
                        shut: false,
                    },
                )
            })
            .collect();
        DriverInbox {
            size,
            exe_hash: crate::distributed::launcher::exe_hash(),
            job: crate::distributed::launcher::job_identity(),
            interval: opts.heartbeat_interval,
            timeout: opts.heartbeat_timeout,
            max_message: opts.max_message,
            events,
            commands,
            board,
            ranks,
            last_beat: Instant::now(),
            heartbeat: Arc::new(encode(&ToWorker::Heartbeat).unwrap_or_default()),
            shutdown: Arc::new(encode(&ToWorker::Shutdown).unwrap_or_default()),
        }
    }

    /// Admits rank `from` (its first message, `join`), or refuses it.
    fn join(&mut self, from: u32, join: Join, out: &mut Outgoing) -> Flow {
        let refuse = |why: String, out: &mut Outgoing| {
            if let Ok(b) = encode(&ToWorker::Refused(why)) {
                out.push(from, Arc::new(b));
            }
        };
        if join.rank != from {
            let why = format!("MPI rank {from} joined as rank {}", join.rank);
            refuse(why.clone(), out);
            return Flow::Abort(why);
        }
        // A rank of this MPI job cannot be waited for elsewhere: either refusal is an error.
        if let Some(Refusal::OtherExecutable(why) | Refusal::OtherJob(why)) =
            check_join(&join, &self.exe_hash, &self.job)
        {
            let _ = self.events.send(Event::Rejected(why.clone()));
            refuse(why, out);
            return Flow::Go;
        }
        let Ok(welcome) = encode(&ToWorker::Welcome { size: self.size }) else {
            return Flow::Abort("cannot encode the welcome message".into());
        };
        out.push(from, Arc::new(welcome));
        let threads = join.threads.max(1);
        let seen = self.board.join(from, &join.host, join.pid, threads);
        let backlog = Arc::new(Backlog::default());
        if let Some(r) = self.ranks.get_mut(&from) {
            r.joined = Some(Joined {
                host: join.host.clone(),
                pid: join.pid,
                heard: Instant::now(),
                seen,
                backlog: backlog.clone(),
            });
        }
        let _ = self.events.send(Event::Joined {
            rank: from,
            threads,
            host: join.host,
            pid: join.pid,
            link: Box::new(MpiLink::new(from, self.commands.clone(), backlog)),
        });
        Flow::Go
    }

    /// Tells rank `r` to shut down (once).
    fn shut(&mut self, r: u32, out: &mut Outgoing) {
        if let Some(rank) = self.ranks.get_mut(&r) {
            if !rank.shut {
                rank.shut = true;
                out.push(r, self.shutdown.clone());
            }
            if let Some(j) = &rank.joined {
                self.board.leave(r, &j.seen);
                j.backlog.close();
            }
        }
    }
}

impl Inbox for DriverInbox {
    fn start(&mut self, _out: &mut Outgoing) {}

    fn message(&mut self, from: u32, bytes: Vec<u8>, out: &mut Outgoing) -> Flow {
        let Some(rank) = self.ranks.get_mut(&from) else {
            return Flow::Abort(format!(
                "a message from MPI rank {from}, which is not a worker of this job"
            ));
        };
        let msg = match decode::<ToDriver>(&bytes) {
            Ok(m) => m,
            Err(e) => {
                return Flow::Abort(format!("worker rank {from} sent a malformed message: {e}"));
            }
        };
        if rank.shut {
            // Told to shut down: whatever it still says (a last heartbeat) no longer counts.
            return Flow::Go;
        }
        let Some(joined) = &mut rank.joined else {
            return match msg {
                ToDriver::Join(j) => self.join(from, j, out),
                ToDriver::Leaving { .. } => {
                    self.shut(from, out);
                    Flow::Go
                }
                _ => Flow::Abort(format!(
                    "worker rank {from} sent a message before it joined"
                )),
            };
        };
        joined.heard = Instant::now();
        match msg {
            ToDriver::Heartbeat => joined.seen.heard(&self.board, None),
            ToDriver::Leaving { runs } => {
                self.shut(from, out);
                // The coordinator's logic tells a program that ended early (the processes
                // diverged) from one that ended with the driver's.
                let _ = self
                    .events
                    .send(Event::Msg(from, ToDriver::Leaving { runs }));
            }
            ToDriver::Join(_) | ToDriver::Monitor(_) => {
                return Flow::Abort(format!(
                    "worker rank {from} sent a join or monitor message after it joined"
                ));
            }
            m => {
                joined.seen.heard(&self.board, Some(&m));
                if self.events.send(Event::Msg(from, m)).is_err() {
                    return Flow::Abort("the driver's dispatch loop is gone".into());
                }
            }
        }
        Flow::Go
    }

    fn tick(&mut self, now: Instant, out: &mut Outgoing) -> Flow {
        // Once a heartbeat interval, not every turn of the loop: with many ranks the walk (a
        // lock per rank for the monitors' board) would cost every message.
        if now.duration_since(self.last_beat) < self.interval {
            return Flow::Go;
        }
        self.last_beat = now;
        for (r, rank) in &self.ranks {
            let Some(j) = rank.joined.as_ref().filter(|_| !rank.shut) else {
                continue;
            };
            out.push(*r, self.heartbeat.clone());
            if let Some(why) = j.seen.kick_reason() {
                return Flow::Abort(format!(
                    "a monitor dropped worker rank {r} ({why}); MPI cannot go on without a rank"
                ));
            }
            let silent = now.duration_since(j.heard);
            if silent > self.timeout {
                return Flow::Abort(format!(
                    "worker rank {r} on {} (pid {}) sent nothing for {silent:?} \
                     (DistributedOptions::heartbeat_timeout is {:?}). The TCP transport would \
                     run its chunks elsewhere; MPI cannot go on without a rank. Restart the job \
                     (with RunOptions::checkpoint it resumes where it stopped)",
                    j.host, j.pid, self.timeout
                ));
            }
        }
        Flow::Go
    }

    fn finishing(&mut self, out: &mut Outgoing) -> Flow {
        let ranks: Vec<u32> = self.ranks.keys().copied().collect();
        for r in ranks {
            self.shut(r, out);
        }
        Flow::Finalize
    }

    fn max_message(&self) -> usize {
        self.max_message
    }
}
