//! `AcceleratorPool`: inputs processed on a pool of devices, each task on the least-loaded one.

use crate::device::Accelerator;
use haydi_core::task::{TaskHandle, TaskSignal, TaskSlot};
use haydi_core::{Error, Result};
use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;

type Process<I, O> = dyn Fn(&Accelerator, I) -> Result<O> + Send + Sync;

/// A queued input and the slot its result goes to (dropped unanswered, the slot says the
/// worker stopped).
struct Task<I, O> {
    input: I,
    slot: TaskSlot<O>,
}

struct Worker<I, O> {
    tx: Option<mpsc::Sender<Task<I, O>>>,
    pending: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

/// A pool of accelerators, each with a worker thread and a queue, that processes inputs with
/// one function (`process(device, input)`, which typically runs a kernel job on `device` with
/// [`crate::KernelJob::run_on`]). A submitted task goes to the device with the fewest pending
/// tasks; [`AcceleratorPool::process_map`] yields results in submission order, lazily;
/// [`AcceleratorPool::stop`] (or dropping the pool) processes what is queued, then stops.
///
/// ```no_run
/// use haydi_gpu::{AcceleratorPool, Kernel, KernelSpace};
/// let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return i.lo % 3u; }", |i| (i % 3) as u32);
/// let pool = AcceleratorPool::start(haydi_gpu::iter_accelerators().collect(), move |dev, n: u64| {
///     k.over(KernelSpace::range(n)).sum().run_on(dev)
/// })?;
/// let sums: Vec<u128> = pool.process_map([10, 100, 1000]).collect::<haydi_core::Result<_>>()?;
/// assert_eq!(sums, vec![9, 99, 999]);
/// pool.stop()?;
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub struct AcceleratorPool<I, O> {
    workers: Vec<Worker<I, O>>,
    devices: Vec<Accelerator>,
    next_id: AtomicU64,
    signal: Arc<TaskSignal>,
}

impl<I, O> fmt::Debug for AcceleratorPool<I, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AcceleratorPool({:?})", self.devices)
    }
}

impl<I: Send + 'static, O: Send + 'static> AcceleratorPool<I, O> {
    /// Starts one worker thread per device. No device is an [`Error::Context`].
    ///
    /// ```
    /// let empty = haydi_gpu::AcceleratorPool::start(Vec::new(), |_, x: u32| Ok(x));
    /// assert!(empty.is_err());
    /// ```
    pub fn start(
        devices: Vec<Accelerator>,
        process: impl Fn(&Accelerator, I) -> Result<O> + Send + Sync + 'static,
    ) -> Result<Self> {
        if devices.is_empty() {
            return Err(Error::Context(
                "AcceleratorPool::start: no accelerator (iter_accelerators() is empty)".into(),
            ));
        }
        let process: Arc<Process<I, O>> = Arc::new(process);
        let mut workers = Vec::new();
        for (d, dev) in devices.iter().enumerate() {
            let (tx, rx) = mpsc::channel::<Task<I, O>>();
            let pending = Arc::new(AtomicUsize::new(0));
            let (p, f, dev) = (pending.clone(), process.clone(), dev.clone());
            let thread = std::thread::Builder::new()
                .name(format!("haydi-pool-device-{d}"))
                .spawn(move || {
                    for Task { input, slot } in rx {
                        if slot.start() {
                            let id = slot.id();
                            let r = haydi_core::plumbing::catch_panic(
                                id as u128..id as u128 + 1,
                                &format!("task {id} panicked on {}: ", dev.info().name),
                                || f(&dev, input),
                            )
                            .and_then(|r| r);
                            slot.finish(r);
                        }
                        p.fetch_sub(1, Ordering::AcqRel);
                    }
                })
                .map_err(|e| Error::Context(format!("cannot start a pool worker: {e}")))?;
            workers.push(Worker {
                tx: Some(tx),
                pending,
                thread: Some(thread),
            });
        }
        Ok(AcceleratorPool {
            workers,
            devices,
            next_id: AtomicU64::new(0),
            signal: TaskSignal::new(),
        })
    }

    /// The pool's devices.
    ///
    /// ```no_run
    /// # use haydi_gpu::AcceleratorPool;
    /// let pool = AcceleratorPool::start(haydi_gpu::iter_accelerators().collect(), |_, x: u32| Ok(x))?;
    /// assert!(!pool.devices().is_empty());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn devices(&self) -> &[Accelerator] {
        &self.devices
    }

    /// Queues `input` on the device with the fewest pending tasks (the first of those on a
    /// tie) and returns at once. The handle ([`TaskHandle`], the same as the worker pool's)
    /// names the device in [`TaskHandle::worker`]; a task cancelled before its device took it
    /// does not run.
    ///
    /// ```no_run
    /// # use haydi_gpu::AcceleratorPool;
    /// let pool = AcceleratorPool::start(haydi_gpu::iter_accelerators().collect(), |_, x: u32| Ok(x))?;
    /// let hs: Vec<_> = (0..4).map(|i| pool.process_submit(i)).collect::<Result<_, _>>()?;
    /// let out: Vec<u32> = hs.into_iter().map(|h| h.wait()).collect::<Result<_, _>>()?;
    /// assert_eq!(out, vec![0, 1, 2, 3]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn process_submit(&self, input: I) -> Result<TaskHandle<O>> {
        let (d, w) = self
            .workers
            .iter()
            .enumerate()
            .min_by_key(|(_, w)| w.pending.load(Ordering::Acquire))
            .ok_or_else(|| Error::Context("the pool has no worker".into()))?;
        let tx =
            w.tx.as_ref()
                .ok_or_else(|| Error::Context("the pool is stopped".into()))?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let slot = TaskSlot::new(id, Some(d), &self.signal);
        let handle = slot.handle(None);
        w.pending.fetch_add(1, Ordering::AcqRel);
        tx.send(Task { input, slot }).map_err(|_| {
            w.pending.fetch_sub(1, Ordering::AcqRel);
            Error::Worker("the accelerator's worker stopped".into())
        })?;
        Ok(handle)
    }

    /// Processes `inputs`, yielding the results in input order. Lazy: inputs are pulled and
    /// submitted as results are taken, at most twice the number of devices ahead.
    ///
    /// ```no_run
    /// # use haydi_gpu::AcceleratorPool;
    /// let pool = AcceleratorPool::start(haydi_gpu::iter_accelerators().collect(), |_, x: u64| Ok(x * x))?;
    /// let first: Vec<u64> = pool.process_map(0..).take(3).collect::<Result<_, _>>()?;
    /// assert_eq!(first, vec![0, 1, 4]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn process_map<It: IntoIterator<Item = I>>(
        &self,
        inputs: It,
    ) -> ProcessMap<'_, I, O, It::IntoIter> {
        ProcessMap {
            pool: self,
            inputs: inputs.into_iter(),
            window: VecDeque::new(),
        }
    }

    /// Processes every queued task, then stops the workers.
    ///
    /// ```no_run
    /// # use haydi_gpu::AcceleratorPool;
    /// let pool = AcceleratorPool::start(haydi_gpu::iter_accelerators().collect(), |_, x: u32| Ok(x))?;
    /// let h = pool.process_submit(7)?;
    /// pool.stop()?;
    /// assert_eq!(h.wait()?, 7); // queued work was drained
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn stop(mut self) -> Result<()> {
        self.shut_down()
    }
}

impl<I, O> AcceleratorPool<I, O> {
    fn shut_down(&mut self) -> Result<()> {
        for w in &mut self.workers {
            w.tx = None;
        }
        let mut panicked = false;
        for w in &mut self.workers {
            if let Some(t) = w.thread.take() {
                panicked |= t.join().is_err();
            }
        }
        if panicked {
            return Err(Error::Worker("a pool worker thread panicked".into()));
        }
        Ok(())
    }
}

impl<I, O> Drop for AcceleratorPool<I, O> {
    fn drop(&mut self) {
        let _ = self.shut_down();
    }
}

/// The iterator of [`AcceleratorPool::process_map`].
///
/// ```no_run
/// # use haydi_gpu::AcceleratorPool;
/// let pool = AcceleratorPool::start(haydi_gpu::iter_accelerators().collect(), |_, x: u8| Ok(x))?;
/// let mut it = pool.process_map([1, 2]);
/// assert_eq!(it.next().transpose()?, Some(1));
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub struct ProcessMap<'p, I, O, It> {
    pool: &'p AcceleratorPool<I, O>,
    inputs: It,
    window: VecDeque<Result<TaskHandle<O>>>,
}

impl<I, O, It> fmt::Debug for ProcessMap<'_, I, O, It> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProcessMap({} in flight)", self.window.len())
    }
}

impl<I: Send + 'static, O: Send + 'static, It: Iterator<Item = I>> Iterator
    for ProcessMap<'_, I, O, It>
{
    type Item = Result<O>;

    fn next(&mut self) -> Option<Result<O>> {
        let ahead = 2 * self.pool.workers.len();
        while self.window.len() < ahead {
            match self.inputs.next() {
                Some(input) => self.window.push_back(self.pool.process_submit(input)),
                None => break,
            }
        }
        self.window
            .pop_front()
            .map(|h| h.and_then(TaskHandle::wait))
    }
}
