//! The secure channel of every TCP connection: the Noise protocol framework's
//! `Noise_NNpsk0_25519_ChaChaPoly_BLAKE2s` ([`PATTERN`], through the `snow` crate), then sealed,
//! streamed messages.
//!
//! **Handshake.** The connecting side (a worker, a monitor) initiates, the driver responds;
//! two messages of 48 bytes, each one frame. The pre-shared key is the job's secret
//! ([`Secret::psk`](super::secret::Secret)), mixed in before the first message (`psk0`), and
//! the prologue names this protocol's version, so:
//! - *mutual authentication by the secret*: the driver opens the first message only if the
//!   worker holds the secret (else it drops the peer at once), and the worker opens the second
//!   only if the driver does; the secret never travels;
//! - *forward secrecy*: the transport keys come from the two sides' ephemeral X25519 keys
//!   (the `ee` token), so a secret that leaks later does not open connections recorded before;
//! - *keys unique to the connection*: fresh ephemeral keys on both sides every time.
//!
//! A replayed first message gets an answer, but its replayer holds no ephemeral key to go on
//! with; the worker's first transport message (its `Join`) is what the driver waits for.
//!
//! **Messages.** A Noise message holds at most 65535 bytes, 16 of them the tag, so a message
//! of any size travels as pieces of at most [`PIECE`] (65519) bytes, one frame each; a piece
//! shorter than `PIECE` (possibly empty) ends its message, so no flag is needed and the length
//! of each piece is authenticated with it. Each direction numbers its pieces from 0 (the Noise
//! nonce, never sent: TCP keeps the order), so a frame that was changed, replayed, dropped,
//! reordered or taken from another connection fails to open, and the connection is dropped:
//! an on-path proxy can cut a connection, never change a result. The receiver stops reading
//! (with an error) as soon as a message grows past its limit, before it is whole.

use super::frame::{FramedConn, read_frame, write_frame};
use super::secret::Secret;
use bytes::{Bytes, BytesMut};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use snow::StatelessTransportState;
use std::io;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc::UnboundedReceiver;

/// The Noise protocol of every haydi connection.
///
/// ```
/// let params: snow::params::NoiseParams =
///     haydi_contexts::distributed::transport::noise::PATTERN.parse().unwrap();
/// assert_eq!(params.name, "Noise_NNpsk0_25519_ChaChaPoly_BLAKE2s");
/// ```
pub const PATTERN: &str = "Noise_NNpsk0_25519_ChaChaPoly_BLAKE2s";

/// Bound into the handshake: a peer of another protocol version fails it, as a wrong secret.
const PROLOGUE: &[u8] = b"haydi transport v2";

/// Largest frame once the handshake is done: one Noise message.
pub const MAX_FRAME: usize = 65535;

/// Bytes a sealed piece adds: the Poly1305 tag.
pub const TAG: usize = 16;

/// Largest piece of a message carried by one frame, in bytes (Noise's limit less the tag).
pub const PIECE: usize = MAX_FRAME - TAG;

fn denied(what: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, what.into())
}

fn bad(what: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.into())
}

fn builder(psk: &[u8; 32]) -> io::Result<snow::Builder<'_>> {
    let params = PATTERN
        .parse()
        .map_err(|e| bad(format!("the Noise pattern: {e}")))?;
    snow::Builder::new(params)
        .prologue(PROLOGUE)
        .and_then(|b| b.psk(0, psk))
        .map_err(|e| bad(format!("cannot set up the Noise handshake: {e}")))
}

/// Reads one handshake message (a frame); the connection must not end before.
async fn handshake_frame<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut FramedConn<S>,
) -> io::Result<Bytes> {
    read_frame(conn).await?.ok_or_else(|| {
        denied("the peer closed the connection during the handshake (a wrong secret?)")
    })
}

/// The connecting side's handshake (a worker's, a monitor's): proves it holds `secret` and
/// checks that the peer does. `conn` must be framed with a limit of at most
/// [`HANDSHAKE_MAX_FRAME`](super::frame::HANDSHAKE_MAX_FRAME). An error means the connection
/// must be dropped.
///
/// ```
/// use haydi_contexts::distributed::Secret;
/// use haydi_contexts::distributed::transport::frame::{framed, HANDSHAKE_MAX_FRAME};
/// use haydi_contexts::distributed::transport::noise::{initiate, respond};
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let (a, b) = tokio::io::duplex(1024);
/// let (mut a, mut b) = (framed(a, HANDSHAKE_MAX_FRAME), framed(b, HANDSHAKE_MAX_FRAME));
/// let s = Secret::random();
/// let (w, d) = tokio::join!(initiate(&mut a, &s), respond(&mut b, &s));
/// let ((mut tx, _), (_, mut rx)) = (w.unwrap().split(a, 1024), d.unwrap().split(b, 1024));
/// tx.send(b"join").await.unwrap();
/// let got = rx.recv(std::time::Duration::from_secs(5)).await.unwrap();
/// assert_eq!(got.as_deref(), Some(&b"join"[..]));
/// # });
/// ```
pub async fn initiate<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut FramedConn<S>,
    secret: &Secret,
) -> io::Result<Session> {
    let psk = secret.psk();
    let mut hs = builder(&psk)?
        .build_initiator()
        .map_err(|e| bad(format!("cannot start the Noise handshake: {e}")))?;
    let mut buf = [0u8; 256];
    let n = hs
        .write_message(&[], &mut buf)
        .map_err(|e| bad(format!("the first handshake message: {e}")))?;
    write_frame(conn, &buf[..n]).await?;
    let answer = handshake_frame(conn).await?;
    hs.read_message(&answer, &mut buf).map_err(|_| {
        denied("the driver does not know the secret (or runs another version of haydi)")
    })?;
    Session::from_handshake(hs)
}

/// The listening side's handshake (the driver's): checks that the peer holds `secret` and
/// proves it does too. An error means the peer must be dropped.
pub async fn respond<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut FramedConn<S>,
    secret: &Secret,
) -> io::Result<Session> {
    let psk = secret.psk();
    let mut hs = builder(&psk)?
        .build_responder()
        .map_err(|e| bad(format!("cannot start the Noise handshake: {e}")))?;
    let first = handshake_frame(conn).await?;
    let mut buf = [0u8; 256];
    hs.read_message(&first, &mut buf)
        .map_err(|_| denied("wrong secret (or another version of haydi)"))?;
    let n = hs
        .write_message(&[], &mut buf)
        .map_err(|e| bad(format!("the second handshake message: {e}")))?;
    write_frame(conn, &buf[..n]).await?;
    Session::from_handshake(hs)
}

/// The keys of one connection after its handshake, as seen from one end.
pub struct Session {
    state: Arc<StatelessTransportState>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Session(..)")
    }
}

impl Session {
    fn from_handshake(hs: snow::HandshakeState) -> io::Result<Self> {
        let state = hs
            .into_stateless_transport_mode()
            .map_err(|e| bad(format!("the Noise handshake did not finish: {e}")))?;
        Ok(Session {
            state: Arc::new(state),
        })
    }

    /// Splits an authenticated connection into its sealed sending and receiving halves (each
    /// keeps its own direction's nonce, so they may live in different tasks).
    /// `max_message` bounds what one received message may grow to.
    pub fn split<S: AsyncRead + AsyncWrite>(
        self,
        mut conn: FramedConn<S>,
        max_message: usize,
    ) -> (Sender<S>, Receiver<S>) {
        conn.codec_mut().set_max_frame_length(MAX_FRAME);
        let (sink, stream) = conn.split();
        (
            Sender {
                sink,
                state: self.state.clone(),
                nonce: 0,
            },
            Receiver {
                stream,
                state: self.state,
                nonce: 0,
                max_message,
            },
        )
    }
}

/// The sending half of a sealed connection.
pub struct Sender<S> {
    sink: SplitSink<FramedConn<S>, Bytes>,
    state: Arc<StatelessTransportState>,
    /// The number of the next piece in this direction.
    nonce: u64,
}

impl<S: AsyncRead + AsyncWrite> Sender<S> {
    /// Sends one message, in sealed pieces, and flushes it.
    pub async fn send(&mut self, msg: &[u8]) -> io::Result<()> {
        let mut rest = msg;
        loop {
            let n = rest.len().min(PIECE);
            let frame = self.seal(&rest[..n])?;
            rest = &rest[n..];
            if n < PIECE {
                // A short piece (perhaps empty) ends the message.
                return self.sink.send(frame).await;
            }
            self.sink.feed(frame).await?;
        }
    }

    /// Sends the messages of `queue` as they come, and `heartbeat` every `every`, until the
    /// queue closes (`Ok`) or a send fails (its error). `sent` is called after each message of
    /// the queue, whether it went out or not (the caller may count what is still queued).
    pub async fn pump<B>(
        &mut self,
        queue: &mut UnboundedReceiver<B>,
        heartbeat: &[u8],
        every: Duration,
        mut sent: impl FnMut(),
    ) -> io::Result<()>
    where
        B: std::ops::Deref,
        B::Target: AsRef<[u8]>,
    {
        let mut tick = tokio::time::interval(every);
        loop {
            tokio::select! {
                m = queue.recv() => match m {
                    Some(b) => {
                        let r = self.send((*b).as_ref()).await;
                        sent();
                        r?;
                    }
                    None => return Ok(()),
                },
                _ = tick.tick() => self.send(heartbeat).await?,
            }
        }
    }

    fn seal(&mut self, piece: &[u8]) -> io::Result<Bytes> {
        let mut out = vec![0u8; piece.len() + TAG];
        let n = self
            .state
            .write_message(self.nonce, piece, &mut out)
            .map_err(|e| bad(format!("cannot seal a frame: {e}")))?;
        out.truncate(n);
        // snow refuses the last nonce (u64::MAX), so this never wraps.
        self.nonce += 1;
        Ok(Bytes::from(out))
    }
}

/// The receiving half of a sealed connection.
pub struct Receiver<S> {
    stream: SplitStream<FramedConn<S>>,
    state: Arc<StatelessTransportState>,
    /// The number of the next piece expected in this direction.
    nonce: u64,
    max_message: usize,
}

impl<S: AsyncRead + AsyncWrite> Receiver<S> {
    /// Changes the largest message accepted from now on (raised once a peer has joined).
    pub fn set_max_message(&mut self, max: usize) {
        self.max_message = max;
    }

    /// Receives one whole message; `Ok(None)` when the connection ends cleanly between
    /// messages. Every frame must arrive within `idle` of the one before (a message of any
    /// size may take longer as a whole). A frame that does not open (changed, replayed,
    /// reordered, dropped before it, sealed with another key) or a message over the limit is
    /// an error.
    pub async fn recv(&mut self, idle: Duration) -> io::Result<Option<Vec<u8>>> {
        let mut msg: Vec<u8> = Vec::new();
        let mut first = true;
        loop {
            let frame = match tokio::time::timeout(idle, self.stream.next()).await {
                Err(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("no frame for {idle:?}"),
                    ));
                }
                Ok(None) if first => return Ok(None),
                Ok(None) => return Err(bad("the connection ended inside a message")),
                Ok(Some(f)) => f?,
            };
            first = false;
            let n = self.open_into(&frame, &mut msg)?;
            if n < PIECE {
                return Ok(Some(msg));
            }
        }
    }

    /// Opens one sealed frame onto the end of `msg`; returns the length of its piece.
    fn open_into(&mut self, frame: &BytesMut, msg: &mut Vec<u8>) -> io::Result<usize> {
        let n = frame
            .len()
            .checked_sub(TAG)
            .ok_or_else(|| bad("a sealed frame shorter than its tag"))?;
        if msg.len().saturating_add(n) > self.max_message {
            return Err(bad(format!(
                "a message larger than the limit of {} bytes (DistributedOptions::max_message)",
                self.max_message
            )));
        }
        let at = msg.len();
        msg.resize(at + n, 0);
        self.state
            .read_message(self.nonce, frame, &mut msg[at..])
            .map_err(|_| {
                bad("a frame failed its integrity check (changed, replayed, dropped or reordered)")
            })?;
        self.nonce += 1;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distributed::transport::frame::{HANDSHAKE_MAX_FRAME, framed};

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    }

    const IDLE: Duration = Duration::from_secs(5);

    /// One end after its handshake: its keys and its connection.
    type End = io::Result<(Session, FramedConn<tokio::io::DuplexStream>)>;

    /// Both ends' handshakes over an in-memory pipe of `capacity` bytes, with the secrets given.
    fn handshake(a: Secret, b: Secret, capacity: usize) -> (End, End) {
        rt().block_on(async {
            let (x, y) = tokio::io::duplex(capacity);
            let (mut x, mut y) = (
                framed(x, HANDSHAKE_MAX_FRAME),
                framed(y, HANDSHAKE_MAX_FRAME),
            );
            let w = async move { initiate(&mut x, &a).await.map(|s| (s, x)) };
            let d = async move { respond(&mut y, &b).await.map(|s| (s, y)) };
            tokio::join!(w, d)
        })
    }

    #[test]
    fn a_wrong_secret_fails_both_ways() {
        let (w, d) = handshake(Secret::random(), Secret::random(), 1 << 16);
        let e = d.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::PermissionDenied);
        assert!(e.to_string().contains("wrong secret"), "{e}");
        // The driver dropped the connection without answering: the worker fails too.
        assert!(w.is_err());
    }

    /// A connected pair: the worker's sending half and the driver's receiving half, the
    /// receiver limited to `max` bytes a message; the pipe holds `capacity` bytes.
    fn pair(
        capacity: usize,
        max: usize,
    ) -> (
        Sender<tokio::io::DuplexStream>,
        Receiver<tokio::io::DuplexStream>,
    ) {
        let s = Secret::random();
        let (w, d) = handshake(s.clone(), s, capacity);
        let ((ws, wc), (ds, dc)) = (w.unwrap(), d.unwrap());
        let (tx, _) = ws.split(wc, usize::MAX);
        let (_, rx) = ds.split(dc, max);
        (tx, rx)
    }

    #[test]
    fn messages_of_any_size_round_trip_in_pieces() {
        let (mut tx, mut rx) = pair(1 << 16, usize::MAX);
        rt().block_on(async {
            let big: Vec<u8> = (0..(3 * PIECE + 5)).map(|i| (i % 251) as u8).collect();
            // Empty, tiny, several pieces, exactly one piece and exactly two (each then ends
            // with an empty piece).
            let msgs = vec![
                Vec::new(),
                b"x".to_vec(),
                big,
                vec![1; PIECE],
                vec![2; 2 * PIECE],
            ];
            let send = async {
                for m in &msgs {
                    tx.send(m).await.unwrap();
                }
                drop(tx);
            };
            let recv = async {
                let mut got = Vec::new();
                while let Some(m) = rx.recv(IDLE).await.unwrap() {
                    got.push(m);
                }
                got
            };
            let ((), got) = tokio::join!(send, recv);
            assert_eq!(got, msgs);
        });
    }

    #[test]
    fn a_message_over_the_limit_stops_early() {
        let (mut tx, mut rx) = pair(1 << 23, PIECE + 10);
        rt().block_on(async {
            let send = async {
                let _ = tx.send(&vec![0u8; 4 * PIECE]).await;
            };
            let recv = async { rx.recv(IDLE).await };
            let ((), r) = tokio::join!(send, recv);
            assert!(r.unwrap_err().to_string().contains("max_message"));
        });
    }

    /// A proxy between the ends: takes the sealed frames the worker sent after the handshake,
    /// lets `f` rewrite the list, and delivers the result to the driver; returns what the
    /// driver's receiver made of it. With `foreign`, the driver's side is another connection
    /// (same secret, its own handshake).
    fn through_proxy(
        msgs: &[&[u8]],
        foreign: bool,
        f: impl FnOnce(&mut Vec<Bytes>),
    ) -> Vec<io::Result<Option<Vec<u8>>>> {
        let s = Secret::random();
        let (w, d) = handshake(s.clone(), s.clone(), 1 << 22);
        let ((ws, wc), (mut ds, mut dc)) = (w.unwrap(), d.unwrap());
        if foreign {
            let (_, other) = handshake(s.clone(), s, 1 << 16);
            ds = other.unwrap().0;
        }
        rt().block_on(async {
            let (mut tx, _) = ws.split(wc, usize::MAX);
            for m in msgs {
                tx.send(m).await.unwrap();
            }
            drop(tx);
            dc.codec_mut().set_max_frame_length(MAX_FRAME);
            let mut frames = Vec::new();
            while let Some(fr) = read_frame(&mut dc).await.unwrap() {
                frames.push(fr);
            }
            f(&mut frames);
            let (p, b) = tokio::io::duplex(1 << 22);
            let mut to = framed(p, MAX_FRAME);
            for fr in &frames {
                write_frame(&mut to, fr).await.unwrap();
            }
            drop(to);
            let (_, mut rx) = ds.split(framed(b, 64), usize::MAX);
            let mut out = Vec::new();
            loop {
                let r = rx.recv(IDLE).await;
                let end = !matches!(r, Ok(Some(_)));
                out.push(r);
                if end {
                    return out;
                }
            }
        })
    }

    fn integrity_error(r: &io::Result<Option<Vec<u8>>>) -> bool {
        r.as_ref()
            .is_err_and(|e| e.to_string().contains("integrity"))
    }

    #[test]
    fn untouched_frames_pass_the_proxy() {
        let out = through_proxy(&[b"one", b"two"], false, |_| {});
        assert_eq!(out[0].as_ref().unwrap().as_deref(), Some(&b"one"[..]));
        assert_eq!(out[1].as_ref().unwrap().as_deref(), Some(&b"two"[..]));
        assert!(matches!(out[2], Ok(None)));
    }

    #[test]
    fn a_changed_byte_is_detected() {
        let out = through_proxy(&[b"result=41"], false, |fr| {
            let mut v = fr[0].to_vec();
            v[3] ^= 1;
            fr[0] = Bytes::from(v);
        });
        assert!(integrity_error(&out[0]), "{:?}", out[0]);
    }

    #[test]
    fn a_replayed_frame_is_detected() {
        let out = through_proxy(&[b"a", b"b"], false, |fr| {
            let first = fr[0].clone();
            fr.insert(1, first);
        });
        assert!(out[0].is_ok());
        assert!(integrity_error(&out[1]), "{:?}", out[1]);
    }

    #[test]
    fn reordered_and_dropped_frames_are_detected() {
        let out = through_proxy(&[b"a", b"b"], false, |fr| fr.swap(0, 1));
        assert!(integrity_error(&out[0]), "{:?}", out[0]);
        let out = through_proxy(&[b"a", b"b", b"c"], false, |fr| {
            fr.remove(1);
        });
        assert!(out[0].is_ok() && integrity_error(&out[1]), "{out:?}");
        // A dropped piece inside a long message.
        let long = vec![9u8; 3 * PIECE];
        let out = through_proxy(&[&long], false, |fr| {
            fr.remove(1);
        });
        assert!(integrity_error(&out[0]), "{:?}", out[0]);
    }

    #[test]
    fn a_frame_from_another_connection_is_refused() {
        let out = through_proxy(&[b"hello"], true, |_| {});
        assert!(integrity_error(&out[0]), "{:?}", out[0]);
    }

    #[test]
    fn a_truncated_message_is_detected() {
        // The last, short piece of a long message dropped: what follows cannot end it.
        let long = vec![9u8; PIECE + 7];
        let out = through_proxy(&[&long, b"next"], false, |fr| {
            fr.remove(1);
        });
        assert!(integrity_error(&out[0]), "{:?}", out[0]);
    }

    #[test]
    fn the_pattern_parses() {
        let p: snow::params::NoiseParams = PATTERN.parse().unwrap();
        assert_eq!(p.name, PATTERN);
        assert_eq!(PIECE, 65519);
    }
}
