//! Files a later run trusts: a magic line, the SHA-256 of the body, the body; written
//! atomically (a temporary file created exclusively with mode 0600 in the same folder, synced,
//! renamed into place, the folder synced) and read without following links.

use crate::distributed::files::{read_private_bytes, write_private};
use haydi_core::Result;
use sha2::{Digest, Sha256};
use std::path::Path;

/// What a sealed file held.
#[derive(Debug)]
pub(crate) enum Sealed {
    /// No file.
    Missing,
    /// A file that cannot be trusted, and why (truncated, changed, a link, not ours...).
    Bad(String),
    /// The body, its checksum verified.
    Body(Vec<u8>),
}

/// Writes `magic`, the SHA-256 of `body` and `body` to `path`, atomically.
pub(crate) fn write_sealed(path: &Path, magic: &[u8], body: &[u8]) -> Result<()> {
    let mut bytes = Vec::with_capacity(magic.len() + 32 + body.len());
    bytes.extend_from_slice(magic);
    bytes.extend_from_slice(&Sha256::digest(body));
    bytes.extend_from_slice(body);
    write_private(path, &bytes)
}

/// Reads a file written by [`write_sealed`] with the same `magic`.
pub(crate) fn read_sealed(path: &Path, magic: &[u8]) -> Sealed {
    let bytes = match read_private_bytes(path) {
        Ok(None) => return Sealed::Missing,
        Ok(Some(b)) => b,
        Err(e) => return Sealed::Bad(e.to_string()),
    };
    let Some(rest) = bytes.strip_prefix(magic) else {
        return Sealed::Bad("it has no haydi header (wrong magic line)".into());
    };
    if rest.len() < 32 {
        return Sealed::Bad("it is truncated (no checksum)".into());
    }
    let (sum, body) = rest.split_at(32);
    if Sha256::digest(body).as_slice() != sum {
        return Sealed::Bad("it is corrupt or truncated (its checksum does not match)".into());
    }
    Sealed::Body(body.to_vec())
}

/// SHA-256 of `bytes`.
pub(crate) fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damage() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        assert!(matches!(read_sealed(&p, b"m\n"), Sealed::Missing));
        write_sealed(&p, b"m\n", b"hello").unwrap();
        assert!(matches!(read_sealed(&p, b"m\n"), Sealed::Body(b) if b == b"hello"));
        assert!(matches!(read_sealed(&p, b"x\n"), Sealed::Bad(m) if m.contains("magic")));
        let mut bytes = std::fs::read(&p).unwrap();
        bytes.pop();
        std::fs::write(&p, &bytes).unwrap();
        assert!(matches!(read_sealed(&p, b"m\n"), Sealed::Bad(m) if m.contains("checksum")));
        std::fs::write(&p, b"m\nabc").unwrap();
        assert!(matches!(read_sealed(&p, b"m\n"), Sealed::Bad(m) if m.contains("truncated")));
    }
}
