//! The one error type of haydi.

use std::ops::Range;

/// Everything that can go wrong when building a domain or running a pipeline.
///
/// ```
/// use haydi_core::Error;
/// let e = Error::InvalidDomain("Range step must not be 0".into());
/// assert!(e.to_string().contains("step"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A domain was built with parameters that make no sense (step 0, min > max, ...).
    #[error("invalid domain: {0}")]
    InvalidDomain(String),
    /// The domain has more elements than fit in `u128`, so it cannot be split into index ranges.
    #[error("the size of {domain} overflows u128; it cannot be indexed")]
    SizeOverflow {
        /// Name of the domain.
        domain: String,
    },
    /// `generate_one` was asked for an element of an empty domain.
    #[error("cannot generate an element of the empty domain {domain}")]
    EmptyDomain {
        /// Name of the domain.
        domain: String,
    },
    /// A filtered domain rejected every candidate drawn by `generate_one`.
    #[error("generate_one on {domain}: the filter rejected {tries} random candidates in a row")]
    GenerateRejected {
        /// Name of the domain.
        domain: String,
        /// How many candidates were drawn.
        tries: u32,
    },
    /// An endless source (`generate()`) was run without a `take` or a timeout.
    #[error("the pipeline source is endless: add take(n) or run with a timeout")]
    Unbounded,
    /// `run(true)` was called while a parallel run was executing on this thread.
    #[error(
        "nested parallel run: run(true) was called inside a running parallel run; use run(false) inside closures"
    )]
    NestedParallelRun,
    /// A user closure panicked while a chunk was processed.
    #[error("a closure panicked while processing chunk [{}, {}){}: {message}", chunk.start, chunk.end, worker.as_ref().map(|w| format!(" on {w}")).unwrap_or_default())]
    Panicked {
        /// The index range of the chunk that panicked.
        chunk: Range<u128>,
        /// The panic payload, if it was a string.
        message: String,
        /// Which worker ran the chunk (for example `rank 2`), when known.
        worker: Option<String>,
    },
    /// A context could not be created or is misconfigured.
    #[error("context error: {0}")]
    Context(String),
    /// A partial result could not be (de)serialized.
    #[error("serialization error: {0}")]
    Serialization(String),
    /// A worker or transport failure that the context could not recover from.
    #[error("worker failure: {0}")]
    Worker(String),
    /// A problem with the protocol between processes (mismatching runs, bad frames, authentication).
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The result of the run grew past its memory budget (see the field `max_result_bytes` of
    /// [`crate::RunOptions`]): the run was stopped before it could exhaust the machine's memory.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let opts = RunOptions::new().max_result_bytes(4096);
    /// match Range::new(1 << 20).collect().run_with(false, &opts) {
    ///     Err(Error::ResultTooLarge { budget, bytes, processed, total }) => {
    ///         assert_eq!(budget, 4096);
    ///         assert!(bytes > budget);
    ///         assert!(processed > 0 && processed < 1 << 20);
    ///         assert_eq!(total, Some(1 << 20));
    ///     }
    ///     other => panic!("{other:?}"),
    /// }
    /// ```
    #[error(
        "the result outgrew its memory budget of {budget} bytes: it took {bytes} bytes after {processed} of {} indices were merged; raise the budget with RunOptions::max_result_bytes, or shrink the result (take, count, groups_limited, ...)",
        total.map_or("an endless stream of".to_string(), |t| t.to_string())
    )]
    ResultTooLarge {
        /// The budget, in bytes.
        budget: u64,
        /// The estimated size of the result (merged and pending partials) when it was stopped.
        bytes: u64,
        /// Indices merged into the result by then.
        processed: u128,
        /// Length of the index space (`None` for endless sources).
        total: Option<u128>,
    },
    /// An argument is not valid for the call (inputs of different lengths, a zero size, an
    /// unknown name); the message says what was expected.
    ///
    /// ```
    /// use haydi_core::Error;
    /// let e = Error::InvalidArgument("map2: the inputs have 3 and 2 items".into());
    /// assert_eq!(e.to_string(), "invalid argument: map2: the inputs have 3 and 2 items");
    /// ```
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Tasks of a pool (`haydi_contexts::Pool`) did not finish within their timeout: the
    /// message says how many did and which are missing, never a silently short list.
    ///
    /// ```
    /// use haydi_core::Error;
    /// let e = Error::TimedOut { what: "map".into(), done: 3, total: 5, missing: vec![3..5] };
    /// assert_eq!(e.to_string(), "map timed out: 3 of 5 tasks finished; missing tasks [3..5]");
    /// ```
    #[error("{what} timed out: {done} of {total} tasks finished; missing tasks {missing:?}")]
    TimedOut {
        /// What timed out (`map`, `task 3`, ...).
        what: String,
        /// Tasks that finished.
        done: u64,
        /// Tasks asked for.
        total: u64,
        /// The indices of the tasks that did not finish, as sorted ranges.
        missing: Vec<Range<u64>>,
    },
    /// Canonical forms were requested for a domain that does not support them.
    #[error("canonical forms are not available: {0}")]
    NotStrict(String),
    /// A value given as a canonical representative (to `CnfValues` in `haydi-canon`) is not
    /// the canonical form of its isomorphism class, or two given values are isomorphic.
    ///
    /// ```
    /// use haydi_core::Error;
    /// let e = Error::NotCanonical { value: "(a1, a0)".into(), canonical: "(a0, a1)".into() };
    /// assert!(e.to_string().contains("(a1, a0)") && e.to_string().contains("(a0, a1)"));
    /// ```
    #[error(
        "{value} is not a canonical form (its canonical form is {canonical}); give each isomorphism class once, by its canonical form (haydi_canon::canonize)"
    )]
    NotCanonical {
        /// The value given (`Debug`).
        value: String,
        /// Its canonical form (`Debug`).
        canonical: String,
    },
    /// A canonical form did not decode back to the item type: the type's `Canonical` impl (in
    /// `haydi-canon`) does not round-trip, its `from_value` refusing a value laid out as its
    /// `to_value` (or the domain's shape) produces, with atoms renamed.
    ///
    /// ```
    /// use haydi_core::Error;
    /// let e = Error::NotDecodable { value: "(q1, 3)".into(), type_name: "my::Item".into() };
    /// assert!(e.to_string().contains("(q1, 3)") && e.to_string().contains("my::Item"));
    /// ```
    #[error(
        "the canonical form {value} does not decode to {type_name}: its Canonical impl does not round-trip (from_value must accept every value that to_value produces, with atoms renamed)"
    )]
    NotDecodable {
        /// The value (`Debug` of haydi-canon's `Value`) that did not decode.
        value: String,
        /// The item type it was decoded to.
        type_name: String,
    },
}

/// `Result` with haydi's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The message of a panic payload (`"non-string panic payload"` when it is not a string).
///
/// ```
/// let p = std::panic::catch_unwind(|| panic!("boom {}", 1)).unwrap_err();
/// assert_eq!(haydi_core::plumbing::panic_message(p), "boom 1");
/// ```
pub fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".into()
    }
}
