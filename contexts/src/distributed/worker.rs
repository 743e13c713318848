//! The worker's side (rank > 0): connects and authenticates, then at every run announces it,
//! runs the chunks the driver hands out on its own threads, sends their partials, and returns
//! the result the driver broadcasts.

use super::auth::{self, Secret};
use super::frame::{read_frame, write_frame, HANDSHAKE_MAX_FRAME};
use super::launcher;
use super::protocol::{decode, encode, ChunkResult, Join, RunId, ToDriver, ToWorker};
use super::DistributedOptions;
use haydi_core::context::nested::ParallelRunGuard;
use haydi_core::context::{Observer, RunReport};
use haydi_core::plumbing::ErasedJob;
use haydi_core::{Error, Result, RunOptions};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

/// A connected worker.
pub(crate) struct WorkerSide {
    pub rank: u32,
    pub size: u32,
    pub threads: usize,
    seq: AtomicU64,
    tx: UnboundedSender<Vec<u8>>,
    rx: Mutex<mpsc::Receiver<ToWorker>>,
    in_run: Arc<AtomicBool>,
    _rt: tokio::runtime::Runtime,
}

/// Where to find the driver: a fixed address and secret, or a rendezvous file to (re)read.
pub(crate) enum Target {
    Fixed(String, Secret),
    Rendezvous(std::path::PathBuf),
}

async fn try_connect(
    addr: &str,
    secret: &Secret,
    join: &Join,
) -> std::result::Result<(TcpStream, u32), String> {
    let mut sock = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect to {addr}: {e}"))?;
    let _ = sock.set_nodelay(true);
    auth::connect(&mut sock, secret)
        .await
        .map_err(|e| format!("authentication with {addr} failed: {e}"))?;
    let bytes = encode(&ToDriver::Join(join.clone())).map_err(|e| e.to_string())?;
    write_frame(&mut sock, &bytes, HANDSHAKE_MAX_FRAME)
        .await
        .map_err(|e| e.to_string())?;
    let f = read_frame(&mut sock, HANDSHAKE_MAX_FRAME)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the driver closed the connection")?;
    match decode::<ToWorker>(&f).map_err(|e| e.to_string())? {
        ToWorker::Welcome { size } => Ok((sock, size)),
        ToWorker::Refused(why) => Err(format!("refused by the driver: {why}")),
        _ => Err("unexpected answer from the driver".into()),
    }
}

fn die(rank: u32, msg: &str) -> ! {
    eprintln!("haydi worker rank {rank}: {msg}; exiting");
    std::process::exit(3)
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
        let join = Join {
            rank,
            exe_hash: launcher::exe_hash(),
            threads: threads as u32,
            pid: std::process::id(),
            host: launcher::hostname(),
            job: launcher::job_identity(),
        };
        let deadline = Instant::now() + opts.connect_timeout;
        let (sock, size) = rt.block_on(async {
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
                        try_connect(&addr, &secret, &join),
                    )
                    .await
                    {
                        Ok(Ok(ok)) => return Ok(ok),
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
        let (mut rd, mut wr) = sock.into_split();
        let (tx, mut out) = unbounded_channel::<Vec<u8>>();
        let (in_tx, in_rx) = mpsc::channel::<ToWorker>();
        let in_run = Arc::new(AtomicBool::new(false));
        let max = opts.max_frame;
        let interval = opts.heartbeat_interval;
        let hb_timeout = opts.heartbeat_timeout;
        rt.spawn(async move {
            let hb = encode(&ToDriver::Heartbeat).unwrap_or_default();
            let mut tick = tokio::time::interval(interval);
            loop {
                tokio::select! {
                    m = out.recv() => match m {
                        Some(b) => if write_frame(&mut wr, &b, max).await.is_err() { break },
                        None => break,
                    },
                    _ = tick.tick() => if write_frame(&mut wr, &hb, max).await.is_err() { break },
                }
            }
        });
        let running = in_run.clone();
        rt.spawn(async move {
            let reason = loop {
                match tokio::time::timeout(hb_timeout, read_frame(&mut rd, max)).await {
                    Err(_) => break format!("no message from the driver for {hb_timeout:?}"),
                    Ok(Err(e)) => break format!("connection to the driver failed: {e}"),
                    Ok(Ok(None)) => break "the driver closed the connection".to_string(),
                    Ok(Ok(Some(f))) => match decode::<ToWorker>(&f) {
                        Ok(ToWorker::Heartbeat) => {}
                        Ok(ToWorker::Shutdown) => std::process::exit(0),
                        Ok(m) => {
                            if matches!(m, ToWorker::Result { .. }) {
                                // The run is over for this process: a connection closed from
                                // now on is the driver's program ending, not a failure.
                                running.store(false, Ordering::SeqCst);
                            }
                            let _ = in_tx.send(m);
                        }
                        Err(e) => break format!("bad message from the driver: {e}"),
                    },
                }
            };
            if running.load(Ordering::SeqCst) {
                die(rank, &format!("lost the driver during a run: {reason}"));
            }
            // Between runs a closed connection means the driver's program ended: so does ours.
            tracing::info!(target: "haydi", rank, %reason, "the driver is gone; exiting");
            std::process::exit(0)
        });
        tracing::info!(target: "haydi", rank, size, threads, "joined the driver");
        Ok(WorkerSide {
            rank,
            size,
            threads,
            seq: AtomicU64::new(0),
            tx,
            rx: Mutex::new(in_rx),
            in_run,
            _rt: rt,
        })
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
        self.in_run.store(true, Ordering::SeqCst);
        struct Reset<'a>(&'a AtomicBool);
        impl Drop for Reset<'_> {
            fn drop(&mut self) {
                self.0.store(false, Ordering::SeqCst);
            }
        }
        let _reset = Reset(&self.in_run);
        self.tx
            .send(encode(&ToDriver::Announce(me.clone()))?)
            .map_err(|_| Error::Worker("the connection to the driver is closed".into()))?;
        type Chunk = (u64, u128, u128, Vec<u64>);
        let queue: Mutex<(VecDeque<Chunk>, bool)> = Mutex::new((VecDeque::new(), false));
        let ready = Condvar::new();
        let rank = self.rank;
        let outcome = std::thread::scope(|s| {
            for _ in 0..self.threads {
                s.spawn(|| {
                    let _guard = ParallelRunGuard::enter();
                    loop {
                        let next = {
                            let mut q = queue.lock().unwrap_or_else(|e| e.into_inner());
                            loop {
                                if q.1 {
                                    break None;
                                }
                                if let Some(c) = q.0.pop_front() {
                                    break Some(c);
                                }
                                q = ready.wait(q).unwrap_or_else(|e| e.into_inner());
                            }
                        };
                        let Some((id, start, end, budgets)) = next else { break };
                        let t = Instant::now();
                        let result = job
                            .run_chunk(start, end, &budgets)
                            .and_then(|out| {
                                Ok(ChunkResult {
                                    partial: job.encode_partial(&out.partial)?,
                                    take_counts: out.take_counts,
                                    items: out.items,
                                })
                            })
                            .map_err(|e| match e {
                                Error::Panicked { chunk, message, worker: None } => Error::Panicked {
                                    chunk,
                                    message,
                                    worker: Some(format!("rank {rank}")),
                                },
                                e => e,
                            });
                        let msg = ToDriver::Done {
                            run: me.seq,
                            chunk: id,
                            result: result.map_err(|e| (&e).into()),
                            nanos: t.elapsed().as_nanos().min(u64::MAX as u128) as u64,
                        };
                        match encode(&msg) {
                            Ok(b) => {
                                let _ = self.tx.send(b);
                            }
                            Err(e) => tracing::error!(target: "haydi", rank, error = %e, "cannot encode a chunk result"),
                        }
                    }
                });
            }
            // The driver sends up to `prefetch` chunks per thread ahead: they wait in `queue`
            // until a thread is free. At the end of the run (or when the driver is gone) the
            // queued ones are dropped unstarted and the threads exit after their current chunk.
            let close = || {
                let mut q = queue.lock().unwrap_or_else(|e| e.into_inner());
                q.1 = true;
                q.0.clear();
                ready.notify_all();
            };
            loop {
                match rx.recv() {
                    Ok(ToWorker::Chunk {
                        run,
                        id,
                        start,
                        end,
                        budgets,
                    }) if run == me.seq => {
                        let mut q = queue.lock().unwrap_or_else(|e| e.into_inner());
                        q.0.push_back((id, start, end, budgets));
                        ready.notify_one();
                    }
                    Ok(ToWorker::Result { run, outcome }) if run == me.seq => {
                        close();
                        break Ok(outcome);
                    }
                    Ok(ToWorker::Refused(why)) => {
                        close();
                        break Err(Error::Protocol(why));
                    }
                    Ok(_) => {}
                    Err(_) => {
                        close();
                        break Err(Error::Worker("lost the driver".into()));
                    }
                }
            }
        })?;
        let fin = outcome.map_err(Error::from)?;
        let partial = job.decode_partial(&fin.partial)?;
        let quiet = RunOptions {
            progress_bar: false,
            chunk_trace: None,
            ..opts.clone()
        };
        let observer = Observer::new(&quiet, fin.total, self.threads, started);
        observer.finish(fin.processed, fin.items, fin.complete);
        Ok(RunReport {
            partial,
            complete: fin.complete,
            processed: fin.processed,
            total: fin.total,
        })
    }
}
