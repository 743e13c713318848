//! Options of a run and the marked result of a run that may be partial.

use super::observer::Progress;
use std::fmt;
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
    /// use haydi_core::domain::tests_support::Digits;
    /// let opts = RunOptions::new().max_result_bytes(1 << 10);
    /// let r = Digits(1_000_000).collect().run_with(false, &opts);
    /// assert!(matches!(r, Err(Error::ResultTooLarge { budget: 1024, .. })));
    /// // A count's partial is one number: it fits any budget.
    /// assert_eq!(Digits(1_000_000).count().run_with(false, &opts).unwrap().value, 1_000_000);
    /// ```
    pub max_result_bytes: Option<u64>,
}

impl fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunOptions")
            .field("timeout", &self.timeout)
            .field("progress_bar", &self.progress_bar)
            .field("progress", &self.progress.as_ref().map(|_| "callback"))
            .field("chunk_trace", &self.chunk_trace)
            .field("max_result_bytes", &self.max_result_bytes)
            .finish()
    }
}

impl RunOptions {
    /// Default options: no timeout, no progress reporting.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stops the run after `t`; see [`Outcome`].
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }

    /// Shows (or not) a progress bar on stderr.
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
    /// use haydi_core::domain::tests_support::Digits;
    /// let opts = RunOptions::new().on_progress(|p| assert!(p.processed <= 100));
    /// assert_eq!(Digits(100).count().run_with(false, &opts).unwrap().value, 100);
    /// let bad = RunOptions::new().on_progress(|_| panic!("boom"));
    /// match Digits(100).count().run_with(false, &bad) {
    ///     Err(Error::Panicked { message, .. }) => assert!(message.starts_with("in the progress callback")),
    ///     other => panic!("{other:?}"),
    /// }
    /// ```
    pub fn on_progress(mut self, f: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Writes a Chrome trace of every chunk to `path` when the run ends.
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
/// partial result, and says so.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_core::domain::tests_support::Digits;
/// let out = Digits(100).count().run_with(false, &RunOptions::new()).unwrap();
/// assert!(out.complete);
/// assert_eq!((out.value, out.processed, out.total), (100, 100, Some(100)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

impl<T> Outcome<T> {
    /// The value if the run completed, or an error saying how far it got.
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
