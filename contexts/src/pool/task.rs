//! `Pool::submit`: tasks with handles, as an executor gives them (apyfal, `concurrent.futures`).
//!
//! Submitted tasks wait in the pool's queue and run in batches, each batch one run of the
//! pool's context with one task per chunk, so a free worker takes the next task (least-loaded
//! dispatch: 8 equal tasks on 4 idle workers run 2 on each).
//!
//! - **In-process contexts** (threads): a dispatcher thread starts a batch as soon as tasks are
//!   queued (up to one batch per worker at once), and each task stores its result in its
//!   handle when it ends, so `is_finished` and `join_next` see tasks as they complete.
//! - **Serial and distributed contexts**: the queue runs, as one run, when a handle is first
//!   looked at (`wait`, `wait_timeout`, `is_finished`, `TaskSet::join_next`) or at
//!   [`Pool::flush`]. On a distributed context that run is collective: every process makes the
//!   same submits and looks at the same handle at the same point (SPMD), so every process gets
//!   every result; tasks of a lost worker run elsewhere, as any chunk does.

use super::Pool;
use haydi_core::context::ParallelContext;
use haydi_core::domain::Indices;
use haydi_core::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A task as the queue sees it.
trait Queued: Send + Sync {
    /// Runs the task here (unless it was cancelled) and stores its result.
    fn run_here(&self);
    /// Runs the task and encodes its result (a collective run's item).
    fn run_encoded(&self) -> std::result::Result<Vec<u8>, String>;
    /// Stores a result that a collective run brought.
    fn deliver(&self, r: std::result::Result<Vec<u8>, String>);
    /// Stores an error unless the task has a result already.
    fn fail(&self, e: Error);
    /// Whether the task was cancelled.
    fn is_cancelled(&self) -> bool;
    /// The task's number.
    fn id(&self) -> u64;
}

enum SlotState<R> {
    Queued,
    Running,
    Done(Result<R>),
    Taken,
    Cancelled,
}

struct Slot<R> {
    state: Mutex<SlotState<R>>,
    cv: Condvar,
}

struct Typed<A, R, F> {
    id: u64,
    f: F,
    arg: A,
    slot: Arc<Slot<R>>,
    queue: Arc<TaskQueue>,
}

impl<A, R, F> Typed<A, R, F>
where
    A: Clone + Send + Sync,
    R: Send + Serialize + DeserializeOwned,
    F: Fn(A) -> R + Send + Sync,
{
    fn store(&self, r: Result<R>) {
        {
            let mut st = lock(&self.slot.state);
            if matches!(*st, SlotState::Done(_) | SlotState::Taken) {
                return;
            }
            *st = SlotState::Done(r);
        }
        self.slot.cv.notify_all();
        self.queue.notify_finished();
    }

    /// Runs the task; a panic is `task N panicked: ...` of chunk `N..N+1`.
    fn call(&self) -> Result<R> {
        let id = self.id as u128;
        haydi_core::plumbing::catch_panic(
            id..id + 1,
            &format!("task {} panicked: ", self.id),
            || (self.f)(self.arg.clone()),
        )
    }
}

impl<A, R, F> Queued for Typed<A, R, F>
where
    A: Clone + Send + Sync,
    R: Send + Serialize + DeserializeOwned,
    F: Fn(A) -> R + Send + Sync,
{
    fn run_here(&self) {
        {
            let mut st = lock(&self.slot.state);
            if !matches!(*st, SlotState::Queued) {
                return;
            }
            *st = SlotState::Running;
        }
        let r = self.call().map_err(|e| match e {
            Error::Panicked { chunk, message, .. } => Error::Panicked {
                chunk,
                message,
                worker: std::thread::current().name().map(str::to_string),
            },
            e => e,
        });
        self.store(r);
    }

    fn run_encoded(&self) -> std::result::Result<Vec<u8>, String> {
        let r = self.call().map_err(|e| match e {
            Error::Panicked { message, .. } => message,
            e => e.to_string(),
        })?;
        haydi_core::plumbing::encode_value(&r)
            .map_err(|e| format!("task {}: cannot encode its result: {e}", self.id))
    }

    fn deliver(&self, r: std::result::Result<Vec<u8>, String>) {
        let r = match r {
            Ok(bytes) => haydi_core::plumbing::decode_value::<R>(&bytes)
                .map_err(|e| Error::Serialization(format!("task {}: {e}", self.id))),
            Err(m) => Err(Error::Panicked {
                chunk: self.id as u128..self.id as u128 + 1,
                message: m,
                worker: None,
            }),
        };
        self.store(r);
    }

    fn fail(&self, e: Error) {
        self.store(Err(e));
    }

    fn is_cancelled(&self) -> bool {
        matches!(*lock(&self.slot.state), SlotState::Cancelled)
    }

    fn id(&self) -> u64 {
        self.id
    }
}

struct QueueState {
    queued: Vec<Arc<dyn Queued>>,
    in_flight: usize,
    dispatcher: bool,
    closed: bool,
    next_id: u64,
}

/// The submitted tasks of one pool.
pub(crate) struct TaskQueue {
    ctx: Arc<dyn ParallelContext>,
    state: Mutex<QueueState>,
    wake: Condvar,
    finished: Mutex<u64>,
    finished_cv: Condvar,
}

impl TaskQueue {
    pub(crate) fn new(ctx: Arc<dyn ParallelContext>) -> Arc<TaskQueue> {
        Arc::new(TaskQueue {
            ctx,
            state: Mutex::new(QueueState {
                queued: Vec::new(),
                in_flight: 0,
                dispatcher: false,
                closed: false,
                next_id: 0,
            }),
            wake: Condvar::new(),
            finished: Mutex::new(0),
            finished_cv: Condvar::new(),
        })
    }

    /// Whether the queue runs when looked at, on the calling thread (serial, SPMD).
    fn on_demand(&self) -> bool {
        crate::extensions::is_collective(&*self.ctx) || crate::extensions::is_serial(&*self.ctx)
    }

    pub(crate) fn close(&self) {
        lock(&self.state).closed = true;
        self.wake.notify_all();
    }

    fn notify_finished(&self) {
        *lock(&self.finished) += 1;
        self.finished_cv.notify_all();
    }

    /// Starts the dispatcher thread if it does not run yet.
    fn ensure_dispatcher(self: &Arc<Self>, st: &mut QueueState) {
        if st.dispatcher {
            return;
        }
        st.dispatcher = true;
        let q = self.clone();
        let spawned = std::thread::Builder::new()
            .name("haydi-pool-dispatch".into())
            .spawn(move || q.dispatch());
        if spawned.is_err() {
            // No thread: tasks then run when looked at, like the serial pool's.
            st.dispatcher = false;
        }
    }

    fn dispatch(self: Arc<Self>) {
        let max = self.ctx.workers().max(1);
        let mut st = lock(&self.state);
        loop {
            if st.queued.is_empty() || st.in_flight >= max {
                if st.closed && st.queued.is_empty() {
                    st.dispatcher = false;
                    return;
                }
                st = self.wake.wait(st).unwrap_or_else(|e| e.into_inner());
                continue;
            }
            let batch = Arc::new(std::mem::take(&mut st.queued));
            st.in_flight += 1;
            let q = self.clone();
            let b = batch.clone();
            let spawned = std::thread::Builder::new()
                .name("haydi-pool-batch".into())
                .spawn(move || {
                    q.run_batch_here(&b);
                    lock(&q.state).in_flight -= 1;
                    q.wake.notify_all();
                });
            if let Err(e) = spawned {
                st.in_flight -= 1;
                drop(st);
                // No thread for the batch: run it here rather than leave its handles waiting.
                haydi_core::warning!(
                    "pool: cannot start a batch thread ({e}); running the batch on the dispatcher"
                );
                self.run_batch_here(&batch);
                st = lock(&self.state);
            }
        }
    }

    /// One run of the context over `batch`, one task per chunk, each storing its own result.
    fn run_batch_here(&self, batch: &[Arc<dyn Queued>]) {
        let n = batch.len() as u64;
        let r = Indices(n)
            .iterate()
            .map(|i| batch[i as usize].run_here())
            .count()
            .run_in_with(&*self.ctx, &RunOptions::new().chunk_size(1));
        if let Err(e) = r {
            for t in batch {
                t.fail(Error::Worker(format!("the batch of tasks failed: {e}")));
            }
        }
    }

    /// Runs what is queued now as one run on the calling thread (serial and SPMD pools), with
    /// `timeout`; tasks the run did not finish get [`Error::TimedOut`].
    fn run_queued(&self, timeout: Option<Duration>) {
        let batch: Vec<Arc<dyn Queued>> = {
            let mut st = lock(&self.state);
            std::mem::take(&mut st.queued)
                .into_iter()
                .filter(|t| !t.is_cancelled())
                .collect()
        };
        if batch.is_empty() {
            return;
        }
        let mut opts = RunOptions::new().chunk_size(1);
        if let Some(t) = timeout {
            opts = opts.timeout(t);
        }
        let b = &batch;
        let out = Indices(batch.len() as u64)
            .iterate()
            .map(move |i| b[i as usize].run_encoded())
            .collect()
            .run_in_with(&*self.ctx, &opts);
        match out {
            Ok(out) => {
                let mut values = out.value.into_iter();
                let mut at = 0usize;
                for r in &out.covered {
                    let (s, e) = (r.start as usize, r.end as usize);
                    for t in &batch[at..s] {
                        t.fail(task_timed_out(
                            t.id(),
                            format!(
                                "task {} (queued tasks run with a timeout of {timeout:?})",
                                t.id()
                            ),
                        ));
                    }
                    for t in &batch[s..e] {
                        t.deliver(
                            values
                                .next()
                                .unwrap_or_else(|| Err("missing result".into())),
                        );
                    }
                    at = e;
                }
                for t in &batch[at..] {
                    t.fail(task_timed_out(
                        t.id(),
                        format!(
                            "task {} (queued tasks run with a timeout of {timeout:?})",
                            t.id()
                        ),
                    ));
                }
            }
            Err(e) => {
                for t in &batch {
                    t.fail(Error::Worker(format!("the batch of tasks failed: {e}")));
                }
            }
        }
    }
}

/// Task `id` did not end in time (`what` says which wait).
fn task_timed_out(id: u64, what: String) -> Error {
    Error::TimedOut {
        what,
        done: 0,
        total: 1,
        missing: std::iter::once(id..id + 1).collect(),
    }
}

/// A submitted task: wait for its result, look whether it finished, or cancel it.
///
/// ```
/// use haydi_contexts::Pool;
/// use haydi_core::prelude::*;
/// let pool = Pool::new(ThreadContext::new(2)?);
/// let h = pool.submit(|x: u64| x * 2, 21);
/// assert_eq!(h.wait()?, 42);
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub struct TaskHandle<R> {
    id: u64,
    slot: Arc<Slot<R>>,
    queue: Arc<TaskQueue>,
}

impl<R> std::fmt::Debug for TaskHandle<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TaskHandle({})", self.id)
    }
}

impl<R> TaskHandle<R> {
    /// The task's number: its place among the pool's submits, from 0.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(SerialContext);
    /// let (a, b) = (pool.submit(|x: u8| x, 1), pool.submit(|x: u8| x, 2));
    /// assert_eq!((a.id(), b.id()), (0, 1));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn id(&self) -> u64 {
        self.id
    }

    fn settle(&self) {
        if self.queue.on_demand() {
            self.queue.run_queued(None);
        }
    }

    /// Whether the task ended (with a result, an error, or cancelled). On the serial and
    /// distributed pools this first runs the queued tasks (see the module docs).
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(SerialContext);
    /// assert!(pool.submit(|x: u8| x, 1).is_finished());
    /// ```
    pub fn is_finished(&self) -> bool {
        self.settle();
        !matches!(
            *lock(&self.slot.state),
            SlotState::Queued | SlotState::Running
        )
    }

    /// Cancels the task if it has not started: `true` then, and `wait` gives an error.
    /// A running task cannot be stopped (`false`).
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(SerialContext);
    /// let h = pool.submit(|x: u8| x, 1);
    /// assert!(h.cancel());
    /// assert!(h.wait().is_err());
    /// ```
    pub fn cancel(&self) -> bool {
        let cancelled = {
            let mut st = lock(&self.slot.state);
            if matches!(*st, SlotState::Queued) {
                *st = SlotState::Cancelled;
                true
            } else {
                false
            }
        };
        if cancelled {
            self.slot.cv.notify_all();
            self.queue.notify_finished();
        }
        cancelled
    }

    fn take(&self, until: Option<Instant>) -> Result<R> {
        let mut st = lock(&self.slot.state);
        loop {
            match std::mem::replace(&mut *st, SlotState::Taken) {
                SlotState::Done(r) => return r,
                SlotState::Taken => {
                    return Err(Error::Context(format!(
                        "task {}: its result was taken already",
                        self.id
                    )))
                }
                SlotState::Cancelled => {
                    *st = SlotState::Cancelled;
                    return Err(Error::Context(format!("task {} was cancelled", self.id)));
                }
                other => *st = other,
            }
            match until {
                None => st = self.slot.cv.wait(st).unwrap_or_else(|e| e.into_inner()),
                Some(u) => {
                    let now = Instant::now();
                    if now >= u {
                        return Err(task_timed_out(self.id, format!("task {}", self.id)));
                    }
                    st = self
                        .slot
                        .cv
                        .wait_timeout(st, u - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
            }
        }
    }

    /// Waits for the task and returns its result; a panic in it is [`Error::Panicked`]
    /// naming the task.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(ThreadContext::new(2)?);
    /// let h = pool.submit(|x: u8| if x > 0 { panic!("no") } else { x }, 1);
    /// assert!(h.wait().unwrap_err().to_string().contains("task 0 panicked: no"));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn wait(self) -> Result<R> {
        self.settle();
        self.take(None)
    }

    /// Waits at most `d`: [`Error::TimedOut`] when the task did not end by then (it still
    /// runs; its result is dropped). On the serial and distributed pools the queued tasks run
    /// with `d` as their timeout.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// use std::time::Duration;
    /// let pool = Pool::new(ThreadContext::new(2)?);
    /// let h = pool.submit(|ms: u64| std::thread::sleep(Duration::from_millis(ms)), 50);
    /// assert!(matches!(h.wait_timeout(Duration::from_millis(1)), Err(Error::TimedOut { .. })));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn wait_timeout(self, d: Duration) -> Result<R> {
        let until = Instant::now() + d;
        if self.queue.on_demand() {
            self.queue.run_queued(Some(d));
            if Instant::now() > until {
                // A serial pool cannot stop a task it started: it ended past the deadline.
                return Err(task_timed_out(self.id, format!("task {}", self.id)));
            }
        }
        self.take(Some(until))
    }
}

/// Handles gathered to be joined as they finish (tokio's `JoinSet`).
///
/// ```
/// use haydi_contexts::Pool;
/// use haydi_contexts::pool::TaskSet;
/// use haydi_core::prelude::*;
/// let pool = Pool::new(ThreadContext::new(2)?);
/// let mut set = TaskSet::new();
/// for x in 0..4u64 {
///     set.push(pool.submit(|x: u64| x * x, x));
/// }
/// let mut got = Vec::new();
/// while let Some((id, r)) = set.join_next() {
///     got.push((id, r?));
/// }
/// got.sort();
/// assert_eq!(got, [(0, 0), (1, 1), (2, 4), (3, 9)]);
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub struct TaskSet<R> {
    handles: Vec<TaskHandle<R>>,
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
    /// use haydi_contexts::pool::TaskSet;
    /// assert!(TaskSet::<u8>::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a handle.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_contexts::pool::TaskSet;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(SerialContext);
    /// let mut set = TaskSet::new();
    /// set.push(pool.submit(|x: u8| x, 1));
    /// assert_eq!(set.len(), 1);
    /// ```
    pub fn push(&mut self, h: TaskHandle<R>) {
        self.handles.push(h);
    }

    /// Handles not joined yet.
    ///
    /// ```
    /// use haydi_contexts::pool::TaskSet;
    /// assert_eq!(TaskSet::<u8>::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.handles.len()
    }

    /// Whether every handle was joined.
    ///
    /// ```
    /// use haydi_contexts::pool::TaskSet;
    /// assert!(TaskSet::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.handles.is_empty()
    }

    /// The next task to end, with its id and result; `None` when the set is empty. On the
    /// serial and distributed pools, tasks come in submission order.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_contexts::pool::TaskSet;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(SerialContext);
    /// let mut set = TaskSet::new();
    /// set.push(pool.submit(|x: u8| x + 1, 1));
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
    /// use haydi_contexts::Pool;
    /// use haydi_contexts::pool::TaskSet;
    /// use haydi_core::prelude::*;
    /// use std::time::Duration;
    /// let pool = Pool::new(ThreadContext::new(2)?);
    /// let mut set = TaskSet::new();
    /// set.push(pool.submit(|ms: u64| std::thread::sleep(Duration::from_millis(ms)), 200));
    /// assert!(matches!(set.join_next_timeout(Duration::from_millis(1)), Some((_, Err(Error::TimedOut { .. })))));
    /// assert_eq!(set.len(), 1);
    /// assert!(set.join_next().is_some_and(|(_, r)| r.is_ok()));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn join_next_timeout(&mut self, d: Duration) -> Option<(u64, Result<R>)> {
        self.join_next_until(Some(Instant::now() + d))
    }

    fn join_next_until(&mut self, until: Option<Instant>) -> Option<(u64, Result<R>)> {
        let queue = self.handles.first()?.queue.clone();
        loop {
            if let Some(u) = until {
                if Instant::now() >= u && !self.handles.iter().any(|h| h.is_finished()) {
                    let mut ids: Vec<u64> = self.handles.iter().map(|h| h.id).collect();
                    ids.sort_unstable();
                    let first = ids[0];
                    let mut missing: Vec<std::ops::Range<u64>> = Vec::new();
                    for &i in &ids {
                        match missing.last_mut() {
                            Some(r) if r.end == i => r.end = i + 1,
                            _ => missing.push(i..i + 1),
                        }
                    }
                    return Some((
                        first,
                        Err(Error::TimedOut {
                            what: "join_next".into(),
                            done: 0,
                            total: ids.len() as u64,
                            missing,
                        }),
                    ));
                }
            }
            let epoch = *lock(&queue.finished);
            if let Some(i) = self.handles.iter().position(|h| h.is_finished()) {
                let h = self.handles.remove(i);
                let id = h.id;
                return Some((id, h.take(None)));
            }
            let g = lock(&queue.finished);
            if *g == epoch {
                // A finish between the scan and here bumped the epoch: scan again at once.
                let mut wait = Duration::from_millis(100);
                if let Some(u) = until {
                    wait = wait.min(u.saturating_duration_since(Instant::now()));
                }
                let _unused = queue
                    .finished_cv
                    .wait_timeout(g, wait)
                    .unwrap_or_else(|e| e.into_inner());
            }
        }
    }
}

impl Pool {
    /// Submits `f(arg)` and returns its handle (see the module docs for when it runs). Tasks
    /// run on the pool's workers, one per chunk, so a free worker takes the next one.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(ThreadContext::new(4)?);
    /// let hs: Vec<_> = (0..8u64).map(|i| pool.submit(|i: u64| i + 1, i)).collect();
    /// let rs: Vec<u64> = hs.into_iter().map(|h| h.wait()).collect::<Result<_>>()?;
    /// assert_eq!(rs, (1..=8).collect::<Vec<_>>());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn submit<A, R, F>(&self, f: F, arg: A) -> TaskHandle<R>
    where
        A: Clone + Send + Sync + 'static,
        R: Send + Serialize + DeserializeOwned + 'static,
        F: Fn(A) -> R + Send + Sync + 'static,
    {
        let q = &self.tasks;
        let slot = Arc::new(Slot {
            state: Mutex::new(SlotState::Queued),
            cv: Condvar::new(),
        });
        let mut st = lock(&q.state);
        let id = st.next_id;
        st.next_id += 1;
        st.queued.push(Arc::new(Typed {
            id,
            f,
            arg,
            slot: slot.clone(),
            queue: q.clone(),
        }));
        if !q.on_demand() {
            q.ensure_dispatcher(&mut st);
            if !st.dispatcher {
                drop(st);
                q.run_queued(None);
            }
        }
        q.wake.notify_all();
        TaskHandle {
            id,
            slot,
            queue: q.clone(),
        }
    }

    /// Runs the queued tasks now (serial and distributed pools; on the others they run
    /// already). On a distributed pool every process must call it at the same point.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(SerialContext);
    /// let h = pool.submit(|x: u8| x, 3);
    /// pool.flush();
    /// assert_eq!(h.wait()?, 3);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn flush(&self) {
        if self.tasks.on_demand() {
            self.tasks.run_queued(None);
        }
    }
}
