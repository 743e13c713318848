//! Private directories and careful file I/O for the files that hold a job's secret (the
//! rendezvous file) or its workers' output (logs).
//!
//! The temporary directory is shared by every user of the machine, so a predictable name there
//! can be taken first by someone else: planted as a symbolic link (to make us overwrite or read
//! a file of their choosing) or as a readable file or directory (to learn the secret, or to feed
//! a worker the address of a driver they control). So everything here refuses to follow
//! symbolic links, creates files exclusively, and checks owner and mode of what it opens.

use haydi_core::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};

/// The effective user id of this process, found without `unsafe`: the owner of `/proc/self`
/// (Linux), or else of a file we have just created.
#[cfg(unix)]
pub(crate) fn current_uid() -> u32 {
    static UID: OnceLock<u32> = OnceLock::new();
    *UID.get_or_init(|| {
        std::fs::metadata("/proc/self")
            .map(|m| m.uid())
            .or_else(|_| {
                tempfile::tempfile()
                    .and_then(|f| f.metadata())
                    .map(|m| m.uid())
            })
            // Nothing we create can be checked then; no file will match, which fails closed.
            .unwrap_or(u32::MAX)
    })
}

#[cfg(not(unix))]
pub(crate) fn current_uid() -> u32 {
    let _ = OnceLock::<u32>::new;
    0
}

fn ctx(msg: String) -> Error {
    Error::Context(msg)
}

/// Checks that `path` (not followed if a symbolic link) is a directory owned by us that nobody
/// else may enter. `what` names its purpose in the error, `fix` says what to do about it.
pub(crate) fn check_private_dir(path: &Path, fix: &str) -> Result<()> {
    let m = std::fs::symlink_metadata(path)
        .map_err(|e| ctx(format!("cannot inspect {}: {e}", path.display())))?;
    if m.file_type().is_symlink() {
        return Err(ctx(format!(
            "{} is a symbolic link, not a private directory (someone may have planted it); {fix}",
            path.display()
        )));
    }
    if !m.is_dir() {
        return Err(ctx(format!("{} is not a directory; {fix}", path.display())));
    }
    #[cfg(unix)]
    {
        if m.uid() != current_uid() {
            return Err(ctx(format!(
                "{} belongs to user id {}, not to us ({}); {fix}",
                path.display(),
                m.uid(),
                current_uid()
            )));
        }
        if m.mode() & 0o077 != 0 {
            return Err(ctx(format!(
                "{} has mode {:o}: other users may enter it (it must be 0700); {fix}",
                path.display(),
                m.mode() & 0o7777
            )));
        }
    }
    Ok(())
}

/// Creates directory `path` with mode 0700 if it is missing (its parent must exist), then checks
/// it with [`check_private_dir`].
pub(crate) fn private_dir(path: &Path, fix: &str) -> Result<()> {
    make_dir(path)?;
    check_private_dir(path, fix)
}

/// Creates directory `path` with mode 0700 unless something exists there already.
fn make_dir(path: &Path) -> Result<()> {
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    b.mode(0o700);
    match b.create(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(ctx(format!("cannot create {}: {e}", path.display()))),
    }
}

/// A directory the user named: created with mode 0700 if missing; an existing one must be a
/// real directory (not a symbolic link), but its owner and mode are the user's business.
pub(crate) fn given_dir(path: &Path) -> Result<()> {
    make_dir(path)?;
    let m = std::fs::symlink_metadata(path)
        .map_err(|e| ctx(format!("cannot inspect {}: {e}", path.display())))?;
    if m.file_type().is_symlink() || !m.is_dir() {
        return Err(ctx(format!(
            "{} is {}, not a directory: give a real directory as the log directory",
            path.display(),
            if m.file_type().is_symlink() {
                "a symbolic link"
            } else {
                "a file"
            }
        )));
    }
    Ok(())
}

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

/// Replaces `path` with a file holding `contents`, readable by us only, atomically (see
/// [`replace_atomically`]; mode 0600).
pub(crate) fn write_private(path: &Path, contents: &[u8]) -> Result<()> {
    let err = |e: std::io::Error| ctx(format!("cannot write {}: {e}", path.display()));
    replace_atomically(path, ".tmp", Some(0o600), |tmp| {
        tmp.write_all(contents).map_err(err)
    })
}

/// Replaces `path` atomically with a file that `fill` writes: a randomly named file created
/// exclusively (so never through a planted link) in the same directory, ending in `suffix`
/// (for writers that choose a format by the extension), with `mode` (`None`: the default of
/// new files), filled, synced, renamed over `path` (which replaces a link at `path` rather
/// than following it), and the directory synced so that the rename survives a crash. On any
/// failure the temporary file is removed.
pub(crate) fn replace_atomically(
    path: &Path,
    suffix: &str,
    mode: Option<u32>,
    fill: impl FnOnce(&mut tempfile::NamedTempFile) -> Result<()>,
) -> Result<()> {
    let err = |e: std::io::Error| ctx(format!("cannot write {}: {e}", path.display()));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut b = tempfile::Builder::new();
    b.prefix(&prefix).suffix(suffix);
    #[cfg(unix)]
    if let Some(mode) = mode {
        b.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    // A NamedTempFile removes itself when dropped: every early return below cleans up.
    let mut tmp = b.tempfile_in(dir).map_err(err)?;
    fill(&mut tmp)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    // Not every file system can sync a directory; the file itself is safe already.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Options that never follow a symbolic link as the last component of the path.
fn no_follow(o: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    o.custom_flags(libc::O_NOFOLLOW);
    o
}

/// Checks an opened file (not its path, which could change in between): a regular file of ours
/// that nobody else may read or write.
fn check_private_file(f: &File, path: &Path) -> Result<()> {
    let m = f
        .metadata()
        .map_err(|e| ctx(format!("cannot inspect {}: {e}", path.display())))?;
    if !m.is_file() {
        return Err(ctx(format!("{} is not a regular file", path.display())));
    }
    #[cfg(unix)]
    {
        if m.uid() != current_uid() {
            return Err(ctx(format!(
                "{} belongs to user id {}, not to us ({}): refusing to use it (remove it; \
                 someone else may have planted it)",
                path.display(),
                m.uid(),
                current_uid()
            )));
        }
        if m.mode() & 0o077 != 0 {
            return Err(ctx(format!(
                "{} has mode {:o}: other users may read or change it (it must be 0600): \
                 refusing to use it (remove it)",
                path.display(),
                m.mode() & 0o7777
            )));
        }
    }
    Ok(())
}

/// Reads a private file written by [`write_private`]: `Ok(None)` if it does not exist (yet),
/// an error if it is a symbolic link, not a regular file, not ours, or open to others.
pub(crate) fn read_private(path: &Path) -> Result<Option<String>> {
    match read_private_bytes(path)? {
        None => Ok(None),
        Some(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| ctx(format!("{} is not UTF-8 text", path.display()))),
    }
}

/// [`read_private`] for binary contents.
pub(crate) fn read_private_bytes(path: &Path) -> Result<Option<Vec<u8>>> {
    let f = match no_follow(OpenOptions::new().read(true)).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
            return Err(ctx(if link {
                format!(
                    "{} is a symbolic link: refusing to follow it (remove it; someone else may \
                     have planted it)",
                    path.display()
                )
            } else {
                format!("cannot open {}: {e}", path.display())
            }));
        }
    };
    check_private_file(&f, path)?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut &f, &mut bytes)
        .map_err(|e| ctx(format!("cannot read {}: {e}", path.display())))?;
    Ok(Some(bytes))
}

/// Creates a new file readable by us only (mode 0600), never through a link and never over an
/// existing file.
pub(crate) fn create_private(path: &Path) -> Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    o.mode(0o600);
    no_follow(&mut o)
        .open(path)
        .map_err(|e| ctx(format!("cannot create {}: {e}", path.display())))
}

/// A private, randomly named directory in the temporary directory (mode 0700), removed when
/// dropped unless kept.
pub(crate) fn private_temp_dir(prefix: &str) -> Result<tempfile::TempDir> {
    let mut b = tempfile::Builder::new();
    b.prefix(prefix);
    // tempfile's directories are 0777 minus the umask by default: too open for logs.
    #[cfg(unix)]
    b.permissions(std::fs::Permissions::from_mode(0o700));
    b.tempdir()
        .map_err(|e| ctx(format!("cannot create a directory for {prefix}*: {e}")))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn mode(p: &Path) -> u32 {
        std::fs::symlink_metadata(p).unwrap().mode() & 0o777
    }

    fn chmod(p: &Path, m: u32) {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    }

    #[test]
    fn uid_is_ours() {
        let f = tempfile::NamedTempFile::new().unwrap();
        assert_eq!(f.as_file().metadata().unwrap().uid(), current_uid());
    }

    #[test]
    fn write_then_read() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("rv");
        write_private(&p, b"one").unwrap();
        assert_eq!(mode(&p), 0o600);
        write_private(&p, b"two").unwrap();
        assert_eq!(read_private(&p).unwrap().as_deref(), Some("two"));
        assert_eq!(
            std::fs::read_dir(d.path()).unwrap().count(),
            1,
            "temp file left"
        );
        assert_eq!(read_private(&d.path().join("absent")).unwrap(), None);
    }

    #[test]
    fn write_replaces_a_link_instead_of_following_it() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("victim");
        std::fs::write(&target, "precious").unwrap();
        let p = d.path().join("rv");
        symlink(&target, &p).unwrap();
        write_private(&p, b"secret").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
        assert!(!std::fs::symlink_metadata(&p)
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn no_temp_file_left_on_failure() {
        let d = tempfile::tempdir().unwrap();
        // Renaming a file over a non-empty directory fails after the temporary file is written.
        let p = d.path().join("rv");
        std::fs::create_dir(&p).unwrap();
        std::fs::write(p.join("x"), "").unwrap();
        assert!(write_private(&p, b"secret").is_err());
        let names: Vec<_> = std::fs::read_dir(d.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "{names:?}");
        // A missing directory fails at once.
        assert!(write_private(&d.path().join("no/such/rv"), b"s").is_err());
    }

    #[test]
    fn read_refuses_links_open_modes_and_non_files() {
        let d = tempfile::tempdir().unwrap();
        let good = d.path().join("good");
        write_private(&good, b"x").unwrap();
        let link = d.path().join("link");
        symlink(&good, &link).unwrap();
        let e = read_private(&link).unwrap_err().to_string();
        assert!(e.contains("symbolic link"), "{e}");
        let open = d.path().join("open");
        std::fs::write(&open, "x").unwrap();
        chmod(&open, 0o644);
        let e = read_private(&open).unwrap_err().to_string();
        assert!(e.contains("mode 644"), "{e}");
        chmod(&open, 0o620);
        assert!(read_private(&open).is_err());
        let e = read_private(d.path()).unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{e}");
    }

    #[test]
    fn foreign_owner_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let (dir, file) = (d.path().join("dir"), d.path().join("file"));
        private_dir(&dir, "fix").unwrap();
        write_private(&file, b"x").unwrap();
        if current_uid() == 0 {
            // Root can give them away.
            std::os::unix::fs::chown(&dir, Some(4242), None).unwrap();
            std::os::unix::fs::chown(&file, Some(4242), None).unwrap();
        } else {
            // Others cannot; `/` and `/etc/passwd` belong to root.
            std::fs::remove_dir(&dir).unwrap();
            symlink("/", &dir).unwrap();
            let _ = std::fs::remove_file(&file);
            symlink("/etc/passwd", &file).unwrap();
        }
        let dir = std::fs::canonicalize(&dir).unwrap();
        let e = check_private_dir(&dir, "fix").unwrap_err().to_string();
        assert!(e.contains("belongs to user id"), "{e}");
        let f = File::open(&file).unwrap();
        let e = check_private_file(&f, &file).unwrap_err().to_string();
        assert!(e.contains("belongs to user id"), "{e}");
    }

    #[test]
    fn private_dirs() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("haydi-1");
        private_dir(&p, "fix").unwrap();
        assert_eq!(mode(&p), 0o700);
        private_dir(&p, "fix").unwrap();
        chmod(&p, 0o755);
        let e = private_dir(&p, "do this").unwrap_err().to_string();
        assert!(e.contains("mode 755") && e.contains("do this"), "{e}");
        let link = d.path().join("haydi-2");
        let real = d.path().join("real");
        std::fs::create_dir(&real).unwrap();
        chmod(&real, 0o700);
        symlink(&real, &link).unwrap();
        let e = private_dir(&link, "fix").unwrap_err().to_string();
        assert!(e.contains("symbolic link"), "{e}");
        let file = d.path().join("file");
        std::fs::write(&file, "").unwrap();
        assert!(private_dir(&file, "fix").is_err());
    }

    #[test]
    fn private_files_and_temp_dirs() {
        let t = private_temp_dir("haydi-test-").unwrap();
        assert_eq!(mode(t.path()), 0o700);
        let p = t.path().join("worker-1.log");
        create_private(&p).unwrap();
        assert_eq!(mode(&p), 0o600);
        // Never over an existing file, nor through a link.
        assert!(create_private(&p).is_err());
        let link = t.path().join("worker-2.log");
        symlink(t.path().join("elsewhere"), &link).unwrap();
        assert!(create_private(&link).is_err());
        assert!(!t.path().join("elsewhere").exists());
        let path = t.path().to_path_buf();
        drop(t);
        assert!(!path.exists());
    }
}
