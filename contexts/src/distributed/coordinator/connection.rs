//! The driver's connection tasks: accept, authenticate and admit workers, then relay their
//! messages to the dispatch loop (as [`Event`]s) and write what it sends them. A peer whose
//! first message says it is a monitor is answered by `watch::serve_monitor` instead.

use super::link::{Backlog, TcpLink};
use super::watch::serve_monitor;
use super::{check_join, Event, Refusal, Shared};
use crate::distributed::auth;
use crate::distributed::frame::{framed, HANDSHAKE_MAX_FRAME};
use crate::distributed::protocol::{decode, encode, Join, ToDriver, ToWorker};
use crate::distributed::secure::Receiver;
use crate::distributed::secure::Sender;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::unbounded_channel;

/// Accepts connections forever.
pub(crate) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        match listener.accept().await {
            Ok((sock, addr)) => {
                let shared = shared.clone();
                tokio::spawn(async move {
                    if let Err(e) = serve_peer(sock, addr, &shared).await {
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

async fn refuse<S: AsyncRead + AsyncWrite>(tx: &mut Sender<S>, why: String) -> String {
    if let Ok(b) = encode(&ToWorker::Refused(why.clone())) {
        let _ = tx.send(&b).await;
    }
    why
}

/// What an authenticated peer said first.
enum Hello<S> {
    Worker(Join, Sender<S>, Receiver<S>),
    Monitor(
        crate::distributed::monitor::MonitorHello,
        Sender<S>,
        Receiver<S>,
    ),
}

/// Authenticates a peer, checks its join message, then relays its messages to the driver
/// until the connection ends (heartbeat deadline, error, tampered frame, dropped by a
/// monitor). A monitor is served by `serve_monitor` instead.
async fn serve_peer(
    sock: TcpStream,
    addr: SocketAddr,
    shared: &Shared,
) -> std::result::Result<(), String> {
    let _ = sock.set_nodelay(true);
    let mut conn = framed(sock, HANDSHAKE_MAX_FRAME);
    let idle = shared.opts.handshake_timeout;
    let hs = async {
        let keys = auth::accept(&mut conn, &shared.secret)
            .await
            .map_err(|e| format!("authentication failed: {e}"))?;
        // Until it has joined, a peer may send nothing larger than a handshake frame.
        let (tx, mut rx) = keys.split(conn, HANDSHAKE_MAX_FRAME);
        let f = rx
            .recv(idle)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("closed before joining")?;
        match decode::<ToDriver>(&f).map_err(|e| e.to_string())? {
            ToDriver::Join(j) => Ok(Hello::Worker(j, tx, rx)),
            ToDriver::Monitor(h) => Ok(Hello::Monitor(h, tx, rx)),
            _ => Err("expected a join message".to_string()),
        }
    };
    let hello = tokio::time::timeout(idle, hs)
        .await
        .map_err(|_| "handshake timed out".to_string())??;
    let (join, mut tx, mut rx) = match hello {
        Hello::Worker(j, tx, rx) => (j, tx, rx),
        Hello::Monitor(h, tx, rx) => return serve_monitor(h, addr, tx, rx, shared).await,
    };
    if !shared.tcp_workers {
        let why = format!(
            "rank {} tried to join over TCP; this driver's workers use MPI",
            join.rank
        );
        return Err(refuse(&mut tx, why).await);
    }
    match check_join(&join, &shared.exe_hash, &shared.job) {
        Some(Refusal::OtherExecutable(why)) => {
            let _ = shared.events.send(Event::Rejected(why.clone()));
            return Err(refuse(&mut tx, why).await);
        }
        // Not an error of this job (another job found our rendezvous file or address): refuse
        // it and keep waiting for our own workers.
        Some(Refusal::OtherJob(why)) => return Err(refuse(&mut tx, why).await),
        None => {}
    }
    let fresh = {
        let mut r = shared.ranks.lock().unwrap_or_else(|e| e.into_inner());
        join.rank >= 1 && join.rank < shared.size && r.insert(join.rank)
    };
    if !fresh {
        let why = format!("rank {} is not expected or is connected already", join.rank);
        return Err(refuse(&mut tx, why).await);
    }
    let rank = join.rank;
    // From here on the rank is ours: give it back however this ends, so that a restarted
    // process can join in its place.
    struct Release<'a>(&'a Shared, u32);
    impl Drop for Release<'_> {
        fn drop(&mut self) {
            self.0
                .ranks
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&self.1);
        }
    }
    let _release = Release(shared, rank);
    let seen = shared
        .board
        .join(rank, &join.host, join.pid, join.threads.max(1));
    struct Leave<'a>(&'a Shared, u32, Arc<super::watch::Seen>);
    impl Drop for Leave<'_> {
        fn drop(&mut self) {
            self.0.board.leave(self.1, &self.2);
        }
    }
    let _leave = Leave(shared, rank, seen.clone());
    let welcome = encode(&ToWorker::Welcome { size: shared.size }).map_err(|e| e.to_string())?;
    tx.send(&welcome).await.map_err(|e| e.to_string())?;
    rx.set_max_message(shared.opts.max_message);
    let (out, mut queue) = unbounded_channel::<Arc<Vec<u8>>>();
    let backlog = Arc::new(Backlog::default());
    let backlog_w = backlog.clone();
    let interval = shared.opts.heartbeat_interval;
    let writer = tokio::spawn(async move {
        let hb = encode(&ToWorker::Heartbeat).unwrap_or_default();
        let done = || backlog_w.written();
        if let Err(e) = tx.pump(&mut queue, &hb, interval, done).await {
            haydi_core::warning!(rank, error = %e, "cannot send to worker");
        }
        queue.close();
        backlog_w.close();
    });
    // However the connection ends, nothing queued on it will be written any more.
    struct CloseBacklog(Arc<Backlog>);
    impl Drop for CloseBacklog {
        fn drop(&mut self) {
            self.0.close();
        }
    }
    let _close = CloseBacklog(backlog.clone());
    let _ = shared.events.send(Event::Joined {
        rank,
        threads: join.threads.max(1),
        host: join.host,
        pid: join.pid,
        link: Box::new(TcpLink {
            tx: out.clone(),
            backlog: backlog.clone(),
        }),
    });
    let deadline = shared.opts.heartbeat_timeout;
    let dismiss = out;
    let reason = loop {
        let received = tokio::select! {
            r = rx.recv(deadline) => r,
            why = seen.kicked() => {
                // Tell the worker why, so that it says so and exits, before cutting it off.
                if let Ok(b) = encode(&ToWorker::Dismissed(why.clone())) {
                    backlog.queued();
                    if dismiss.send(Arc::new(b)).is_ok() {
                        for _ in 0..100 {
                            if backlog.wait_drained(std::time::Instant::now()) {
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
                break format!("no message for {deadline:?} (heartbeat deadline)")
            }
            Err(e) => break format!("connection error: {e}"),
            Ok(None) => break "connection closed".to_string(),
            Ok(Some(f)) => match decode::<ToDriver>(&f) {
                Ok(ToDriver::Heartbeat) => seen.heard(&shared.board, false),
                Ok(m) => {
                    seen.heard(&shared.board, matches!(m, ToDriver::Done { .. }));
                    if shared.events.send(Event::Msg(rank, m)).is_err() {
                        break "driver gone".to_string();
                    }
                }
                Err(e) => break format!("{e}"),
            },
        }
    };
    writer.abort();
    let _ = shared.events.send(Event::Lost(rank, reason));
    Ok(())
}
