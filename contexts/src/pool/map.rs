//! `Pool::map` and its variants: one run of the pool's context over the task indices, results
//! merged in index order, so they come in input order whatever ran where.

use super::Pool;
use haydi_core::domain::Indices;
use haydi_core::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::ops::Range;
use std::time::Duration;

/// Options of a [`Pool::map_with`] (and of each batch of [`Pool::imap_with`]): the options of
/// the run a map makes ([`RunOptions`]: chunk size, timeout, progress bar, ...), and the batch
/// size of an `imap`.
///
/// ```
/// use haydi_contexts::pool::MapOptions;
/// use std::time::Duration;
/// let o = MapOptions::new().chunk_size(4).timeout(Duration::from_secs(9)).batch(100);
/// assert_eq!((o.run.chunk_size, o.run.timeout, o.batch), (Some(4), Some(Duration::from_secs(9)), Some(100)));
/// ```
#[derive(Debug, Clone, Default)]
pub struct MapOptions {
    /// The options of the run (of each batch's run for `imap`). A map's chunk is a number of
    /// tasks: `chunk_size` `None` sizes chunks by time (best for many small tasks), `Some(1)`
    /// gives every task to the next free worker (best for few long ones). A `timeout` stops
    /// the map: [`Pool::map_with`] then fails with [`Error::TimedOut`] naming the missing
    /// tasks ([`Pool::map_partial`] returns what finished).
    pub run: RunOptions,
    /// Items per batch of [`Pool::imap`] / [`Pool::imap_unordered`] (default: 16 per worker,
    /// at least 64).
    pub batch: Option<usize>,
}

impl MapOptions {
    /// The defaults: chunks sized by time, no timeout, no progress bar.
    ///
    /// ```
    /// use haydi_contexts::pool::MapOptions;
    /// assert!(MapOptions::new().run.timeout.is_none());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `n` tasks per chunk (at least 1).
    ///
    /// ```
    /// use haydi_contexts::pool::MapOptions;
    /// assert_eq!(MapOptions::new().chunk_size(0).run.chunk_size, Some(1));
    /// ```
    pub fn chunk_size(mut self, n: u64) -> Self {
        self.run = self.run.chunk_size(u128::from(n.max(1)));
        self
    }

    /// Stops the map after `t`.
    ///
    /// ```
    /// use haydi_contexts::pool::MapOptions;
    /// use std::time::Duration;
    /// assert_eq!(MapOptions::new().timeout(Duration::from_secs(1)).run.timeout, Some(Duration::from_secs(1)));
    /// ```
    pub fn timeout(mut self, t: Duration) -> Self {
        self.run = self.run.timeout(t);
        self
    }

    /// Shows (or not) a progress bar (done of total tasks, rate, ETA) on stderr.
    ///
    /// ```
    /// use haydi_contexts::pool::MapOptions;
    /// assert!(MapOptions::new().progress_bar(true).run.progress_bar);
    /// ```
    pub fn progress_bar(mut self, on: bool) -> Self {
        self.run = self.run.progress_bar(on);
        self
    }

    /// Items per batch of an `imap` (at least 1).
    ///
    /// ```
    /// use haydi_contexts::pool::MapOptions;
    /// assert_eq!(MapOptions::new().batch(0).batch, Some(1));
    /// ```
    pub fn batch(mut self, n: usize) -> Self {
        self.batch = Some(n.max(1));
        self
    }
}

/// The result of a [`Pool::map_partial`]: every task's result, or `None` where it did not
/// finish (the map timed out); `missing` lists those tasks as sorted ranges.
///
/// ```
/// use haydi_contexts::Pool;
/// use haydi_contexts::pool::MapOptions;
/// use haydi_core::prelude::*;
/// let pool = Pool::new(ThreadContext::new(2)?);
/// let p = pool.map_partial(|x: &u64| x + 1, &[1, 2, 3], &MapOptions::new())?;
/// assert!(p.is_complete() && p.missing.is_empty());
/// assert_eq!(p.into_complete("map")?, [2, 3, 4]);
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PartialMap<R> {
    /// `results[i]` is task `i`'s result, `None` when it did not finish.
    pub results: Vec<Option<R>>,
    /// The tasks without a result, as sorted, non-adjacent ranges.
    pub missing: Vec<Range<u64>>,
}

impl<R> PartialMap<R> {
    /// Whether every task finished.
    ///
    /// ```
    /// use haydi_contexts::pool::PartialMap;
    /// let p = PartialMap { results: vec![Some(1), None], missing: vec![1..2] };
    /// assert!(!p.is_complete());
    /// ```
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
    }

    /// All results, or [`Error::TimedOut`] (named `what`) listing the missing tasks.
    ///
    /// ```
    /// use haydi_contexts::pool::PartialMap;
    /// use haydi_core::Error;
    /// let p = PartialMap { results: vec![Some(1), None], missing: vec![1..2] };
    /// assert!(matches!(p.into_complete("map"), Err(Error::TimedOut { done: 1, total: 2, .. })));
    /// ```
    pub fn into_complete(self, what: &str) -> Result<Vec<R>> {
        if self.is_complete() {
            return Ok(self.results.into_iter().flatten().collect());
        }
        let total = self.results.len() as u64;
        let done = self.results.iter().filter(|r| r.is_some()).count() as u64;
        Err(Error::TimedOut {
            what: what.to_string(),
            done,
            total,
            missing: self.missing,
        })
    }
}

impl Pool {
    /// `f` on every item, in parallel on the pool's workers; the results in input order.
    /// Equal to `items.iter().map(f).collect()` on every context. A panicking task fails the map
    /// with [`Error::Panicked`] naming the task (`task 7 panicked: ...`) and the worker; tasks
    /// not yet started are cancelled (the run stops handing out chunks), running ones drained.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(ThreadContext::new(2)?);
    /// assert_eq!(pool.map(|x: &u32| x * x, &[1, 2, 3])?, [1, 4, 9]);
    /// assert_eq!(pool.map(|x: &u32| x * x, &[])?, Vec::<u32>::new());
    /// let err = pool.map(|x: &u32| if *x == 2 { panic!("two") } else { *x }, &[1, 2, 3]).unwrap_err();
    /// assert!(err.to_string().contains("task 1 panicked: two"), "{err}");
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn map<T, R, F>(&self, f: F, items: &[T]) -> Result<Vec<R>>
    where
        T: Sync,
        R: Send + Serialize + DeserializeOwned + 'static,
        F: Fn(&T) -> R + Send + Sync,
    {
        self.map_with(f, items, &MapOptions::default())
    }

    /// [`Pool::map`] with options: chunk size, timeout (a timed-out map is
    /// [`Error::TimedOut`] naming the missing tasks, never a short list), progress bar.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_contexts::pool::MapOptions;
    /// use haydi_core::prelude::*;
    /// use std::time::Duration;
    /// let pool = Pool::new(ThreadContext::new(2)?);
    /// let slow = |x: &u64| { std::thread::sleep(Duration::from_millis(50)); *x };
    /// let r = pool.map_with(slow, &[1, 2, 3, 4], &MapOptions::new().timeout(Duration::from_millis(1)));
    /// assert!(matches!(r, Err(Error::TimedOut { total: 4, .. })));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn map_with<T, R, F>(&self, f: F, items: &[T], opts: &MapOptions) -> Result<Vec<R>>
    where
        T: Sync,
        R: Send + Serialize + DeserializeOwned + 'static,
        F: Fn(&T) -> R + Send + Sync,
    {
        run_indexed(self, items.len(), &opts.run, |i| f(&items[i]))?.into_complete("map")
    }

    /// [`Pool::map_with`] that returns what finished when it times out.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_contexts::pool::MapOptions;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(SerialContext);
    /// let p = pool.map_partial(|x: &i32| -x, &[1, 2], &MapOptions::new())?;
    /// assert_eq!(p.results, [Some(-1), Some(-2)]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn map_partial<T, R, F>(
        &self,
        f: F,
        items: &[T],
        opts: &MapOptions,
    ) -> Result<PartialMap<R>>
    where
        T: Sync,
        R: Send + Serialize + DeserializeOwned + 'static,
        F: Fn(&T) -> R + Send + Sync,
    {
        Ok(run_indexed(self, items.len(), &opts.run, |i| f(&items[i]))?.into_partial())
    }

    /// `f` on the pairs `(a[i], b[i])`, in order: [`Pool::map_zip`] of two inputs. Inputs of
    /// different lengths are an [`Error::InvalidArgument`] at once (nothing runs).
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(ThreadContext::new(2)?);
    /// assert_eq!(pool.map2(|a: &u32, b: &u32| a + b, &[1, 2], &[10, 20])?, [11, 22]);
    /// assert!(matches!(pool.map2(|a: &u32, b: &u32| a + b, &[1, 2], &[1]), Err(Error::InvalidArgument(_))));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn map2<A, B, R, F>(&self, f: F, a: &[A], b: &[B]) -> Result<Vec<R>>
    where
        A: Sync,
        B: Sync,
        R: Send + Serialize + DeserializeOwned + 'static,
        F: Fn(&A, &B) -> R + Send + Sync,
    {
        self.map_zip(|(a, b)| f(a, b), (a, b))
    }

    /// `f` on the triples `(a[i], b[i], c[i])`, in order ([`Pool::map_zip`] of three inputs);
    /// lengths must agree.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(SerialContext);
    /// assert_eq!(pool.map3(|a: &u8, b: &u8, c: &u8| a * b + c, &[1, 2], &[3, 4], &[5, 6])?, [8, 14]);
    /// assert!(pool.map3(|a: &u8, b: &u8, c: &u8| a + b + c, &[1], &[2], &[]).is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn map3<A, B, C, R, F>(&self, f: F, a: &[A], b: &[B], c: &[C]) -> Result<Vec<R>>
    where
        A: Sync,
        B: Sync,
        C: Sync,
        R: Send + Serialize + DeserializeOwned + 'static,
        F: Fn(&A, &B, &C) -> R + Send + Sync,
    {
        self.map_zip(|(a, b, c)| f(a, b, c), (a, b, c))
    }
}

/// What a pool run gave: every result, or (timed out) what finished.
pub(crate) enum Ran<R> {
    Complete(Vec<R>),
    Partial(PartialMap<R>),
}

impl<R> Ran<R> {
    pub(crate) fn into_complete(self, what: &str) -> Result<Vec<R>> {
        match self {
            Ran::Complete(v) => Ok(v),
            Ran::Partial(p) => p.into_complete(what),
        }
    }

    pub(crate) fn into_partial(self) -> PartialMap<R> {
        match self {
            Ran::Complete(v) => PartialMap {
                results: v.into_iter().map(Some).collect(),
                missing: Vec::new(),
            },
            Ran::Partial(p) => p,
        }
    }
}

/// One run over the tasks `0..n`: `f(i)` for each, results in index order, and which tasks are
/// missing when the run timed out.
pub(crate) fn run_indexed<R, F>(pool: &Pool, n: usize, opts: &RunOptions, f: F) -> Result<Ran<R>>
where
    R: Send + Serialize + DeserializeOwned + 'static,
    F: Fn(usize) -> R + Send + Sync,
{
    if n == 0 {
        return Ok(Ran::Complete(Vec::new()));
    }
    let f = &f;
    let out = Indices(n as u64)
        .iterate()
        .map(move |i| {
            // A panic then names the task (the chunk's catch_unwind reads the note).
            haydi_core::plumbing::note_task(i);
            f(i as usize)
        })
        .collect()
        .run_in_with(&**pool.context(), opts)?;
    if out.complete {
        return Ok(Ran::Complete(out.value));
    }
    let mut results: Vec<Option<R>> = (0..n).map(|_| None).collect();
    let mut values = out.value.into_iter();
    let mut missing = Vec::new();
    let mut at = 0u64;
    for r in &out.covered {
        let (s, e) = (r.start as u64, r.end as u64);
        if s > at {
            missing.push(at..s);
        }
        for slot in &mut results[s as usize..e as usize] {
            *slot = values.next();
        }
        at = e;
    }
    if at < n as u64 {
        missing.push(at..n as u64);
    }
    Ok(Ran::Partial(PartialMap { results, missing }))
}
