//! Sealed files: a magic line, an HMAC-SHA-256 under this user's key ([`super::key`]) of the
//! magic line and the body, then the body; written atomically ([`super::write_private`]) and
//! read through [`super::read_trusted_bytes`] (no link, this user's, not writable by others).
//!
//! A file changed after haydi wrote it (by hand, by a disk error, by a truncation) fails its
//! MAC, and so does a file written by another user's haydi (another key) or by a program that
//! recomputed a plain checksum: none is trusted. The magic line is part of the MAC, so a file
//! of one kind (a crop's result) cannot pass for another (a checkpoint).

use super::key::UserKey;
use super::private::{read_owned_bytes, read_trusted_bytes, write_private};
use crate::error::{Error, Result};
use std::path::Path;

/// What a sealed file held.
///
/// ```
/// use haydi_core::trusted::Sealed;
/// let s = Sealed::Bad("it is truncated".into());
/// assert!(matches!(s, Sealed::Bad(_)));
/// ```
#[derive(Debug)]
pub enum Sealed {
    /// No file.
    Missing,
    /// A file that cannot be trusted, and why (truncated, changed, forged, a link, not this
    /// user's, open to others' writes, another kind of file).
    Bad(String),
    /// The body, its MAC verified.
    Body(Vec<u8>),
}

/// The length of the MAC after the magic line.
const MAC_LEN: usize = 32;

/// `magic`, the MAC of `magic` and `body` under `key`, then `body`.
fn seal(key: &UserKey, magic: &[u8], body: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(magic.len() + MAC_LEN + body.len());
    bytes.extend_from_slice(magic);
    bytes.extend_from_slice(&key.mac(&[magic, body]));
    bytes.extend_from_slice(body);
    bytes
}

/// Splits `bytes` into MAC and body after checking the magic line, or says why it cannot.
fn split<'a>(bytes: &'a [u8], magic: &[u8]) -> std::result::Result<(&'a [u8], &'a [u8]), String> {
    let Some(rest) = bytes.strip_prefix(magic) else {
        return Err("it has no haydi header of this kind (wrong magic line)".into());
    };
    if rest.len() < MAC_LEN {
        return Err("it is truncated (no MAC)".into());
    }
    Ok(rest.split_at(MAC_LEN))
}

/// Writes `magic`, the MAC and `body` to `path`, atomically, under this user's key.
///
/// ```
/// use haydi_core::trusted::{read_sealed, write_sealed, Sealed};
/// # let d = tempfile::tempdir()?;
/// # unsafe { std::env::set_var("HAYDI_KEY_FILE", d.path().join("key")) };
/// # std::fs::create_dir(d.path().join("data"))?;
/// let p = d.path().join("data").join("f");
/// write_sealed(&p, b"m\n", b"hello")?;
/// assert!(matches!(read_sealed(&p, b"m\n")?, Sealed::Body(b) if b == b"hello"));
/// # unsafe { std::env::remove_var("HAYDI_KEY_FILE") };
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_sealed(path: &Path, magic: &[u8], body: &[u8]) -> Result<()> {
    let key = UserKey::load_or_create()?;
    key.check_apart(path)?;
    write_private(path, &seal(&key, magic, body))
}

/// Reads a file written by [`write_sealed`] with the same `magic`: [`Sealed::Missing`] when
/// there is none, [`Sealed::Bad`] (with the reason) when it cannot be trusted, the body when
/// its MAC under this user's key holds. An error only when the key itself cannot be had.
///
/// ```
/// use haydi_core::trusted::{read_sealed, write_sealed, Sealed};
/// # let d = tempfile::tempdir()?;
/// # unsafe { std::env::set_var("HAYDI_KEY_FILE", d.path().join("key")) };
/// # std::fs::create_dir(d.path().join("data"))?;
/// let p = d.path().join("data").join("f");
/// assert!(matches!(read_sealed(&p, b"m\n")?, Sealed::Missing));
/// write_sealed(&p, b"m\n", b"1000")?;
/// let mut bytes = std::fs::read(&p)?;
/// *bytes.last_mut().unwrap() = b'1'; // "1001": changed after haydi wrote it
/// std::fs::write(&p, &bytes)?;
/// assert!(matches!(read_sealed(&p, b"m\n")?, Sealed::Bad(why) if why.contains("MAC")));
/// # unsafe { std::env::remove_var("HAYDI_KEY_FILE") };
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_sealed(path: &Path, magic: &[u8]) -> Result<Sealed> {
    let key = UserKey::load_or_create()?;
    key.check_apart(path)?;
    let bytes = match read_trusted_bytes(path) {
        Ok(None) => return Ok(Sealed::Missing),
        Ok(Some(b)) => b,
        Err(e) => return Ok(Sealed::Bad(e.to_string())),
    };
    let (mac, body) = match split(&bytes, magic) {
        Ok(parts) => parts,
        Err(why) => return Ok(Sealed::Bad(why)),
    };
    // Constant time is not needed against an offline file, but costs nothing.
    let expected = key.mac(&[magic, body]);
    let diff = expected.iter().zip(mac).fold(0u8, |d, (a, b)| d | (a ^ b));
    if diff != 0 {
        return Ok(Sealed::Bad(format!(
            "its MAC does not match under this user's haydi key ({}): it was changed after \
             haydi wrote it (edited, truncated, damaged), or written by another account or \
             with another key (nodes that do not share your home folder each make their own \
             key: point HAYDI_KEY_FILE at one key file they share)",
            key.path().display()
        )));
    }
    Ok(Sealed::Body(body.to_vec()))
}

/// Re-seals the file at `path` under this user's key, after `edit` (which may rewrite the
/// body; it gets the body as the file holds it). This is how a user vouches for a file that
/// another account wrote (copied into this account, so that this user owns the copy) or that
/// an older haydi sealed with a plain checksum: its MAC is **not** checked, only its kind
/// (`magic`), so re-seal only files you trust. The file must be this user's and not a link;
/// it is rewritten atomically with mode 0600.
///
/// ```
/// use haydi_core::trusted::{read_sealed, reseal_file, write_sealed, Sealed};
/// # let d = tempfile::tempdir()?;
/// # std::fs::create_dir(d.path().join("data"))?;
/// let p = d.path().join("data").join("f");
/// unsafe { std::env::set_var("HAYDI_KEY_FILE", d.path().join("alice.key")) };
/// write_sealed(&p, b"m\n", b"state")?;
/// unsafe { std::env::set_var("HAYDI_KEY_FILE", d.path().join("bob.key")) }; // another account's key
/// assert!(matches!(read_sealed(&p, b"m\n")?, Sealed::Bad(_)));
/// reseal_file(&p, b"m\n", |body| Ok(body.to_vec()))?;          // bob vouches for it
/// assert!(matches!(read_sealed(&p, b"m\n")?, Sealed::Body(b) if b == b"state"));
/// # unsafe { std::env::remove_var("HAYDI_KEY_FILE") };
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn reseal_file(
    path: &Path,
    magic: &[u8],
    edit: impl FnOnce(&[u8]) -> Result<Vec<u8>>,
) -> Result<()> {
    let bytes = read_owned_bytes(path)
        .map_err(|e| {
            Error::Context(format!(
                "{e} (to adopt another account's file, copy it into this account first, then \
                 re-seal the copy)"
            ))
        })?
        .ok_or_else(|| Error::Context(format!("{}: no such file", path.display())))?;
    let (_, body) = split(&bytes, magic).map_err(|why| {
        Error::Context(format!(
            "{}: {why}: it is not a file of this kind",
            path.display()
        ))
    })?;
    let body = edit(body)?;
    write_sealed(path, magic, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_are_checked() {
        let d = tempfile::tempdir().unwrap();
        // A key at its own path: no environment involved, so no race with other tests.
        let k = UserKey::create(&d.path().join("k"), false).unwrap();
        let sealed = seal(&k, b"m\n", b"body");
        let (mac, body) = split(&sealed, b"m\n").unwrap();
        assert_eq!(body, b"body");
        assert_eq!(mac, k.mac(&[b"m\n", b"body"]));
        assert!(split(&sealed, b"x\n").unwrap_err().contains("magic"));
        assert!(split(b"m\nabc", b"m\n").unwrap_err().contains("truncated"));
        // The magic line is under the MAC: another kind of file never verifies.
        assert_ne!(k.mac(&[b"m\n", b"body"]), k.mac(&[b"n\n", b"body"]));
    }
}
