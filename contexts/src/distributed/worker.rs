//! The worker's side (rank > 0): connects and authenticates, then at every run announces it,
//! runs the chunks the driver hands out on its own threads, sends their partials, and returns
//! the result the driver broadcasts.

use super::auth::{self, Secret};
use super::coordinator::Backlog;
use super::frame::{framed, HANDSHAKE_MAX_FRAME};
use super::launcher;
use super::protocol::{decode, encode, ChunkResult, Final, Join, RunId, ToDriver, ToWorker};
use super::secure::{Receiver, Sender};
use super::DistributedOptions;
use haydi_core::context::nested::ParallelRunGuard;
use haydi_core::context::{Observer, ParallelContext, RunEnd, RunReport, ThreadContext};
use haydi_core::plumbing::{ChunkSpec, ErasedJob};
use haydi_core::{Error, Result, RunOptions};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

/// A connected worker.
pub(crate) struct WorkerSide {
    pub rank: u32,
    pub size: u32,
    pub threads: usize,
    max_message: usize,
    /// Runs of this context so far (the next run's sequence number), shared with the
    /// transport (it says how many when the program ends).
    seq: Arc<AtomicU64>,
    tx: Outbox,
    rx: Mutex<mpsc::Receiver<ToWorker>>,
    in_run: Arc<AtomicBool>,
    /// Set once the driver's program ended (or dropped the context): `ToWorker::Shutdown`.
    /// This process goes on with its own `main`; a later run of this context is an error.
    ended: Arc<AtomicBool>,
    /// Set while `execute` runs (until its threads are joined), so that a `Shutdown` that finds
    /// chunks still running here (a closure that never returns) can end the process.
    busy: Arc<AtomicBool>,
    /// The TCP transport's I/O runtime (the MPI transport has its own thread).
    rt: Option<tokio::runtime::Runtime>,
}

/// What a worker says when its process exits, whatever became of its context object: that its
/// program ended, and after how many runs (`ToDriver::Leaving`), so that the driver does not
/// take a normal end for a lost worker, and takes an early one for what it is (divergence).
pub(crate) struct Farewell {
    tx: Outbox,
    runs: Arc<AtomicU64>,
    ended: Arc<AtomicBool>,
    busy: Arc<AtomicBool>,
}

impl Farewell {
    /// Says it and waits (a moment) until it is written. Over MPI the transport's own exit
    /// handler does it (its processes finalize together).
    pub(crate) fn say(&self) {
        if self.ended.load(Ordering::SeqCst) {
            // The driver's program ended first: nobody listens.
            return;
        }
        if self.busy.load(Ordering::SeqCst) {
            // The process ends inside a run (a closure called `exit`): not the end of the
            // program's path but a failure, which the driver sees as a lost worker.
            return;
        }
        #[allow(irrefutable_let_patterns)] // one variant without the `mpi` feature
        if let Outbox::Tcp(_, backlog) = &self.tx {
            let runs = self.runs.load(Ordering::SeqCst);
            if let Ok(b) = encode(&ToDriver::Leaving { runs }) {
                if self.tx.send(b) {
                    backlog.wait_drained(Instant::now() + Duration::from_secs(2));
                }
            }
        }
    }
}

impl Drop for WorkerSide {
    fn drop(&mut self) {
        // The connection outlives this context in this process: until the driver says its
        // program ended (and after, until this process exits, with heartbeats, so that the
        // driver waits for this process to finish its main), whatever `main` does with the
        // context. A process that dropped its context early is not a lost worker.
        if let Some(rt) = self.rt.take() {
            std::mem::forget(rt);
        }
    }
}

/// Where a worker sits in its job: its rank, the job's size and its own threads.
pub(crate) struct Seat {
    pub rank: u32,
    pub size: u32,
    pub threads: usize,
}

/// The state a worker shares with its transport.
pub(crate) struct Flags {
    /// Set while a run is in progress, until its result arrived (the transport tells a driver
    /// lost during a run from one lost between runs by it).
    pub in_run: Arc<AtomicBool>,
    /// Set by [`driver_ended`].
    pub ended: Arc<AtomicBool>,
    /// Set while `execute` runs (read by [`driver_ended`]).
    pub busy: Arc<AtomicBool>,
    /// Runs made so far.
    pub runs: Arc<AtomicU64>,
}

impl Flags {
    /// Flags of a worker that has not run anything yet.
    pub(crate) fn new() -> Self {
        Flags {
            in_run: Arc::new(AtomicBool::new(false)),
            ended: Arc::new(AtomicBool::new(false)),
            busy: Arc::new(AtomicBool::new(false)),
            runs: Arc::new(AtomicU64::new(0)),
        }
    }
}

/// Where a worker's messages to the driver go: the transport's sending half.
#[derive(Clone)]
pub(crate) enum Outbox {
    /// The writer task of the TCP connection, and the count of what it has not written yet.
    Tcp(UnboundedSender<Vec<u8>>, Arc<Backlog>),
    /// The MPI communication thread of this process.
    #[cfg(feature = "mpi")]
    Mpi(super::mpi::ToDriverQueue),
}

impl Outbox {
    /// Queues one encoded `ToDriver` message; `false` when the transport is closed.
    fn send(&self, bytes: Vec<u8>) -> bool {
        match self {
            Outbox::Tcp(tx, backlog) => {
                backlog.queued();
                let ok = tx.send(bytes).is_ok();
                if !ok {
                    backlog.close();
                }
                ok
            }
            #[cfg(feature = "mpi")]
            Outbox::Mpi(q) => q.send(bytes),
        }
    }
}

/// Where to find the driver: a fixed address and secret, or a rendezvous file to (re)read.
pub(crate) enum Target {
    Fixed(String, Secret),
    Rendezvous(std::path::PathBuf),
}

/// Connects to the driver at `addr`, authenticates with `secret` and joins as `join` says.
/// Returns the sealed connection and the number of processes of the job. A refusal by the
/// driver is an error starting with "refused".
///
/// ```no_run
/// # use haydi_contexts::distributed::{auth::Secret, join_driver, protocol::Join};
/// # async fn f(join: Join) {
/// let (tx, rx, size) = join_driver("127.0.0.1:7000", &Secret::random(), &join, 1 << 20)
///     .await
///     .unwrap();
/// # }
/// ```
pub async fn join_driver(
    addr: &str,
    secret: &Secret,
    join: &Join,
    max_message: usize,
) -> std::result::Result<(Sender<TcpStream>, Receiver<TcpStream>, u32), String> {
    let sock = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect to {addr}: {e}"))?;
    let _ = sock.set_nodelay(true);
    let mut conn = framed(sock, HANDSHAKE_MAX_FRAME);
    let keys = auth::connect(&mut conn, secret)
        .await
        .map_err(|e| format!("authentication with {addr} failed: {e}"))?;
    let (mut tx, mut rx) = keys.split(conn, HANDSHAKE_MAX_FRAME);
    let bytes = encode(&ToDriver::Join(join.clone())).map_err(|e| e.to_string())?;
    tx.send(&bytes).await.map_err(|e| e.to_string())?;
    let f = rx
        .recv(Duration::from_secs(3600))
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the driver closed the connection")?;
    match decode::<ToWorker>(&f).map_err(|e| e.to_string())? {
        ToWorker::Welcome { size } => {
            rx.set_max_message(max_message);
            Ok((tx, rx, size))
        }
        ToWorker::Refused(why) => Err(format!("refused by the driver: {why}")),
        _ => Err("unexpected answer from the driver".into()),
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

/// Ends a worker that cannot go on (its driver was killed or went silent, or dismissed it):
/// one line on stderr saying why, and a non-zero exit status.
fn die(rank: u32, msg: &str) -> ! {
    eprintln!("haydi worker rank {rank}: {msg}; exiting");
    std::process::exit(3)
}

/// What a worker does when the driver says its program ended (`ToWorker::Shutdown`): nothing,
/// unless chunks of a run are still running on this process (a closure that does not return):
/// then `main` cannot go on, and the process ends after `grace` if they still run.
pub(crate) fn driver_ended(rank: u32, ended: &AtomicBool, busy: Arc<AtomicBool>, grace: Duration) {
    ended.store(true, Ordering::SeqCst);
    if !busy.load(Ordering::SeqCst) {
        return;
    }
    let _ = std::thread::Builder::new()
        .name("haydi-end-watch".into())
        .spawn(move || {
            let until = Instant::now() + grace;
            while Instant::now() < until {
                if !busy.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            die(
                rank,
                &format!(
                    "the driver's program ended while chunks were still running here \
                     (a closure that has not returned for {grace:?} after the run ended)"
                ),
            )
        });
}

/// The error of a run this worker reaches after the driver's program ended.
fn after_end(rank: u32, me: &RunId) -> Error {
    Error::Protocol(format!(
        "rank {rank} reached {me}, but the driver's program had ended (or dropped this \
         context) before reaching it: the processes diverged. Every process must make the \
         same run(true) calls in the same order"
    ))
}

impl WorkerSide {
    /// Connects to the driver (retrying until `opts.connect_timeout`).
    pub fn connect(
        target: Target,
        rank: u32,
        threads: usize,
        opts: &DistributedOptions,
    ) -> Result<Self> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name(format!("haydi-rank{rank}-io"))
            .enable_all()
            .build()
            .map_err(|e| Error::Context(format!("cannot start the I/O runtime: {e}")))?;
        let join = this_join(rank, threads);
        let deadline = Instant::now() + opts.connect_timeout;
        let ((mut wr, mut rd), size) = rt.block_on(async {
            let mut last = String::from("no rendezvous file yet");
            let mut pause = Duration::from_millis(20);
            loop {
                let found = match &target {
                    Target::Fixed(a, s) => Some((a.clone(), s.clone())),
                    Target::Rendezvous(p) => launcher::read_rendezvous(p)?,
                };
                if let Some((addr, secret)) = found {
                    match tokio::time::timeout(
                        opts.handshake_timeout,
                        join_driver(&addr, &secret, &join, opts.max_message),
                    )
                    .await
                    {
                        Ok(Ok((tx, rx, size))) => return Ok(((tx, rx), size)),
                        Ok(Err(e)) if e.starts_with("refused") => return Err(Error::Protocol(e)),
                        Ok(Err(e)) => last = e,
                        Err(_) => last = format!("handshake with {addr} timed out"),
                    }
                }
                if Instant::now() + pause > deadline {
                    return Err(Error::Worker(format!(
                        "rank {rank} could not join the driver within {:?}: {last}",
                        opts.connect_timeout
                    )));
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(500));
            }
        })?;
        let (tx, mut out) = unbounded_channel::<Vec<u8>>();
        let (in_tx, in_rx) = mpsc::channel::<ToWorker>();
        let flags = Flags::new();
        let interval = opts.heartbeat_interval;
        let hb_timeout = opts.heartbeat_timeout;
        let backlog = Arc::new(Backlog::default());
        let written = backlog.clone();
        rt.spawn(async move {
            let hb = encode(&ToDriver::Heartbeat).unwrap_or_default();
            // A failed send ends the connection; the reader below notices and reports it.
            let _ = wr.pump(&mut out, &hb, interval, || written.written()).await;
            written.close();
        });
        let running = flags.in_run.clone();
        let (ended_r, busy_r) = (flags.ended.clone(), flags.busy.clone());
        rt.spawn(async move {
            let reason = loop {
                match rd.recv(hb_timeout).await {
                    Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                        break format!("no message from the driver for {hb_timeout:?}")
                    }
                    Err(e) => break format!("connection to the driver failed: {e}"),
                    Ok(None) => break "the driver closed the connection".to_string(),
                    Ok(Some(f)) => match decode::<ToWorker>(&f) {
                        Ok(ToWorker::Heartbeat) => {}
                        Ok(ToWorker::Shutdown) => {
                            // The driver's program ended normally: ours goes on to the end of
                            // its `main` (the connection stays, with heartbeats, until then).
                            driver_ended(rank, &ended_r, busy_r.clone(), hb_timeout);
                            let _ = in_tx.send(ToWorker::Shutdown);
                            return;
                        }
                        Ok(ToWorker::Dismissed(why)) => die(rank, &why),
                        Ok(m) => {
                            if matches!(m, ToWorker::Result { .. }) {
                                running.store(false, Ordering::SeqCst);
                            }
                            let _ = in_tx.send(m);
                        }
                        Err(e) => break format!("bad message from the driver: {e}"),
                    },
                }
            };
            // The driver went away without saying its program ended: it was killed, crashed, or
            // the network between us failed. This process cannot go on with the same values.
            if running.load(Ordering::SeqCst) {
                die(rank, &format!("lost the driver during a run: {reason}"));
            }
            die(rank, &format!("lost the driver between runs: {reason}"))
        });
        tracing::info!(target: "haydi", rank, size, threads, "joined the driver");
        Ok(WorkerSide::joined(
            Seat {
                rank,
                size,
                threads,
            },
            opts,
            Outbox::Tcp(tx, backlog),
            in_rx,
            flags,
            Some(rt),
        ))
    }

    /// A worker that joined its driver over some transport: `tx` reaches the driver, `rx`
    /// delivers the driver's messages (heartbeats are the transport's business; `Shutdown` is
    /// passed on after the transport called [`driver_ended`]), and `flags` are shared with the
    /// transport.
    pub(crate) fn joined(
        seat: Seat,
        opts: &DistributedOptions,
        tx: Outbox,
        rx: mpsc::Receiver<ToWorker>,
        flags: Flags,
        rt: Option<tokio::runtime::Runtime>,
    ) -> Self {
        let Seat {
            rank,
            size,
            threads,
        } = seat;
        WorkerSide {
            rank,
            size,
            threads,
            max_message: opts.max_message,
            seq: flags.runs,
            tx,
            rx: Mutex::new(rx),
            in_run: flags.in_run,
            ended: flags.ended,
            busy: flags.busy,
            rt,
        }
    }

    /// What this worker says at its process's exit.
    pub(crate) fn farewell(&self) -> Farewell {
        Farewell {
            tx: self.tx.clone(),
            runs: self.seq.clone(),
            ended: self.ended.clone(),
            busy: self.busy.clone(),
        }
    }

    /// The worker's part of a run.
    pub fn execute(&self, job: &dyn ErasedJob, opts: &RunOptions) -> Result<RunReport> {
        let rx = self.rx.lock().unwrap_or_else(|e| e.into_inner());
        let sig = job.signature();
        let me = RunId {
            seq: self.seq.fetch_add(1, Ordering::SeqCst),
            call_site: sig.call_site.to_string(),
            type_name: sig.type_name.to_string(),
        };
        let started = Instant::now();
        if self.ended.load(Ordering::SeqCst) {
            return Err(after_end(self.rank, &me));
        }
        self.in_run.store(true, Ordering::SeqCst);
        self.busy.store(true, Ordering::SeqCst);
        struct Reset<'a>(&'a AtomicBool);
        impl Drop for Reset<'_> {
            fn drop(&mut self) {
                self.0.store(false, Ordering::SeqCst);
            }
        }
        // Dropped in reverse order: `in_run` first, `busy` once the threads are joined.
        let _busy = Reset(&self.busy);
        let _reset = Reset(&self.in_run);
        if !self.tx.send(encode(&ToDriver::Announce(me.clone()))?) {
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
        match encode(&msg) {
            Ok(b) => {
                let _ = self.tx.send(b);
            }
            Err(e) => {
                tracing::error!(target: "haydi", rank, error = %e, "cannot encode a chunk result")
            }
        }
    }
}
