//! Leases: a file per batch being grown, so that two growers (two array tasks, two people)
//! do not grow one batch twice.
//!
//! A lease is created exclusively (`O_CREAT | O_EXCL`, never through a link, mode 0600) and
//! holds the grower's pid, host and start time. The holder refreshes its modification time
//! every quarter of the lease timeout while it grows, and removes it when done. A lease is
//! stale, and taken over, when its process is gone (same host, no such pid) or when it was
//! not refreshed for the lease timeout (a grower on another host that died, or a garbled
//! lease). Two growers taking over one stale lease at the same instant can both grow the
//! batch; that costs work, never correctness: results are deterministic and written
//! atomically.

use crate::distributed::files::create_private;
use crate::distributed::launcher::hostname;
use haydi_core::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Who holds a lease, as written in it (what [`super::Grow::Leased`] reports).
///
/// ```
/// use haydi_contexts::crop::Holder;
/// let h = Holder { pid: 42, host: "node7".into(), started: 1_700_000_000 };
/// assert!(h.to_string().starts_with("process 42 on node7"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// The grower's process id.
    pub pid: u32,
    /// The grower's host.
    pub host: String,
    /// When it started growing, in seconds since the Unix epoch.
    pub started: u64,
}

impl Holder {
    fn me() -> Holder {
        Holder {
            pid: std::process::id(),
            host: hostname(),
            started: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        }
    }

    fn text(&self) -> String {
        format!(
            "pid={}\nhost={}\nstarted={}\n",
            self.pid, self.host, self.started
        )
    }

    fn parse(text: &str) -> Option<Holder> {
        let mut pid = None;
        let mut host = None;
        let mut started = None;
        for line in text.lines() {
            match line.split_once('=') {
                Some(("pid", v)) => pid = v.parse().ok(),
                Some(("host", v)) => host = Some(v.to_string()),
                Some(("started", v)) => started = v.parse().ok(),
                _ => {}
            }
        }
        Some(Holder {
            pid: pid?,
            host: host?,
            started: started?,
        })
    }
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "process {} on {} (since {} s after the epoch)",
            self.pid, self.host, self.started
        )
    }
}

/// Whether process `pid` of this host is alive; `None` when this platform cannot tell.
fn alive(pid: u32) -> Option<bool> {
    if !Path::new("/proc/self").exists() {
        return None;
    }
    Some(Path::new(&format!("/proc/{pid}")).exists())
}

/// Why the lease at `path` is stale, or `None` while it is live (or gone).
fn stale(path: &Path, timeout: Duration) -> Option<String> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if meta.file_type().is_symlink() || !meta.is_file() {
        return Some("it is not a regular file".into());
    }
    let holder = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| Holder::parse(&t));
    let age = meta
        .modified()
        .ok()
        .and_then(|m| SystemTime::now().duration_since(m).ok())
        .unwrap_or_default();
    if let Some(h) = &holder {
        if h.host == hostname() && alive(h.pid) == Some(false) {
            return Some(format!("its {h} is gone"));
        }
    }
    if age > timeout {
        return Some(format!(
            "it was not refreshed for {} s (lease timeout {} s)",
            age.as_secs(),
            timeout.as_secs()
        ));
    }
    None
}

/// A lease this process holds; refreshed by a thread until dropped, then removed.
#[derive(Debug)]
pub(crate) struct Lease {
    path: PathBuf,
    text: String,
    stop: Option<mpsc::Sender<()>>,
    refresher: Option<std::thread::JoinHandle<()>>,
}

/// The result of trying to take a lease.
#[derive(Debug)]
pub(crate) enum Acquired {
    /// Ours now (`Some(why)` when a stale lease was taken over).
    Got(Lease, Option<String>),
    /// Someone else is growing the batch.
    Held(Option<Holder>),
}

/// Takes the lease at `path`, or says who holds it.
pub(crate) fn acquire(path: &Path, timeout: Duration) -> Result<Acquired> {
    let mut took_over = None;
    for _ in 0..3 {
        let me = Holder::me();
        let text = me.text();
        match create_private(path) {
            Ok(mut f) => {
                f.write_all(text.as_bytes())
                    .and_then(|()| f.sync_all())
                    .map_err(|e| Error::Context(format!("cannot write {}: {e}", path.display())))?;
                return Ok(Acquired::Got(Lease::start(path, text, timeout), took_over));
            }
            Err(e) => {
                if std::fs::symlink_metadata(path).is_err() {
                    // Not an existing lease: the folder is missing or unwritable.
                    return Err(e);
                }
            }
        }
        match stale(path, timeout) {
            Some(why) => {
                let _ = std::fs::remove_file(path);
                took_over = Some(why);
            }
            None => {
                let holder = std::fs::read_to_string(path)
                    .ok()
                    .and_then(|t| Holder::parse(&t));
                return Ok(Acquired::Held(holder));
            }
        }
    }
    Ok(Acquired::Held(None))
}

impl Lease {
    fn start(path: &Path, text: String, timeout: Duration) -> Lease {
        let (tx, rx) = mpsc::channel::<()>();
        let every = (timeout / 4).max(Duration::from_millis(100));
        let p = path.to_path_buf();
        let refresher = std::thread::Builder::new()
            .name("haydi-crop-lease".into())
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(every) {
                    let mut o = std::fs::OpenOptions::new();
                    o.append(true);
                    #[cfg(unix)]
                    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut o, libc::O_NOFOLLOW);
                    if let Ok(f) = o.open(&p) {
                        let _ = f.set_modified(SystemTime::now());
                    }
                }
            })
            .ok();
        Lease {
            path: path.to_path_buf(),
            text,
            stop: Some(tx),
            refresher,
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.refresher.take() {
            let _ = t.join();
        }
        // Remove it only while it is still ours (it may have been taken over meanwhile).
        if std::fs::read_to_string(&self.path).is_ok_and(|t| t == self.text) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holder_text_round_trips() {
        let h = Holder::me();
        assert_eq!(Holder::parse(&h.text()), Some(h));
        assert_eq!(Holder::parse("pid=1\n"), None);
    }

    #[test]
    fn a_live_lease_is_held_and_released() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("batch-1.lease");
        let Acquired::Got(lease, None) = acquire(&p, Duration::from_secs(60)).unwrap() else {
            panic!("not acquired")
        };
        assert!(matches!(
            acquire(&p, Duration::from_secs(60)).unwrap(),
            Acquired::Held(Some(h)) if h.pid == std::process::id()
        ));
        drop(lease);
        assert!(!p.exists());
    }
}
