//! The job's secret: what every process of a job, and its monitors, share.
//!
//! It never travels: the Noise handshake ([`super::noise`]) proves that both ends of a
//! connection hold it (as the pre-shared key of `Noise_NNpsk0`), and rendezvous files and
//! `HAYDI_SECRET` carry it to the processes of the job.

use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;

/// A shared secret. Its `Debug` output hides the value.
///
/// ```
/// use haydi_contexts::distributed::Secret;
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
    ///
    /// ```
    /// use haydi_contexts::distributed::Secret;
    /// assert!(Secret::from_bytes(&[7; 16]).is_ok());
    /// assert!(Secret::from_bytes(&[7; 15]).is_err());
    /// ```
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

    /// The 32-byte pre-shared key of the Noise handshake: SHA-256 of a label and the secret
    /// (a secret may have any length from 16 bytes; Noise takes exactly 32).
    pub(crate) fn psk(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"haydi noise psk v1\0");
        h.update(&self.0);
        h.finalize().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psk_depends_on_every_byte_and_is_stable() {
        let a = Secret::from_bytes(&[1; 20]).unwrap();
        let mut other = [1u8; 20];
        other[19] = 2;
        let b = Secret::from_bytes(&other).unwrap();
        assert_eq!(a.psk(), a.clone().psk());
        assert_ne!(a.psk(), b.psk());
        // A longer secret with the same prefix is another key.
        assert_ne!(a.psk(), Secret::from_bytes(&[1; 21]).unwrap().psk());
    }
}
