//! Lazy maps: the input is pulled a batch at a time and each batch is one run, so an endless
//! input works, memory stays bounded, and nothing beyond the next batch runs before it is asked
//! for.

use super::Pool;
use super::map::{MapOptions, run_indexed};
use haydi_core::Result;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

/// A process-wide clock of task completions, for `imap_unordered`'s order.
static FINISHED: AtomicU64 = AtomicU64::new(0);

fn batch_len(pool: &Pool, opts: &MapOptions) -> usize {
    opts.batch.unwrap_or_else(|| (16 * pool.len()).max(64))
}

/// The iterator of [`Pool::imap`]: results in input order, one batch run at a time. After an
/// error it yields nothing more.
#[must_use = "an imap does nothing until it is iterated"]
pub struct Imap<'p, I: Iterator, F, O> {
    pool: &'p Pool,
    input: I,
    f: F,
    opts: MapOptions,
    ready: VecDeque<Result<(u64, O)>>,
    next: u64,
    done: bool,
}

impl<I, F, O> Imap<'_, I, F, O>
where
    I: Iterator,
    I::Item: Sync,
    F: Fn(&I::Item) -> O + Send + Sync,
    O: Send + Serialize + DeserializeOwned + 'static,
{
    /// The next result (with its input index), running the next batch when none is ready.
    fn pull(&mut self, unordered: bool) -> Option<Result<(u64, O)>> {
        loop {
            if let Some(r) = self.ready.pop_front() {
                return Some(r);
            }
            if !self.fill(unordered) {
                return None;
            }
        }
    }

    /// Runs the next batch; `false` when the input is exhausted (or failed).
    fn fill(&mut self, unordered: bool) -> bool {
        if self.done {
            return false;
        }
        let batch: Vec<I::Item> = self
            .input
            .by_ref()
            .take(batch_len(self.pool, &self.opts))
            .collect();
        if batch.is_empty() {
            self.done = true;
            return false;
        }
        let f = &self.f;
        let run = run_indexed(self.pool, batch.len(), &self.opts.run, |i| {
            let r = f(&batch[i]);
            (FINISHED.fetch_add(1, Ordering::Relaxed), r)
        })
        .and_then(|p| p.into_complete("imap batch"));
        match run {
            Ok(mut rs) => {
                let base = self.next;
                self.next += batch.len() as u64;
                let mut indexed: Vec<(u64, u64, O)> = rs
                    .drain(..)
                    .enumerate()
                    .map(|(i, (stamp, r))| (stamp, base + i as u64, r))
                    .collect();
                if unordered {
                    indexed.sort_by_key(|t| t.0);
                }
                self.ready
                    .extend(indexed.into_iter().map(|(_, i, r)| Ok((i, r))));
            }
            Err(e) => {
                self.done = true;
                self.ready.push_back(Err(e));
            }
        }
        true
    }
}

impl<I, F, O> Iterator for Imap<'_, I, F, O>
where
    I: Iterator,
    I::Item: Sync,
    F: Fn(&I::Item) -> O + Send + Sync,
    O: Send + Serialize + DeserializeOwned + 'static,
{
    type Item = Result<O>;

    fn next(&mut self) -> Option<Result<O>> {
        self.pull(false).map(|r| r.map(|(_, o)| o))
    }
}

/// The iterator of [`Pool::imap_unordered`]: `(input index, result)` pairs, each batch's
/// results in the order its tasks finished (on worker processes, the order of each process's
/// own clock). After an error it yields nothing more.
#[must_use = "an imap does nothing until it is iterated"]
pub struct ImapUnordered<'p, I: Iterator, F, O>(Imap<'p, I, F, O>);

impl<I, F, O> Iterator for ImapUnordered<'_, I, F, O>
where
    I: Iterator,
    I::Item: Sync,
    F: Fn(&I::Item) -> O + Send + Sync,
    O: Send + Serialize + DeserializeOwned + 'static,
{
    type Item = Result<(u64, O)>;

    fn next(&mut self) -> Option<Result<(u64, O)>> {
        self.0.pull(true)
    }
}

impl Pool {
    /// A lazy [`Pool::map`] over any iterator: results in input order. The input is read a
    /// batch at a time ([`MapOptions::batch`]) and each batch is one run, so an endless input
    /// works and nothing past the next batch is computed before it is asked for.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(ThreadContext::new(2)?);
    /// let first: Vec<u64> = pool.imap(|x: &u64| x * 10, 0..).take(3).collect::<Result<_>>()?;
    /// assert_eq!(first, [0, 10, 20]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn imap<I, F, O>(&self, f: F, input: I) -> Imap<'_, I::IntoIter, F, O>
    where
        I: IntoIterator,
        I::Item: Sync,
        F: Fn(&I::Item) -> O + Send + Sync,
        O: Send + Serialize + DeserializeOwned + 'static,
    {
        self.imap_with(f, input, &MapOptions::default())
    }

    /// [`Pool::imap`] with options (batch size, chunk size, a timeout per batch, progress).
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_contexts::pool::MapOptions;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(SerialContext);
    /// let v: Vec<u8> = pool.imap_with(|x: &u8| x + 1, [1, 2, 3], &MapOptions::new().batch(2)).collect::<Result<_>>()?;
    /// assert_eq!(v, [2, 3, 4]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn imap_with<I, F, O>(
        &self,
        f: F,
        input: I,
        opts: &MapOptions,
    ) -> Imap<'_, I::IntoIter, F, O>
    where
        I: IntoIterator,
        I::Item: Sync,
        F: Fn(&I::Item) -> O + Send + Sync,
        O: Send + Serialize + DeserializeOwned + 'static,
    {
        Imap {
            pool: self,
            input: input.into_iter(),
            f,
            opts: opts.clone(),
            ready: VecDeque::new(),
            next: 0,
            done: false,
        }
    }

    /// Like [`Pool::imap`], but yields `(index, result)` as tasks finish (within each batch).
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// use haydi_core::prelude::*;
    /// let pool = Pool::new(ThreadContext::new(2)?);
    /// let mut v: Vec<(u64, u32)> = pool.imap_unordered(|x: &u32| x * 2, [5, 6, 7]).collect::<Result<_>>()?;
    /// v.sort();
    /// assert_eq!(v, [(0, 10), (1, 12), (2, 14)]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn imap_unordered<I, F, O>(&self, f: F, input: I) -> ImapUnordered<'_, I::IntoIter, F, O>
    where
        I: IntoIterator,
        I::Item: Sync,
        F: Fn(&I::Item) -> O + Send + Sync,
        O: Send + Serialize + DeserializeOwned + 'static,
    {
        ImapUnordered(self.imap(f, input))
    }
}
