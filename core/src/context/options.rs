//! Options of a run and the marked result of a run that may be partial.

use super::observer::Progress;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// A progress callback (see [`RunOptions::on_progress`]).
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Options of one run: timeout, progress reporting, chunk trace.
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
    pub progress: Option<ProgressFn>,
    /// Write every chunk (worker, start, end, items, time) to this file as Chrome trace-event
    /// JSON, viewable in Perfetto or `chrome://tracing`.
    pub chunk_trace: Option<PathBuf>,
}

impl fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunOptions")
            .field("timeout", &self.timeout)
            .field("progress_bar", &self.progress_bar)
            .field("progress", &self.progress.as_ref().map(|_| "callback"))
            .field("chunk_trace", &self.chunk_trace)
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
    pub fn on_progress(mut self, f: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Writes a Chrome trace of every chunk to `path` when the run ends.
    pub fn chunk_trace(mut self, path: impl Into<PathBuf>) -> Self {
        self.chunk_trace = Some(path.into());
        self
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
    /// Length of the index space (`None` for an endless `generate()` source).
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
