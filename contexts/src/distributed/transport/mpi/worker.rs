//! A worker's side of the MPI flavour: joins the driver (rank 0), reports what the driver
//! says to the worker's logic, keeps the heartbeats, aborts the job when the driver goes
//! silent (fail-stop), and at the process's exit says it is leaving and waits for the
//! driver's `Shutdown`, so that every rank finalizes together.

use super::comm::{Flow, Inbox, Outgoing};
use crate::distributed::DistributedOptions;
use crate::distributed::protocol::{Join, ToDriver, ToWorker, decode, encode};
use crate::distributed::transport::{Hear, Heard};
use crossbeam_channel::Sender;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What joining gave: the job's size, or why the driver refused.
pub(crate) type JoinAnswer = std::result::Result<u32, String>;

/// A worker's inbox.
pub(crate) struct WorkerInbox {
    rank: u32,
    join: Join,
    answer: Option<Sender<JoinAnswer>>,
    hear: Hear,
    /// `ToDriver::Leaving`, as the worker's logic says it at the process's exit.
    leaving: Box<dyn Fn() -> Vec<u8> + Send>,
    /// The driver said `Shutdown`: its program ended, its silence is no failure.
    shut: bool,
    heard: Instant,
    last_beat: Instant,
    interval: Duration,
    timeout: Duration,
    connect_timeout: Duration,
    max_message: usize,
    /// The program ended here: waiting for the driver's `Shutdown`.
    finishing: bool,
    heartbeat: Arc<Vec<u8>>,
}

impl WorkerInbox {
    /// The inbox of worker `join.rank`; the join's outcome goes to `answer`, what the driver
    /// says to `hear`, and `leaving` is said at the process's exit.
    pub fn new(
        join: Join,
        opts: &DistributedOptions,
        answer: Sender<JoinAnswer>,
        hear: Hear,
        leaving: Box<dyn Fn() -> Vec<u8> + Send>,
    ) -> Self {
        let now = Instant::now();
        WorkerInbox {
            rank: join.rank,
            join,
            answer: Some(answer),
            hear,
            leaving,
            shut: false,
            heard: now,
            last_beat: now,
            interval: opts.heartbeat_interval,
            timeout: opts.heartbeat_timeout,
            connect_timeout: opts.connect_timeout,
            max_message: opts.max_message,
            finishing: false,
            heartbeat: Arc::new(encode(&ToDriver::Heartbeat).unwrap_or_default()),
        }
    }

    fn answer(&mut self, a: JoinAnswer) {
        if let Some(tx) = self.answer.take() {
            let _ = tx.send(a);
        }
    }
}

impl Inbox for WorkerInbox {
    fn start(&mut self, out: &mut Outgoing) {
        match encode(&ToDriver::Join(self.join.clone())) {
            Ok(b) => out.push(0, Arc::new(b)),
            Err(e) => self.answer(Err(format!("cannot encode the join message: {e}"))),
        }
    }

    fn message(&mut self, from: u32, bytes: Vec<u8>, _out: &mut Outgoing) -> Flow {
        if from != 0 {
            return Flow::Abort(format!(
                "worker rank {} got a message from rank {from}, not from the driver",
                self.rank
            ));
        }
        self.heard = Instant::now();
        let msg = match decode::<ToWorker>(&bytes) {
            Ok(m) => m,
            Err(e) => return Flow::Abort(format!("bad message from the driver: {e}")),
        };
        match msg {
            ToWorker::Heartbeat => {}
            ToWorker::Welcome { size } => self.answer(Ok(size)),
            ToWorker::Refused(why) if self.answer.is_some() => {
                self.answer(Err(format!("refused by the driver: {why}")))
            }
            ToWorker::Shutdown if self.finishing => return Flow::Finalize,
            ToWorker::Shutdown => {
                // The driver's program ended: ours goes on to the end of its `main`, and then
                // finalizes (`finishing`).
                self.shut = true;
                (self.hear)(Heard::Msg(ToWorker::Shutdown));
            }
            m => (self.hear)(Heard::Msg(m)),
        }
        Flow::Go
    }

    fn tick(&mut self, now: Instant, out: &mut Outgoing) -> Flow {
        if now.duration_since(self.last_beat) >= self.interval {
            self.last_beat = now;
            out.push(0, self.heartbeat.clone());
        }
        if self.shut {
            // The driver is done (and finalizing): its silence is no failure.
            return Flow::Go;
        }
        let silent = now.duration_since(self.heard);
        let (limit, what) = if self.answer.is_some() {
            (
                self.connect_timeout,
                "no answer to its join (DistributedOptions::connect_timeout)",
            )
        } else {
            (
                self.timeout,
                "nothing (DistributedOptions::heartbeat_timeout)",
            )
        };
        if silent > limit {
            return Flow::Abort(format!(
                "worker rank {}: the driver (rank 0) sent {what} for {silent:?}",
                self.rank
            ));
        }
        Flow::Go
    }

    fn finishing(&mut self, out: &mut Outgoing) -> Flow {
        if self.shut {
            // The driver ended first and shut this rank down already.
            return Flow::Finalize;
        }
        self.finishing = true;
        out.push(0, Arc::new((self.leaving)()));
        // Wait for the driver's Shutdown: then every rank finalizes together.
        Flow::Go
    }

    fn max_message(&self) -> usize {
        self.max_message
    }
}
