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
use haydi_core::plumbing::{Unpoisoned, UnpoisonedWait};
use haydi_core::prelude::*;
use haydi_core::task::{TaskDriver, TaskHandle, TaskSignal, TaskSlot};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

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
    /// Stores a timeout (`what` says which) unless the task has a result already.
    fn time_out(&self, what: String);
    /// Whether the task was cancelled.
    fn is_cancelled(&self) -> bool;
    /// The task's number.
    fn id(&self) -> u64;
}

struct Typed<A, R, F> {
    f: F,
    arg: A,
    slot: TaskSlot<R>,
}

impl<A, R, F> Typed<A, R, F>
where
    A: Clone + Send + Sync,
    R: Send + Serialize + DeserializeOwned,
    F: Fn(A) -> R + Send + Sync,
{
    /// Runs the task; a panic is `task N panicked: ...` of chunk `N..N+1`.
    fn call(&self) -> Result<R> {
        let id = self.slot.id();
        haydi_core::plumbing::catch_panic(
            id as u128..id as u128 + 1,
            &format!("task {id} panicked: "),
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
        if !self.slot.start() {
            return;
        }
        let r = self.call().map_err(|e| match e {
            Error::Panicked { chunk, message, .. } => Error::Panicked {
                chunk,
                message,
                worker: std::thread::current().name().map(str::to_string),
            },
            e => e,
        });
        self.slot.finish(r);
    }

    fn run_encoded(&self) -> std::result::Result<Vec<u8>, String> {
        let r = self.call().map_err(|e| match e {
            Error::Panicked { message, .. } => message,
            e => e.to_string(),
        })?;
        haydi_core::plumbing::encode_value(&r)
            .map_err(|e| format!("task {}: cannot encode its result: {e}", self.slot.id()))
    }

    fn deliver(&self, r: std::result::Result<Vec<u8>, String>) {
        let id = self.slot.id();
        let r = match r {
            Ok(bytes) => haydi_core::plumbing::decode_value::<R>(&bytes)
                .map_err(|e| Error::Serialization(format!("task {id}: {e}"))),
            Err(m) => Err(Error::Panicked {
                chunk: id as u128..id as u128 + 1,
                message: m,
                worker: None,
            }),
        };
        self.slot.finish(r);
    }

    fn fail(&self, e: Error) {
        self.slot.finish(Err(e));
    }

    fn time_out(&self, what: String) {
        self.slot.time_out(what);
    }

    fn is_cancelled(&self) -> bool {
        self.slot.is_cancelled()
    }

    fn id(&self) -> u64 {
        self.slot.id()
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
    /// Wakes task sets when a task of this pool ends.
    signal: Arc<TaskSignal>,
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
            signal: TaskSignal::new(),
        })
    }

    /// Whether the queue runs when looked at, on the calling thread (serial, SPMD).
    fn on_demand(&self) -> bool {
        crate::extensions::is_collective(&*self.ctx) || crate::extensions::is_serial(&*self.ctx)
    }

    pub(crate) fn close(&self) {
        self.state.lock_unpoisoned().closed = true;
        self.wake.notify_all();
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
        let mut st = self.state.lock_unpoisoned();
        loop {
            if st.queued.is_empty() || st.in_flight >= max {
                if st.closed && st.queued.is_empty() {
                    st.dispatcher = false;
                    return;
                }
                st = self.wake.wait_unpoisoned(st);
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
                    q.state.lock_unpoisoned().in_flight -= 1;
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
                st = self.state.lock_unpoisoned();
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
    fn run_now(&self, timeout: Option<Duration>) {
        let batch: Vec<Arc<dyn Queued>> = {
            let mut st = self.state.lock_unpoisoned();
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
                        t.time_out(format!(
                            "task {} (queued tasks run with a timeout of {timeout:?})",
                            t.id()
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
                    t.time_out(format!(
                        "task {} (queued tasks run with a timeout of {timeout:?})",
                        t.id()
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

impl TaskDriver for TaskQueue {
    fn run_queued(&self, timeout: Option<Duration>) {
        self.run_now(timeout);
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
        let mut st = q.state.lock_unpoisoned();
        let id = st.next_id;
        st.next_id += 1;
        let slot = TaskSlot::new(id, None, &q.signal);
        let driver: Option<Arc<dyn TaskDriver>> =
            if q.on_demand() { Some(q.clone()) } else { None };
        let handle = slot.handle(driver);
        st.queued.push(Arc::new(Typed { f, arg, slot }));
        if !q.on_demand() {
            q.ensure_dispatcher(&mut st);
            if !st.dispatcher {
                drop(st);
                q.run_now(None);
            }
        }
        q.wake.notify_all();
        handle
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
            self.tasks.run_now(None);
        }
    }
}
