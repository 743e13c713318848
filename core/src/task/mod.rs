//! Handles on submitted tasks, one kind for every pool that runs tasks: the contexts' worker
//! pool (`haydi_contexts::Pool::submit`) and haydi-gpu's `AcceleratorPool::process_submit`.
//!
//! A pool makes a [`TaskSlot`] per task (the producer's side: it starts the task, stores its
//! result) and gives its user the slot's [`TaskHandle`] (wait, wait with a timeout, look whether
//! it finished, cancel before it starts). Handles are joined as they finish by a [`TaskSet`],
//! woken by the pool's [`TaskSignal`]. A pool whose tasks run only when a handle is looked at
//! (serial and SPMD pools) gives its handles a [`TaskDriver`].
//!
//! A slot dropped before it stored a result (the worker thread that held it died, the pool was
//! dropped with the task queued) stores [`Error::Worker`](crate::Error::Worker): no handle waits
//! for a task nobody will run.
//!
//! ```
//! use haydi_core::task::{TaskSignal, TaskSlot};
//! let signal = TaskSignal::new();
//! let slot = TaskSlot::new(0, None, &signal);
//! let handle = slot.handle(None);
//! std::thread::spawn(move || {
//!     if slot.start() {
//!         slot.finish(Ok(6 * 7));
//!     }
//! });
//! assert_eq!(handle.wait()?, 42);
//! # Ok::<(), haydi_core::Error>(())
//! ```

mod handle;
mod set;
mod slot;

pub use handle::TaskHandle;
pub use set::TaskSet;
pub use slot::{TaskDriver, TaskSignal, TaskSlot};
