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
use std::fmt;
use std::io;
use tokio::io::{AsyncRead, AsyncWrite};

type HmacSha256 = Hmac<Sha256>;

/// Length of a nonce in bytes.
pub const NONCE_LEN: usize = 32;
const MAGIC: &[u8; 8] = b"HAYDI\x00\x01\x00";

/// A shared secret. Its `Debug` output hides the value.
///
/// ```
/// use haydi_contexts::distributed::auth::Secret;
/// let s = Secret::random();
/// assert_eq!(Secret::from_hex(&s.to_hex()).unwrap(), s);
/// assert!(!format!("{s:?}").contains(&s.to_hex()));
/// assert!(Secret::from_hex("not hex").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    /// 32 fresh random bytes.
    pub fn random() -> Self {
        let mut b = vec![0u8; 32];
        rand::rng().fill_bytes(&mut b);
        Secret(b)
    }

    /// A secret from raw bytes (at least 16).
    pub fn from_bytes(b: &[u8]) -> Result<Self, String> {
        if b.len() < 16 {
            return Err("a secret must have at least 16 bytes".into());
        }
        Ok(Secret(b.to_vec()))
    }

    /// Parses the hexadecimal form written by [`Secret::to_hex`].
    pub fn from_hex(s: &str) -> Result<Self, String> {
        let bytes = hex::decode(s.trim())
            .map_err(|_| "a secret must be an even number of hexadecimal digits".to_string())?;
        Self::from_bytes(&bytes)
    }

    /// Hexadecimal form, for environment variables and rendezvous files.
    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }

    /// The raw bytes (for key derivation).
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }

    fn mac(&self, label: &[u8], a: &[u8], b: &[u8]) -> HmacSha256 {
        let mut m = HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        m.update(label);
        m.update(a);
        m.update(b);
        m
    }
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
    secret
        .mac(b"haydi worker", &dn, wn)
        .verify_slice(tag)
        .map_err(|_| denied("wrong secret"))?;
    let proof = secret.mac(b"haydi driver", wn, &dn).finalize().into_bytes();
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
    let tag = secret.mac(b"haydi worker", dn, &wn).finalize().into_bytes();
    let mut answer = wn.to_vec();
    answer.extend_from_slice(&tag);
    write_frame(s, &answer).await?;
    let proof = read_exact_frame(s, 32).await?;
    secret
        .mac(b"haydi driver", &wn, dn)
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
