//! Locks that ignore poisoning, the one way every haydi crate takes its locks.
//!
//! A lock is poisoned when a thread panicked while holding it. In haydi that panic is never a
//! user's closure: user code runs outside every lock (`core/tests/suite/user_code_outside_lock.rs`) and
//! its panics are caught and reported as [`Error::Panicked`](crate::Error::Panicked) by
//! [`catch_panic`](super::catch_panic). A poisoned lock therefore carries no news a run could act
//! on, and refusing it would turn one reported failure into a second, unrelated one; the data
//! behind it stays usable. These methods say so once instead of at every call site.

use std::sync::{Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

/// Taking a [`Mutex`] or [`RwLock`] whatever its poisoning (see the module docs).
///
/// ```
/// use haydi_core::plumbing::Unpoisoned;
/// use std::sync::Mutex;
/// let m = Mutex::new(1);
/// let _ = std::panic::catch_unwind(|| {
///     let _g = m.lock().unwrap();
///     panic!("poisons the lock");
/// });
/// assert!(m.is_poisoned());
/// *m.lock_unpoisoned() += 1;
/// assert_eq!(m.into_inner_unpoisoned(), 2);
/// ```
pub trait Unpoisoned<T: ?Sized> {
    /// The guard of a mutex.
    fn lock_unpoisoned(&self) -> MutexGuard<'_, T>;
    /// The value, the mutex consumed.
    fn into_inner_unpoisoned(self) -> T
    where
        Self: Sized,
        T: Sized;
}

impl<T: ?Sized> Unpoisoned<T> for Mutex<T> {
    fn lock_unpoisoned(&self) -> MutexGuard<'_, T> {
        self.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn into_inner_unpoisoned(self) -> T
    where
        T: Sized,
    {
        self.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

/// Reading and writing an [`RwLock`] whatever its poisoning (see the module docs).
///
/// ```
/// use haydi_core::plumbing::UnpoisonedRw;
/// use std::sync::RwLock;
/// let l = RwLock::new(1);
/// *l.write_unpoisoned() = 2;
/// assert_eq!(*l.read_unpoisoned(), 2);
/// ```
pub trait UnpoisonedRw<T: ?Sized> {
    /// A read guard.
    fn read_unpoisoned(&self) -> RwLockReadGuard<'_, T>;
    /// A write guard.
    fn write_unpoisoned(&self) -> RwLockWriteGuard<'_, T>;
}

impl<T: ?Sized> UnpoisonedRw<T> for RwLock<T> {
    fn read_unpoisoned(&self) -> RwLockReadGuard<'_, T> {
        self.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_unpoisoned(&self) -> RwLockWriteGuard<'_, T> {
        self.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// Waiting on a [`Condvar`] whatever the poisoning of its mutex (see the module docs).
///
/// ```
/// use haydi_core::plumbing::{Unpoisoned, UnpoisonedWait};
/// use std::sync::{Condvar, Mutex};
/// use std::time::Duration;
/// let (m, cv) = (Mutex::new(false), Condvar::new());
/// let g = cv.wait_timeout_unpoisoned(m.lock_unpoisoned(), Duration::from_millis(1)).0;
/// assert!(!*g);
/// ```
pub trait UnpoisonedWait {
    /// [`Condvar::wait`].
    fn wait_unpoisoned<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T>;
    /// [`Condvar::wait_timeout`]: the guard and whether the wait timed out.
    fn wait_timeout_unpoisoned<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        d: Duration,
    ) -> (MutexGuard<'a, T>, bool);
}

impl UnpoisonedWait for Condvar {
    fn wait_unpoisoned<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        self.wait(guard).unwrap_or_else(|e| e.into_inner())
    }

    fn wait_timeout_unpoisoned<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        d: Duration,
    ) -> (MutexGuard<'a, T>, bool) {
        let (g, r) = self
            .wait_timeout(guard, d)
            .unwrap_or_else(|e| e.into_inner());
        (g, r.timed_out())
    }
}
