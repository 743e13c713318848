//! The manifest of a sown crop: what job it belongs to and its batch plan; never code.

use super::sealed::{digest, read_sealed, write_sealed, Sealed};
use haydi_core::{Error, Result};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::Path;

const MAGIC: &[u8] = b"haydi crop manifest\n";
// 2: JobId::identity.
const VERSION: u32 = 2;

/// What identifies the job of a crop: where the crop was made (the call site of
/// [`super::Crop::new`], the same in every process of one program), the job's type (pipeline
/// and action), the length of its index space and the text of [`super::Crop::identity`] (what
/// the closures capture, which no type shows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct JobId {
    pub call_site: String,
    pub type_name: String,
    pub extent: u128,
    pub identity: String,
}

/// The manifest: the crop's name, its job and its batch plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Manifest {
    version: u32,
    pub name: String,
    pub job: JobId,
    /// The index range of batch `i + 1`.
    pub plan: Vec<Range<u128>>,
}

impl Manifest {
    pub(crate) fn new(name: &str, job: JobId, plan: Vec<Range<u128>>) -> Self {
        Manifest {
            version: VERSION,
            name: name.to_string(),
            job,
            plan,
        }
    }

    fn body(&self) -> Result<Vec<u8>> {
        bincode::serde::encode_to_vec(self, bincode::config::standard())
            .map_err(|e| Error::Serialization(e.to_string()))
    }

    /// The crop's fingerprint: the SHA-256 of the manifest's body. Every result names it, so
    /// a result of another crop or of another sowing is never taken for one of this.
    pub(crate) fn fingerprint(&self) -> Result<[u8; 32]> {
        Ok(digest(&self.body()?))
    }

    pub(crate) fn save(&self, path: &Path) -> Result<()> {
        write_sealed(path, MAGIC, &self.body()?)
    }

    /// The manifest at `path`: `None` when the crop was not sown; an error when the file
    /// cannot be trusted.
    pub(crate) fn load(path: &Path) -> Result<Option<Manifest>> {
        let body = match read_sealed(path, MAGIC) {
            Sealed::Missing => return Ok(None),
            Sealed::Bad(why) => {
                return Err(Error::Context(format!(
                    "crop manifest {}: {why}; remove the crop (Crop::clean) and sow again",
                    path.display()
                )))
            }
            Sealed::Body(b) => b,
        };
        let bad = |why: String| Error::Context(format!("crop manifest {}: {why}", path.display()));
        let (m, used): (Manifest, usize) =
            bincode::serde::decode_from_slice(&body, bincode::config::standard())
                .map_err(|e| bad(format!("cannot be decoded: {e}")))?;
        if used != body.len() || m.version != VERSION {
            return Err(bad("has an unknown format version".into()));
        }
        Ok(Some(m))
    }
}
