//! Checkpoints of a run ([`RunOptions::checkpoint`](crate::RunOptions::checkpoint)): the merged
//! prefix and the finished chunks past it, on disk, so that a later run of the same job resumes
//! where this one stopped (killed, timed out, failed) and runs only the missing index ranges.
//!
//! The file is a sealed file of [`crate::trusted`]: written whole every time (at most every
//! `checkpoint_every`, and when the run ends) through a temporary file, fsync and rename, so a
//! crash leaves the previous checkpoint or the new one, never a mix; read without following a
//! link, only when it is this user's and nobody else may write it, and only when its
//! HMAC-SHA-256 under this user's key holds (a truncated, edited or forged file, or one written
//! by another account, is refused with a clear error). A checkpoint of another job is refused
//! too, saying which part differs: call site, pipeline type, index space, `take` limits, the
//! domain's fingerprint, and the program's arguments and executable (or the identity given by
//! `RunOptions::checkpoint_identity` instead of those two).

use super::erased::{ChunkOutput, ErasedJob};
use super::scheduler::Merged;
use crate::context::RunOptions;
use crate::error::{Error, Result};
use crate::trusted::{Origin, Sealed, read_sealed, reseal_file, write_sealed};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

const MAGIC: &[u8; 17] = b"haydi checkpoint\n";
// 2: Fingerprint::identity. 3: the domain's fingerprint and the program's origin; sealed with
// an HMAC under the user's key.
const VERSION: u32 = 3;

/// What identifies the job a checkpoint belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Fingerprint {
    call_site: String,
    type_name: String,
    extent: Option<u128>,
    limits: Vec<u64>,
    alignment: u128,
    /// The source's fingerprint ([`crate::Domain::fingerprint`]).
    domain: String,
    /// The program (arguments and executable), or `RunOptions::checkpoint_identity`.
    origin: Origin,
}

impl Fingerprint {
    fn of(job: &dyn ErasedJob, extent: Option<u128>, identity: Option<&str>) -> Self {
        let sig = job.signature();
        Fingerprint {
            call_site: sig.call_site.to_string(),
            type_name: sig.type_name.to_string(),
            extent,
            limits: job.take_limits().to_vec(),
            alignment: job.alignment(),
            domain: job.fingerprint(),
            origin: Origin::this_program_or(identity),
        }
    }

    /// Why a checkpoint of `self` is not one of `run`, naming the part that differs; `None`
    /// when it is.
    fn difference(&self, run: &Fingerprint) -> Option<String> {
        if self == run {
            return None;
        }
        if self.call_site != run.call_site || self.type_name != run.type_name {
            return Some(format!(
                "it is another job ({} at {}; this run is {} at {}): use another checkpoint \
                 file, or delete this one",
                self.type_name, self.call_site, run.type_name, run.call_site
            ));
        }
        if self.extent != run.extent || self.limits != run.limits || self.alignment != run.alignment
        {
            return Some(format!(
                "its index space differs ({:?} indices, take limits {:?}; this run: {:?} \
                 indices, take limits {:?}): use another checkpoint file, or delete this one",
                self.extent, self.limits, run.extent, run.limits
            ));
        }
        if self.domain != run.domain {
            return Some(format!(
                "its domain differs (the file's: {}; this run's: {}): use another checkpoint \
                 file, or delete this one",
                self.domain, run.domain
            ));
        }
        self.origin.difference(&run.origin)
    }
}

/// A finished chunk past the merged prefix.
#[derive(Serialize, Deserialize)]
struct SavedChunk {
    start: u128,
    end: u128,
    partial: Vec<u8>,
    take_counts: Vec<u64>,
    items: u64,
}

/// The state of a run as written to disk.
#[derive(Serialize, Deserialize)]
struct Snapshot {
    version: u32,
    fingerprint: Fingerprint,
    merged_to: u128,
    cum: Vec<u64>,
    processed: u128,
    items: u64,
    acc: Vec<u8>,
    pending: Vec<SavedChunk>,
}

impl Snapshot {
    /// The state to save: `merged` is the merged prefix `[0, merged_to)`, `pending` the finished
    /// chunks past it (start, end, output).
    fn build<'a>(
        job: &dyn ErasedJob,
        fingerprint: &Fingerprint,
        merged_to: u128,
        merged: &Merged,
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
        let acc = match merged.partial() {
            Some(p) => job.encode_partial(p)?,
            None => job.encode_partial(&job.empty_partial())?,
        };
        Ok(Snapshot {
            version: VERSION,
            fingerprint: fingerprint.clone(),
            merged_to,
            cum: merged.taken.clone(),
            processed: merged.processed,
            items: merged.items,
            acc,
            pending: saved,
        })
    }

    /// How many indices the snapshot holds results for.
    pub(crate) fn covered(&self) -> u128 {
        self.merged_to + self.pending.iter().map(|c| c.end - c.start).sum::<u128>()
    }

    /// Puts the snapshot into a new run's shape: the merged prefix, and the finished chunks
    /// past it (which the run then does not hand out).
    fn restore(&self, job: &dyn ErasedJob) -> Result<Restored> {
        let acc = job.decode_partial(&self.acc)?;
        let merged = Merged::restored(
            job,
            acc,
            self.cum.clone(),
            self.processed,
            self.items,
            self.merged_to,
        );
        let mut pending = Vec::with_capacity(self.pending.len());
        for c in &self.pending {
            let out = ChunkOutput {
                partial: job.decode_partial(&c.partial)?,
                take_counts: c.take_counts.clone(),
                items: c.items,
            };
            pending.push((c.start, c.end, out));
        }
        Ok(Restored {
            merged,
            merged_to: self.merged_to,
            pending,
            resumed: self.covered(),
        })
    }
}

/// What a checkpoint gives a new run of its job.
pub(crate) struct Restored {
    /// The merged prefix `[0, merged_to)`.
    pub merged: Merged,
    pub merged_to: u128,
    /// The finished chunks past it: start, end, output.
    pub pending: Vec<(u128, u128, ChunkOutput)>,
    /// How many indices the file held results for.
    pub resumed: u128,
}

/// Where and how often a run checkpoints ([`RunOptions::checkpoint`]).
pub(crate) struct Checkpointing {
    path: PathBuf,
    every: Duration,
    fingerprint: Fingerprint,
}

impl Checkpointing {
    /// The checkpointing of a run of `job` (`end` indices) to `path`, with what a checkpoint
    /// of the same job there holds, if there is one; an error when the file cannot be trusted
    /// or belongs to another job.
    pub(crate) fn open(
        job: &dyn ErasedJob,
        path: &Path,
        opts: &RunOptions,
        end: Option<u128>,
    ) -> Result<(Checkpointing, Option<Restored>)> {
        let identity = opts.checkpoint_identity.as_deref();
        let fingerprint = Fingerprint::of(job, end, identity);
        let restored = match load(path, &fingerprint)? {
            Some(snap) => Some(snap.restore(job)?),
            None => None,
        };
        let ck = Checkpointing {
            path: path.to_path_buf(),
            every: opts.checkpoint_every.unwrap_or(Duration::from_secs(5)),
            fingerprint,
        };
        Ok((ck, restored))
    }

    /// How often the file is rewritten during the run.
    pub(crate) fn every(&self) -> Duration {
        self.every
    }

    /// Writes the merged prefix `[0, merged_to)` and the finished chunks past it.
    pub(crate) fn save<'a>(
        &self,
        job: &dyn ErasedJob,
        merged_to: u128,
        merged: &Merged,
        pending: impl Iterator<Item = (u128, u128, &'a ChunkOutput)>,
    ) -> Result<()> {
        let snap = Snapshot::build(job, &self.fingerprint, merged_to, merged, pending)?;
        save(&self.path, &snap)
    }
}

fn bad(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::Context(format!("checkpoint {}: {what}", path.display()))
}

/// The message of an error from the trusted-file layer, without a second `context error:`.
fn message(e: Error) -> String {
    match e {
        Error::Context(m) => m,
        e => e.to_string(),
    }
}

/// The body of the checkpoint at `path` after the trust checks: `None` when there is none.
fn trusted_body(path: &Path) -> Result<Option<Vec<u8>>> {
    match read_sealed(path, MAGIC).map_err(|e| bad(path, message(e)))? {
        Sealed::Missing => Ok(None),
        Sealed::Bad(why) => Err(bad(
            path,
            format!(
                "cannot be trusted: {why}. Delete it to start over (to adopt a checkpoint you \
                 trust, copy it into this account and run `haydi reseal` on the copy)"
            ),
        )),
        Sealed::Body(b) => Ok(Some(b)),
    }
}

/// Decodes a checkpoint's body, checking its format version first.
fn decode(path: &Path, body: &[u8]) -> Result<Snapshot> {
    let version: Option<u32> =
        bincode::serde::decode_from_slice::<u32, _>(body, bincode::config::standard())
            .ok()
            .map(|(v, _)| v);
    if version != Some(VERSION) {
        return Err(bad(
            path,
            format!(
                "has format version {version:?}, and this haydi reads version {VERSION}: it was \
                 written by another version of haydi; finish the run with that version, or \
                 delete the file"
            ),
        ));
    }
    let (snap, used): (Snapshot, usize) =
        bincode::serde::decode_from_slice(body, bincode::config::standard())
            .map_err(|e| bad(path, format!("cannot be decoded: {e}")))?;
    if used != body.len() {
        return Err(bad(path, "has trailing bytes"));
    }
    Ok(snap)
}

/// Reads the checkpoint at `path` if there is one: `None` when the file does not exist; an
/// error when it cannot be trusted (a link, not this user's, writable by others, not a haydi
/// checkpoint, changed or forged), or belongs to another job.
fn load(path: &Path, expected: &Fingerprint) -> Result<Option<Snapshot>> {
    let Some(body) = trusted_body(path)? else {
        return Ok(None);
    };
    let snap = decode(path, &body)?;
    if let Some(why) = snap.fingerprint.difference(expected) {
        return Err(bad(path, format!("belongs to another run: {why}")));
    }
    Ok(Some(snap))
}

/// Writes `snap` to `path` atomically and sealed (see the module docs).
fn save(path: &Path, snap: &Snapshot) -> Result<()> {
    let body = bincode::serde::encode_to_vec(snap, bincode::config::standard())
        .map_err(|e| bad(path, format!("cannot be encoded: {e}")))?;
    write_sealed(path, MAGIC, &body).map_err(|e| bad(path, message(e)))
}

/// Re-seals the checkpoint at `path` under this user's key, after checking that it is a haydi
/// checkpoint this version reads; with `identity`, the job's origin in it becomes that
/// identity (what `RunOptions::checkpoint_identity(identity)` gives a run), replacing the
/// program's arguments and executable. This is `haydi reseal`: it moves a checkpoint to
/// another account (copy the file into the account, then re-seal the copy there), adopts one
/// written by a rebuilt program or with other arguments, or one sealed by an older haydi. It
/// vouches for the file without checking its old MAC: re-seal only files you trust. Returns
/// what the checkpoint holds, in words.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_core::plumbing::reseal_checkpoint;
/// use haydi_domains::Range;
/// # let keys = tempfile::tempdir()?;
/// # unsafe { std::env::set_var("HAYDI_KEY_FILE", keys.path().join("key")) };
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("sum.ckpt");
/// let go = |opts: &RunOptions| Range::new(1000).sum().run_with(false, opts);
/// go(&RunOptions::new().checkpoint(&path))?;
/// // A run that gives an identity does not resume a file written without one...
/// let named = RunOptions::new().checkpoint(&path).checkpoint_identity("sums v1");
/// assert!(go(&named).is_err());
/// // ...until the file is adopted under that identity.
/// reseal_checkpoint(&path, Some("sums v1"))?;
/// assert_eq!(go(&named)?.resumed, 1000);
/// # unsafe { std::env::remove_var("HAYDI_KEY_FILE") };
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn reseal_checkpoint(path: &Path, identity: Option<&str>) -> Result<String> {
    let mut about = String::new();
    reseal_file(path, MAGIC, |body| {
        let mut snap = decode(path, body)?;
        if let Some(text) = identity {
            snap.fingerprint.origin = Origin::Given(text.to_string());
        }
        let f = &snap.fingerprint;
        about = format!(
            "checkpoint of {} at {} ({} of {:?} indices done), {}",
            f.type_name,
            f.call_site,
            snap.covered(),
            f.extent,
            f.origin.describe()
        );
        bincode::serde::encode_to_vec(&snap, bincode::config::standard())
            .map_err(|e| bad(path, format!("cannot be encoded: {e}")))
    })?;
    Ok(about)
}
