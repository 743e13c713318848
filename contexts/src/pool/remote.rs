//! Objects pushed to a pool's workers (pyMOR's `push` / `scatter_list` and `RemoteObject`).
//!
//! Workers of the in-process contexts share this process's memory, and worker processes of a
//! distributed context run the same `main` (SPMD), so each process holds its own copy: a push
//! stores the object once per process, keyed by a SHA-256 of its type and bincode bytes. The
//! same content pushed twice is stored once (two handles, one copy) and removed when the last
//! handle is dropped or removed, exactly once; removing twice is harmless (pyMOR raises a
//! `KeyError` there).

use super::Pool;
use haydi_core::Result;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

type Key = [u8; 32];

struct Entry {
    value: Arc<dyn Any + Send + Sync>,
    handles: usize,
}

/// The objects of one pool, by content.
#[derive(Default)]
pub(crate) struct ObjectStore {
    entries: Mutex<HashMap<Key, Entry>>,
    stored: AtomicU64,
    removed: AtomicU64,
}

impl ObjectStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn release(&self, key: &Key) {
        let mut m = self.lock();
        if let Some(e) = m.get_mut(key) {
            e.handles -= 1;
            if e.handles == 0 {
                m.remove(key);
                self.removed.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// A handle on an object pushed to every worker of a pool: tasks use it as `&T` (it derefs).
/// Cloning it makes another handle on the same copy. The copy is removed when its last handle
/// is dropped or [`remove`](Remote::remove)d.
///
/// ```
/// use haydi_contexts::Pool;
/// use haydi_core::prelude::*;
/// let pool = Pool::new(ThreadContext::new(2)?);
/// let big = pool.push(vec![1u64; 1000])?;
/// let sums = pool.map(|k: &u64| big.iter().sum::<u64>() * k, &[1, 2])?;
/// assert_eq!(sums, [1000, 2000]);
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub struct Remote<T> {
    key: Key,
    value: Arc<T>,
    store: Weak<ObjectStore>,
    removed: AtomicBool,
}

impl<T> Remote<T> {
    /// Gives this handle's reference up now (what dropping it does). Idempotent: the second
    /// call does nothing; the copy goes when no handle holds it any more.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(SerialContext);
    /// let r = pool.push(7u32)?;
    /// r.remove();
    /// r.remove();
    /// assert_eq!(pool.stored_objects(), 0);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn remove(&self) {
        if !self.removed.swap(true, Ordering::AcqRel) {
            if let Some(store) = self.store.upgrade() {
                store.release(&self.key);
            }
        }
    }

    /// The object (also what `*remote` gives).
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(SerialContext);
    /// assert_eq!(*pool.push(String::from("x"))?.get(), "x");
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn get(&self) -> &T {
        &self.value
    }

    /// The content hash (hex) that identifies the copy.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(SerialContext);
    /// assert_eq!(pool.push(1u8)?.id(), pool.push(1u8)?.id());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn id(&self) -> String {
        hex::encode(self.key)
    }
}

impl<T> Deref for Remote<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> Clone for Remote<T> {
    fn clone(&self) -> Self {
        // A clone of a removed handle holds no reference either.
        let removed = self.removed.load(Ordering::Acquire);
        if !removed {
            if let Some(store) = self.store.upgrade() {
                if let Some(e) = store.lock().get_mut(&self.key) {
                    e.handles += 1;
                }
            }
        }
        Remote {
            key: self.key,
            value: self.value.clone(),
            store: self.store.clone(),
            removed: AtomicBool::new(removed),
        }
    }
}

impl<T> Drop for Remote<T> {
    fn drop(&mut self) {
        self.remove();
    }
}

impl<T: fmt::Debug> fmt::Debug for Remote<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Remote({:?})", self.value)
    }
}

/// A list cut into one contiguous part per worker (see [`Pool::scatter_list`]): worker `w`'s
/// part is [`part(w)`](Scattered::part).
///
/// ```
/// use haydi_contexts::pool::Scattered;
/// let s = Scattered::new(vec![1, 2, 3, 4, 5], 2);
/// assert_eq!(s.sizes(), [3, 2]);
/// assert_eq!(s.part(1), [4, 5]);
/// assert_eq!(Scattered::new(vec![1, 2], 4).sizes(), [1, 1, 0, 0]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scattered<T> {
    parts: Vec<Vec<T>>,
}

impl<T> Scattered<T> {
    /// Cuts `items` into `workers` contiguous parts of `ceil(n / workers)` items (the last ones
    /// shorter or empty). `workers` of 0 counts as 1.
    ///
    /// ```
    /// use haydi_contexts::pool::Scattered;
    /// assert_eq!(Scattered::new(vec![0; 7], 3).sizes(), [3, 3, 1]);
    /// ```
    pub fn new(items: Vec<T>, workers: usize) -> Self {
        let workers = workers.max(1);
        let each = items.len().div_ceil(workers).max(1);
        let mut parts: Vec<Vec<T>> = (0..workers).map(|_| Vec::new()).collect();
        for (i, x) in items.into_iter().enumerate() {
            parts[i / each].push(x);
        }
        Scattered { parts }
    }

    /// Worker `w`'s part (empty past the last worker).
    ///
    /// ```
    /// use haydi_contexts::pool::Scattered;
    /// assert!(Scattered::new(vec![1], 2).part(5).is_empty());
    /// ```
    pub fn part(&self, w: usize) -> &[T] {
        self.parts.get(w).map_or(&[], |p| p.as_slice())
    }

    /// The number of items of each part, by worker.
    ///
    /// ```
    /// use haydi_contexts::pool::Scattered;
    /// assert_eq!(Scattered::new(vec!['a'; 4], 2).sizes(), [2, 2]);
    /// ```
    pub fn sizes(&self) -> Vec<usize> {
        self.parts.iter().map(Vec::len).collect()
    }
}

impl Pool {
    /// Pushes `obj` to every worker and returns a handle on it (see [`Remote`]). Pushing equal
    /// content again gives another handle on the same copy: [`Pool::stored_objects`] counts it
    /// once, and it is removed once, when the last handle goes.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(ThreadContext::new(2)?);
    /// let a = pool.push(vec![1, 2, 3])?;
    /// let b = pool.push(vec![1, 2, 3])?;
    /// assert_eq!((pool.stored_objects(), pool.objects_stored_total()), (1, 1));
    /// drop(a);
    /// assert_eq!(pool.stored_objects(), 1);
    /// drop(b);
    /// assert_eq!((pool.stored_objects(), pool.objects_removed_total()), (0, 1));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn push<T>(&self, obj: T) -> Result<Remote<T>>
    where
        T: Serialize + Send + Sync + 'static,
    {
        let bytes = haydi_core::plumbing::encode_value(&obj)
            .map_err(|e| haydi_core::Error::Serialization(format!("push: {e}")))?;
        let mut h = Sha256::new();
        h.update(std::any::type_name::<T>().as_bytes());
        h.update([0]);
        h.update(&bytes);
        let key: Key = h.finalize().into();
        let mut m = self.store.lock();
        let value = match m.get_mut(&key) {
            Some(e) => {
                e.handles += 1;
                e.value.clone().downcast::<T>().map_err(|_| {
                    haydi_core::Error::Context(
                        "push: a stored object of another type has the same hash".into(),
                    )
                })?
            }
            None => {
                let v = Arc::new(obj);
                m.insert(
                    key,
                    Entry {
                        value: v.clone(),
                        handles: 1,
                    },
                );
                self.store.stored.fetch_add(1, Ordering::Relaxed);
                v
            }
        };
        Ok(Remote {
            key,
            value,
            store: Arc::downgrade(&self.store),
            removed: AtomicBool::new(false),
        })
    }

    /// Cuts `items` into one contiguous part per worker ([`Scattered`]: `ceil(n / len())`
    /// items each) and pushes it; a task of [`Pool::apply`] for worker `w` uses `part(w)`.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(ThreadContext::new(2)?);
    /// let s = pool.scatter_list((1..=5u64).collect())?;
    /// assert_eq!(s.sizes(), [3, 2]);
    /// let sums = pool.apply(|w| s.part(w).iter().sum::<u64>())?;
    /// assert_eq!(sums, [6, 9]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn scatter_list<T>(&self, items: Vec<T>) -> Result<Remote<Scattered<T>>>
    where
        T: Serialize + Send + Sync + 'static,
    {
        self.push(Scattered::new(items, self.len()))
    }

    /// How many distinct objects this pool holds now.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// assert_eq!(Pool::new(SerialContext).stored_objects(), 0);
    /// ```
    pub fn stored_objects(&self) -> usize {
        self.store.lock().len()
    }

    /// How many copies were stored since the pool began (a push of content already held adds
    /// none).
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(SerialContext);
    /// let _a = pool.push(1u8)?;
    /// let _b = pool.push(2u8)?;
    /// assert_eq!(pool.objects_stored_total(), 2);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn objects_stored_total(&self) -> u64 {
        self.store.stored.load(Ordering::Relaxed)
    }

    /// How many copies were removed since the pool began.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(SerialContext);
    /// drop(pool.push(1u8)?);
    /// assert_eq!(pool.objects_removed_total(), 1);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn objects_removed_total(&self) -> u64 {
        self.store.removed.load(Ordering::Relaxed)
    }
}
