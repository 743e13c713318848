//! Private directories and careful file I/O for the files that hold a job's secret (the
//! rendezvous file) or its workers' output (logs): core's one module for trusted files
//! ([`haydi_core::trusted`]), plus where the default rendezvous files live.
//!
//! The temporary directory is shared by every user of the machine, so a predictable name there
//! can be taken first by someone else: planted as a symbolic link (to make us overwrite or read
//! a file of their choosing) or as a readable file or directory (to learn the secret, or to feed
//! a worker the address of a driver they control). So everything here refuses to follow
//! symbolic links, creates files exclusively, and checks owner and mode of what it opens.

use haydi_core::Result;
pub(crate) use haydi_core::trusted::{
    check_private_dir, create_private, current_uid, given_dir, private_dir, private_temp_dir,
    read_private, write_private,
};
use std::path::PathBuf;

/// What to do about an unsafe rendezvous directory.
const RENDEZVOUS_FIX: &str = "remove it, or set HAYDI_RENDEZVOUS to a file in a directory of yours";

/// The private directory for default rendezvous files: `$XDG_RUNTIME_DIR/haydi` when
/// `XDG_RUNTIME_DIR` is a private directory of ours, else `<temp dir>/haydi-<uid>`.
pub(crate) fn rendezvous_dir() -> Result<PathBuf> {
    if let Some(run) = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from) {
        // The runtime directory is per user and on tmpfs; use it only when it is really ours
        // (a stale or foreign value would just send us to the temporary directory).
        if run.is_absolute() && check_private_dir(&run, "").is_ok() {
            let dir = run.join("haydi");
            private_dir(&dir, RENDEZVOUS_FIX)?;
            return Ok(dir);
        }
    }
    let dir = std::env::temp_dir().join(format!("haydi-{}", current_uid()));
    private_dir(&dir, RENDEZVOUS_FIX)?;
    Ok(dir)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn the_rendezvous_dir_is_private_and_ours() {
        let d = rendezvous_dir().unwrap();
        let m = std::fs::symlink_metadata(&d).unwrap();
        assert!(m.is_dir());
        assert_eq!(m.uid(), current_uid());
        assert_eq!(m.mode() & 0o077, 0);
    }
}
