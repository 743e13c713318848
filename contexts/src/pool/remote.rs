//! Objects pushed to a pool's workers (pyMOR's `push` / `scatter_list` and `RemoteObject`).
//!
//! Workers of the in-process contexts share this process's memory: a push stores the object
//! once. Worker processes of a distributed context run the same `main` (SPMD), so each of them
//! computes an object of its own at the same `push` call; that copy may differ from the
//! driver's (an unseeded random matrix, a clock, a file only the driver reads), and pyMOR's
//! contract is "push a copy of the driver's object to every worker". So a push on a distributed
//! context is a collective run (`BroadcastJob`: no indices; its result, which every
//! process receives, is the driver's encoded object): every process stores the driver's value,
//! decoded from the driver's bytes where its own differ. The driver keeps these results for
//! workers that join late (they push again when they re-run `main`, and get the driver's
//! bytes, whatever the rejoin budget). A push made by some processes and not others is the
//! context's divergence error, as for any run.
//!
//! Objects are stored by content, keyed by a SHA-256 of their type and the driver's bincode
//! bytes. The same content pushed twice is stored once (two handles, one copy) and removed when
//! the last handle is dropped or removed, exactly once; removing twice is harmless (pyMOR
//! raises a `KeyError` there).

use super::Pool;
use haydi_core::pipeline::Extent;
use haydi_core::plumbing::Unpoisoned;
use haydi_core::plumbing::{ChunkOutput, JobSignature, Pass};
use haydi_core::{Error, ParallelContext, Result, RunOptions};
use serde::Serialize;
use serde::de::DeserializeOwned;
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
        self.entries.lock_unpoisoned()
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

/// The type name of a push's run: the driver's history keeps every such result.
pub(crate) const BROADCAST_RUN: &str = "haydi_contexts::pool::driver_bytes (the driver's bytes)";

/// A collective run with no indices whose result is this process's `bytes`: the driver's
/// result is what every process of a distributed context receives, so every process gets the
/// driver's bytes. On other contexts the result is the caller's own bytes.
struct BroadcastJob<'a> {
    bytes: &'a [u8],
    site: &'static std::panic::Location<'static>,
}

impl Pass for BroadcastJob<'_> {
    type Partial = Vec<u8>;

    fn extent(&self) -> Result<Extent> {
        Ok(Extent::Finite(0))
    }

    fn run(&self, start: u128, end: u128, _budgets: &[u64]) -> Result<ChunkOutput<Vec<u8>>> {
        Err(Error::Context(format!(
            "push: a run with no indices was asked for indices [{start}, {end})"
        )))
    }

    fn empty(&self) -> Vec<u8> {
        self.bytes.to_vec()
    }

    fn merge(&self, _left: &mut Vec<u8>, _right: Vec<u8>) -> Result<()> {
        Ok(())
    }

    fn signature(&self) -> JobSignature {
        JobSignature {
            call_site: self.site,
            type_name: BROADCAST_RUN,
        }
    }

    fn partial_bytes(&self, partial: &Vec<u8>) -> u64 {
        partial.len() as u64
    }
}

/// The driver's `bytes` on every process of a collective context (a distributed one);
/// `bytes` itself on any other. On a collective context this is a collective call (every
/// process makes it, in the same order as its runs): it is how [`Pool::push`] gives every
/// process the driver's object, and how a program makes a value drawn at random (a seed, a
/// shuffled order) the same on every process.
///
/// ```
/// use haydi_core::prelude::*;
/// let seed: u64 = rand::random();
/// let ctx = ThreadContext::new(2)?;
/// let bytes = haydi_contexts::pool::driver_bytes(&ctx, seed.to_le_bytes().to_vec())?;
/// assert_eq!(bytes, seed.to_le_bytes());
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[track_caller]
pub fn driver_bytes(context: &dyn ParallelContext, bytes: Vec<u8>) -> Result<Vec<u8>> {
    driver_bytes_at(context, bytes, std::panic::Location::caller())
}

fn driver_bytes_at(
    context: &dyn ParallelContext,
    bytes: Vec<u8>,
    site: &'static std::panic::Location<'static>,
) -> Result<Vec<u8>> {
    if !crate::extensions::is_collective(context) {
        return Ok(bytes);
    }
    let job = BroadcastJob {
        bytes: &bytes,
        site,
    };
    let report = context.execute(&job, &RunOptions::new())?;
    report
        .value
        .downcast::<Vec<u8>>()
        .map(|b| *b)
        .map_err(|_| Error::Context("the driver's copy has another type".into()))
}

impl Pool {
    /// Pushes `obj` to every worker and returns a handle on it (see [`Remote`]). Pushing equal
    /// content again gives another handle on the same copy: [`Pool::stored_objects`] counts it
    /// once, and it is removed once, when the last handle goes.
    ///
    /// On a distributed context this is a collective call: every process makes it, and every
    /// process stores the **driver's** object (sent once, as bincode), whatever its own `obj`
    /// was (see the [pool docs](crate::pool)).
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
    #[track_caller]
    pub fn push<T>(&self, obj: T) -> Result<Remote<T>>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
    {
        let site = std::panic::Location::caller();
        let own = haydi_core::plumbing::encode_value(&obj)
            .map_err(|e| haydi_core::Error::Serialization(format!("push: {e}")))?;
        let bytes = driver_bytes_at(&**self.context(), own.clone(), site)?;
        let obj = if bytes == own {
            obj
        } else {
            // This worker's own object differs from the driver's: take the driver's.
            haydi_core::plumbing::decode_value::<T>(&bytes).map_err(|e| {
                Error::Serialization(format!(
                    "push at {site}: cannot decode the driver's {}: {e}",
                    std::any::type_name::<T>()
                ))
            })?
        };
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
