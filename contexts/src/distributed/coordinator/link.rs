//! The transport seam: how the dispatch loop reaches one worker.
//!
//! The coordinator's logic (peers, credits, hand-out, merge, speculation) sees a transport
//! through two things only: the [`Event`](super::Event)s it receives from any worker (joined,
//! a message, lost), and one [`Link`] per worker to send to that rank. Broadcasting a run's
//! result is sending the same shared bytes on every live link. Two transports implement
//! them: TCP (`connection.rs`: sealed frames, one writer task per worker) and MPI
//! (`distributed::mpi`, feature `mpi`: one communication thread per process).

use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;
use tokio::sync::mpsc::UnboundedSender;

/// The sending half of one worker's connection, whatever carries it.
pub(crate) trait Link: Send {
    /// Queues `bytes` (one encoded `ToWorker` message) for this worker; `false` when the
    /// link is closed.
    fn send(&self, bytes: Arc<Vec<u8>>) -> bool;
    /// Messages queued and not yet handed to the wire.
    fn backlog(&self) -> &Backlog;
}

/// Counts the messages queued on a link and not yet written, so that the driver can wait
/// until a result it broadcast has left (without polling: writers signal when it drains).
#[derive(Default)]
pub(crate) struct Backlog {
    /// Queued messages, and whether the link is closed (then nothing will drain).
    state: Mutex<(usize, bool)>,
    drained: Condvar,
}

impl Backlog {
    fn lock(&self) -> std::sync::MutexGuard<'_, (usize, bool)> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One more message queued.
    pub fn queued(&self) {
        self.lock().0 += 1;
    }

    /// One message written (or given up on).
    pub fn written(&self) {
        let mut s = self.lock();
        s.0 = s.0.saturating_sub(1);
        if s.0 == 0 {
            self.drained.notify_all();
        }
    }

    /// The link closed: what is queued will never be written.
    pub fn close(&self) {
        let mut s = self.lock();
        *s = (0, true);
        self.drained.notify_all();
    }

    /// Waits until nothing waits to be written or the link closed, at most until `until`.
    /// Returns whether it drained.
    pub fn wait_drained(&self, until: Instant) -> bool {
        let mut s = self.lock();
        while s.0 > 0 && !s.1 {
            let now = Instant::now();
            if now >= until {
                return false;
            }
            s = self
                .drained
                .wait_timeout(s, until - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }
}

/// A TCP worker's link: the queue of its connection's writer task.
pub(crate) struct TcpLink {
    pub tx: UnboundedSender<Arc<Vec<u8>>>,
    pub backlog: Arc<Backlog>,
}

impl Link for TcpLink {
    fn send(&self, bytes: Arc<Vec<u8>>) -> bool {
        self.backlog.queued();
        let ok = self.tx.send(bytes).is_ok();
        if !ok {
            self.backlog.close();
        }
        ok
    }

    fn backlog(&self) -> &Backlog {
        &self.backlog
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn backlog_drains_closes_and_times_out() {
        let b = Arc::new(Backlog::default());
        assert!(b.wait_drained(Instant::now()));
        b.queued();
        b.queued();
        // Not drained: the wait ends at its deadline and says so.
        assert!(!b.wait_drained(Instant::now() + Duration::from_millis(20)));
        let w = b.clone();
        let t = std::thread::spawn(move || {
            w.written();
            std::thread::sleep(Duration::from_millis(10));
            w.written();
        });
        assert!(b.wait_drained(Instant::now() + Duration::from_secs(10)));
        t.join().unwrap();
        b.queued();
        assert!(!b.wait_drained(Instant::now()));
        b.close();
        assert!(b.wait_drained(Instant::now()));
    }
}
