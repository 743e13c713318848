//! The producer's side of a task: its state, the signal that wakes task sets, and the slot a
//! pool holds while the task waits and runs.

use super::TaskHandle;
use super::handle::task_timed_out;
use crate::plumbing::{Unpoisoned, UnpoisonedWait};
use crate::{Error, Result};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

pub(super) enum State<R> {
    Queued,
    Running,
    Done(Result<R>),
    Taken,
    Cancelled,
}

/// What the slot and its handle share.
pub(super) struct Shared<R> {
    pub(super) id: u64,
    pub(super) worker: Option<usize>,
    pub(super) state: Mutex<State<R>>,
    pub(super) cv: Condvar,
    pub(super) signal: Arc<TaskSignal>,
}

impl<R> Shared<R> {
    /// Stores `r` unless the task has a result or was cancelled; wakes the handle and the sets.
    pub(super) fn store(&self, r: Result<R>) {
        {
            let mut st = self.state.lock_unpoisoned();
            if !matches!(*st, State::Queued | State::Running) {
                return;
            }
            *st = State::Done(r);
        }
        self.cv.notify_all();
        self.signal.notify();
    }
}

/// Counts the tasks of one pool that ended (a result or a cancellation), so that a
/// [`super::TaskSet`] sleeps until one does.
///
/// ```
/// use haydi_core::task::{TaskSignal, TaskSlot};
/// let signal = TaskSignal::new();
/// TaskSlot::<u8>::new(0, None, &signal).finish(Ok(1));
/// assert_eq!(signal.ended(), 1);
/// ```
#[derive(Debug, Default)]
pub struct TaskSignal {
    ended: Mutex<u64>,
    cv: Condvar,
}

impl TaskSignal {
    /// A signal no task has ended on yet.
    ///
    /// ```
    /// assert_eq!(haydi_core::task::TaskSignal::new().ended(), 0);
    /// ```
    pub fn new() -> Arc<TaskSignal> {
        Arc::new(TaskSignal::default())
    }

    /// How many tasks ended so far.
    ///
    /// ```
    /// assert_eq!(haydi_core::task::TaskSignal::new().ended(), 0);
    /// ```
    pub fn ended(&self) -> u64 {
        *self.ended.lock_unpoisoned()
    }

    pub(super) fn notify(&self) {
        *self.ended.lock_unpoisoned() += 1;
        self.cv.notify_all();
    }

    /// Waits until more than `seen` tasks ended, at most `d`.
    pub(super) fn wait_past(&self, seen: u64, d: Duration) {
        let g = self.ended.lock_unpoisoned();
        if *g == seen {
            let _unused = self.cv.wait_timeout_unpoisoned(g, d);
        }
    }
}

/// Runs a pool's queued tasks when one of their handles is looked at: for pools whose tasks run
/// on the calling thread (a serial pool, or an SPMD pool whose every process must run them at
/// the same point), rather than on threads of their own.
///
/// ```
/// use haydi_core::task::{TaskDriver, TaskSignal, TaskSlot};
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
/// // A driver that runs its one queued task when asked.
/// struct OnDemand(Mutex<Option<TaskSlot<u32>>>);
/// impl TaskDriver for OnDemand {
///     fn run_queued(&self, _timeout: Option<Duration>) {
///         if let Some(slot) = self.0.lock().unwrap().take() {
///             if slot.start() {
///                 slot.finish(Ok(7));
///             }
///         }
///     }
/// }
/// let driver = Arc::new(OnDemand(Mutex::new(None)));
/// let slot = TaskSlot::new(0, None, &TaskSignal::new());
/// let handle = slot.handle(Some(driver.clone()));
/// *driver.0.lock().unwrap() = Some(slot);
/// assert_eq!(handle.wait()?, 7);
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub trait TaskDriver: Send + Sync {
    /// Runs what is queued now, on the calling thread, with `timeout` (tasks it did not finish
    /// get [`Error::TimedOut`]).
    fn run_queued(&self, timeout: Option<Duration>);
}

/// The producer's side of one task: a pool keeps it with the task's input, calls
/// [`TaskSlot::start`] when a worker takes the task and [`TaskSlot::finish`] with its result.
/// Dropped without a result, it stores [`Error::Worker`].
///
/// ```
/// use haydi_core::task::{TaskSignal, TaskSlot};
/// let slot = TaskSlot::<u8>::new(3, Some(1), &TaskSignal::new());
/// let handle = slot.handle(None);
/// assert_eq!((handle.id(), handle.worker()), (3, Some(1)));
/// drop(slot); // its worker went away
/// assert!(handle.wait().unwrap_err().to_string().contains("task 3"));
/// ```
pub struct TaskSlot<R> {
    shared: Arc<Shared<R>>,
}

impl<R> std::fmt::Debug for TaskSlot<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TaskSlot({})", self.shared.id)
    }
}

impl<R> TaskSlot<R> {
    /// The slot of task `id` (its place among the pool's submits), given to `worker` when the
    /// pool chose one at submission (a device of an accelerator pool), ending on `signal`.
    ///
    /// ```
    /// use haydi_core::task::{TaskSignal, TaskSlot};
    /// let slot = TaskSlot::<()>::new(0, None, &TaskSignal::new());
    /// assert_eq!(slot.id(), 0);
    /// ```
    pub fn new(id: u64, worker: Option<usize>, signal: &Arc<TaskSignal>) -> TaskSlot<R> {
        TaskSlot {
            shared: Arc::new(Shared {
                id,
                worker,
                state: Mutex::new(State::Queued),
                cv: Condvar::new(),
                signal: signal.clone(),
            }),
        }
    }

    /// The task's number.
    ///
    /// ```
    /// use haydi_core::task::{TaskSignal, TaskSlot};
    /// assert_eq!(TaskSlot::<()>::new(5, None, &TaskSignal::new()).id(), 5);
    /// ```
    pub fn id(&self) -> u64 {
        self.shared.id
    }

    /// A handle on the task for its user; `driver` runs the pool's queue when the handle is
    /// looked at (see [`TaskDriver`]), `None` for pools whose tasks run by themselves.
    ///
    /// ```
    /// use haydi_core::task::{TaskSignal, TaskSlot};
    /// let slot = TaskSlot::new(0, None, &TaskSignal::new());
    /// let h = slot.handle(None);
    /// slot.finish(Ok("done"));
    /// assert_eq!(h.wait()?, "done");
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn handle(&self, driver: Option<Arc<dyn TaskDriver>>) -> TaskHandle<R> {
        TaskHandle::new(self.shared.clone(), driver)
    }

    /// Marks the task running: `false` when it was cancelled (or ended) and must not run.
    ///
    /// ```
    /// use haydi_core::task::{TaskSignal, TaskSlot};
    /// let slot = TaskSlot::<u8>::new(0, None, &TaskSignal::new());
    /// assert!(slot.handle(None).cancel());
    /// assert!(!slot.start());
    /// ```
    pub fn start(&self) -> bool {
        let mut st = self.shared.state.lock_unpoisoned();
        match *st {
            State::Queued => {
                *st = State::Running;
                true
            }
            State::Running => true,
            _ => false,
        }
    }

    /// Stores the task's result (ignored when it has one already or was cancelled).
    ///
    /// ```
    /// use haydi_core::task::{TaskSignal, TaskSlot};
    /// let slot = TaskSlot::new(0, None, &TaskSignal::new());
    /// let h = slot.handle(None);
    /// slot.finish(Ok(1));
    /// slot.finish(Ok(2));
    /// assert_eq!(h.wait()?, 1);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn finish(&self, r: Result<R>) {
        self.shared.store(r);
    }

    /// Stores [`Error::TimedOut`] for this task (`what` says which wait ran out), unless it has
    /// a result already.
    ///
    /// ```
    /// use haydi_core::task::{TaskSignal, TaskSlot};
    /// use haydi_core::Error;
    /// let slot = TaskSlot::<u8>::new(0, None, &TaskSignal::new());
    /// let h = slot.handle(None);
    /// slot.time_out("the queue's run".into());
    /// assert!(matches!(h.wait(), Err(Error::TimedOut { .. })));
    /// ```
    pub fn time_out(&self, what: String) {
        self.shared.store(Err(task_timed_out(self.shared.id, what)));
    }

    /// Whether the task was cancelled before it started.
    ///
    /// ```
    /// use haydi_core::task::{TaskSignal, TaskSlot};
    /// let slot = TaskSlot::<u8>::new(0, None, &TaskSignal::new());
    /// assert!(!slot.is_cancelled());
    /// slot.handle(None).cancel();
    /// assert!(slot.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(*self.shared.state.lock_unpoisoned(), State::Cancelled)
    }
}

impl<R> Drop for TaskSlot<R> {
    fn drop(&mut self) {
        let id = self.shared.id;
        self.shared.store(Err(Error::Worker(format!(
            "task {id}: its worker stopped without an answer"
        ))));
    }
}
