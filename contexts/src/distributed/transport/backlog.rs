//! What a link has queued and not yet written, so that a side can wait until a message it
//! sent has left (the driver's last result, a worker's farewell) without polling: the writers
//! signal when it drains.

use haydi_core::plumbing::{Unpoisoned, UnpoisonedWait};
use std::sync::{Condvar, Mutex};
use std::time::Instant;

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
        self.state.lock_unpoisoned()
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
            s = self.drained.wait_timeout_unpoisoned(s, until - now).0;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
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
