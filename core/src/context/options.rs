//! Options of a run and the marked result of a run that may be partial.

use super::observer::Progress;
use crate::plumbing::Extensions;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// A progress callback (see [`RunOptions::on_progress`]).
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Options of one run: timeout, progress reporting, chunk trace, result-memory budget.
///
/// ```
/// use haydi_core::prelude::*;
/// use std::time::Duration;
/// let opts = RunOptions::new().timeout(Duration::from_secs(5)).progress_bar(false);
/// assert_eq!(opts.timeout, Some(Duration::from_secs(5)));
/// ```
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Stop handing out work after this long; the result is then marked partial.
    pub timeout: Option<Duration>,
    /// Show an indicatif progress bar on stderr.
    pub progress_bar: bool,
    /// Called with the progress of the run, at most about ten times a second and once at the end.
    /// See [`RunOptions::on_progress`].
    pub progress: Option<ProgressFn>,
    /// Write every chunk (worker, start, end, items, time) to this file as Chrome trace-event
    /// JSON, viewable in Perfetto or `chrome://tracing`.
    pub chunk_trace: Option<PathBuf>,
    /// The most memory, in bytes, that the result may take while it is built: the merged
    /// partial plus the partials of chunks that completed but wait for earlier ones. A run that
    /// goes over it stops with [`crate::Error::ResultTooLarge`] instead of exhausting the
    /// machine's memory (a `collect()` over a huge domain without `take`, say). `None` (the
    /// default) means [`default_max_result_bytes`]: one eighth of physical memory.
    ///
    /// Sizes are estimated by [`crate::action::Action::partial_bytes`], shallowly: a `collect`
    /// counts the allocated capacity of its `Vec`, not memory the items own on the heap; the
    /// maps of `groups` count their entries. Actions whose partial has a fixed size (`count`,
    /// `sum`, `reduce`, `first`) never reach any reasonable budget.
    ///
    /// [`default_max_result_bytes`]: super::default_max_result_bytes
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let opts = RunOptions::new().max_result_bytes(1 << 10);
    /// let r = Range::new(1_000_000).collect().run_with(false, &opts);
    /// assert!(matches!(r, Err(Error::ResultTooLarge { budget: 1024, .. })));
    /// // A count's partial is one number: it fits any budget.
    /// assert_eq!(Range::new(1_000_000).count().run_with(false, &opts).unwrap().value, 1_000_000);
    /// ```
    pub max_result_bytes: Option<u64>,
    /// Hand out chunks of exactly this many indices (the last one may be shorter), with no
    /// probing on the calling thread: every chunk runs on a worker, and a free worker takes the
    /// next one (least-loaded dispatch). For runs of few, long tasks, such as a
    /// [pool](https://docs.rs/haydi-contexts)'s; `None` (the default) sizes chunks by time.
    pub chunk_size: Option<u128>,
    /// Values for contexts that know their type (see [`crate::plumbing::Extensions`]): how
    /// a context should place the chunks, say. Contexts that do not know a type ignore it; the
    /// result never depends on them. Set with [`RunOptions::with_extension`].
    pub extensions: Extensions,
    /// Keep a checkpoint of the run in this file and resume from it (see
    /// [`RunOptions::checkpoint`]).
    pub checkpoint: Option<PathBuf>,
    /// How often the checkpoint is rewritten during the run (`None`: every 5 s); it is always
    /// written when the run ends.
    pub checkpoint_every: Option<Duration>,
    /// Text that identifies the job in its checkpoint beyond call site, type and size (see
    /// [`RunOptions::checkpoint_identity`]).
    pub checkpoint_identity: Option<String>,
}

impl fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunOptions")
            .field("timeout", &self.timeout)
            .field("progress_bar", &self.progress_bar)
            .field("progress", &self.progress.as_ref().map(|_| "callback"))
            .field("chunk_trace", &self.chunk_trace)
            .field("max_result_bytes", &self.max_result_bytes)
            .field("chunk_size", &self.chunk_size)
            .field("extensions", &self.extensions)
            .field("checkpoint", &self.checkpoint)
            .field("checkpoint_every", &self.checkpoint_every)
            .field("checkpoint_identity", &self.checkpoint_identity)
            .finish()
    }
}

impl RunOptions {
    /// Default options: no timeout, no progress reporting, no trace, the default result budget.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// let opts = RunOptions::new();
    /// assert_eq!((opts.timeout, opts.progress_bar, opts.max_result_bytes), (None, false, None));
    /// assert!(opts.progress.is_none() && opts.chunk_trace.is_none());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Stops the run after `t`; see [`Outcome`]. No chunk starts after the deadline; the value
    /// then covers the chunks finished, `complete` is `false`, `processed` says how many indices
    /// that was and `covered` which ones.
    ///
    /// A chunk already running on a thread of this process cannot be interrupted: the run
    /// returns when it ends (so one very slow chunk delays the return past `t`) and its items
    /// are counted. Chunks on remote workers that have not reported by the deadline are dropped.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// use std::time::Duration;
    /// let opts = RunOptions::new().timeout(Duration::from_millis(50));
    /// // 10^15 numbers take far longer than 50 ms: the outcome is partial, and says so.
    /// let out = Range::new(1_000_000_000_000_000).count().run_with(true, &opts)?;
    /// assert!(!out.complete);
    /// assert!(out.processed < out.total.unwrap());
    /// assert_eq!(out.value as u128, out.processed); // every processed index was counted
    /// // A run that ends in time is complete.
    /// let out = Range::new(1000).count().run_with(true, &RunOptions::new().timeout(Duration::from_secs(600)))?;
    /// assert!(out.complete && out.value == 1000);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }

    /// Shows (or not) a progress bar on stderr (indicatif: done of total, rate, ETA; hidden when
    /// stderr is not a terminal). The result is the same with or without it.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let opts = RunOptions::new().progress_bar(true);
    /// assert!(opts.progress_bar);
    /// assert_eq!(Range::new(1000).count().run_with(true, &opts)?.value, 1000);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn progress_bar(mut self, on: bool) -> Self {
        self.progress_bar = on;
        self
    }

    /// Calls `f` with the progress of the run.
    ///
    /// `f` runs on whichever worker thread completed a chunk, without any scheduler lock held:
    /// a slow callback delays only its own thread (while it runs, reports from other threads are
    /// skipped, so calls never overlap and never go backwards). A panic in `f` fails the run with
    /// [`crate::Error::Panicked`] whose message starts with `in the progress callback` (its
    /// `chunk` is the empty `0..0`); the context stays usable.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let opts = RunOptions::new().on_progress(|p| assert!(p.processed <= 100));
    /// assert_eq!(Range::new(100).count().run_with(false, &opts).unwrap().value, 100);
    /// let bad = RunOptions::new().on_progress(|_| panic!("boom"));
    /// match Range::new(100).count().run_with(false, &bad) {
    ///     Err(Error::Panicked { message, .. }) => assert!(message.starts_with("in the progress callback")),
    ///     other => panic!("{other:?}"),
    /// }
    /// ```
    pub fn on_progress(mut self, f: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Writes a Chrome trace of every chunk to `path` when the run ends: trace-event JSON
    /// (`traceEvents`: worker, index range, items, time), for Perfetto or `chrome://tracing`.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let path = std::env::temp_dir().join(format!("haydi-doc-trace-{}.json", std::process::id()));
    /// let opts = RunOptions::new().chunk_trace(&path);
    /// assert_eq!(Range::new(1000).count().run_with(false, &opts)?.value, 1000);
    /// let trace = std::fs::read_to_string(&path).unwrap();
    /// assert!(trace.contains("\"traceEvents\""), "{trace}");
    /// std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn chunk_trace(mut self, path: impl Into<PathBuf>) -> Self {
        self.chunk_trace = Some(path.into());
        self
    }

    /// Fails the run with [`crate::Error::ResultTooLarge`] once its result takes more than
    /// `bytes` (see the field `max_result_bytes` of [`RunOptions`] for what is counted).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// let opts = RunOptions::new().max_result_bytes(64 << 20);
    /// assert_eq!(opts.max_result_bytes, Some(64 << 20));
    /// assert_eq!(opts.result_budget(), 64 << 20);
    /// ```
    pub fn max_result_bytes(mut self, bytes: u64) -> Self {
        self.max_result_bytes = Some(bytes);
        self
    }

    /// Runs in chunks of exactly `n` indices (at least 1), each on a worker; see
    /// [`RunOptions::chunk_size`]. Results do not depend on it.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let ctx = ThreadContext::new(2)?;
    /// let opts = RunOptions::new().chunk_size(1);
    /// let v = Range::new(5).map(|x| x * x).collect().run_in_with(&ctx, &opts)?.value;
    /// assert_eq!(v, vec![0, 1, 4, 9, 16]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn chunk_size(mut self, n: u128) -> Self {
        self.chunk_size = Some(n.max(1));
        self
    }

    /// Adds `value` to the run's [extensions](RunOptions::extensions) (replacing a value of
    /// the same type): for a context that knows its type.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// #[derive(Debug, PartialEq)]
    /// struct Hint(&'static str);
    /// let opts = RunOptions::new().with_extension(Hint("near the data"));
    /// assert_eq!(opts.extension_of::<Hint>(), Some(&Hint("near the data")));
    /// assert!(RunOptions::new().extension_of::<Hint>().is_none());
    /// ```
    pub fn with_extension<T: std::any::Any + Send + Sync>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// The run's extension of type `T`, if it has one (see [`RunOptions::with_extension`]).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// assert_eq!(RunOptions::new().with_extension(5u32).extension_of::<u32>(), Some(&5));
    /// ```
    pub fn extension_of<T: std::any::Any>(&self) -> Option<&T> {
        self.extensions.get::<T>()
    }

    /// Checkpoints the run to `path` and resumes from it. The run writes its merged prefix and
    /// the chunks finished past it to `path` as it goes (at most every
    /// [`checkpoint_every`](RunOptions::checkpoint_every), atomically: a temporary file,
    /// synced, renamed) and when it ends, complete or not, sealed with an HMAC under this
    /// user's key ([`crate::trusted`]). If `path` holds a checkpoint of the same job, the run
    /// starts from it and runs only the missing index ranges; its result equals an
    /// uninterrupted run's, and [`Outcome::resumed`] says how many indices came from the file.
    ///
    /// The same job means: the same call site, pipeline type, index space, `take` limits and
    /// domain ([`crate::Domain::fingerprint`]), run by the same program with the same
    /// arguments (or, instead of those two, the same
    /// [`checkpoint_identity`](RunOptions::checkpoint_identity)). A checkpoint of another job
    /// is an [`Error::Context`](crate::Error::Context) that says which part differs, and so is
    /// one that cannot be trusted: a link, a file of another user or writable by others, a
    /// truncated, edited or forged one (its MAC fails). Nothing on disk is ever mixed in. A
    /// timed-out run resumes the same way. On a distributed context only the driver writes.
    /// Partials are stored with bincode, as they travel between processes.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let dir = tempfile::tempdir()?;
    /// let opts = RunOptions::new().checkpoint(dir.path().join("count.ckpt"));
    /// let job = Range::new(100_000).filter(|x| x % 3 == 0).count();
    /// // The call site is part of the job's identity: run it from one place (as a program run
    /// // twice does).
    /// let go = || job.run_with(true, &opts);
    /// let first = go()?;
    /// assert_eq!((first.value, first.resumed), (33_334, 0));
    /// // Run again: everything comes from the checkpoint.
    /// let again = go()?;
    /// assert_eq!((again.value, again.resumed), (33_334, 100_000));
    /// // Another job is refused, not mixed in.
    /// assert!(Range::new(5).count().run_with(true, &opts).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn checkpoint(mut self, path: impl Into<PathBuf>) -> Self {
        self.checkpoint = Some(path.into());
        self
    }

    /// Rewrites the checkpoint at most this often (default 5 s).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use std::time::Duration;
    /// let o = RunOptions::new().checkpoint("run.ckpt").checkpoint_every(Duration::from_secs(60));
    /// assert_eq!(o.checkpoint_every, Some(Duration::from_secs(60)));
    /// ```
    pub fn checkpoint_every(mut self, every: Duration) -> Self {
        self.checkpoint_every = Some(every);
        self
    }

    /// Text that identifies the job in its checkpoint instead of the program's arguments and
    /// executable (its call site, type, index space and domain are still compared): for a
    /// program rebuilt on purpose, or whose arguments do not change the job (a subcommand, an
    /// output path), name what does (the values its closures capture). The trade-off: from
    /// then on a rebuilt program or other arguments resume the file, so the text must change
    /// whenever the job does. A checkpoint written with another identity (or without one) is
    /// refused, never mixed in; `haydi reseal --identity TEXT FILE` adopts a file written
    /// without one.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("scaled.ckpt");
    /// let go = |k: i64| {
    ///     let opts = RunOptions::new().checkpoint(&path).checkpoint_identity(format!("k={k}"));
    ///     Range::new(1000).map(move |x| x * k).sum().run_with(true, &opts)
    /// };
    /// assert_eq!(go(2)?.value, 999_000);
    /// assert!(go(3).is_err()); // another k: the checkpoint is refused
    /// assert_eq!(go(2)?.resumed, 1000); // the same one resumes
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn checkpoint_identity(mut self, text: impl Into<String>) -> Self {
        self.checkpoint_identity = Some(text.into());
        self
    }

    /// The result-memory budget of a run with these options: the field `max_result_bytes`, or [`super::default_max_result_bytes`] when it is `None`.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_core::context::default_max_result_bytes;
    /// assert_eq!(RunOptions::new().result_budget(), default_max_result_bytes());
    /// assert_eq!(RunOptions::new().max_result_bytes(7).result_budget(), 7);
    /// ```
    pub fn result_budget(&self) -> u64 {
        self.max_result_bytes
            .unwrap_or_else(super::default_max_result_bytes)
    }
}

/// The result of a run that may have been cut short by its timeout.
///
/// `complete == false` means the value covers only `processed` of the `total` indices: it is a
/// partial result, and says so. Which indices it covers is in `covered`: a timed-out parallel
/// run may have finished chunks past a hole (chunks `0..a` and `b..c` done, `a..b` still
/// running at the deadline), and without a `take` their items are in the value too.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let out = Range::new(100).count().run_with(false, &RunOptions::new()).unwrap();
/// assert!(out.complete);
/// assert_eq!((out.value, out.processed, out.total), (100, 100, Some(100)));
/// assert_eq!(out.covered, vec![0..100]);
/// ```
///
/// Whatever a timeout let through, the value is the serial result over `covered`:
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// use std::time::Duration;
/// let ctx = ThreadContext::new(2).unwrap();
/// let opts = RunOptions::new().timeout(Duration::from_millis(5));
/// let out = Range::new(100_000).map(|x| x * 3).collect().run_in_with(&ctx, &opts).unwrap();
/// let oracle: Vec<i64> = out
///     .covered
///     .iter()
///     .flat_map(|r| (r.start as i64..r.end as i64).map(|x| x * 3))
///     .collect();
/// assert_eq!(out.value, oracle);
/// assert_eq!(out.processed, out.covered.iter().map(|r| r.end - r.start).sum::<u128>());
/// ```
///
/// It is the one report of a run at every layer: contexts return an `Outcome` of the erased
/// partial ([`RunReport`](super::RunReport)), a distributed driver broadcasts an `Outcome` of
/// the encoded partial, and a job hands its caller an `Outcome` of the action's output; each
/// step changes only `value` ([`Outcome::map`], [`Outcome::try_map`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome<T> {
    /// The action's result over the processed indices.
    pub value: T,
    /// Whether the whole index space (or everything a `take` needed) was processed.
    pub complete: bool,
    /// How many indices were processed.
    pub processed: u128,
    /// Length of the index space (`None` for an endless `generate()` source). For a domain
    /// whose size overflows `u128` this is [`Size::OVERFLOW_EXTENT`](crate::Size::OVERFLOW_EXTENT),
    /// whose last index stands for all the items past the others: not a count of items.
    pub total: Option<u128>,
    /// The index ranges of the source that the value covers: sorted, non-overlapping, never
    /// adjacent (touching ranges are merged) and never empty; their lengths add up to
    /// `processed`. Precisely: `value` is what a serial run of the same pipeline over exactly
    /// these indices, in index order, returns (each `take` counting from the first of them).
    ///
    /// - A complete run without `take`: `[0..total]`.
    /// - A run that a `take` completed: one prefix `[0..k]`, where `k` is the end of the chunk
    ///   in which the last `take` ran out (the indices after the `take`'s last item in it were
    ///   visited, and let nothing more through, as serially).
    /// - A timed-out run with a `take`: the prefix merged when the deadline passed.
    /// - A timed-out run without `take`: that prefix, then every chunk that finished past it;
    ///   between them are holes, the chunks that had not finished.
    /// - No index processed (an empty source, `take(0)`): empty.
    pub covered: Vec<Range<u128>>,
    /// How many of the processed indices came from a checkpoint of an earlier run
    /// ([`RunOptions::checkpoint`]) rather than being run now; 0 without one.
    pub resumed: u128,
}

impl<T> Outcome<T> {
    /// The same report with `f(value)` as its value.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// let out = Outcome { value: 7, complete: true, processed: 10, total: Some(10), covered: vec![0..10], resumed: 0 };
    /// let doubled = out.clone().map(|v| v * 2);
    /// assert_eq!((doubled.value, doubled.covered), (14, out.covered));
    /// ```
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U> {
        Outcome {
            value: f(self.value),
            complete: self.complete,
            processed: self.processed,
            total: self.total,
            covered: self.covered,
            resumed: self.resumed,
        }
    }

    /// The same report with a reference to the value (the covered ranges copied), for a step
    /// that keeps the original: `report.as_ref().try_map(encode)`.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// let out = Outcome { value: vec![1, 2], complete: true, processed: 2, total: Some(2), covered: vec![0..2], resumed: 0 };
    /// assert_eq!(out.as_ref().map(|v| v.len()).value, 2);
    /// assert_eq!(out.value, [1, 2]);
    /// ```
    pub fn as_ref(&self) -> Outcome<&T> {
        Outcome {
            value: &self.value,
            complete: self.complete,
            processed: self.processed,
            total: self.total,
            covered: self.covered.clone(),
            resumed: self.resumed,
        }
    }

    /// [`Outcome::map`] with a step that may fail (decoding a partial, say).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// let out = Outcome { value: "7", complete: true, processed: 1, total: Some(1), covered: vec![0..1], resumed: 0 };
    /// assert_eq!(out.clone().try_map(|v| v.parse::<u8>())?.value, 7);
    /// assert!(out.map(|_| "x").try_map(|v| v.parse::<u8>()).is_err());
    /// # Ok::<(), std::num::ParseIntError>(())
    /// ```
    pub fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<Outcome<U>, E> {
        let Outcome {
            value,
            complete,
            processed,
            total,
            covered,
            resumed,
        } = self;
        Ok(Outcome {
            value: f(value)?,
            complete,
            processed,
            total,
            covered,
            resumed,
        })
    }

    /// The value if the run completed, or an error saying how far it got.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// let done = Outcome { value: 7, complete: true, processed: 10, total: Some(10), covered: vec![0..10], resumed: 0 };
    /// assert_eq!(done.into_complete(), Ok(7));
    /// let cut = Outcome { value: 3, complete: false, processed: 4, total: Some(10), covered: vec![0..4], resumed: 0 };
    /// let e = cut.into_complete().unwrap_err();
    /// assert!(e.to_string().contains("after 4 of 10 indices"), "{e}");
    /// ```
    pub fn into_complete(self) -> crate::Result<T> {
        if self.complete {
            Ok(self.value)
        } else {
            Err(crate::Error::Context(format!(
                "the run timed out after {} of {} indices",
                self.processed,
                self.total
                    .map_or("an endless stream of".to_string(), |t| t.to_string())
            )))
        }
    }
}
