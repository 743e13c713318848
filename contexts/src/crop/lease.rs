//! Leases: a file per batch being grown, so that two growers (two array tasks, two people)
//! do not grow one batch twice.
//!
//! A lease is published whole: written to a temporary file (mode 0600) in the leases folder
//! and linked into place only if no lease is there (never through a link, never over one), so
//! no grower ever sees half a lease. It holds the grower's pid, host, start time, the time it
//! was last refreshed and a random token. The holder rewrites it (atomically, with a new refresh time) every quarter of the
//! lease timeout while it grows, and removes it when done, both only while the token is still
//! its own. Whether a lease is stale comes from what it records, never from the file's
//! modification time (which anyone may set into the future): it is stale when its process is
//! gone (same host, no such pid), when its last refresh is older than the lease timeout, when
//! its refresh time lies further in the future than the timeout (a clock far off, or a forged
//! lease: it could otherwise block its batch forever), and when it is not a well-formed lease
//! at all (a directory, a link, a FIFO, garbage, another user's or writable by others). A
//! stale lease is taken over. Two growers taking over one stale lease at the same instant can
//! both grow the batch; that costs work, never correctness: results are deterministic and
//! written atomically.

use crate::distributed::launcher::hostname;
use haydi_core::trusted::{read_trusted_bytes, write_private};
use haydi_core::{Error, Result};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Who holds a lease, as written in it (what [`super::Grow::Leased`] reports).
///
/// ```
/// use haydi_contexts::crop::Holder;
/// let h = Holder { pid: 42, host: "node7".into(), started: 1_700_000_000, refreshed: 1_700_000_030 };
/// assert!(h.to_string().starts_with("process 42 on node7"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// The grower's process id.
    pub pid: u32,
    /// The grower's host.
    pub host: String,
    /// When it started growing, in seconds since the Unix epoch.
    pub started: u64,
    /// When it last refreshed the lease, in seconds since the Unix epoch.
    pub refreshed: u64,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A lease as its file holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Record {
    holder: Holder,
    token: String,
}

impl Record {
    fn me() -> Record {
        let now = now_secs();
        let token: String = (0..16)
            .map(|_| format!("{:02x}", rand::random::<u8>()))
            .collect();
        Record {
            holder: Holder {
                pid: std::process::id(),
                host: hostname(),
                started: now,
                refreshed: now,
            },
            token,
        }
    }

    fn text(&self) -> String {
        let h = &self.holder;
        format!(
            "pid={}\nhost={}\nstarted={}\nrefreshed={}\ntoken={}\n",
            h.pid, h.host, h.started, h.refreshed, self.token
        )
    }

    fn parse(text: &str) -> Option<Record> {
        let (mut pid, mut host, mut started, mut refreshed, mut token) =
            (None, None, None, None, None);
        for line in text.lines() {
            match line.split_once('=') {
                Some(("pid", v)) => pid = v.parse().ok(),
                Some(("host", v)) if !v.is_empty() => host = Some(v.to_string()),
                Some(("started", v)) => started = v.parse().ok(),
                Some(("refreshed", v)) => refreshed = v.parse().ok(),
                Some(("token", v)) if !v.is_empty() => token = Some(v.to_string()),
                _ => return None,
            }
        }
        Some(Record {
            holder: Holder {
                pid: pid?,
                host: host?,
                started: started?,
                refreshed: refreshed?,
            },
            token: token?,
        })
    }

    /// The lease at `path`: `Ok(None)` when there is none, `Err(why)` when it is no
    /// trustworthy, well-formed lease.
    fn read(path: &Path) -> std::result::Result<Option<Record>, String> {
        let bytes = match read_trusted_bytes(path) {
            Ok(None) => return Ok(None),
            Ok(Some(b)) => b,
            Err(e) => return Err(format!("it is no lease file of ours: {e}")),
        };
        let text = String::from_utf8(bytes).map_err(|_| "it is not text".to_string())?;
        Record::parse(&text)
            .map(Some)
            .ok_or_else(|| "it is malformed".to_string())
    }
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "process {} on {} (since {} s after the epoch, refreshed at {})",
            self.pid, self.host, self.started, self.refreshed
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

/// Why the lease `record` (read at `now`, in seconds) is stale, or `None` while it is live.
fn stale_record(r: &Record, now: u64, timeout: Duration) -> Option<String> {
    let h = &r.holder;
    if h.host == hostname() && alive(h.pid) == Some(false) {
        return Some(format!("its {h} is gone"));
    }
    let last = h.started.max(h.refreshed);
    let t = timeout.as_secs().max(1);
    if now > last && now - last > t {
        return Some(format!(
            "it was not refreshed for {} s (lease timeout {t} s)",
            now - last
        ));
    }
    if last > now && last - now > t {
        return Some(format!(
            "its refresh time lies {} s in the future, beyond the lease timeout ({t} s)",
            last - now
        ));
    }
    None
}

/// Why the lease at `path` is stale, or `None` while it is live (or gone).
fn stale(path: &Path, timeout: Duration) -> Option<String> {
    match Record::read(path) {
        Ok(None) => None,
        Ok(Some(r)) => stale_record(&r, now_secs(), timeout),
        Err(why) => Some(why),
    }
}

/// Removes a stale lease, whatever it is (a directory where a lease should be included).
fn remove(path: &Path) {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            let _ = std::fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(path);
        }
        Err(_) => {}
    }
}

/// A lease this process holds; refreshed by a thread until dropped, then removed.
#[derive(Debug)]
pub(crate) struct Lease {
    path: PathBuf,
    token: String,
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

/// Publishes `record` at `path` whole, unless something is there already: `Ok(false)` then.
fn publish(path: &Path, record: &Record) -> Result<bool> {
    let err = |e: std::io::Error| Error::Context(format!("cannot write {}: {e}", path.display()));
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut b = tempfile::Builder::new();
    b.prefix(".lease.");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o600));
    }
    let mut tmp = b.tempfile_in(dir).map_err(err)?;
    tmp.write_all(record.text().as_bytes()).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(true),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(err(e.error)),
    }
}

/// Takes the lease at `path`, or says who holds it.
pub(crate) fn acquire(path: &Path, timeout: Duration) -> Result<Acquired> {
    let mut took_over = None;
    for _ in 0..3 {
        let me = Record::me();
        if publish(path, &me)? {
            return Ok(Acquired::Got(Lease::start(path, me, timeout), took_over));
        }
        match stale(path, timeout) {
            Some(why) => {
                remove(path);
                took_over = Some(why);
            }
            None => {
                let holder = Record::read(path).ok().flatten().map(|r| r.holder);
                return Ok(Acquired::Held(holder));
            }
        }
    }
    Ok(Acquired::Held(None))
}

/// Whether the lease at `path` still holds `token`.
fn still_ours(path: &Path, token: &str) -> bool {
    matches!(Record::read(path), Ok(Some(r)) if r.token == token)
}

impl Lease {
    fn start(path: &Path, me: Record, timeout: Duration) -> Lease {
        let (tx, rx) = mpsc::channel::<()>();
        let every = (timeout / 4).max(Duration::from_millis(100));
        let p = path.to_path_buf();
        let token = me.token.clone();
        let refresher = std::thread::Builder::new()
            .name("haydi-crop-lease".into())
            .spawn(move || {
                let mut mine = me;
                while let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(every) {
                    if !still_ours(&p, &mine.token) {
                        // Taken over meanwhile: the other grower's lease is not ours to touch.
                        break;
                    }
                    mine.holder.refreshed = now_secs();
                    let _ = write_private(&p, mine.text().as_bytes());
                }
            })
            .ok();
        Lease {
            path: path.to_path_buf(),
            token,
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
        if still_ours(&self.path, &self.token) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_text_round_trips_and_garbage_is_refused() {
        let r = Record::me();
        assert_eq!(Record::parse(&r.text()), Some(r.clone()));
        assert_eq!(Record::parse("pid=1\n"), None);
        assert_eq!(Record::parse(&format!("{}extra=1\n", r.text())), None);
        assert_eq!(Record::parse(&r.text().replace("pid=", "pid=x")), None);
    }

    #[test]
    fn staleness_comes_from_the_recorded_times() {
        let t = Duration::from_secs(60);
        let mut r = Record::me();
        r.holder.host = "another-host".into(); // no pid check
        let now = r.holder.refreshed;
        assert_eq!(stale_record(&r, now, t), None);
        assert_eq!(stale_record(&r, now + 60, t), None);
        assert!(
            stale_record(&r, now + 61, t)
                .unwrap()
                .contains("not refreshed for 61 s")
        );
        // A refresh within the timeout ahead (clocks of two hosts) is live; further is stale.
        r.holder.refreshed = now + 60;
        assert_eq!(stale_record(&r, now, t), None);
        r.holder.refreshed = now + 3600;
        assert!(stale_record(&r, now, t).unwrap().contains("in the future"));
        // The refresh, not the start, counts.
        r.holder.refreshed = now + 500;
        assert_eq!(stale_record(&r, now + 520, t), None);
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

    #[test]
    fn a_refreshed_lease_records_the_refresh() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("batch-1.lease");
        // A timeout of 400 ms refreshes every 100 ms.
        let Acquired::Got(lease, None) = acquire(&p, Duration::from_millis(400)).unwrap() else {
            panic!("not acquired")
        };
        let first = Record::read(&p).unwrap().unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        // Rewritten in place (same token), so still held by us.
        while std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(150));
            let now = Record::read(&p).unwrap().unwrap();
            assert_eq!(now.token, first.token);
            if now.holder.refreshed > first.holder.refreshed {
                drop(lease);
                assert!(!p.exists());
                return;
            }
        }
        panic!("the lease was never refreshed");
    }
}
