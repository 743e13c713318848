//! Handles joined as they finish (tokio's `JoinSet`).

use super::handle::TaskHandle;
use crate::{Error, Result};
use std::time::{Duration, Instant};

/// Handles gathered to be joined as they finish (tokio's `JoinSet`).
///
/// ```
/// use haydi_core::task::{TaskSet, TaskSignal, TaskSlot};
/// let signal = TaskSignal::new();
/// let mut set = TaskSet::new();
/// let slots: Vec<_> = (0..3u64).map(|i| TaskSlot::new(i, None, &signal)).collect();
/// for s in &slots {
///     set.push(s.handle(None));
/// }
/// slots[2].finish(Ok(20));
/// assert_eq!(set.join_next().map(|(id, r)| (id, r.unwrap())), Some((2, 20)));
/// drop(slots); // the others' worker went away
/// assert!(set.join_next().is_some_and(|(_, r)| r.is_err()));
/// assert_eq!(set.len(), 1);
/// ```
pub struct TaskSet<R> {
    handles: Vec<TaskHandle<R>>,
}

impl<R> std::fmt::Debug for TaskSet<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.handles.iter()).finish()
    }
}

impl<R> Default for TaskSet<R> {
    fn default() -> Self {
        TaskSet {
            handles: Vec::new(),
        }
    }
}

impl<R> TaskSet<R> {
    /// An empty set.
    ///
    /// ```
    /// use haydi_core::task::TaskSet;
    /// assert!(TaskSet::<u8>::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a handle.
    ///
    /// ```
    /// use haydi_core::task::{TaskSet, TaskSignal, TaskSlot};
    /// let slot = TaskSlot::<u8>::new(0, None, &TaskSignal::new());
    /// let mut set = TaskSet::new();
    /// set.push(slot.handle(None));
    /// assert_eq!(set.len(), 1);
    /// ```
    pub fn push(&mut self, h: TaskHandle<R>) {
        self.handles.push(h);
    }

    /// Handles not joined yet.
    ///
    /// ```
    /// use haydi_core::task::TaskSet;
    /// assert_eq!(TaskSet::<u8>::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.handles.len()
    }

    /// Whether every handle was joined.
    ///
    /// ```
    /// use haydi_core::task::TaskSet;
    /// assert!(TaskSet::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.handles.is_empty()
    }

    /// The next task to end, with its id and result; `None` when the set is empty. With a
    /// pool that runs its queue when looked at (serial, SPMD), tasks come in submission order.
    ///
    /// ```
    /// use haydi_core::task::{TaskSet, TaskSignal, TaskSlot};
    /// let slot = TaskSlot::new(0, None, &TaskSignal::new());
    /// let mut set = TaskSet::new();
    /// set.push(slot.handle(None));
    /// std::thread::spawn(move || slot.finish(Ok(2)));
    /// assert_eq!(set.join_next().map(|(id, r)| (id, r.unwrap())), Some((0, 2)));
    /// assert!(set.join_next().is_none());
    /// ```
    pub fn join_next(&mut self) -> Option<(u64, Result<R>)> {
        self.join_next_until(None)
    }

    /// [`TaskSet::join_next`] waiting at most `d`: `Some(Err(Error::TimedOut))` naming the
    /// unfinished tasks when none ended by then (they stay in the set).
    ///
    /// ```
    /// use haydi_core::task::{TaskSet, TaskSignal, TaskSlot};
    /// use haydi_core::Error;
    /// use std::time::Duration;
    /// let slot = TaskSlot::<u8>::new(0, None, &TaskSignal::new());
    /// let mut set = TaskSet::new();
    /// set.push(slot.handle(None));
    /// assert!(matches!(set.join_next_timeout(Duration::from_millis(1)), Some((_, Err(Error::TimedOut { .. })))));
    /// assert_eq!(set.len(), 1);
    /// ```
    pub fn join_next_timeout(&mut self, d: Duration) -> Option<(u64, Result<R>)> {
        self.join_next_until(Some(Instant::now() + d))
    }

    fn join_next_until(&mut self, until: Option<Instant>) -> Option<(u64, Result<R>)> {
        self.handles.first()?;
        loop {
            if let Some(u) = until {
                if Instant::now() >= u && !self.handles.iter().any(|h| h.is_finished()) {
                    return Some(self.timed_out());
                }
            }
            let seen = self.handles[0].signal_ended();
            if let Some(i) = self.handles.iter().position(|h| h.is_finished()) {
                let h = self.handles.remove(i);
                let id = h.id();
                return Some((id, h.take(None)));
            }
            // The first handle's pool wakes us when one of its tasks ends; the bounded wait
            // covers handles of other pools in the same set.
            let mut wait = Duration::from_millis(100);
            if let Some(u) = until {
                wait = wait.min(u.saturating_duration_since(Instant::now()));
            }
            self.handles[0].signal_wait_past(seen, wait);
        }
    }

    /// The error of a `join_next_timeout` that saw no task end: the ids still waited for.
    fn timed_out(&self) -> (u64, Result<R>) {
        let mut ids: Vec<u64> = self.handles.iter().map(|h| h.id()).collect();
        ids.sort_unstable();
        let mut missing: Vec<std::ops::Range<u64>> = Vec::new();
        for &i in &ids {
            match missing.last_mut() {
                Some(r) if r.end == i => r.end = i + 1,
                _ => missing.push(i..i + 1),
            }
        }
        (
            ids[0],
            Err(Error::TimedOut {
                what: "join_next".into(),
                done: 0,
                total: ids.len() as u64,
                missing,
            }),
        )
    }
}
