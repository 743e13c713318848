//! Re-sealing a crop under this user's key (`haydi reseal DIR/NAME`): how a crop moves to
//! another account, or is adopted under an identity.

use super::manifest::{self, Manifest};
use super::result;
use haydi_core::trusted::{Origin, current_uid, reseal_file};
use haydi_core::{Error, Result};
use std::path::Path;

fn ctx(msg: String) -> Error {
    Error::Context(msg)
}

/// Makes `dir` (this user's real folder, not a link) private again: a copy made with `cp -r`
/// is 0755 or so, and crops refuse folders others may enter.
fn own_folder(dir: &Path) -> Result<()> {
    let m = std::fs::symlink_metadata(dir)
        .map_err(|e| ctx(format!("cannot inspect {}: {e}", dir.display())))?;
    if m.file_type().is_symlink() || !m.is_dir() {
        return Err(ctx(format!(
            "{} is not a folder (a link or a file): refusing to re-seal it",
            dir.display()
        )));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        if m.uid() != current_uid() {
            return Err(ctx(format!(
                "{} belongs to user id {}, not to this user ({}): copy the crop into this \
                 account first (cp -r), then re-seal the copy",
                dir.display(),
                m.uid(),
                current_uid()
            )));
        }
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| ctx(format!("cannot chmod {}: {e}", dir.display())))?;
    }
    #[cfg(not(unix))]
    let _ = current_uid;
    Ok(())
}

/// Re-seals the crop in the folder `crop_dir` (`dir/name`) under this user's key: its
/// manifest and every batch result, which must be this user's (copy another account's crop
/// first). With `identity`, the crop's origin becomes that identity (what
/// [`super::Crop::identity`] gives), replacing the program's arguments and executable, and
/// every result is re-addressed to the crop's new fingerprint. Like
/// [`haydi_core::trusted::reseal_file`] it vouches for the files without checking their old
/// MACs: re-seal only a crop you trust. Returns what it did, in
/// words.
///
/// ```
/// use haydi_contexts::crop::{reseal, Batches, Crop};
/// use haydi_domains::Range;
/// use haydi_core::prelude::*;
/// let dir = tempfile::tempdir()?;
/// // One call site for the crop (it is part of the crop's identity).
/// let make = |identity: Option<&str>| -> haydi_core::Result<_> {
///     let crop = Crop::new("c", dir.path(), Range::new(10).sum())?;
///     Ok(match identity {
///         Some(text) => crop.identity(text),
///         None => crop,
///     })
/// };
/// let sown = make(None)?;
/// sown.sow(Batches::Count(2))?;
/// sown.grow(1)?;
/// // A crop with an identity does not take over one sown without...
/// let named = make(Some("sum v1"))?;
/// assert!(named.missing().is_err());
/// // ...until it is adopted under that identity, its grown batch kept.
/// reseal(&dir.path().join("c"), Some("sum v1"))?;
/// assert_eq!(named.missing()?, vec![2]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn reseal(crop_dir: &Path, identity: Option<&str>) -> Result<String> {
    own_folder(crop_dir)?;
    let manifest_path = crop_dir.join("manifest");
    let mut old_fp = None;
    let mut new_fp = None;
    let mut about = String::new();
    reseal_file(&manifest_path, manifest::MAGIC, |body| {
        let mut m = Manifest::decode(&manifest_path, body)?;
        old_fp = Some(m.fingerprint()?);
        if let Some(text) = identity {
            m.job.origin = Origin::Given(text.to_string());
        }
        new_fp = Some(m.fingerprint()?);
        about = format!(
            "crop {} ({} batches of {} at {}), {}",
            m.name,
            m.plan.len(),
            m.job.type_name,
            m.job.call_site,
            m.job.origin.describe()
        );
        m.body()
    })
    .map_err(|e| ctx(format!("{}: {e}", crop_dir.display())))?;
    let (old_fp, new_fp) = (old_fp.unwrap_or_default(), new_fp.unwrap_or_default());
    let mut resealed = 0usize;
    let mut skipped = Vec::new();
    let results = crop_dir.join("results");
    if results.exists() {
        own_folder(&results)?;
        let mut names: Vec<_> = std::fs::read_dir(&results)
            .map_err(|e| ctx(format!("cannot list {}: {e}", results.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "result"))
            .collect();
        names.sort();
        for path in names {
            let done = reseal_file(&path, result::MAGIC, |body| {
                let mut file = result::decode(body).map_err(ctx)?;
                if file.crop != old_fp {
                    return Err(ctx("it belongs to another crop or sowing".into()));
                }
                file.crop = new_fp;
                result::encode(&file)
            });
            match done {
                Ok(()) => resealed += 1,
                Err(e) => skipped.push(format!(
                    "{}: {e}",
                    path.file_name().unwrap_or_default().to_string_lossy()
                )),
            }
        }
    }
    let leases = crop_dir.join("leases");
    if leases.exists() {
        own_folder(&leases)?;
    }
    let mut text = format!("re-sealed {about}: the manifest and {resealed} batch results");
    if !skipped.is_empty() {
        text.push_str(&format!(
            "; left as they were (grown again by the next grow): {}",
            skipped.join("; ")
        ));
    }
    Ok(text)
}
