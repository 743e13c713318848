//! The contract between the scheduler and a context's workers: a worker asks for a chunk with a
//! [`Request`], runs the [`ChunkSpec`] it got, and hands the result back with a [`Completion`].
//! What differs between workers (a device that sizes its own chunks, a worker process with its
//! own clock, a placement by slot) travels in these two values, so a new kind of worker adds no
//! method to the scheduler.

use crate::context::WorkerId;
use std::time::Duration;

/// A chunk handed to a worker: an index range and the `take` budgets it may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkSpec {
    /// A number unique within the run.
    pub id: u64,
    /// First index.
    pub start: u128,
    /// One past the last index.
    pub end: u128,
    /// Upper bounds on what each `take` may let through.
    pub budgets: Vec<u64>,
}

/// What a worker asks the scheduler for ([`Scheduler::next_chunk`](super::Scheduler::next_chunk)).
///
/// - [`Request::any`]: the next chunk in index order (or one handed back by a lost worker),
///   sized by the scheduler for about `ScheduleConfig::target_chunk` at the measured cost.
/// - [`Request::sized`]: the same, of about `len` indices, for a worker that sizes its own
///   chunks from its own measured rate (an accelerator, many times faster than a CPU thread).
///   The scheduler still cuts it at the end, at restored checkpoint chunks, by the guided tail
///   (`remaining / (2 × workers)`) and to the alignment; a run with fixed chunks keeps its
///   size. Complete such chunks [`unmeasured`](Completion::unmeasured).
/// - [`Request::slot`]: in a run with fixed chunks of `k` indices
///   ([`RunOptions::chunk_size`](crate::RunOptions::chunk_size)), the chunk
///   `[s × k, (s + 1) × k)`, once: for a context that places chunks on particular workers.
///   `None` when it was handed out already, lies past the end, or the run has no fixed chunks;
///   plain requests then skip it.
///
/// ```
/// use haydi_core::plumbing::Request;
/// assert_eq!(Request::any(), Request::default());
/// assert_eq!(Request::sized(500).size_hint, Some(500));
/// assert_eq!(Request::slot(3).slot, Some(3));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Request {
    /// About this many indices (the worker's own size); `None`: the scheduler sizes the chunk.
    pub size_hint: Option<u128>,
    /// This slot of a run with fixed chunks; `None`: the next chunk in order.
    pub slot: Option<u128>,
}

impl Request {
    /// The next chunk, sized by the scheduler.
    ///
    /// ```
    /// assert_eq!(haydi_core::plumbing::Request::any().size_hint, None);
    /// ```
    pub fn any() -> Self {
        Request::default()
    }

    /// The next chunk, of about `len` indices.
    ///
    /// ```
    /// assert_eq!(haydi_core::plumbing::Request::sized(64).size_hint, Some(64));
    /// ```
    pub fn sized(len: u128) -> Self {
        Request {
            size_hint: Some(len),
            slot: None,
        }
    }

    /// The chunk of slot `s` of a run with fixed chunks.
    ///
    /// ```
    /// assert_eq!(haydi_core::plumbing::Request::slot(2).slot, Some(2));
    /// ```
    pub fn slot(s: u128) -> Self {
        Request {
            size_hint: None,
            slot: Some(s),
        }
    }
}

/// How a chunk ran, handed back with its result
/// ([`Scheduler::complete`](super::Scheduler::complete)).
///
/// ```
/// use haydi_core::context::WorkerId;
/// use haydi_core::plumbing::Completion;
/// use std::time::Duration;
/// let c = Completion::by(2, Duration::from_millis(3));
/// assert_eq!((c.worker, c.measured, c.began), (WorkerId::new(0, 2), true, None));
/// let remote = Completion::by(WorkerId::new(4, 1), Duration::ZERO).began(Duration::from_secs(1));
/// assert_eq!(remote.began, Some(Duration::from_secs(1)));
/// assert!(!Completion::by(1, Duration::ZERO).unmeasured().measured);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    /// Who ran it: a thread of this process (thread 0 is the calling thread), or a thread of
    /// another process (its rank).
    pub worker: WorkerId,
    /// How long it took.
    pub elapsed: Duration,
    /// Whether its time enters the cost estimate that sizes the chunks of the workers the
    /// scheduler sizes (`false` for a chunk asked for with [`Request::sized`]).
    pub measured: bool,
    /// When it began by its worker's own clock (the time since that process's part of the run
    /// began), for a chunk that ran in another process: the chunk trace places that process's
    /// chunks by it. `None`: it ended now, in this process.
    pub began: Option<Duration>,
}

impl Completion {
    /// A chunk that took `elapsed` on `worker` (a thread number of this process, or a
    /// [`WorkerId`]), measured, ending now.
    ///
    /// ```
    /// use haydi_core::plumbing::Completion;
    /// assert!(Completion::by(0, std::time::Duration::ZERO).measured);
    /// ```
    pub fn by(worker: impl Into<WorkerId>, elapsed: Duration) -> Self {
        Completion {
            worker: worker.into(),
            elapsed,
            measured: true,
            began: None,
        }
    }

    /// The same, with a time that must not size the other workers' chunks.
    ///
    /// ```
    /// use haydi_core::plumbing::Completion;
    /// assert!(!Completion::by(0, std::time::Duration::ZERO).unmeasured().measured);
    /// ```
    pub fn unmeasured(mut self) -> Self {
        self.measured = false;
        self
    }

    /// The same, for a chunk that began at `began` on its process's own clock.
    ///
    /// ```
    /// use haydi_core::plumbing::Completion;
    /// use std::time::Duration;
    /// let c = Completion::by(0, Duration::ZERO).began(Duration::from_millis(5));
    /// assert_eq!(c.began, Some(Duration::from_millis(5)));
    /// ```
    pub fn began(mut self, began: Duration) -> Self {
        self.began = Some(began);
        self
    }
}
