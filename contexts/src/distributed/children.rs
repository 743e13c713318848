//! The worker processes a `spawn` driver started: what became of each (for the errors that
//! report a lost worker), and their end when the driver's context is dropped.

use haydi_core::plumbing::Unpoisoned;
use std::path::PathBuf;
use std::process::{Child, ExitStatus};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Spawned workers by rank (rank `r` at index `r - 1`), with where their logs are.
pub(crate) struct Children {
    procs: Mutex<Vec<Child>>,
    log_dir: Option<PathBuf>,
}

/// How long the description of a lost worker waits for its process to be reapable: a worker
/// that crashed closes its connection as it dies, a moment before it can be waited for.
const EXIT_GRACE: Duration = Duration::from_millis(500);

fn signal_name(sig: i32) -> &'static str {
    match sig {
        1 => "SIGHUP",
        2 => "SIGINT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => "a signal",
    }
}

/// "exited with status 7", "was killed by signal 6 (SIGABRT)".
pub(crate) fn describe_status(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("was killed by signal {sig} ({})", signal_name(sig));
        }
    }
    match status.code() {
        Some(c) => format!("exited with status {c}"),
        None => format!("ended ({status})"),
    }
}

impl Children {
    pub fn new(procs: Vec<Child>, log_dir: Option<PathBuf>) -> Self {
        Children {
            procs: Mutex::new(procs),
            log_dir,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Child>> {
        self.procs.lock_unpoisoned()
    }

    /// Process ids by rank.
    pub fn pids(&self) -> Vec<u32> {
        self.lock().iter().map(|c| c.id()).collect()
    }

    /// The log file of worker `rank`.
    pub fn log_path(&self, rank: u32) -> Option<PathBuf> {
        self.log_dir
            .as_ref()
            .map(|d| d.join(format!("worker-{rank}.log")))
    }

    /// What became of worker `rank`'s process, with its log file: for the messages that report
    /// its loss.
    pub fn describe(&self, rank: u32) -> Option<String> {
        let i = usize::try_from(rank).ok()?.checked_sub(1)?;
        let until = Instant::now() + EXIT_GRACE;
        let fate = loop {
            let mut procs = self.lock();
            let c = procs.get_mut(i)?;
            let pid = c.id();
            match c.try_wait() {
                Ok(Some(status)) => break format!("process {pid} {}", describe_status(status)),
                Ok(None) if Instant::now() < until => {}
                Ok(None) => break format!("process {pid} is still running"),
                Err(e) => break format!("process {pid}: {e}"),
            }
            drop(procs);
            std::thread::sleep(Duration::from_millis(10));
        };
        Some(match self.log_path(rank) {
            Some(log) => format!("{fate}; its output is in {}", log.display()),
            None => fate,
        })
    }

    /// Ranks whose process has ended, with how.
    pub fn ended(&self) -> Vec<(u32, String)> {
        self.lock()
            .iter_mut()
            .enumerate()
            .filter_map(|(i, c)| {
                let status = c.try_wait().ok()??;
                Some((i as u32 + 1, describe_status(status)))
            })
            .collect()
    }

    /// Whether no worker was spawned (a driver of workers started by others).
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Whether worker `rank` was spawned here.
    pub fn contains(&self, rank: u32) -> bool {
        rank >= 1 && (rank as usize) <= self.lock().len()
    }

    /// Every worker's rank, process id and exit status (`None` while it runs).
    pub fn poll(&self) -> Vec<(u32, u32, Option<ExitStatus>)> {
        self.lock()
            .iter_mut()
            .enumerate()
            .map(|(i, c)| (i as u32 + 1, c.id(), c.try_wait().ok().flatten()))
            .collect()
    }

    /// Kills worker `rank`'s process and waits for it.
    pub fn kill(&self, rank: u32) {
        let mut procs = self.lock();
        if let Some(c) = (rank as usize)
            .checked_sub(1)
            .and_then(|i| procs.get_mut(i))
        {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Puts a new process in the place of worker `rank`'s (a restarted worker).
    pub fn replace(&self, rank: u32, child: Child) {
        let mut procs = self.lock();
        if let Some(old) = (rank as usize)
            .checked_sub(1)
            .and_then(|i| procs.get_mut(i))
        {
            let _ = old.kill();
            let _ = old.wait();
            *old = child;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_say_how_a_process_ended() {
        let st = std::process::Command::new("sh")
            .args(["-c", "exit 7"])
            .status()
            .unwrap();
        assert_eq!(describe_status(st), "exited with status 7");
        let st = std::process::Command::new("sh")
            .args(["-c", "kill -ABRT $$"])
            .status()
            .unwrap();
        assert_eq!(describe_status(st), "was killed by signal 6 (SIGABRT)");
    }
}
