//! The manifest of a sown crop: what job it belongs to, its batch plan and the program that
//! sowed it; never code. Sealed under the user's key ([`haydi_core::trusted::seal`]).

use haydi_core::trusted::{Origin, Program, Sealed, read_sealed, write_sealed};
use haydi_core::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::ops::Range;
use std::path::Path;

pub(crate) const MAGIC: &[u8] = b"haydi crop manifest\n";
// 2: JobId::identity. 3: the domain's fingerprint, the origin (program or identity), the
// program that sowed it; sealed with an HMAC under the user's key.
const VERSION: u32 = 3;

/// What identifies the job of a crop: where the crop was made (the call site of
/// [`super::Crop::new`], the same in every process of one program), the job's type (pipeline
/// and action), the length of its index space, its domain's fingerprint and its origin: the
/// program's arguments and executable, or the text of [`super::Crop::identity`] instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct JobId {
    pub call_site: String,
    pub type_name: String,
    pub extent: u128,
    pub domain: String,
    pub origin: Origin,
}

impl JobId {
    /// Why a crop sown by `self` is not one of `run`, naming the part that differs.
    pub(crate) fn difference(&self, run: &JobId) -> Option<String> {
        if self == run {
            return None;
        }
        let other = "clean it (Crop::clean) or use another name";
        if self.call_site != run.call_site || self.type_name != run.type_name {
            return Some(format!(
                "it is another job ({} at {}; this one is {} at {}): {other}",
                self.type_name, self.call_site, run.type_name, run.call_site
            ));
        }
        if self.extent != run.extent {
            return Some(format!(
                "its index space differs ({} indices; this job has {}): {other}",
                self.extent, run.extent
            ));
        }
        if self.domain != run.domain {
            return Some(format!(
                "its domain differs (the crop's: {}; this job's: {}): {other}",
                self.domain, run.domain
            ));
        }
        self.origin.difference(&run.origin)
    }
}

/// The manifest: the crop's name, its job, its batch plan and the program that sowed it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Manifest {
    version: u32,
    pub name: String,
    pub job: JobId,
    /// The index range of batch `i + 1`.
    pub plan: Vec<Range<u128>>,
    /// The program that sowed the crop (its path and arguments are what scripts run); not
    /// part of the crop's fingerprint (with an identity, another program may grow it).
    pub program: Program,
}

fn decode_err(path: &Path, why: String) -> Error {
    Error::Context(format!("crop manifest {}: {why}", path.display()))
}

impl Manifest {
    pub(crate) fn new(name: &str, job: JobId, plan: Vec<Range<u128>>, program: Program) -> Self {
        Manifest {
            version: VERSION,
            name: name.to_string(),
            job,
            plan,
            program,
        }
    }

    /// Whether `other` is this crop sown again: the same name, job and plan.
    pub(crate) fn same_sowing(&self, other: &Manifest) -> bool {
        self.name == other.name && self.job == other.job && self.plan == other.plan
    }

    pub(crate) fn body(&self) -> Result<Vec<u8>> {
        bincode::serde::encode_to_vec(self, bincode::config::standard())
            .map_err(|e| Error::Serialization(e.to_string()))
    }

    /// The crop's fingerprint: the SHA-256 of its name, job and plan. Every result names it,
    /// so a result of another crop or of another sowing is never taken for one of this.
    pub(crate) fn fingerprint(&self) -> Result<[u8; 32]> {
        let bytes = bincode::serde::encode_to_vec(
            (&self.name, &self.job, &self.plan),
            bincode::config::standard(),
        )
        .map_err(|e| Error::Serialization(e.to_string()))?;
        Ok(Sha256::digest(&bytes).into())
    }

    pub(crate) fn save(&self, path: &Path) -> Result<()> {
        write_sealed(path, MAGIC, &self.body()?)
    }

    /// Decodes a manifest's body, checking its format version first.
    pub(crate) fn decode(path: &Path, body: &[u8]) -> Result<Manifest> {
        let version =
            bincode::serde::decode_from_slice::<u32, _>(body, bincode::config::standard())
                .ok()
                .map(|(v, _)| v);
        if version != Some(VERSION) {
            return Err(decode_err(
                path,
                format!(
                    "has format version {version:?}, and this haydi reads version {VERSION}: it \
                     was sown by another version of haydi; reap it with that version, or clean \
                     it and sow again"
                ),
            ));
        }
        let (m, used): (Manifest, usize) =
            bincode::serde::decode_from_slice(body, bincode::config::standard())
                .map_err(|e| decode_err(path, format!("cannot be decoded: {e}")))?;
        if used != body.len() {
            return Err(decode_err(path, "has trailing bytes".into()));
        }
        Ok(m)
    }

    /// The manifest at `path`: `None` when the crop was not sown; an error when the file
    /// cannot be trusted.
    pub(crate) fn load(path: &Path) -> Result<Option<Manifest>> {
        let body = match read_sealed(path, MAGIC)? {
            Sealed::Missing => return Ok(None),
            Sealed::Bad(why) => {
                return Err(Error::Context(format!(
                    "crop manifest {}: it cannot be trusted: {why}; remove the crop \
                     (Crop::clean) and sow again (or, for a crop you trust that another account \
                     or an older haydi sealed, run `haydi reseal` on its folder)",
                    path.display()
                )));
            }
            Sealed::Body(b) => b,
        };
        Self::decode(path, &body).map(Some)
    }
}
