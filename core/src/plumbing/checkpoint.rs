//! Checkpoints of a run ([`RunOptions::checkpoint`](crate::RunOptions::checkpoint)): the merged
//! prefix and the finished chunks past it, on disk, so that a later run of the same job resumes
//! where this one stopped (killed, timed out, failed) and runs only the missing index ranges.
//!
//! The file is written whole every time (at most every `checkpoint_every`, and when the run
//! ends): a randomly named temporary file in the same folder (created exclusively, mode 0600),
//! synced, renamed over the checkpoint (which replaces a link planted there instead of
//! following it), and the folder synced. So a crash leaves the previous checkpoint or the new
//! one, never a mix. It starts with a magic line and a SHA-256 of the rest: a truncated or
//! changed file is refused with a clear error, not trusted. A checkpoint of another job (call
//! site, pipeline type, index-space length, `take` limits) is refused too, never mixed in.

use super::erased::{ChunkOutput, ErasedJob, ErasedPartial};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 17] = b"haydi checkpoint\n";
// 2: Fingerprint::identity.
const VERSION: u32 = 2;

/// What identifies the job a checkpoint belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Fingerprint {
    call_site: String,
    type_name: String,
    extent: Option<u128>,
    limits: Vec<u64>,
    alignment: u128,
    /// `RunOptions::checkpoint_identity` (empty when not set).
    identity: String,
}

impl Fingerprint {
    pub(crate) fn of(job: &dyn ErasedJob, extent: Option<u128>, identity: &str) -> Self {
        let sig = job.signature();
        Fingerprint {
            call_site: sig.call_site.to_string(),
            type_name: sig.type_name.to_string(),
            extent,
            limits: job.take_limits().to_vec(),
            alignment: job.alignment(),
            identity: identity.to_string(),
        }
    }
}

/// A finished chunk past the merged prefix.
#[derive(Serialize, Deserialize)]
pub(crate) struct SavedChunk {
    pub start: u128,
    pub end: u128,
    partial: Vec<u8>,
    take_counts: Vec<u64>,
    items: u64,
}

/// The state of a run as written to disk.
#[derive(Serialize, Deserialize)]
pub(crate) struct Snapshot {
    version: u32,
    fingerprint: Fingerprint,
    pub merged_to: u128,
    pub cum: Vec<u64>,
    pub processed: u128,
    pub items: u64,
    acc: Vec<u8>,
    pub pending: Vec<SavedChunk>,
}

impl Snapshot {
    /// The state to save: `acc` is the merged prefix `[0, merged_to)`, `pending` the finished
    /// chunks past it (start, end, output).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn build<'a>(
        job: &dyn ErasedJob,
        fingerprint: &Fingerprint,
        merged_to: u128,
        cum: &[u64],
        processed: u128,
        items: u64,
        acc: &ErasedPartial,
        pending: impl Iterator<Item = (u128, u128, &'a ChunkOutput)>,
    ) -> Result<Snapshot> {
        let mut saved = Vec::new();
        for (start, end, out) in pending {
            saved.push(SavedChunk {
                start,
                end,
                partial: job.encode_partial(&out.partial)?,
                take_counts: out.take_counts.clone(),
                items: out.items,
            });
        }
        Ok(Snapshot {
            version: VERSION,
            fingerprint: fingerprint.clone(),
            merged_to,
            cum: cum.to_vec(),
            processed,
            items,
            acc: job.encode_partial(acc)?,
            pending: saved,
        })
    }

    /// The merged prefix's partial.
    pub(crate) fn acc(&self, job: &dyn ErasedJob) -> Result<ErasedPartial> {
        job.decode_partial(&self.acc)
    }

    /// A saved chunk's output.
    pub(crate) fn chunk(job: &dyn ErasedJob, c: &SavedChunk) -> Result<ChunkOutput> {
        Ok(ChunkOutput {
            partial: job.decode_partial(&c.partial)?,
            take_counts: c.take_counts.clone(),
            items: c.items,
        })
    }

    /// How many indices the snapshot holds results for.
    pub(crate) fn covered(&self) -> u128 {
        self.merged_to + self.pending.iter().map(|c| c.end - c.start).sum::<u128>()
    }
}

fn bad(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::Context(format!("checkpoint {}: {what}", path.display()))
}

/// Reads the checkpoint at `path` if there is one: `None` when the file does not exist; an
/// error when it is a link, not a haydi checkpoint, corrupt, or of another job.
pub(crate) fn load(path: &Path, expected: &Fingerprint) -> Result<Option<Snapshot>> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(bad(path, e)),
        Ok(m) if m.file_type().is_symlink() => {
            return Err(bad(path, "is a symbolic link; refusing to follow it"))
        }
        Ok(m) if !m.is_file() => return Err(bad(path, "is not a regular file")),
        Ok(_) => {}
    }
    let bytes = std::fs::read(path).map_err(|e| bad(path, e))?;
    let Some(rest) = bytes.strip_prefix(MAGIC.as_slice()) else {
        return Err(bad(path, "is not a haydi checkpoint (no header)"));
    };
    if rest.len() < 32 {
        return Err(bad(path, "is truncated"));
    }
    let (sum, body) = rest.split_at(32);
    if Sha256::digest(body).as_slice() != sum {
        return Err(bad(
            path,
            "is corrupt or truncated (its checksum does not match); delete it to start over",
        ));
    }
    let (snap, used): (Snapshot, usize) =
        bincode::serde::decode_from_slice(body, bincode::config::standard())
            .map_err(|e| bad(path, format!("cannot be decoded: {e}")))?;
    if used != body.len() || snap.version != VERSION {
        return Err(bad(path, "has an unknown format version"));
    }
    if &snap.fingerprint != expected {
        return Err(bad(
            path,
            format!(
                "belongs to another run ({} at {}, {:?} indices, identity {:?}); this run is {} at {} \
                 ({:?} indices, identity {:?}). Use another checkpoint file, or delete this one",
                snap.fingerprint.type_name,
                snap.fingerprint.call_site,
                snap.fingerprint.extent,
                snap.fingerprint.identity,
                expected.type_name,
                expected.call_site,
                expected.extent,
                expected.identity
            ),
        ));
    }
    Ok(Some(snap))
}

/// Writes `snap` to `path` atomically (see the module docs).
pub(crate) fn save(path: &Path, snap: &Snapshot) -> Result<()> {
    let body = bincode::serde::encode_to_vec(snap, bincode::config::standard())
        .map_err(|e| bad(path, format!("cannot be encoded: {e}")))?;
    let dir: PathBuf = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".haydi-checkpoint-")
        .tempfile_in(&dir)
        .map_err(|e| {
            bad(
                path,
                format!("cannot create a temporary file in {}: {e}", dir.display()),
            )
        })?;
    let write = |f: &mut std::fs::File| -> std::io::Result<()> {
        f.write_all(MAGIC)?;
        f.write_all(&Sha256::digest(&body))?;
        f.write_all(&body)?;
        f.sync_all()
    };
    write(tmp.as_file_mut()).map_err(|e| bad(path, format!("cannot be written: {e}")))?;
    tmp.persist(path)
        .map_err(|e| bad(path, format!("cannot be renamed into place: {}", e.error)))?;
    // The rename is durable once the folder is synced (where the platform allows it).
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
