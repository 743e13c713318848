//! The worker's side (rank > 0): at every run it announces the run, runs the chunks the
//! driver hands out on its own threads, sends their partials, and returns the result the
//! driver broadcasts. Its transport (TCP or MPI, `transport/`) reaches the driver through a
//! [`Link`] and reports what it hears to this side's [`Watch`], which decides what becomes of
//! the process when the driver ends, dismisses it or is lost.

use super::protocol::{ChunkResult, Final, Join, RunId, ToDriver, ToWorker, encode};
use super::transport::{Hear, Heard, Link};
use super::{DistributedOptions, launcher};
use haydi_core::context::nested::ParallelRunGuard;
use haydi_core::context::{Observer, ParallelContext, RunEnd, RunReport, ThreadContext};
use haydi_core::plumbing::Unpoisoned;
use haydi_core::plumbing::{ChunkSpec, ErasedJob};
use haydi_core::{Error, Result, RunOptions};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// What the worker's run loop and its [`Watch`] share.
#[derive(Default)]
pub(crate) struct Flags {
    /// Set while a run is in progress, until its result arrived (a driver lost during a run
    /// is told from one lost between runs by it).
    in_run: AtomicBool,
    /// Set once the driver's program ended (or dropped the context): `ToWorker::Shutdown`.
    /// This process goes on with its own `main`; a later run of this context is an error.
    ended: AtomicBool,
    /// Set while `execute` runs (until its threads are joined), so that a `Shutdown` that finds
    /// chunks still running here (a closure that never returns) can end the process.
    busy: AtomicBool,
    /// Runs of this context so far (the next run's sequence number).
    runs: AtomicU64,
    /// Set once the process is being ended (by the first reason that came).
    ending: AtomicBool,
}

/// The worker's logic for what its transport hears from the driver. Called on the
/// transport's thread: it never blocks there, and never ends the process there (a thread of
/// its own does).
pub(crate) struct Watch {
    rank: u32,
    flags: Arc<Flags>,
    /// The run loop's queue.
    to_run: mpsc::Sender<ToWorker>,
    /// How long chunks may still run after the driver's program ended.
    grace: Duration,
}

impl Watch {
    /// Reacts to what the transport heard:
    /// - `Shutdown`: the driver's program ended normally; this one goes on to the end of its
    ///   `main` (a run it reaches is an error), unless chunks still run here past the grace.
    /// - `Dismissed`, or the driver lost without a `Shutdown` (killed, crashed, silent past the
    ///   heartbeat deadline, the network failed): this process cannot go on with the same
    ///   values; it says why on stderr and exits with status 3, during a run or between runs.
    /// - any other message: for the run loop.
    fn hear(&self, h: Heard) {
        match h {
            Heard::Msg(ToWorker::Heartbeat) => {}
            Heard::Msg(ToWorker::Shutdown) => {
                driver_ended(self.rank, self.flags.clone(), self.grace);
                let _ = self.to_run.send(ToWorker::Shutdown);
            }
            Heard::Msg(ToWorker::Dismissed(why)) => self.end(why),
            Heard::Msg(m) => {
                if matches!(m, ToWorker::Result { .. }) {
                    // The run is over for this process.
                    self.flags.in_run.store(false, Ordering::SeqCst);
                }
                let _ = self.to_run.send(m);
            }
            Heard::Lost(reason) => {
                if self.flags.ended.load(Ordering::SeqCst) {
                    // The driver's program had ended: its connection going is no failure.
                    return;
                }
                let when = if self.flags.in_run.load(Ordering::SeqCst) {
                    "during a run"
                } else {
                    "between runs"
                };
                self.end(format!("lost the driver {when}: {reason}"));
            }
        }
    }

    /// Ends the process (once) on a thread of its own.
    fn end(&self, why: String) {
        if self.flags.ending.swap(true, Ordering::SeqCst) {
            return;
        }
        let rank = self.rank;
        let spawned = std::thread::Builder::new()
            .name("haydi-worker-end".into())
            .spawn(move || die(rank, &why));
        if let Err(e) = spawned {
            die(
                rank,
                &format!("cannot start a thread to end this worker: {e}"),
            );
        }
    }
}

/// Ends a worker that cannot go on (its driver was killed or went silent, or dismissed it):
/// one line on stderr saying why, and exit status 3.
fn die(rank: u32, msg: &str) -> ! {
    eprintln!("haydi worker rank {rank}: {msg}; exiting");
    std::process::exit(3)
}

/// What a worker does when the driver says its program ended (`ToWorker::Shutdown`): nothing,
/// unless chunks of a run are still running on this process (a closure that does not return):
/// then `main` cannot go on, and the process ends after `grace` if they still run.
fn driver_ended(rank: u32, flags: Arc<Flags>, grace: Duration) {
    flags.ended.store(true, Ordering::SeqCst);
    if !flags.busy.load(Ordering::SeqCst) {
        return;
    }
    let _ = std::thread::Builder::new()
        .name("haydi-end-watch".into())
        .spawn(move || {
            let until = Instant::now() + grace;
            while Instant::now() < until {
                if !flags.busy.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            if !flags.ending.swap(true, Ordering::SeqCst) {
                die(
                    rank,
                    &format!(
                        "the driver's program ended while chunks were still running here \
                         (a closure that has not returned for {grace:?} after the run ended)"
                    ),
                )
            }
        });
}

/// What a worker says when its process exits, whatever became of its context object: that its
/// program ended, and after how many runs (`ToDriver::Leaving`), so that the driver does not
/// take a normal end for a lost worker, and takes an early one for what it is (divergence).
/// Over MPI the transport says it itself (its processes finalize together).
pub(crate) struct Farewell {
    link: Arc<dyn Link>,
    flags: Arc<Flags>,
}

impl Farewell {
    /// Says it and waits (a moment) until it is written.
    pub(crate) fn say(&self) {
        if self.flags.ended.load(Ordering::SeqCst) {
            // The driver's program ended first: nobody listens.
            return;
        }
        if self.flags.busy.load(Ordering::SeqCst) {
            // The process ends inside a run (a closure called `exit`): not the end of the
            // program's path but a failure, which the driver sees as a lost worker.
            return;
        }
        if let Ok(b) = encode(&leaving(&self.flags)) {
            if self.link.send(Arc::new(b)) {
                self.link
                    .backlog()
                    .wait_drained(Instant::now() + Duration::from_secs(2));
            }
        }
    }
}

/// `ToDriver::Leaving` with the runs made so far.
fn leaving(flags: &Flags) -> ToDriver {
    ToDriver::Leaving {
        runs: flags.runs.load(Ordering::SeqCst),
    }
}

/// The join message of this process as worker `rank` running `threads` chunks at once.
pub(crate) fn this_join(rank: u32, threads: usize) -> Join {
    Join {
        rank,
        exe_hash: launcher::exe_hash(),
        threads: u32::try_from(threads).unwrap_or(u32::MAX),
        pid: std::process::id(),
        host: launcher::hostname(),
        job: launcher::job_identity(),
    }
}

/// The error of a run this worker reaches after the driver's program ended.
fn after_end(rank: u32, me: &RunId) -> Error {
    Error::Protocol(format!(
        "rank {rank} reached {me}, but the driver's program had ended (or dropped this \
         context) before reaching it: the processes diverged. Every process must make the \
         same run(true) calls in the same order"
    ))
}

/// A worker before it joined: what its transport needs to report to it.
pub(crate) struct Joining {
    rank: u32,
    flags: Arc<Flags>,
    rx: mpsc::Receiver<ToWorker>,
    watch: Arc<Watch>,
}

impl Joining {
    /// Worker `rank`, whose driver's silence after its end is allowed `opts.heartbeat_timeout`.
    pub(crate) fn new(rank: u32, opts: &DistributedOptions) -> Self {
        let flags = Arc::new(Flags::default());
        let (to_run, rx) = mpsc::channel();
        Joining {
            rank,
            watch: Arc::new(Watch {
                rank,
                flags: flags.clone(),
                to_run,
                grace: opts.heartbeat_timeout,
            }),
            flags,
            rx,
        }
    }

    /// Where the transport reports what it hears.
    pub(crate) fn hear(&self) -> Hear {
        let watch = self.watch.clone();
        Arc::new(move |h| watch.hear(h))
    }

    /// What the transport says to the driver when the process exits (the MPI flavour's
    /// closing handshake): `ToDriver::Leaving` with the runs made by then.
    #[cfg(feature = "mpi")]
    pub(crate) fn leaving(&self) -> Box<dyn Fn() -> Vec<u8> + Send> {
        let flags = self.flags.clone();
        Box::new(move || encode(&leaving(&flags)).unwrap_or_default())
    }

    /// The worker, joined: `link` reaches the driver of a job of `size` processes.
    pub(crate) fn joined(
        self,
        size: u32,
        threads: usize,
        opts: &DistributedOptions,
        link: Arc<dyn Link>,
    ) -> WorkerSide {
        WorkerSide {
            rank: self.rank,
            size,
            threads,
            max_message: opts.max_message,
            link,
            rx: Mutex::new(self.rx),
            flags: self.flags,
        }
    }
}

/// A connected worker.
pub(crate) struct WorkerSide {
    pub rank: u32,
    pub size: u32,
    pub threads: usize,
    max_message: usize,
    /// The transport's sending half, to the driver.
    link: Arc<dyn Link>,
    /// The driver's messages, from the [`Watch`].
    rx: Mutex<mpsc::Receiver<ToWorker>>,
    flags: Arc<Flags>,
}

impl WorkerSide {
    /// What this worker says at its process's exit.
    pub(crate) fn farewell(&self) -> Farewell {
        Farewell {
            link: self.link.clone(),
            flags: self.flags.clone(),
        }
    }

    fn send(&self, msg: &ToDriver) -> Result<bool> {
        Ok(self.link.send(Arc::new(encode(msg)?)))
    }

    /// The worker's part of a run.
    pub fn execute(&self, job: &dyn ErasedJob, opts: &RunOptions) -> Result<RunReport> {
        let rx = self.rx.lock_unpoisoned();
        let sig = job.signature();
        let me = RunId {
            seq: self.flags.runs.fetch_add(1, Ordering::SeqCst),
            call_site: sig.call_site.to_string(),
            type_name: sig.type_name.to_string(),
            source: job.fingerprint(),
        };
        let started = Instant::now();
        if self.flags.ended.load(Ordering::SeqCst) {
            return Err(after_end(self.rank, &me));
        }
        self.flags.in_run.store(true, Ordering::SeqCst);
        self.flags.busy.store(true, Ordering::SeqCst);
        struct Reset<'a>(&'a AtomicBool);
        impl Drop for Reset<'_> {
            fn drop(&mut self) {
                self.0.store(false, Ordering::SeqCst);
            }
        }
        // Dropped in reverse order: `in_run` first, `busy` once the threads are joined.
        let _busy = Reset(&self.flags.busy);
        let _reset = Reset(&self.flags.in_run);
        if !self.send(&ToDriver::Announce(me.clone()))? {
            return Err(Error::Worker(
                "the connection to the driver is closed".into(),
            ));
        }
        let rank = self.rank;
        // The driver sends up to `prefetch` chunks per thread ahead: they wait in the channel
        // until a thread is free. At the end of the run (or when the driver is gone) the queued
        // ones are dropped unstarted and the threads exit after their current chunk.
        let closed = AtomicBool::new(false);
        let (queue, chunks) = crossbeam_channel::unbounded::<ChunkSpec>();
        let outcome = std::thread::scope(|s| {
            for t in 0..self.threads {
                let chunks = chunks.clone();
                let closed = &closed;
                // Worker threads are numbered from 1 (thread 0 is a process's calling thread).
                let thread = u32::try_from(t + 1).unwrap_or(u32::MAX);
                s.spawn(move || {
                    let _guard = ParallelRunGuard::enter();
                    for spec in chunks.iter() {
                        if closed.load(Ordering::SeqCst) {
                            break;
                        }
                        self.run_one(job, me.seq, &spec, thread, started);
                    }
                });
            }
            let outcome = loop {
                match rx.recv() {
                    Ok(ToWorker::Chunk { run, chunk }) if run == me.seq => {
                        let _ = queue.send(chunk.into());
                    }
                    Ok(ToWorker::Result { run, outcome }) if run == me.seq => {
                        break Ok(Some(outcome));
                    }
                    Ok(ToWorker::CatchUp { run }) if run == me.seq => break Ok(None),
                    Ok(ToWorker::Refused(why)) => break Err(Error::Protocol(why)),
                    Ok(ToWorker::Shutdown) => break Err(after_end(self.rank, &me)),
                    Ok(_) => {}
                    Err(_) => break Err(Error::Worker("lost the driver".into())),
                }
            };
            closed.store(true, Ordering::SeqCst);
            drop(queue);
            while chunks.try_recv().is_ok() {}
            outcome
        })?;
        // Only the driver writes traces and checkpoints.
        let quiet = RunOptions {
            progress_bar: false,
            chunk_trace: None,
            checkpoint: None,
            ..opts.clone()
        };
        let Some(fin) = outcome else {
            // This process joined after the run was over and the driver kept no copy of its
            // result: compute it here (the program is deterministic, so the value is the same).
            tracing::info!(target: "haydi", rank, run = %me, "catching up: running a run that ended before this worker joined");
            let _guard = ParallelRunGuard::enter();
            return ThreadContext::new(self.threads)?.execute(job, &quiet);
        };
        let Final { report, items } = fin.map_err(Error::from)?;
        let observer = Observer::new(&quiet, report.total, self.threads, started);
        let end = if report.complete {
            RunEnd::Complete
        } else {
            RunEnd::TimedOut
        };
        observer.finish(report.processed, items, end);
        report.try_map(|bytes| job.decode_partial(&bytes))
    }

    /// Runs one chunk on worker thread `thread` and sends its result, with when it began
    /// (since `started`, when this process's part of the run began).
    fn run_one(
        &self,
        job: &dyn ErasedJob,
        run: u64,
        spec: &ChunkSpec,
        thread: u32,
        started: Instant,
    ) {
        let rank = self.rank;
        let t = Instant::now();
        let began = t.duration_since(started);
        let result = job
            .run_chunk(spec.start, spec.end, &spec.budgets)
            .and_then(|out| {
                Ok(ChunkResult {
                    partial: job.encode_partial(&out.partial)?,
                    take_counts: out.take_counts,
                    items: out.items,
                })
            })
            .map_err(|e| match e {
                Error::Panicked {
                    chunk,
                    message,
                    worker: None,
                } => Error::Panicked {
                    chunk,
                    message,
                    worker: Some(format!("rank {rank}")),
                },
                e => e,
            });
        let max = self.max_message;
        let result = result.and_then(|r| {
            if r.partial.len() > max {
                // The driver would refuse it (and drop this worker): fail the chunk clearly.
                Err(Error::Worker(format!(
                    "the partial result of chunk [{}, {}) on rank {rank} is {} bytes, more than \
                     DistributedOptions::max_message ({max} bytes)",
                    spec.start,
                    spec.end,
                    r.partial.len()
                )))
            } else {
                Ok(r)
            }
        });
        let msg = ToDriver::Done {
            run,
            chunk: spec.id,
            result: result.map_err(|e| (&e).into()),
            nanos: t.elapsed().as_nanos().min(u64::MAX as u128) as u64,
            thread,
            began: began.as_nanos().min(u64::MAX as u128) as u64,
        };
        if let Err(e) = self.send(&msg) {
            tracing::error!(target: "haydi", rank, error = %e, "cannot encode a chunk result")
        }
    }
}
