//! One worker as the driver sees it: its connection, its credits and the chunks it holds.

use crate::distributed::transport::Link;
use haydi_core::plumbing::ChunkSpec;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

/// A worker as the driver sees it.
pub(crate) struct Peer {
    pub threads: u32,
    pub host: String,
    pub pid: u32,
    /// How the driver reaches it (its transport's half).
    pub link: Box<dyn Link>,
    pub alive: bool,
    /// The run sequence number this peer announced (this run only).
    pub at: Option<u64>,
    pub credits: u32,
    /// Chunks this peer holds (running or queued behind its threads), by chunk id.
    pub in_flight: HashMap<u64, Held>,
    /// Chunks sent to this peer so far (the order of the next one).
    sent: u64,
    /// Whether the peer announced a run that had ended (a process that joined late, such as a
    /// restarted worker, catching up on the runs it missed), and has not yet reached the
    /// current run: it is not waited for until then.
    pub catching_up: bool,
    /// The run in progress when the peer joined: it may take part, but is not waited for.
    pub joined_during: Option<u64>,
    /// The latest run the peer announced, if any.
    pub reached: Option<u64>,
    /// Set when the peer's program ended (`ToDriver::Leaving`), with how many runs it made.
    pub left_after: Option<u64>,
}

impl Peer {
    /// A peer that just joined.
    pub fn new(threads: u32, host: String, pid: u32, link: Box<dyn Link>) -> Self {
        Peer {
            threads,
            host,
            pid,
            link,
            alive: true,
            at: None,
            credits: 0,
            in_flight: HashMap::new(),
            sent: 0,
            catching_up: false,
            joined_during: None,
            reached: None,
            left_after: None,
        }
    }

    /// Queues `bytes` for this peer's connection; `false` if it is closed.
    pub fn send(&self, bytes: Arc<Vec<u8>>) -> bool {
        self.link.send(bytes)
    }

    /// Forgets the state of the last run, at the start of a new one.
    pub fn reset_for_run(&mut self) {
        self.at = None;
        self.credits = 0;
        self.in_flight.clear();
    }
}

/// A chunk handed to a peer. A worker queues the chunks it receives and its threads take them
/// in the order they were sent, so the `threads` oldest chunks a peer holds are the ones that
/// may be running and the others are surely still queued (prefetched).
pub(crate) struct Held {
    pub spec: ChunkSpec,
    /// Position in the order the peer's chunks were sent.
    pub order: u64,
    /// Whether it may be running (among the `threads` oldest held).
    pub started: bool,
    /// When it was sent, or, for a chunk that was queued first, when it may have started.
    pub since: Instant,
}

impl Peer {
    /// Records `spec` as sent to this peer now.
    pub fn hold(&mut self, spec: ChunkSpec, now: Instant) {
        let order = self.sent;
        self.sent += 1;
        self.in_flight.insert(
            spec.id,
            Held {
                spec,
                order,
                started: false,
                since: now,
            },
        );
        self.promote(now);
    }

    /// Forgets chunk `id` (completed, or completed elsewhere); the next queued chunk may start.
    pub fn release(&mut self, id: u64, now: Instant) -> Option<ChunkSpec> {
        let h = self.in_flight.remove(&id)?;
        self.promote(now);
        Some(h.spec)
    }

    /// Marks the `threads` oldest chunks held as possibly running from `now` on.
    fn promote(&mut self, now: Instant) {
        let mut held: Vec<&mut Held> = self.in_flight.values_mut().collect();
        held.sort_unstable_by_key(|h| h.order);
        for h in held.into_iter().take(self.threads as usize) {
            if !h.started {
                h.started = true;
                h.since = now;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::distributed::transport::Backlog;
    use std::time::Duration;

    /// A link whose messages go nowhere.
    #[derive(Default)]
    struct Nowhere(Backlog);

    impl Link for Nowhere {
        fn send(&self, _: Arc<Vec<u8>>) -> bool {
            true
        }
        fn backlog(&self) -> &Backlog {
            &self.0
        }
    }

    fn peer(threads: u32) -> Peer {
        Peer::new(threads, "test".into(), 1, Box::<Nowhere>::default())
    }

    fn spec(id: u64) -> ChunkSpec {
        ChunkSpec {
            id,
            start: id as u128 * 10,
            end: id as u128 * 10 + 10,
            budgets: Vec::new(),
        }
    }

    fn started(p: &Peer) -> Vec<u64> {
        let mut v: Vec<u64> = p
            .in_flight
            .iter()
            .filter(|(_, h)| h.started)
            .map(|(id, _)| *id)
            .collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn prefetched_chunks_start_in_the_order_sent() {
        let t0 = Instant::now();
        let mut p = peer(2);
        for id in [5, 3, 9, 1] {
            p.hold(spec(id), t0);
        }
        // The two oldest may run; the others wait in the worker's queue.
        assert_eq!(started(&p), vec![3, 5]);
        let t1 = t0 + Duration::from_millis(7);
        assert_eq!(p.release(5, t1).map(|s| s.id), Some(5));
        assert_eq!(started(&p), vec![3, 9]);
        // A queued chunk's clock starts when it may start, not when it was sent.
        assert_eq!(p.in_flight[&9].since, t1);
        assert_eq!(p.in_flight[&3].since, t0);
        assert!(p.release(42, t1).is_none());
        assert!(!p.in_flight[&1].started);
    }
}
