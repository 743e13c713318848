//! The user's side of a task: wait for it, look whether it ended, cancel it.

use super::TaskDriver;
use super::slot::{Shared, State};
use crate::plumbing::{Unpoisoned, UnpoisonedWait};
use crate::{Error, Result};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A submitted task: wait for its result, look whether it finished, or cancel it before it
/// starts. Pools make them (`Pool::submit`, `AcceleratorPool::process_submit`); see the
/// [module docs](crate::task).
///
/// ```
/// use haydi_core::task::{TaskSignal, TaskSlot};
/// let slot = TaskSlot::new(0, None, &TaskSignal::new());
/// let h = slot.handle(None);
/// assert!(!h.is_finished());
/// slot.finish(Ok(42));
/// assert!(h.is_finished());
/// assert_eq!(h.wait()?, 42);
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub struct TaskHandle<R> {
    shared: Arc<Shared<R>>,
    driver: Option<Arc<dyn TaskDriver>>,
}

impl<R> std::fmt::Debug for TaskHandle<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TaskHandle({})", self.shared.id)
    }
}

/// Task `id` did not end in time (`what` says which wait).
pub(super) fn task_timed_out(id: u64, what: String) -> Error {
    Error::TimedOut {
        what,
        done: 0,
        total: 1,
        missing: std::iter::once(id..id + 1).collect(),
    }
}

impl<R> TaskHandle<R> {
    pub(super) fn new(shared: Arc<Shared<R>>, driver: Option<Arc<dyn TaskDriver>>) -> Self {
        TaskHandle { shared, driver }
    }

    /// The task's number: its place among its pool's submits, from 0.
    ///
    /// ```
    /// use haydi_core::task::{TaskSignal, TaskSlot};
    /// assert_eq!(TaskSlot::<u8>::new(4, None, &TaskSignal::new()).handle(None).id(), 4);
    /// ```
    pub fn id(&self) -> u64 {
        self.shared.id
    }

    /// The worker the pool gave the task to at submission, when it chose one then (the
    /// device's index in an `AcceleratorPool`); `None` where a free worker takes it later.
    ///
    /// ```
    /// use haydi_core::task::{TaskSignal, TaskSlot};
    /// assert_eq!(TaskSlot::<u8>::new(0, Some(2), &TaskSignal::new()).handle(None).worker(), Some(2));
    /// ```
    pub fn worker(&self) -> Option<usize> {
        self.shared.worker
    }

    /// Whether the task ended (with a result, an error, or cancelled). A handle with a
    /// [`TaskDriver`] first runs its pool's queued tasks.
    ///
    /// ```
    /// use haydi_core::task::{TaskSignal, TaskSlot};
    /// let slot = TaskSlot::<u8>::new(0, None, &TaskSignal::new());
    /// let h = slot.handle(None);
    /// assert!(!h.is_finished());
    /// drop(slot);
    /// assert!(h.is_finished());
    /// ```
    pub fn is_finished(&self) -> bool {
        if let Some(d) = &self.driver {
            d.run_queued(None);
        }
        !matches!(
            *self.shared.state.lock_unpoisoned(),
            State::Queued | State::Running
        )
    }

    pub(super) fn signal_ended(&self) -> u64 {
        self.shared.signal.ended()
    }

    pub(super) fn signal_wait_past(&self, seen: u64, d: Duration) {
        self.shared.signal.wait_past(seen, d)
    }

    /// Cancels the task if it has not started: `true` then, and `wait` gives an error. A
    /// running task cannot be stopped (`false`).
    ///
    /// ```
    /// use haydi_core::task::{TaskSignal, TaskSlot};
    /// let slot = TaskSlot::<u8>::new(0, None, &TaskSignal::new());
    /// let h = slot.handle(None);
    /// assert!(h.cancel());
    /// assert!(!slot.start());
    /// assert!(h.wait().unwrap_err().to_string().contains("cancelled"));
    /// ```
    pub fn cancel(&self) -> bool {
        {
            let mut st = self.shared.state.lock_unpoisoned();
            if !matches!(*st, State::Queued) {
                return false;
            }
            *st = State::Cancelled;
        }
        self.shared.cv.notify_all();
        self.shared.signal.notify();
        true
    }

    /// The result, waiting until `until` at most.
    pub(super) fn take(&self, until: Option<Instant>) -> Result<R> {
        let id = self.shared.id;
        let mut st = self.shared.state.lock_unpoisoned();
        loop {
            match std::mem::replace(&mut *st, State::Taken) {
                State::Done(r) => return r,
                State::Taken => {
                    return Err(Error::Context(format!(
                        "task {id}: its result was taken already"
                    )));
                }
                State::Cancelled => {
                    *st = State::Cancelled;
                    return Err(Error::Context(format!("task {id} was cancelled")));
                }
                other => *st = other,
            }
            match until {
                None => st = self.shared.cv.wait_unpoisoned(st),
                Some(u) => {
                    let now = Instant::now();
                    if now >= u {
                        return Err(task_timed_out(id, format!("task {id}")));
                    }
                    st = self.shared.cv.wait_timeout_unpoisoned(st, u - now).0;
                }
            }
        }
    }

    /// Waits for the task and returns its result (its own error, [`Error::Panicked`] naming
    /// the task when the pool caught a panic, [`Error::Worker`] when its worker went away).
    ///
    /// ```
    /// use haydi_core::task::{TaskSignal, TaskSlot};
    /// let slot = TaskSlot::new(0, None, &TaskSignal::new());
    /// let h = slot.handle(None);
    /// std::thread::spawn(move || slot.finish(Ok(1 + 1)));
    /// assert_eq!(h.wait()?, 2);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn wait(self) -> Result<R> {
        if let Some(d) = &self.driver {
            d.run_queued(None);
        }
        self.take(None)
    }

    /// Waits at most `d`: [`Error::TimedOut`] when the task did not end by then (it still
    /// runs; its result is dropped). A handle with a [`TaskDriver`] runs its pool's queued
    /// tasks with `d` as their timeout.
    ///
    /// ```
    /// use haydi_core::task::{TaskSignal, TaskSlot};
    /// use haydi_core::Error;
    /// use std::time::Duration;
    /// let slot = TaskSlot::<u8>::new(0, None, &TaskSignal::new());
    /// let h = slot.handle(None);
    /// assert!(matches!(h.wait_timeout(Duration::from_millis(1)), Err(Error::TimedOut { .. })));
    /// ```
    pub fn wait_timeout(self, d: Duration) -> Result<R> {
        let until = Instant::now() + d;
        if let Some(driver) = &self.driver {
            driver.run_queued(Some(d));
            if Instant::now() > until {
                // A driver on the calling thread cannot stop a task it started: it ended late.
                return Err(task_timed_out(self.id(), format!("task {}", self.id())));
            }
        }
        self.take(Some(until))
    }
}
