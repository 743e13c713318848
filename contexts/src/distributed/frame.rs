//! Length-delimited frames: a 4-byte big-endian length, then that many bytes.
//!
//! Every frame has a size limit, checked before anything is allocated; the body is read in
//! pieces of at most [`READ_STEP`] bytes so that a peer announcing a large frame and then sending
//! nothing makes the reader allocate no more than it actually received.

use std::io;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Frames larger than this are refused by default (64 MiB).
pub const DEFAULT_MAX_FRAME: usize = 64 << 20;

/// Frames exchanged before a peer has authenticated are at most this long.
pub const HANDSHAKE_MAX_FRAME: usize = 4 << 10;

/// The body of a frame is read (and its buffer grown) this many bytes at a time.
pub const READ_STEP: usize = 64 << 10;

/// Reads one frame of at most `max` bytes. `Ok(None)` at a clean end of stream (before the
/// length); an error for a truncated frame or one over the limit.
///
/// ```
/// use haydi_contexts::distributed::frame::{read_frame, write_frame};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let mut buf = Vec::new();
/// write_frame(&mut buf, b"hello", 100).await.unwrap();
/// let mut input = &buf[..];
/// assert_eq!(read_frame(&mut input, 100).await.unwrap(), Some(b"hello".to_vec()));
/// assert_eq!(read_frame(&mut input, 100).await.unwrap(), None);
/// # });
/// ```
pub async fn read_frame<R: AsyncRead + Unpin>(
    r: &mut R,
    max: usize,
) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        let n = r.read(&mut len[got..]).await?;
        if n == 0 {
            if got == 0 {
                return Ok(None);
            }
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "stream ended inside a frame length",
            ));
        }
        got += n;
    }
    let len = u32::from_be_bytes(len) as usize;
    if len > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame of {len} bytes exceeds the limit of {max} bytes"),
        ));
    }
    let mut body = Vec::with_capacity(len.min(READ_STEP));
    while body.len() < len {
        let want = (len - body.len()).min(READ_STEP);
        let n = r.take(want as u64).read_to_end(&mut body).await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "stream ended inside a frame",
            ));
        }
    }
    Ok(Some(body))
}

/// Writes one frame; refuses bodies over `max` bytes.
pub async fn write_frame<W: AsyncWrite + Unpin>(
    w: &mut W,
    body: &[u8],
    max: usize,
) -> io::Result<()> {
    if body.len() > max || body.len() > u32::MAX as usize {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "frame of {} bytes exceeds the limit of {max} bytes",
                body.len()
            ),
        ));
    }
    w.write_all(&(body.len() as u32).to_be_bytes()).await?;
    w.write_all(body).await?;
    w.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
    }

    #[test]
    fn over_limit_is_refused_without_allocating() {
        let bytes = [0xff, 0xff, 0xff, 0xff, 1, 2, 3];
        let r = rt().block_on(read_frame(&mut &bytes[..], 1000));
        assert!(r.unwrap_err().to_string().contains("exceeds"));
    }

    #[test]
    fn truncated_frame_is_an_error() {
        let bytes = [0, 0, 0, 10, 1, 2, 3];
        assert!(rt().block_on(read_frame(&mut &bytes[..], 1000)).is_err());
        assert!(rt().block_on(read_frame(&mut &bytes[..2], 1000)).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// Random bytes never panic the decoder, and what it returns respects the limit.
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048), max in 0usize..4096) {
            let rt = rt();
            let mut input = &bytes[..];
            let mut total = 0;
            while let Ok(Some(f)) = rt.block_on(read_frame(&mut input, max)) {
                prop_assert!(f.len() <= max);
                total += 4 + f.len();
            }
            prop_assert!(total <= bytes.len());
        }

        /// Frames written are read back unchanged.
        #[test]
        fn round_trip(frames in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..10)) {
            let rt = rt();
            let mut buf = Vec::new();
            for f in &frames {
                rt.block_on(write_frame(&mut buf, f, 1000)).unwrap();
            }
            let mut input = &buf[..];
            for f in &frames {
                prop_assert_eq!(rt.block_on(read_frame(&mut input, 1000)).unwrap(), Some(f.clone()));
            }
            prop_assert_eq!(rt.block_on(read_frame(&mut input, 1000)).unwrap(), None);
        }
    }
}
