//! Sealed, streamed messages over an authenticated connection.
//!
//! The handshake ([`super::auth`]) proves that both ends know the secret; this module makes
//! every later byte count too. Each direction of a connection has its own key, derived with
//! HKDF-SHA256 from the secret and both handshake nonces, so keys are unique to the connection.
//! A message is cut into pieces of at most [`PIECE`] bytes; each piece travels as one frame,
//! sealed with ChaCha20-Poly1305 under a nonce that is the piece's sequence number in its
//! direction. A frame that was changed, replayed, dropped or reordered fails to open, and the
//! connection is dropped (its worker is lost and its chunks run elsewhere): an on-path proxy
//! can cut a connection, never change a result.
//!
//! Pieces also keep frames small whatever the size of a message: a result of several GiB
//! travels as a stream of 1 MiB frames, and the receiver stops reading (with an error) as soon
//! as a message grows past its limit, before it is whole.

use super::auth::Secret;
use super::frame::FramedConn;
use bytes::{Bytes, BytesMut};
use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use hkdf::Hkdf;
use sha2::Sha256;
use std::io;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc::UnboundedReceiver;

/// Largest piece of a message carried by one frame, in bytes.
pub const PIECE: usize = 1 << 20;

/// Bytes a sealed frame adds to its piece: a flag byte and the 16-byte tag.
pub const OVERHEAD: usize = 1 + 16;

const MORE: u8 = 0;
const LAST: u8 = 1;

/// The two keys of one connection, as seen from one end.
///
/// ```
/// use haydi_contexts::distributed::auth::Secret;
/// use haydi_contexts::distributed::secure::SessionKeys;
/// let s = Secret::random();
/// let (dn, wn) = ([1u8; 32], [2u8; 32]);
/// let driver = SessionKeys::derive(&s, &dn, &wn, true);
/// let worker = SessionKeys::derive(&s, &dn, &wn, false);
/// assert!(driver.pairs_with(&worker));
/// ```
#[derive(Clone)]
pub struct SessionKeys {
    send: [u8; 32],
    recv: [u8; 32],
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKeys(..)")
    }
}

impl SessionKeys {
    /// Derives the keys of a connection from the secret and the handshake's driver and worker
    /// nonces; `driver` says which end this is.
    pub fn derive(secret: &Secret, driver_nonce: &[u8], worker_nonce: &[u8], driver: bool) -> Self {
        let mut salt = driver_nonce.to_vec();
        salt.extend_from_slice(worker_nonce);
        let hk = Hkdf::<Sha256>::new(Some(&salt), secret.bytes());
        let key = |info: &[u8]| {
            let mut k = [0u8; 32];
            hk.expand(info, &mut k)
                .expect("32 bytes is a valid HKDF-SHA256 output length");
            k
        };
        let to_worker = key(b"haydi v1 frames driver to worker");
        let to_driver = key(b"haydi v1 frames worker to driver");
        if driver {
            SessionKeys {
                send: to_worker,
                recv: to_driver,
            }
        } else {
            SessionKeys {
                send: to_driver,
                recv: to_worker,
            }
        }
    }

    /// Whether `other` is the far end of the same connection.
    pub fn pairs_with(&self, other: &SessionKeys) -> bool {
        self.send == other.recv && self.recv == other.send
    }

    /// Splits an authenticated connection into its sealed sending and receiving halves.
    /// `max_message` bounds what one received message may grow to.
    pub fn split<S: AsyncRead + AsyncWrite>(
        self,
        mut conn: FramedConn<S>,
        max_message: usize,
    ) -> (Sender<S>, Receiver<S>) {
        conn.codec_mut().set_max_frame_length(PIECE + OVERHEAD);
        let (sink, stream) = conn.split();
        (
            Sender {
                sink,
                seal: Direction::new(&self.send),
            },
            Receiver {
                stream,
                open: Direction::new(&self.recv),
                max_message,
            },
        )
    }
}

/// One direction's cipher and the sequence number of its next frame.
struct Direction {
    cipher: ChaCha20Poly1305,
    seq: u64,
}

impl Direction {
    fn new(key: &[u8; 32]) -> Self {
        Direction {
            cipher: ChaCha20Poly1305::new(Key::from_slice(key)),
            seq: 0,
        }
    }

    fn nonce(&mut self) -> io::Result<Nonce> {
        let seq = self.seq;
        self.seq = seq
            .checked_add(1)
            .ok_or_else(|| bad("2^64 frames on one connection"))?;
        let mut n = [0u8; 12];
        n[..8].copy_from_slice(&seq.to_le_bytes());
        Ok(*Nonce::from_slice(&n))
    }
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

/// The sending half of a sealed connection.
pub struct Sender<S> {
    sink: SplitSink<FramedConn<S>, Bytes>,
    seal: Direction,
}

impl<S: AsyncRead + AsyncWrite> Sender<S> {
    /// Sends one message, in sealed pieces, and flushes it.
    pub async fn send(&mut self, msg: &[u8]) -> io::Result<()> {
        let mut pieces = msg.chunks(PIECE).peekable();
        if pieces.peek().is_none() {
            let frame = self.seal_piece(LAST, &[])?;
            return self.sink.send(frame).await;
        }
        while let Some(p) = pieces.next() {
            let flag = if pieces.peek().is_some() { MORE } else { LAST };
            let frame = self.seal_piece(flag, p)?;
            self.sink.feed(frame).await?;
        }
        self.sink.flush().await
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

    fn seal_piece(&mut self, flag: u8, piece: &[u8]) -> io::Result<Bytes> {
        let mut buf = Vec::with_capacity(piece.len() + OVERHEAD);
        buf.push(flag);
        buf.extend_from_slice(piece);
        let nonce = self.seal.nonce()?;
        self.seal
            .cipher
            .encrypt_in_place(&nonce, b"", &mut buf)
            .map_err(|_| bad("cannot seal a frame"))?;
        Ok(Bytes::from(buf))
    }
}

/// The receiving half of a sealed connection.
pub struct Receiver<S> {
    stream: SplitStream<FramedConn<S>>,
    open: Direction,
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
    /// reordered, sealed with another key) or a message over the limit is an error.
    pub async fn recv(&mut self, idle: Duration) -> io::Result<Option<Vec<u8>>> {
        let mut msg: Vec<u8> = Vec::new();
        let mut first = true;
        loop {
            let frame = match tokio::time::timeout(idle, self.stream.next()).await {
                Err(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("no frame for {idle:?}"),
                    ))
                }
                Ok(None) if first => return Ok(None),
                Ok(None) => return Err(bad("the connection ended inside a message")),
                Ok(Some(f)) => f?,
            };
            first = false;
            let (flag, piece) = self.open_frame(frame)?;
            if msg.len() + piece.len() > self.max_message {
                return Err(bad(&format!(
                    "a message larger than the limit of {} bytes (DistributedOptions::max_message)",
                    self.max_message
                )));
            }
            if msg.is_empty() {
                msg = piece;
            } else {
                msg.extend_from_slice(&piece);
            }
            if flag == LAST {
                return Ok(Some(msg));
            }
        }
    }

    fn open_frame(&mut self, frame: BytesMut) -> io::Result<(u8, Vec<u8>)> {
        let mut buf = frame.to_vec();
        let nonce = self.open.nonce()?;
        self.open
            .cipher
            .decrypt_in_place(&nonce, b"", &mut buf)
            .map_err(|_| {
                bad("a frame failed its integrity check (changed, replayed or reordered)")
            })?;
        match buf.first() {
            Some(&f @ (MORE | LAST)) => {
                buf.remove(0);
                Ok((f, buf))
            }
            _ => Err(bad("a sealed frame without a valid flag")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distributed::frame::{framed, read_frame, write_frame};

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    }

    fn keys() -> (SessionKeys, SessionKeys) {
        let s = Secret::random();
        (
            SessionKeys::derive(&s, &[7; 32], &[9; 32], true),
            SessionKeys::derive(&s, &[7; 32], &[9; 32], false),
        )
    }

    const IDLE: Duration = Duration::from_secs(5);

    #[test]
    fn messages_of_any_size_round_trip_in_pieces() {
        rt().block_on(async {
            let (d, w) = keys();
            let (a, b) = tokio::io::duplex(1 << 16);
            let (mut tx, _) = d.split(framed(a, 64), usize::MAX);
            let (_, mut rx) = w.split(framed(b, 64), usize::MAX);
            let big: Vec<u8> = (0..(3 * PIECE + 5)).map(|i| (i % 251) as u8).collect();
            let msgs = vec![Vec::new(), b"x".to_vec(), big, vec![1; PIECE]];
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

    /// A proxy between the ends: takes the sealed frames one side sent, lets `f` rewrite the
    /// list, and delivers the result to the other side; returns what the receiver made of it.
    fn through_proxy(
        msgs: &[&[u8]],
        f: impl FnOnce(&mut Vec<Bytes>),
    ) -> Vec<io::Result<Option<Vec<u8>>>> {
        rt().block_on(async {
            let (d, w) = keys();
            let (a, p1) = tokio::io::duplex(1 << 22);
            let (p2, b) = tokio::io::duplex(1 << 22);
            let (mut tx, _) = d.split(framed(a, 64), usize::MAX);
            for m in msgs {
                tx.send(m).await.unwrap();
            }
            drop(tx);
            let mut from = framed(p1, PIECE + OVERHEAD);
            let mut frames = Vec::new();
            while let Some(fr) = read_frame(&mut from).await.unwrap() {
                frames.push(fr);
            }
            f(&mut frames);
            let mut to = framed(p2, PIECE + OVERHEAD);
            for fr in &frames {
                write_frame(&mut to, fr).await.unwrap();
            }
            drop(to);
            let (_, mut rx) = w.split(framed(b, 64), usize::MAX);
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

    #[test]
    fn untouched_frames_pass_the_proxy() {
        let out = through_proxy(&[b"one", b"two"], |_| {});
        assert_eq!(out[0].as_ref().unwrap().as_deref(), Some(&b"one"[..]));
        assert_eq!(out[1].as_ref().unwrap().as_deref(), Some(&b"two"[..]));
        assert!(matches!(out[2], Ok(None)));
    }

    #[test]
    fn a_changed_byte_is_detected() {
        let out = through_proxy(&[b"result=41"], |fr| {
            let mut v = fr[0].to_vec();
            v[3] ^= 1;
            fr[0] = Bytes::from(v);
        });
        assert!(out[0]
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("integrity"));
    }

    #[test]
    fn a_replayed_frame_is_detected() {
        let out = through_proxy(&[b"a", b"b"], |fr| {
            let first = fr[0].clone();
            fr.insert(1, first);
        });
        assert!(out[0].is_ok());
        assert!(out[1]
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("integrity"));
    }

    #[test]
    fn reordered_and_dropped_frames_are_detected() {
        let out = through_proxy(&[b"a", b"b"], |fr| fr.swap(0, 1));
        assert!(out[0].is_err());
        let out = through_proxy(&[b"a", b"b", b"c"], |fr| {
            fr.remove(1);
        });
        assert!(out[0].is_ok() && out[1].is_err());
    }

    #[test]
    fn a_frame_from_another_connection_is_refused() {
        rt().block_on(async {
            let (d, _) = keys();
            let (_, w_other) = keys();
            let (a, b) = tokio::io::duplex(1 << 16);
            let (mut tx, _) = d.split(framed(a, 64), usize::MAX);
            let (_, mut rx) = w_other.split(framed(b, 64), usize::MAX);
            tx.send(b"hello").await.unwrap();
            assert!(rx.recv(IDLE).await.is_err());
        });
    }

    #[test]
    fn a_message_over_the_limit_stops_early() {
        rt().block_on(async {
            let (d, w) = keys();
            let (a, b) = tokio::io::duplex(1 << 23);
            let (mut tx, _) = d.split(framed(a, 64), usize::MAX);
            let (_, mut rx) = w.split(framed(b, 64), PIECE + 10);
            let send = async {
                let _ = tx.send(&vec![0u8; 4 * PIECE]).await;
            };
            let recv = async { rx.recv(IDLE).await };
            let ((), r) = tokio::join!(send, recv);
            assert!(r.unwrap_err().to_string().contains("max_message"));
        });
    }
}
