//! Mutual challenge-response authentication with a shared secret (HMAC-SHA256).
//!
//! The secret never travels. The driver sends a random nonce; the worker answers with its own
//! nonce and `HMAC(secret, "haydi worker" | driver nonce | worker nonce)`; the driver checks it
//! (in constant time) and proves itself with `HMAC(secret, "haydi driver" | worker nonce |
//! driver nonce)`. A peer that fails, or sends anything malformed, is dropped.
//!
//! Both nonces are fresh, so they also make the session keys that seal every later frame
//! unique to this connection ([`SessionKeys`], derived with HKDF-SHA256).

use super::frame::{read_frame, write_frame, FramedConn};
use super::secure::SessionKeys;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::io;
use tokio::io::{AsyncRead, AsyncWrite};

type HmacSha256 = Hmac<Sha256>;

/// Length of a nonce in bytes.
pub const NONCE_LEN: usize = 32;
const MAGIC: &[u8; 8] = b"HAYDI\x00\x01\x00";

pub use super::transport::secret::Secret;

fn mac(secret: &Secret, label: &[u8], a: &[u8], b: &[u8]) -> HmacSha256 {
    let mut m = HmacSha256::new_from_slice(secret.bytes()).expect("HMAC takes keys of any length");
    m.update(label);
    m.update(a);
    m.update(b);
    m
}

fn nonce() -> [u8; NONCE_LEN] {
    let mut n = [0u8; NONCE_LEN];
    rand::rng().fill_bytes(&mut n);
    n
}

fn denied(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, what.to_string())
}

async fn read_exact_frame<S: AsyncRead + AsyncWrite + Unpin>(
    r: &mut FramedConn<S>,
    len: usize,
) -> io::Result<Vec<u8>> {
    match read_frame(r).await? {
        Some(f) if f.len() == len => Ok(f.to_vec()),
        Some(_) => Err(denied("malformed handshake frame")),
        None => Err(denied(
            "the peer closed the connection during the handshake",
        )),
    }
}

/// The driver's side: challenges the peer and proves itself, then derives the session keys.
/// An error means the peer must be dropped. `s` must be framed with a limit of at most
/// [`HANDSHAKE_MAX_FRAME`](super::frame::HANDSHAKE_MAX_FRAME).
pub async fn accept<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut FramedConn<S>,
    secret: &Secret,
) -> io::Result<SessionKeys> {
    let dn = nonce();
    let mut hello = MAGIC.to_vec();
    hello.extend_from_slice(&dn);
    write_frame(s, &hello).await?;
    let answer = read_exact_frame(s, NONCE_LEN + 32).await?;
    let (wn, tag) = answer.split_at(NONCE_LEN);
    mac(secret, b"haydi worker", &dn, wn)
        .verify_slice(tag)
        .map_err(|_| denied("wrong secret"))?;
    let proof = mac(secret, b"haydi driver", wn, &dn).finalize().into_bytes();
    write_frame(s, &proof).await?;
    Ok(SessionKeys::derive(secret, &dn, wn, true))
}

/// The worker's side: answers the driver's challenge and checks the driver's proof, then
/// derives the session keys.
pub async fn connect<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut FramedConn<S>,
    secret: &Secret,
) -> io::Result<SessionKeys> {
    let hello = read_exact_frame(s, MAGIC.len() + NONCE_LEN).await?;
    if &hello[..MAGIC.len()] != MAGIC {
        return Err(denied(
            "the peer is not a haydi driver of this protocol version",
        ));
    }
    let dn = &hello[MAGIC.len()..];
    let wn = nonce();
    let tag = mac(secret, b"haydi worker", dn, &wn).finalize().into_bytes();
    let mut answer = wn.to_vec();
    answer.extend_from_slice(&tag);
    write_frame(s, &answer).await?;
    let proof = read_exact_frame(s, 32).await?;
    mac(secret, b"haydi driver", &wn, dn)
        .verify_slice(&proof)
        .map_err(|_| denied("the driver does not know the secret"))?;
    Ok(SessionKeys::derive(secret, dn, &wn, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::distributed::frame::{framed, HANDSHAKE_MAX_FRAME};

    fn run(a: Secret, b: Secret) -> (io::Result<SessionKeys>, io::Result<SessionKeys>) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let (x, y) = tokio::io::duplex(1 << 16);
            let (mut x, mut y) = (
                framed(x, HANDSHAKE_MAX_FRAME),
                framed(y, HANDSHAKE_MAX_FRAME),
            );
            let d = async move {
                let r = accept(&mut x, &a).await;
                drop(x);
                r
            };
            let w = async move {
                let r = connect(&mut y, &b).await;
                drop(y);
                r
            };
            tokio::join!(d, w)
        })
    }

    #[test]
    fn same_secret_passes() {
        let s = Secret::random();
        let (a, b) = run(s.clone(), s.clone());
        let (d, w) = (a.unwrap(), b.unwrap());
        // Each side's sending key is the other's receiving key, and a second connection with
        // the same secret gets other keys.
        assert!(d.pairs_with(&w));
        let (d2, _) = run(s.clone(), s);
        assert!(!d.pairs_with(&d2.unwrap()));
    }

    #[test]
    fn wrong_secret_fails_both_ways() {
        let (a, b) = run(Secret::random(), Secret::random());
        assert!(a.unwrap_err().to_string().contains("wrong secret"));
        assert!(b.is_err());
    }
}
