//! The result file of one batch: a header (crop fingerprint, batch id, index range) and the
//! batch's encoded partial, sealed (magic line, HMAC-SHA-256 under the user's key) and written
//! atomically, so that a crash mid-write leaves no file rather than a truncated one that counts
//! as done, and a result edited by hand or written by another account never counts.

use haydi_core::trusted::{Sealed, read_sealed, write_sealed};
use haydi_core::{Error, Result};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::Path;

pub(crate) const MAGIC: &[u8] = b"haydi crop batch\n";
const VERSION: u32 = 1;

/// A batch's result as stored.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct BatchFile {
    version: u32,
    /// [`super::manifest::Manifest::fingerprint`] of the crop it belongs to.
    pub crop: [u8; 32],
    /// 1-based batch id.
    id: u64,
    start: u128,
    end: u128,
    /// The action's partial over the batch (the job's bincode form).
    pub partial: Vec<u8>,
}

/// What a batch's result file holds.
#[derive(Debug)]
pub(crate) enum Stored {
    /// No result file: the batch is missing.
    Missing,
    /// A file that cannot be used, and why: the batch is missing.
    Bad(String),
    /// A verified result.
    Done(BatchFile),
}

/// Writes the result of batch `id` (range `range`) of the crop `crop`.
pub(crate) fn write(
    path: &Path,
    crop: [u8; 32],
    id: usize,
    range: &Range<u128>,
    partial: Vec<u8>,
) -> Result<()> {
    let file = BatchFile {
        version: VERSION,
        crop,
        id: id as u64,
        start: range.start,
        end: range.end,
        partial,
    };
    write_sealed(path, MAGIC, &encode(&file)?)
}

/// Decodes a result file's body.
pub(crate) fn decode(body: &[u8]) -> std::result::Result<BatchFile, String> {
    let decoded: std::result::Result<(BatchFile, usize), _> =
        bincode::serde::decode_from_slice(body, bincode::config::standard());
    let file = match decoded {
        Ok((f, used)) if used == body.len() => f,
        Ok(_) => return Err("it has trailing bytes".into()),
        Err(e) => return Err(format!("its header cannot be decoded: {e}")),
    };
    if file.version != VERSION {
        return Err(format!("unknown format version {}", file.version));
    }
    Ok(file)
}

/// Encodes a result file's body.
pub(crate) fn encode(file: &BatchFile) -> Result<Vec<u8>> {
    bincode::serde::encode_to_vec(file, bincode::config::standard())
        .map_err(|e| Error::Serialization(e.to_string()))
}

/// Reads and verifies the result of batch `id`: MAC, then header (the crop, the batch id and
/// its range must be the expected ones). An error only when this user's key cannot be had.
pub(crate) fn read(path: &Path, crop: [u8; 32], id: usize, range: &Range<u128>) -> Result<Stored> {
    let body = match read_sealed(path, MAGIC)? {
        Sealed::Missing => return Ok(Stored::Missing),
        Sealed::Bad(why) => return Ok(Stored::Bad(why)),
        Sealed::Body(b) => b,
    };
    let file = match decode(&body) {
        Ok(f) => f,
        Err(why) => return Ok(Stored::Bad(why)),
    };
    if file.crop != crop {
        return Ok(Stored::Bad(
            "it belongs to another crop or another sowing (another job, domain, program or \
             arguments)"
                .into(),
        ));
    }
    if file.id != id as u64 || file.start != range.start || file.end != range.end {
        return Ok(Stored::Bad(format!(
            "its header says batch {} over {}..{}, but this file is for batch {id} over {}..{}",
            file.id, file.start, file.end, range.start, range.end
        )));
    }
    Ok(Stored::Done(file))
}
