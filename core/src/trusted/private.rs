//! Private folders and careful file I/O: no link followed, exclusive creation, atomic
//! replacement, and owner and mode checked on the opened file (see the [module docs](super)).

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};

/// The effective user id of this process, found without `unsafe`: the owner of `/proc/self`
/// (Linux), or else of a file just created. `u32::MAX` when neither works, which no file
/// matches (so every check fails closed); 0 where there are no user ids.
///
/// ```
/// let f = tempfile::NamedTempFile::new()?;
/// # #[cfg(unix)]
/// assert_eq!(std::os::unix::fs::MetadataExt::uid(&f.as_file().metadata()?), haydi_core::trusted::current_uid());
/// # Ok::<(), std::io::Error>(())
/// ```
#[cfg(unix)]
pub fn current_uid() -> u32 {
    static UID: OnceLock<u32> = OnceLock::new();
    *UID.get_or_init(|| {
        std::fs::metadata("/proc/self")
            .map(|m| m.uid())
            .or_else(|_| {
                tempfile::tempfile()
                    .and_then(|f| f.metadata())
                    .map(|m| m.uid())
            })
            .unwrap_or(u32::MAX)
    })
}

/// The effective user id of this process (0 where there are no user ids).
///
/// ```
/// let _ = haydi_core::trusted::current_uid();
/// ```
#[cfg(not(unix))]
pub fn current_uid() -> u32 {
    let _ = OnceLock::<u32>::new;
    0
}

/// `user id N (name)`, the name from `/etc/passwd` when it has one.
pub(crate) fn user_text(uid: u32) -> String {
    let name = std::fs::read_to_string("/etc/passwd").ok().and_then(|t| {
        t.lines().find_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?;
            let id: u32 = f.nth(1)?.parse().ok()?;
            (id == uid).then(|| name.to_string())
        })
    });
    match name {
        Some(n) => format!("user id {uid} ({n})"),
        None => format!("user id {uid}"),
    }
}

fn ctx(msg: String) -> Error {
    Error::Context(msg)
}

/// Checks that `path` (not followed if a symbolic link) is a directory owned by this user that
/// nobody else may enter; `fix` says what to do otherwise, in the error.
///
/// ```
/// use haydi_core::trusted::{check_private_dir, private_dir};
/// let d = tempfile::tempdir()?;
/// let p = d.path().join("mine");
/// private_dir(&p, "remove it")?;
/// check_private_dir(&p, "remove it")?;
/// assert!(check_private_dir(&d.path().join("absent"), "").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_private_dir(path: &Path, fix: &str) -> Result<()> {
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
                "{} belongs to {}, not to this user ({}); {fix}",
                path.display(),
                user_text(m.uid()),
                user_text(current_uid())
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
///
/// ```
/// use haydi_core::trusted::private_dir;
/// let d = tempfile::tempdir()?;
/// private_dir(&d.path().join("p"), "remove it")?;
/// private_dir(&d.path().join("p"), "remove it")?; // there already: checked
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn private_dir(path: &Path, fix: &str) -> Result<()> {
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
///
/// ```
/// use haydi_core::trusted::given_dir;
/// let d = tempfile::tempdir()?;
/// given_dir(&d.path().join("logs"))?;
/// assert!(given_dir(&d.path().join("no/such/parent")).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn given_dir(path: &Path) -> Result<()> {
    make_dir(path)?;
    let m = std::fs::symlink_metadata(path)
        .map_err(|e| ctx(format!("cannot inspect {}: {e}", path.display())))?;
    if m.file_type().is_symlink() || !m.is_dir() {
        return Err(ctx(format!(
            "{} is {}, not a directory: give a real directory",
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

/// Replaces `path` with a file holding `contents`, readable by this user only, atomically (see
/// [`replace_atomically`]; mode 0600).
///
/// ```
/// use haydi_core::trusted::{read_private, write_private};
/// let d = tempfile::tempdir()?;
/// let p = d.path().join("f");
/// write_private(&p, b"one")?;
/// write_private(&p, b"two")?;
/// assert_eq!(read_private(&p)?.as_deref(), Some("two"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_private(path: &Path, contents: &[u8]) -> Result<()> {
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
///
/// ```
/// use haydi_core::trusted::replace_atomically;
/// use std::io::Write;
/// let d = tempfile::tempdir()?;
/// let p = d.path().join("plot.svg");
/// replace_atomically(&p, ".svg", None, |f| {
///     f.write_all(b"<svg/>").map_err(|e| haydi_core::Error::Context(e.to_string()))
/// })?;
/// assert_eq!(std::fs::read(&p)?, b"<svg/>");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn replace_atomically(
    path: &Path,
    suffix: &str,
    mode: Option<u32>,
    fill: impl FnOnce(&mut tempfile::NamedTempFile) -> Result<()>,
) -> Result<()> {
    let err = |e: std::io::Error| ctx(format!("cannot write {}: {e}", path.display()));
    let dir = parent_of(path);
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
    let mut tmp = b.tempfile_in(&dir).map_err(err)?;
    fill(&mut tmp)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    // Not every file system can sync a directory; the file itself is safe already.
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The folder of `path` (`.` for a bare file name).
pub(crate) fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Options that never follow a symbolic link as the last component of the path.
fn no_follow(o: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    o.custom_flags(libc::O_NOFOLLOW);
    o
}

/// How much of a file others may touch.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Openness {
    /// A secret (a rendezvous file, the key): no permission bit for group or others.
    Secret,
    /// Data a later run trusts (checkpoints, crops): group and others may not write it.
    Data,
    /// A file the user vouches for (`haydi reseal`): this user's, whatever its mode.
    Owned,
}

/// Checks an opened file (not its path, which could change in between): a regular file of this
/// user's that others may not write (for a secret: not touch at all).
fn check_opened(f: &File, path: &Path, openness: Openness) -> Result<()> {
    let m = f
        .metadata()
        .map_err(|e| ctx(format!("cannot inspect {}: {e}", path.display())))?;
    if !m.is_file() {
        return Err(ctx(format!("{} is not a regular file", path.display())));
    }
    #[cfg(unix)]
    {
        let (uid, mode) = (m.uid(), m.mode() & 0o7777);
        if uid != current_uid() {
            return Err(ctx(format!(
                "{} belongs to {} (mode {mode:o}), not to this user ({}): refusing to trust \
                 it (anyone who can write to its folder may have planted it); remove it",
                path.display(),
                user_text(uid),
                user_text(current_uid())
            )));
        }
        let (bits, what, must) = match openness {
            Openness::Secret => (0o077, "read or change", "0600"),
            Openness::Data => (0o022, "change", "0600 or 0644"),
            Openness::Owned => (0, "", ""),
        };
        if mode & bits != 0 {
            return Err(ctx(format!(
                "{} (owned by {}) has mode {mode:o}: other users may {what} it (it must be \
                 {must}): refusing to trust it; remove it, or chmod go-w it if you trust it",
                path.display(),
                user_text(uid)
            )));
        }
    }
    Ok(())
}

/// Opens `path` for reading without following a link, and without blocking on a FIFO (the
/// check that follows refuses anything but a regular file): `Ok(None)` when it does not exist.
fn open_no_follow(path: &Path) -> Result<Option<File>> {
    let mut o = OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    o.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    match o.open(path) {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => {
            let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
            Err(ctx(if link {
                format!(
                    "{} is a symbolic link: refusing to follow it (remove it; someone else may \
                     have planted it)",
                    path.display()
                )
            } else {
                format!("cannot open {}: {e}", path.display())
            }))
        }
    }
}

fn read_checked(path: &Path, openness: Openness) -> Result<Option<Vec<u8>>> {
    let Some(f) = open_no_follow(path)? else {
        return Ok(None);
    };
    check_opened(&f, path, openness)?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut &f, &mut bytes)
        .map_err(|e| ctx(format!("cannot read {}: {e}", path.display())))?;
    Ok(Some(bytes))
}

/// Reads a private file written by [`write_private`] (a secret): `Ok(None)` if it does not
/// exist (yet), an error if it is a symbolic link, not a regular file, not this user's, or
/// open to others in any way.
///
/// ```
/// use haydi_core::trusted::{read_private, write_private};
/// let d = tempfile::tempdir()?;
/// assert_eq!(read_private(&d.path().join("absent"))?, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_private(path: &Path) -> Result<Option<String>> {
    match read_private_bytes(path)? {
        None => Ok(None),
        Some(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| ctx(format!("{} is not UTF-8 text", path.display()))),
    }
}

/// [`read_private`] for binary contents.
///
/// ```
/// use haydi_core::trusted::{read_private_bytes, write_private};
/// let d = tempfile::tempdir()?;
/// let p = d.path().join("f");
/// write_private(&p, &[0, 1])?;
/// assert_eq!(read_private_bytes(&p)?, Some(vec![0, 1]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_private_bytes(path: &Path) -> Result<Option<Vec<u8>>> {
    read_checked(path, Openness::Secret)
}

/// Reads a data file a later run trusts (a checkpoint, a crop's manifest, result or lease):
/// `Ok(None)` if it does not exist, an error naming the path, the owner and the mode if it is a
/// symbolic link, not a regular file, not this user's, or writable by group or others. The
/// checks are made on the opened file, so it cannot be swapped between check and read.
///
/// ```
/// use haydi_core::trusted::{read_trusted_bytes, write_private};
/// let d = tempfile::tempdir()?;
/// let p = d.path().join("f");
/// write_private(&p, b"data")?;
/// assert_eq!(read_trusted_bytes(&p)?.as_deref(), Some(&b"data"[..]));
/// # #[cfg(unix)] {
/// use std::os::unix::fs::PermissionsExt;
/// std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o666))?;
/// let e = read_trusted_bytes(&p).unwrap_err().to_string();
/// assert!(e.contains("mode 666"), "{e}");
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_trusted_bytes(path: &Path) -> Result<Option<Vec<u8>>> {
    read_checked(path, Openness::Data)
}

/// Reads a file of this user's that is no link and a regular file, whatever its mode: a file
/// the user vouches for (a copy made with `cp` may be 0664; re-sealing rewrites it 0600).
pub(crate) fn read_owned_bytes(path: &Path) -> Result<Option<Vec<u8>>> {
    read_checked(path, Openness::Owned)
}

/// Creates a new file readable by this user only (mode 0600), never through a link and never
/// over an existing file.
///
/// ```
/// use haydi_core::trusted::create_private;
/// let d = tempfile::tempdir()?;
/// let p = d.path().join("worker-1.log");
/// create_private(&p)?;
/// assert!(create_private(&p).is_err()); // never over an existing file
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn create_private(path: &Path) -> Result<File> {
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
///
/// ```
/// let t = haydi_core::trusted::private_temp_dir("haydi-doc-")?;
/// assert!(t.path().is_dir());
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub fn private_temp_dir(prefix: &str) -> Result<tempfile::TempDir> {
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
        assert!(
            !std::fs::symlink_metadata(&p)
                .unwrap()
                .file_type()
                .is_symlink()
        );
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
        let e = read_trusted_bytes(&link).unwrap_err().to_string();
        assert!(e.contains("symbolic link"), "{e}");
        let open = d.path().join("open");
        std::fs::write(&open, "x").unwrap();
        chmod(&open, 0o644);
        let e = read_private(&open).unwrap_err().to_string();
        assert!(e.contains("mode 644"), "{e}");
        // Data may be readable by others, never writable.
        assert_eq!(read_trusted_bytes(&open).unwrap().unwrap(), b"x");
        chmod(&open, 0o620);
        assert!(read_private(&open).is_err());
        let e = read_trusted_bytes(&open).unwrap_err().to_string();
        assert!(
            e.contains("mode 620") && e.contains("owned by user id"),
            "{e}"
        );
        chmod(&open, 0o602);
        assert!(read_trusted_bytes(&open).is_err());
        let e = read_private(d.path()).unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{e}");
        // A FIFO is refused at once, never waited on for a writer.
        let fifo = d.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let e = read_trusted_bytes(&fifo).unwrap_err().to_string();
            assert!(e.contains("not a regular file"), "{e}");
        }
    }

    #[test]
    fn foreign_owner_is_refused_naming_owner_and_mode() {
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
        let file = std::fs::canonicalize(&file).unwrap();
        let e = read_trusted_bytes(&file).unwrap_err().to_string();
        assert!(
            e.contains("belongs to user id") && e.contains("(mode "),
            "{e}"
        );
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

    #[test]
    fn user_names_are_looked_up() {
        assert!(user_text(0).starts_with("user id 0"));
        assert_eq!(user_text(4_000_000_000), "user id 4000000000");
    }
}
