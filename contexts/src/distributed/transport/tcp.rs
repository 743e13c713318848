//! The TCP flavour: every connection a Noise channel ([`super::noise`]) over length-delimited
//! frames ([`super::frame`]), one tokio writer task (the messages queued on its `Link`, and a
//! heartbeat every `heartbeat_interval`) and one reader task (a deadline of
//! `heartbeat_timeout` for every frame) per connection, on a small runtime of the process.
//!
//! - The driver's side (`listen`): accepts connections, runs the handshake, admits workers
//!   (`admission.rs`, and at most one connection per rank) and relays their messages as
//!   `Event`s; a peer whose first message says it is a monitor is answered from the
//!   monitors' board instead. Used by `spawn`, by workers started by hand or by a launcher,
//!   and, for monitors only, by an MPI driver.
//! - A worker's side (`connect`): joins the driver (retrying until `connect_timeout`) and
//!   reports what it hears to the worker's logic (`Hear`).
//! - Monitors use the same channel ([`dial`]).

use super::admission::{Refusal, check_join};
use super::frame::{HANDSHAKE_MAX_FRAME, framed};
use super::noise::{self, Receiver, Sender};
use super::secret::Secret;
use super::{Backlog, Event, Hear, Heard, Link};
use crate::distributed::monitor::board::{Board, Seen};
use crate::distributed::monitor::{MonitorHello, MonitorReply};
use crate::distributed::protocol::{Join, ToDriver, ToWorker, decode, encode};
use crate::distributed::{DistributedOptions, address, launcher};
use haydi_core::plumbing::Unpoisoned;
use haydi_core::{Error, Result};
use serde::Serialize;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::unbounded_channel;

/// One end's link: the queue of its connection's writer task.
struct TcpLink {
    tx: tokio::sync::mpsc::UnboundedSender<Arc<Vec<u8>>>,
    backlog: Arc<Backlog>,
}

impl Link for TcpLink {
    fn send(&self, bytes: Arc<Vec<u8>>) -> bool {
        self.backlog.queued();
        let ok = self.tx.send(bytes).is_ok();
        if !ok {
            self.backlog.close();
        }
        ok
    }

    fn backlog(&self) -> &Backlog {
        &self.backlog
    }
}

/// Starts the writer task of a connection on `rt`: it sends what is queued on the returned
/// link, and `heartbeat` every `every`, until the connection fails or the link is dropped.
fn writer<M: Serialize>(
    rt: &tokio::runtime::Handle,
    mut tx: Sender<TcpStream>,
    heartbeat: &M,
    every: Duration,
    who: Option<u32>,
) -> (TcpLink, tokio::task::JoinHandle<()>) {
    let (queue_tx, mut queue) = unbounded_channel::<Arc<Vec<u8>>>();
    let backlog = Arc::new(Backlog::default());
    let written = backlog.clone();
    let hb = encode(heartbeat).unwrap_or_default();
    let task = rt.spawn(async move {
        if let Err(e) = tx.pump(&mut queue, &hb, every, || written.written()).await {
            if let Some(rank) = who {
                haydi_core::warning!(rank, error = %e, "cannot send to worker");
            }
        }
        queue.close();
        written.close();
    });
    (
        TcpLink {
            tx: queue_tx,
            backlog,
        },
        task,
    )
}

/// Connects to `addr` and runs the handshake with `secret`: the sealed channel, its receiver
/// accepting messages of at most `max_message` bytes. The channel of workers and monitors.
///
/// ```no_run
/// # use haydi_contexts::distributed::{Secret, transport::tcp::dial};
/// # async fn f() {
/// let (tx, rx) = dial("127.0.0.1:7000", &Secret::random(), 4096).await.unwrap();
/// # }
/// ```
pub async fn dial(
    addr: &str,
    secret: &Secret,
    max_message: usize,
) -> std::result::Result<(Sender<TcpStream>, Receiver<TcpStream>), String> {
    let sock = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect to {addr}: {e}"))?;
    let _ = sock.set_nodelay(true);
    let mut conn = framed(sock, HANDSHAKE_MAX_FRAME);
    let session = noise::initiate(&mut conn, secret)
        .await
        .map_err(|e| format!("authentication with {addr} failed: {e}"))?;
    Ok(session.split(conn, max_message))
}

// ------------------------------------------------------------------------------------------
// The driver's side.

/// What the driver's connection tasks share.
pub(crate) struct Door {
    pub secret: Secret,
    pub exe_hash: [u8; 32],
    /// The job this driver belongs to (see `launcher::job_identity`).
    pub job: String,
    pub size: u32,
    /// Whether workers join over TCP (`false` for the MPI flavour's driver, which listens for
    /// monitors only).
    pub tcp_workers: bool,
    pub opts: DistributedOptions,
    pub events: crossbeam_channel::Sender<Event>,
    /// What monitors see.
    pub board: Arc<Board>,
    /// Ranks connected now (a rank is free again once its connection ends).
    ranks: Mutex<HashSet<u32>>,
}

impl Door {
    /// The door of a driver of `size` processes whose dispatch loop reads `events`.
    pub fn new(
        secret: Secret,
        size: u32,
        tcp_workers: bool,
        opts: DistributedOptions,
        events: crossbeam_channel::Sender<Event>,
        board: Arc<Board>,
    ) -> Self {
        Door {
            secret,
            exe_hash: launcher::exe_hash(),
            job: launcher::job_identity(),
            size,
            tcp_workers,
            opts,
            events,
            board,
            ranks: Mutex::new(HashSet::new()),
        }
    }
}

/// Listens on `bind` and serves every connection on `rt`; returns the address it listens on.
pub(crate) fn listen(rt: &tokio::runtime::Runtime, bind: &str, door: Door) -> Result<String> {
    let listener = rt
        .block_on(TcpListener::bind(bind))
        .map_err(|e| address::bind_error(bind, &e))?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::Context(e.to_string()))?
        .to_string();
    rt.spawn(accept_loop(listener, Arc::new(door)));
    Ok(address)
}

/// Accepts connections forever.
async fn accept_loop(listener: TcpListener, door: Arc<Door>) {
    loop {
        match listener.accept().await {
            Ok((sock, addr)) => {
                let door = door.clone();
                tokio::spawn(async move {
                    if let Err(e) = serve_peer(sock, addr, &door).await {
                        haydi_core::warning!(peer = %addr, error = %e, "dropped a connection");
                    }
                });
            }
            Err(e) => {
                haydi_core::warning!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

async fn refuse(tx: &mut Sender<TcpStream>, why: String) -> String {
    if let Ok(b) = encode(&ToWorker::Refused(why.clone())) {
        let _ = tx.send(&b).await;
    }
    why
}

/// What an authenticated peer said first.
enum Hello {
    Worker(Join),
    Monitor(MonitorHello),
}

/// Authenticates a peer, checks its join message, then relays its messages to the driver
/// until the connection ends (heartbeat deadline, error, a frame that does not open, dropped
/// by a monitor). A monitor is served by [`serve_monitor`] instead.
async fn serve_peer(
    sock: TcpStream,
    addr: SocketAddr,
    door: &Door,
) -> std::result::Result<(), String> {
    let _ = sock.set_nodelay(true);
    let mut conn = framed(sock, HANDSHAKE_MAX_FRAME);
    let idle = door.opts.handshake_timeout;
    let hs = async {
        let session = noise::respond(&mut conn, &door.secret)
            .await
            .map_err(|e| format!("authentication failed: {e}"))?;
        // Until it has joined, a peer may send nothing larger than a handshake frame.
        let (tx, mut rx) = session.split(conn, HANDSHAKE_MAX_FRAME);
        let f = rx
            .recv(idle)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("closed before joining")?;
        match decode::<ToDriver>(&f).map_err(|e| e.to_string())? {
            ToDriver::Join(j) => Ok((Hello::Worker(j), tx, rx)),
            ToDriver::Monitor(h) => Ok((Hello::Monitor(h), tx, rx)),
            _ => Err("expected a join message".to_string()),
        }
    };
    let (hello, mut tx, mut rx) = tokio::time::timeout(idle, hs)
        .await
        .map_err(|_| "handshake timed out".to_string())??;
    let join = match hello {
        Hello::Worker(j) => j,
        Hello::Monitor(h) => return serve_monitor(h, addr, tx, rx, door).await,
    };
    if !door.tcp_workers {
        let why = format!(
            "rank {} tried to join over TCP; this driver's workers use MPI",
            join.rank
        );
        return Err(refuse(&mut tx, why).await);
    }
    match check_join(&join, &door.exe_hash, &door.job) {
        Some(Refusal::OtherExecutable(why)) => {
            let _ = door.events.send(Event::Rejected(why.clone()));
            return Err(refuse(&mut tx, why).await);
        }
        // Not an error of this job (another job found our rendezvous file or address): refuse
        // it and keep waiting for our own workers.
        Some(Refusal::OtherJob(why)) => return Err(refuse(&mut tx, why).await),
        None => {}
    }
    let fresh = {
        let mut r = door.ranks.lock_unpoisoned();
        join.rank >= 1 && join.rank < door.size && r.insert(join.rank)
    };
    if !fresh {
        let why = format!("rank {} is not expected or is connected already", join.rank);
        return Err(refuse(&mut tx, why).await);
    }
    let rank = join.rank;
    // From here on the rank is ours: give it back however this ends, so that a restarted
    // process can join in its place.
    struct Release<'a>(&'a Door, u32);
    impl Drop for Release<'_> {
        fn drop(&mut self) {
            self.0.ranks.lock_unpoisoned().remove(&self.1);
        }
    }
    let _release = Release(door, rank);
    let seen = door
        .board
        .join(rank, &join.host, join.pid, join.threads.max(1));
    struct Leave<'a>(&'a Door, u32, Arc<Seen>);
    impl Drop for Leave<'_> {
        fn drop(&mut self) {
            self.0.board.leave(self.1, &self.2);
        }
    }
    let _leave = Leave(door, rank, seen.clone());
    let welcome = encode(&ToWorker::Welcome { size: door.size }).map_err(|e| e.to_string())?;
    tx.send(&welcome).await.map_err(|e| e.to_string())?;
    rx.set_max_message(door.opts.max_message);
    let (link, writing) = writer(
        &tokio::runtime::Handle::current(),
        tx,
        &ToWorker::Heartbeat,
        door.opts.heartbeat_interval,
        Some(rank),
    );
    let backlog = link.backlog.clone();
    let dismiss = link.tx.clone();
    // However the connection ends, nothing queued on it will be written any more.
    struct CloseBacklog(Arc<Backlog>);
    impl Drop for CloseBacklog {
        fn drop(&mut self) {
            self.0.close();
        }
    }
    let _close = CloseBacklog(backlog.clone());
    let _ = door.events.send(Event::Joined {
        rank,
        threads: join.threads.max(1),
        host: join.host,
        pid: join.pid,
        link: Box::new(link),
    });
    let deadline = door.opts.heartbeat_timeout;
    let reason = loop {
        let received = tokio::select! {
            r = rx.recv(deadline) => r,
            why = seen.kicked() => {
                // Tell the worker why, so that it says so and exits, before cutting it off.
                if let Ok(b) = encode(&ToWorker::Dismissed(why.clone())) {
                    backlog.queued();
                    if dismiss.send(Arc::new(b)).is_ok() {
                        for _ in 0..100 {
                            if backlog.wait_drained(Instant::now()) {
                                break;
                            }
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                    }
                }
                break why
            }
        };
        match received {
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                break format!("no message for {deadline:?} (heartbeat deadline)");
            }
            Err(e) => break format!("connection error: {e}"),
            Ok(None) => break "connection closed".to_string(),
            Ok(Some(f)) => match decode::<ToDriver>(&f) {
                Ok(ToDriver::Heartbeat) => seen.heard(&door.board, None),
                Ok(m) => {
                    seen.heard(&door.board, Some(&m));
                    if door.events.send(Event::Msg(rank, m)).is_err() {
                        break "driver gone".to_string();
                    }
                }
                Err(e) => break format!("{e}"),
            },
        }
    };
    writing.abort();
    let _ = door.events.send(Event::Lost(rank, reason));
    Ok(())
}

/// Answers a monitor that authenticated and said `hello` from the board, until it closes the
/// connection, is silent for `heartbeat_timeout`, or sends anything malformed or larger than a
/// handshake frame (an error: its connection is dropped, nothing else is).
async fn serve_monitor(
    hello: MonitorHello,
    peer: SocketAddr,
    mut tx: Sender<TcpStream>,
    mut rx: Receiver<TcpStream>,
    door: &Door,
) -> std::result::Result<(), String> {
    let who = format!("{} pid {} at {peer}", hello.host, hello.pid);
    let reply = |r: MonitorReply| encode(&r).map_err(|e| e.to_string());
    let welcome = match door.board.greet(&hello) {
        Ok(welcome) => welcome,
        Err(why) => {
            let _ = tx.send(&reply(MonitorReply::Refused(why.clone()))?).await;
            return Err(why);
        }
    };
    tx.send(&reply(welcome)?).await.map_err(|e| e.to_string())?;
    tracing::debug!(target: "haydi", monitor = %who, "monitor connected");
    let idle = door.opts.heartbeat_timeout;
    loop {
        // The receiver keeps the handshake's limit: a monitor's request is small.
        let bytes = match rx.recv(idle).await {
            Ok(Some(b)) => b,
            Ok(None) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return Ok(()),
            Err(e) => return Err(format!("monitor {who}: {e}")),
        };
        let req = decode(&bytes).map_err(|e| format!("monitor {who}: {e}"))?;
        let answer = door.board.answer(&who, req);
        tx.send(&reply(answer)?).await.map_err(|e| e.to_string())?;
    }
}

// ------------------------------------------------------------------------------------------
// A worker's side.

/// Where to find the driver: a fixed address and secret, or a rendezvous file to (re)read.
pub(crate) enum Target {
    Fixed(String, Secret),
    Rendezvous(PathBuf),
}

/// Connects to the driver at `addr`, authenticates with `secret` and joins as `join` says.
/// Returns the sealed connection and the number of processes of the job. A refusal by the
/// driver is an error starting with "refused".
///
/// ```no_run
/// # use haydi_contexts::distributed::{Secret, transport::tcp::join_driver, protocol::Join};
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
    let (mut tx, mut rx) = dial(addr, secret, HANDSHAKE_MAX_FRAME).await?;
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

/// Joins the driver (retrying until `opts.connect_timeout`), then reports every message of
/// the driver, and the end of the connection, to `hear`. Returns the link to the driver and
/// the number of processes of the job. The connection's runtime lives until the process
/// exits, whatever becomes of the worker's context object: the heartbeats go on until then,
/// so the driver waits for this process to finish its `main`.
pub(crate) fn connect(
    target: Target,
    join: Join,
    opts: &DistributedOptions,
    hear: Hear,
) -> Result<(Arc<dyn Link>, u32)> {
    let rank = join.rank;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name(format!("haydi-rank{rank}-io"))
        .enable_all()
        .build()
        .map_err(|e| Error::Context(format!("cannot start the I/O runtime: {e}")))?;
    let deadline = Instant::now() + opts.connect_timeout;
    let (wr, mut rd, size) = rt.block_on(async {
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
                    Ok(Ok(joined)) => return Ok(joined),
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
    // A failed send ends the connection; the reader below notices and reports it.
    let (link, _) = writer(
        rt.handle(),
        wr,
        &ToDriver::Heartbeat,
        opts.heartbeat_interval,
        None,
    );
    let hb_timeout = opts.heartbeat_timeout;
    rt.spawn(async move {
        let reason = loop {
            match rd.recv(hb_timeout).await {
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                    break format!("no message from the driver for {hb_timeout:?}");
                }
                Err(e) => break format!("connection to the driver failed: {e}"),
                Ok(None) => break "the driver closed the connection".to_string(),
                Ok(Some(f)) => match decode::<ToWorker>(&f) {
                    Ok(ToWorker::Heartbeat) => {}
                    Ok(m) => hear(Heard::Msg(m)),
                    Err(e) => break format!("bad message from the driver: {e}"),
                },
            }
        };
        hear(Heard::Lost(reason));
    });
    // This process's I/O outlives any context object: a worker that dropped its context is
    // not a lost worker (see the module docs of `ending`).
    std::mem::forget(rt);
    Ok((Arc::new(link), size))
}
