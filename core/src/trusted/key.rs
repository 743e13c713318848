//! The per-user key that seals files a later run trusts ([`super::seal`]).
//!
//! One random 256-bit key per user, created on first use (mode 0600, in a 0700 folder):
//! `$XDG_DATA_HOME/haydi/key` (by default `~/.local/share/haydi/key`), or the file named by
//! `HAYDI_KEY_FILE` (for clusters whose home folder is not shared by the nodes: point every
//! node at one copy, or copy the key file to each node's). The key never lives beside the files
//! it seals: a key in a checkpoint's folder is refused.

use super::private::{check_private_dir, parent_of, read_private, user_text};
use crate::error::{Error, Result};
use crate::plumbing::Unpoisoned;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The variable that names the key file instead of `$XDG_DATA_HOME/haydi/key`.
///
/// ```
/// assert_eq!(haydi_core::trusted::KEY_FILE_VARIABLE, "HAYDI_KEY_FILE");
/// ```
pub const KEY_FILE_VARIABLE: &str = "HAYDI_KEY_FILE";

/// The first line of a key file.
const HEADER: &str = "haydi key 1";

fn ctx(msg: String) -> Error {
    Error::Context(msg)
}

/// Where this user's key is: `HAYDI_KEY_FILE` when set (an absolute path), else
/// `$XDG_DATA_HOME/haydi/key` when `XDG_DATA_HOME` is an absolute path, else
/// `$HOME/.local/share/haydi/key`.
///
/// ```
/// unsafe { std::env::set_var("HAYDI_KEY_FILE", "/somewhere/haydi.key") };
/// assert_eq!(haydi_core::trusted::key_path()?, std::path::Path::new("/somewhere/haydi.key"));
/// unsafe { std::env::set_var("HAYDI_KEY_FILE", "relative.key") };
/// assert!(haydi_core::trusted::key_path().is_err());
/// # unsafe { std::env::remove_var("HAYDI_KEY_FILE") };
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub fn key_path() -> Result<PathBuf> {
    key_location().map(|(p, _)| p)
}

/// The key's path, and whether it is the default one (in the user's data folder).
fn key_location() -> Result<(PathBuf, bool)> {
    if let Some(p) = std::env::var_os(KEY_FILE_VARIABLE).filter(|v| !v.is_empty()) {
        let p = PathBuf::from(p);
        if !p.is_absolute() {
            return Err(ctx(format!(
                "{KEY_FILE_VARIABLE}={} is not an absolute path: name the key file by its full path",
                p.display()
            )));
        }
        return Ok((p, false));
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|h| h.join(".local").join("share"))
        })
        .ok_or_else(|| {
            ctx(format!(
                "cannot tell where this user's haydi key lives: neither XDG_DATA_HOME nor HOME \
                 is set to an absolute path; set {KEY_FILE_VARIABLE} to a file of yours"
            ))
        })?;
    Ok((data.join("haydi").join("key"), true))
}

/// This user's key (see the [module docs](self)); its bytes are never shown.
///
/// ```
/// use haydi_core::trusted::UserKey;
/// let d = tempfile::tempdir()?;
/// unsafe { std::env::set_var("HAYDI_KEY_FILE", d.path().join("key")) };
/// let key = UserKey::load_or_create()?;            // created on first use, 0600
/// assert_eq!(key.path(), d.path().join("key"));
/// assert_eq!(UserKey::load_or_create()?.mac(&[b"x"]), key.mac(&[b"x"])); // the same key
/// assert!(format!("{key:?}").starts_with("UserKey { path:")); // the key itself never shown
/// # unsafe { std::env::remove_var("HAYDI_KEY_FILE") };
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct UserKey {
    path: PathBuf,
    /// The HMAC keyed once (its inner and outer states), cloned for every MAC: a small file's
    /// MAC then costs one compression more than its plain SHA-256, not three.
    keyed: Arc<Hmac<Sha256>>,
    /// The key's folder as (device, inode), to tell cheaply whether a file lies beside it.
    folder: Option<(u64, u64)>,
}

/// A folder's (device, inode), where the platform has them.
fn folder_id(dir: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(dir).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

impl fmt::Debug for UserKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserKey")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The key last loaded, by path (a process normally uses one).
static CACHE: Mutex<Option<UserKey>> = Mutex::new(None);

impl UserKey {
    /// This user's key, from [`key_path`]: read (and checked: a regular file of this user's,
    /// mode 0600, not a link), or created on first use. Loaded once per process and path.
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// # unsafe { std::env::set_var("HAYDI_KEY_FILE", d.path().join("key")) };
    /// let key = haydi_core::trusted::UserKey::load_or_create()?;
    /// assert!(key.path().exists());
    /// # unsafe { std::env::remove_var("HAYDI_KEY_FILE") };
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load_or_create() -> Result<UserKey> {
        let (path, default) = key_location()?;
        let mut cache = CACHE.lock_unpoisoned();
        if let Some(k) = cache.as_ref().filter(|k| k.path == path) {
            return Ok(k.clone());
        }
        let key = match Self::read(&path)? {
            Some(k) => k,
            None => Self::create(&path, default)?,
        };
        *cache = Some(key.clone());
        Ok(key)
    }

    /// The key file at `path`, if there is one.
    pub(super) fn read(path: &Path) -> Result<Option<UserKey>> {
        let Some(text) = read_private(path).map_err(|e| ctx(format!("haydi key: {e}")))? else {
            return Ok(None);
        };
        let bad = || {
            ctx(format!(
                "haydi key {}: not a haydi key file (a first line `{HEADER}`, then 64 hex \
                 digits); remove it to have a new key made (files sealed with the old one are \
                 then refused)",
                path.display()
            ))
        };
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return Err(bad());
        }
        let hex = lines.next().ok_or_else(bad)?.trim();
        if hex.len() != 64 {
            return Err(bad());
        }
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(Some(UserKey::with(
            path,
            &bytes,
            folder_id(&parent_of(path)),
        )))
    }

    /// Makes a new key at `path`: random bytes from the operating system, written to a
    /// temporary file (0600) and linked into place only if no key is there yet, so two
    /// processes creating it at once agree on one key. At the `default` place, the folder
    /// `haydi` of the user's data folder is made private (0700); a folder the user named is
    /// created 0700 when missing, and otherwise left as the user made it.
    pub(super) fn create(path: &Path, default: bool) -> Result<UserKey> {
        use rand::TryRngCore;
        let dir = parent_of(path);
        if default || !dir.is_dir() {
            // Its parents as usual (`~/.local/share`), the key's own folder private.
            if let Some(up) = dir.parent() {
                std::fs::create_dir_all(up)
                    .map_err(|e| ctx(format!("cannot create {}: {e}", up.display())))?;
            }
            super::private::private_dir(
                &dir,
                "it holds your haydi key: make it a directory of yours with mode 0700",
            )?;
        }
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng
            .try_fill_bytes(&mut bytes)
            .map_err(|e| ctx(format!("cannot draw a random key: {e}")))?;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let text = format!("{HEADER}\n{hex}\n");
        let mut b = tempfile::Builder::new();
        b.prefix(".haydi-key.");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            b.permissions(std::fs::Permissions::from_mode(0o600));
        }
        let err = |e: std::io::Error| {
            ctx(format!(
                "cannot create the haydi key {}: {e}",
                path.display()
            ))
        };
        let mut tmp = b.tempfile_in(&dir).map_err(err)?;
        std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(err)?;
        tmp.as_file().sync_all().map_err(err)?;
        match tmp.persist_noclobber(path) {
            Ok(_) => {
                if let Ok(d) = std::fs::File::open(&dir) {
                    let _ = d.sync_all();
                }
                tracing::info!(target: "haydi", path = %path.display(), "created this user's haydi key");
                Ok(UserKey::with(path, &bytes, folder_id(&dir)))
            }
            // Another process made it first: use theirs.
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                Self::read(path)?.ok_or_else(|| err(e.error))
            }
            Err(e) => Err(err(e.error)),
        }
    }

    fn with(path: &Path, bytes: &[u8; 32], folder: Option<(u64, u64)>) -> UserKey {
        let keyed =
            <Hmac<Sha256> as Mac>::new_from_slice(bytes).expect("HMAC takes keys of any length");
        UserKey {
            path: path.to_path_buf(),
            keyed: Arc::new(keyed),
            folder,
        }
    }

    /// Where the key is.
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// # unsafe { std::env::set_var("HAYDI_KEY_FILE", d.path().join("k")) };
    /// assert!(haydi_core::trusted::UserKey::load_or_create()?.path().ends_with("k"));
    /// # unsafe { std::env::remove_var("HAYDI_KEY_FILE") };
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// HMAC-SHA-256 under this key of the concatenation of `parts`.
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// # unsafe { std::env::set_var("HAYDI_KEY_FILE", d.path().join("k")) };
    /// let key = haydi_core::trusted::UserKey::load_or_create()?;
    /// assert_eq!(key.mac(&[b"ab", b"c"]), key.mac(&[b"abc"]));
    /// assert_ne!(key.mac(&[b"abc"]), key.mac(&[b"abd"]));
    /// # unsafe { std::env::remove_var("HAYDI_KEY_FILE") };
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut m = (*self.keyed).clone();
        for p in parts {
            m.update(p);
        }
        m.finalize().into_bytes().into()
    }

    /// Refuses to seal or trust `file` with a key kept in the same folder: whoever can put a
    /// file there could put a key there too, so such a key would prove nothing.
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// # unsafe { std::env::set_var("HAYDI_KEY_FILE", d.path().join("key")) };
    /// let key = haydi_core::trusted::UserKey::load_or_create()?;
    /// assert!(key.check_apart(&d.path().join("run.ckpt")).is_err());
    /// assert!(key.check_apart(&d.path().join("sub").join("run.ckpt")).is_ok());
    /// # unsafe { std::env::remove_var("HAYDI_KEY_FILE") };
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_apart(&self, file: &Path) -> Result<()> {
        let beside = match (self.folder, folder_id(&parent_of(file))) {
            (Some(k), Some(f)) => k == f,
            _ => {
                let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
                canon(&parent_of(&self.path)) == canon(&parent_of(file))
            }
        };
        if beside {
            return Err(ctx(format!(
                "{}: the haydi key {} is in the same folder; a key kept beside the files it \
                 seals proves nothing: keep it elsewhere (unset {KEY_FILE_VARIABLE} for the \
                 default, $XDG_DATA_HOME/haydi/key)",
                file.display(),
                self.path.display()
            )));
        }
        Ok(())
    }
}

/// Checks that the folder holding the default key is private (used by `haydi reseal` to tell
/// the user where their key is and whether it is safe).
///
/// ```
/// # let d = tempfile::tempdir()?;
/// # unsafe { std::env::set_var("HAYDI_KEY_FILE", d.path().join("k")) };
/// let key = haydi_core::trusted::UserKey::load_or_create()?;
/// assert!(haydi_core::trusted::key::describe(&key).contains("k"));
/// # unsafe { std::env::remove_var("HAYDI_KEY_FILE") };
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn describe(key: &UserKey) -> String {
    let dir = parent_of(&key.path);
    let private = check_private_dir(&dir, "").is_ok();
    format!(
        "{} (of {}{})",
        key.path.display(),
        user_text(super::private::current_uid()),
        if private {
            ""
        } else {
            "; its folder is open to others"
        }
    )
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    /// Key files are read through their own path (not the environment), so tests do not race
    /// on `HAYDI_KEY_FILE`.
    #[test]
    fn created_private_read_back_and_refused_when_damaged_or_open() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("key");
        let k = UserKey::create(&p, false).unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().mode() & 0o777,
            0o600,
            "the key is 0600"
        );
        let again = UserKey::read(&p).unwrap().unwrap();
        assert_eq!(again.mac(&[b"m"]), k.mac(&[b"m"]));
        // A second creation keeps the first key.
        let second = UserKey::create(&p, false).unwrap();
        assert_eq!(second.mac(&[b"m"]), k.mac(&[b"m"]));
        // Another key gives other MACs.
        let other = UserKey::create(&d.path().join("other"), false).unwrap();
        assert_ne!(other.mac(&[b"m"]), k.mac(&[b"m"]));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        let e = UserKey::read(&p).unwrap_err().to_string();
        assert!(e.contains("mode 640"), "{e}");
        std::fs::write(&p, "haydi key 1\nxyz\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        let e = UserKey::read(&p).unwrap_err().to_string();
        assert!(e.contains("not a haydi key file"), "{e}");
        let link = d.path().join("link");
        std::os::unix::fs::symlink(d.path().join("other"), &link).unwrap();
        assert!(
            UserKey::read(&link)
                .unwrap_err()
                .to_string()
                .contains("symbolic link")
        );
    }

    #[test]
    fn a_key_beside_the_file_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let k = UserKey::create(&d.path().join("key"), false).unwrap();
        let e = k
            .check_apart(&d.path().join("run.ckpt"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("same folder"), "{e}");
        std::fs::create_dir(d.path().join("runs")).unwrap();
        k.check_apart(&d.path().join("runs").join("run.ckpt"))
            .unwrap();
    }
}
