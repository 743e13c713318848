//! Length-delimited frames (a 4-byte big-endian length, then that many bytes), from
//! `tokio_util`'s [`LengthDelimitedCodec`](https://docs.rs/tokio-util/0.7/tokio_util/codec/length_delimited/struct.LengthDelimitedCodec.html).
//!
//! Every frame has a size limit, checked on the length before the body is read or allocated:
//! the handshake runs under [`HANDSHAKE_MAX_FRAME`]; once a peer has authenticated the limit
//! is raised to what a sealed piece of a message needs (see [`super::noise`]). Messages of any
//! size travel as several frames, never as one large one.

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use std::io;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::codec::{Framed, LengthDelimitedCodec};

/// Frames exchanged before a peer has authenticated are at most this long.
pub const HANDSHAKE_MAX_FRAME: usize = 4 << 10;

/// A connection carrying frames.
pub type FramedConn<S> = Framed<S, LengthDelimitedCodec>;

/// The codec of every haydi connection: 4-byte big-endian lengths, at most `max` bytes a frame.
///
/// ```
/// use haydi_contexts::distributed::transport::frame::codec;
/// assert_eq!(codec(100).max_frame_length(), 100);
/// ```
pub fn codec(max: usize) -> LengthDelimitedCodec {
    LengthDelimitedCodec::builder()
        .length_field_length(4)
        .big_endian()
        .max_frame_length(max)
        .new_codec()
}

/// Wraps a byte stream into frames of at most `max` bytes.
pub fn framed<S: AsyncRead + AsyncWrite>(io: S, max: usize) -> FramedConn<S> {
    Framed::new(io, codec(max))
}

/// Reads one frame. `Ok(None)` at a clean end of stream (before a length); an error for a
/// truncated frame or one over the limit.
///
/// ```
/// use haydi_contexts::distributed::transport::frame::{framed, read_frame, write_frame};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let (a, b) = tokio::io::duplex(1024);
/// let (mut a, mut b) = (framed(a, 100), framed(b, 100));
/// write_frame(&mut a, b"hello").await.unwrap();
/// drop(a);
/// assert_eq!(read_frame(&mut b).await.unwrap().as_deref(), Some(&b"hello"[..]));
/// assert_eq!(read_frame(&mut b).await.unwrap(), None);
/// # });
/// ```
pub async fn read_frame<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut FramedConn<S>,
) -> io::Result<Option<Bytes>> {
    match conn.next().await {
        None => Ok(None),
        Some(r) => r.map(|b| Some(b.freeze())),
    }
}

/// Writes one frame (and flushes it); refuses bodies over the codec's limit.
pub async fn write_frame<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut FramedConn<S>,
    body: &[u8],
) -> io::Result<()> {
    conn.send(Bytes::copy_from_slice(body)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use tokio::io::AsyncWriteExt;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
    }

    /// Reads every frame `bytes` holds under the limit `max`, until the end or an error.
    fn frames_of(bytes: &[u8], max: usize) -> (Vec<Bytes>, bool) {
        rt().block_on(async {
            let (mut w, r) = tokio::io::duplex(bytes.len().max(1) + 16);
            w.write_all(bytes).await.unwrap();
            drop(w);
            let mut conn = framed(r, max);
            let mut out = Vec::new();
            loop {
                match read_frame(&mut conn).await {
                    Ok(Some(f)) => out.push(f),
                    Ok(None) => return (out, true),
                    Err(_) => return (out, false),
                }
            }
        })
    }

    #[test]
    fn over_limit_is_refused() {
        let (frames, clean) = frames_of(&[0xff, 0xff, 0xff, 0xff, 1, 2, 3], 1000);
        assert!(frames.is_empty() && !clean);
    }

    #[test]
    fn truncated_frame_is_an_error() {
        assert!(!frames_of(&[0, 0, 0, 10, 1, 2, 3], 1000).1);
        assert!(!frames_of(&[0, 0], 1000).1);
    }

    #[test]
    fn writing_over_the_limit_is_refused() {
        rt().block_on(async {
            let (a, _b) = tokio::io::duplex(1024);
            let mut a = framed(a, 10);
            assert!(write_frame(&mut a, &[0u8; 11]).await.is_err());
        });
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Random bytes never panic the decoder, and what it returns respects the limit.
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048), max in 0usize..4096) {
            let (frames, _) = frames_of(&bytes, max);
            let mut total = 0;
            for f in &frames {
                prop_assert!(f.len() <= max);
                total += 4 + f.len();
            }
            prop_assert!(total <= bytes.len());
        }

        /// Frames written are read back unchanged.
        #[test]
        fn round_trip(frames in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..10)) {
            let back = rt().block_on(async {
                let (a, b) = tokio::io::duplex(1 << 16);
                let (mut a, mut b) = (framed(a, 1000), framed(b, 1000));
                for f in &frames {
                    write_frame(&mut a, f).await.unwrap();
                }
                drop(a);
                let mut back = Vec::new();
                while let Some(f) = read_frame(&mut b).await.unwrap() {
                    back.push(f.to_vec());
                }
                back
            });
            prop_assert_eq!(back, frames);
        }
    }
}
