//! The messages between driver and workers (serde, bincode 2 with a size limit).

use haydi_core::plumbing::ChunkSpec;
use haydi_core::{Error, Outcome};
use serde::{Deserialize, Serialize};

/// Messages up to this size decode under twice this allocation limit; a longer message gets
/// the limit of the next power of two above twice its length (see [`decode`]).
pub const DECODE_LIMIT: usize = 1 << 16;

/// Identifies a run across processes: the same program reaches the same `run(true)` calls in the
/// same order on every process.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RunId {
    /// How many runs this context executed before this one (per process).
    pub seq: u64,
    /// `file:line:column` of the `run` call.
    pub call_site: String,
    /// The type name of the pipeline and its action.
    pub type_name: String,
    /// What the run goes over: the job's fingerprint (its domain's bounds and, where the
    /// domain can describe them, its items; [`haydi_core::plumbing::ErasedJob::fingerprint`]).
    /// Two processes that reach the same call with domains built differently (a list shuffled
    /// by an unseeded RNG, a seed drawn at random, a file only one of them reads) would each
    /// compute their chunks over their own items and merge them into a result that is
    /// nobody's: the driver refuses such a worker's run instead.
    pub source: String,
}

impl RunId {
    /// Why a worker that reached `self` cannot take part in the driver's run `driver`: the
    /// same call over another source gets a message saying so, anything else is another call.
    ///
    /// ```
    /// use haydi_contexts::distributed::protocol::RunId;
    /// let id = |source: &str| RunId {
    ///     seq: 2,
    ///     call_site: "main.rs:9:5".into(),
    ///     type_name: "Count".into(),
    ///     source: source.into(),
    /// };
    /// assert!(id("Values(3 items; digest 1)").divergence(3, &id("Values(3 items; digest 2)"))
    ///     .contains("the same call over another source"));
    /// ```
    pub fn divergence(&self, rank: u32, driver: &RunId) -> String {
        if self.seq == driver.seq
            && self.call_site == driver.call_site
            && self.type_name == driver.type_name
        {
            format!(
                "rank {rank} diverged from the driver: it reached {self}, the same call over \
                 another source (its `{}`, the driver's `{}`). Every process must build the \
                 same domains: derive random data from a seed they share, or take the \
                 driver's (haydi_contexts::pool::driver_bytes, Pool::push)",
                self.source, driver.source
            )
        } else {
            format!(
                "rank {rank} diverged from the driver: it reached {self}, the driver is at \
                 {driver}. Every process must make the same run(true) calls in the same order"
            )
        }
    }
}

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "run #{} at {} ({})",
            self.seq, self.call_site, self.type_name
        )
    }
}

/// What a worker sends after authenticating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Join {
    /// The worker's rank (1..size).
    pub rank: u32,
    /// SHA-256 of the worker's executable.
    pub exe_hash: [u8; 32],
    /// How many chunks the worker runs at once.
    pub threads: u32,
    /// Process id, for log messages.
    pub pid: u32,
    /// Host name, for log messages.
    pub host: String,
    /// The worker's job identity (launcher job id and a hash of the program's arguments): a
    /// driver refuses workers of another job.
    pub job: String,
}

/// A [`ChunkSpec`] as it travels.
///
/// ```
/// use haydi_contexts::distributed::protocol::WireChunk;
/// use haydi_core::plumbing::ChunkSpec;
/// let spec = ChunkSpec { id: 4, start: 10, end: 20, budgets: vec![3] };
/// assert_eq!(ChunkSpec::from(WireChunk::from(&spec)), spec);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireChunk {
    /// The chunk's id, unique within the run.
    pub id: u64,
    /// First index.
    pub start: u128,
    /// One past the last index.
    pub end: u128,
    /// Take budgets.
    pub budgets: Vec<u64>,
}

impl From<&ChunkSpec> for WireChunk {
    fn from(s: &ChunkSpec) -> Self {
        WireChunk {
            id: s.id,
            start: s.start,
            end: s.end,
            budgets: s.budgets.clone(),
        }
    }
}

impl From<WireChunk> for ChunkSpec {
    fn from(w: WireChunk) -> Self {
        ChunkSpec {
            id: w.id,
            start: w.start,
            end: w.end,
            budgets: w.budgets,
        }
    }
}

/// The result of one chunk as it travels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkResult {
    /// The encoded partial.
    pub partial: Vec<u8>,
    /// Items let through by each `take`.
    pub take_counts: Vec<u64>,
    /// Items that reached the action.
    pub items: u64,
}

/// The final result of a run as broadcast to the workers: the run's report with the encoded
/// merged partial as its value (what every process's context returns, decoded), and how many
/// items reached the action (for the workers' final progress report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Final {
    /// The report: the encoded merged partial, completeness, counts, covered ranges.
    pub report: Outcome<Vec<u8>>,
    /// Items that reached the action.
    pub items: u64,
}

/// Worker to driver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ToDriver {
    /// First message after authentication.
    Join(Join),
    /// The worker reached a run.
    Announce(RunId),
    /// A chunk finished; the worker wants another.
    Done {
        /// Sequence number of the run.
        run: u64,
        /// The chunk's id.
        chunk: u64,
        /// The partial, or the error of the chunk.
        result: Result<ChunkResult, WireError>,
        /// Time spent on the chunk, in nanoseconds.
        nanos: u64,
        /// The worker thread that ran it, from 1 (the chunk trace's `tid`).
        thread: u32,
        /// When the chunk began, in nanoseconds since the worker's part of the run began (on
        /// the worker's clock; the chunk trace places the worker's chunks by it).
        began: u64,
    },
    /// The worker is alive.
    Heartbeat,
    /// First message after authentication of a monitor (not a worker: it takes no chunks and
    /// no rank); see [`super::monitor`].
    Monitor(super::monitor::MonitorHello),
    /// The worker's program ended (its `main` returned, exited or panicked outside a run),
    /// after `runs` runs of the context: it takes part in no later run, and the driver reaching
    /// one is the processes diverging. Sent at the process's exit by both transports (MPI's
    /// processes must all finalize together: there the driver answers with
    /// `ToWorker::Shutdown`).
    Leaving {
        /// How many runs of the context the worker made.
        runs: u64,
    },
}

/// Driver to worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ToWorker {
    /// The worker was accepted.
    Welcome {
        /// Number of processes (driver included).
        size: u32,
    },
    /// Run this chunk.
    Chunk {
        /// Sequence number of the run.
        run: u64,
        /// The chunk.
        chunk: WireChunk,
    },
    /// The run this worker announced ended before it joined, and the driver kept no copy of
    /// its result (see `DistributedOptions::rejoin_cache`): the worker computes it itself.
    CatchUp {
        /// Sequence number of the run.
        run: u64,
    },
    /// The run is over: its result, or its error.
    Result {
        /// Sequence number of the run.
        run: u64,
        /// The merged result.
        outcome: Result<Final, WireError>,
    },
    /// The worker is refused (a different executable, a rank already taken).
    Refused(String),
    /// The driver is alive.
    Heartbeat,
    /// The driver's program ended, or it dropped this context: no run of this context
    /// follows. The worker goes on with its own `main` to its end (a later run of the context
    /// there is an `Error::Protocol`).
    Shutdown,
    /// The worker is no longer part of the job (it did not reach a run in time, or a monitor
    /// dropped it): it says why on stderr and exits with a non-zero status.
    Dismissed(String),
}

/// An [`Error`] as it travels between processes; converts back to the same error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum WireError {
    InvalidDomain(String),
    SizeOverflow(String),
    EmptyDomain(String),
    GenerateRejected(String, u32),
    Unbounded,
    NestedParallelRun,
    Panicked {
        start: u128,
        end: u128,
        message: String,
        worker: Option<String>,
    },
    Context(String),
    Serialization(String),
    Worker(String),
    Protocol(String),
    NotStrict(String),
    NotDecodable {
        value: String,
        type_name: String,
    },
    Other(String),
    ResultTooLarge {
        budget: u64,
        bytes: u64,
        processed: u128,
        total: Option<u128>,
    },
}

impl From<&Error> for WireError {
    fn from(e: &Error) -> Self {
        match e.clone() {
            Error::InvalidDomain(s) => WireError::InvalidDomain(s),
            Error::SizeOverflow { domain } => WireError::SizeOverflow(domain),
            Error::EmptyDomain { domain } => WireError::EmptyDomain(domain),
            Error::GenerateRejected { domain, tries } => WireError::GenerateRejected(domain, tries),
            Error::Unbounded => WireError::Unbounded,
            Error::NestedParallelRun => WireError::NestedParallelRun,
            Error::Panicked {
                chunk,
                message,
                worker,
            } => WireError::Panicked {
                start: chunk.start,
                end: chunk.end,
                message,
                worker,
            },
            Error::Context(s) => WireError::Context(s),
            Error::Serialization(s) => WireError::Serialization(s),
            Error::Worker(s) => WireError::Worker(s),
            Error::Protocol(s) => WireError::Protocol(s),
            Error::NotStrict(s) => WireError::NotStrict(s),
            Error::NotDecodable { value, type_name } => {
                WireError::NotDecodable { value, type_name }
            }
            Error::ResultTooLarge {
                budget,
                bytes,
                processed,
                total,
            } => WireError::ResultTooLarge {
                budget,
                bytes,
                processed,
                total,
            },
            other => WireError::Other(other.to_string()),
        }
    }
}

impl From<WireError> for Error {
    fn from(e: WireError) -> Self {
        match e {
            WireError::InvalidDomain(s) => Error::InvalidDomain(s),
            WireError::SizeOverflow(domain) => Error::SizeOverflow { domain },
            WireError::EmptyDomain(domain) => Error::EmptyDomain { domain },
            WireError::GenerateRejected(domain, tries) => Error::GenerateRejected { domain, tries },
            WireError::Unbounded => Error::Unbounded,
            WireError::NestedParallelRun => Error::NestedParallelRun,
            WireError::Panicked {
                start,
                end,
                message,
                worker,
            } => Error::Panicked {
                chunk: start..end,
                message,
                worker,
            },
            WireError::Context(s) | WireError::Other(s) => Error::Context(s),
            WireError::Serialization(s) => Error::Serialization(s),
            WireError::Worker(s) => Error::Worker(s),
            WireError::Protocol(s) => Error::Protocol(s),
            WireError::NotStrict(s) => Error::NotStrict(s),
            WireError::NotDecodable { value, type_name } => {
                Error::NotDecodable { value, type_name }
            }
            WireError::ResultTooLarge {
                budget,
                bytes,
                processed,
                total,
            } => Error::ResultTooLarge {
                budget,
                bytes,
                processed,
                total,
            },
        }
    }
}

fn config<const LIMIT: usize>() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<LIMIT>()
}

fn decode_under<T: for<'de> Deserialize<'de>, const LIMIT: usize>(
    bytes: &[u8],
) -> Result<(T, usize), bincode::error::DecodeError> {
    bincode::serde::decode_from_slice(bytes, config::<LIMIT>())
}

/// Encodes a message.
///
/// ```
/// use haydi_contexts::distributed::protocol::{decode, encode, ToWorker};
/// let bytes = encode(&ToWorker::Welcome { size: 3 }).unwrap();
/// assert_eq!(decode::<ToWorker>(&bytes).unwrap(), ToWorker::Welcome { size: 3 });
/// assert!(decode::<ToWorker>(&[0xff, 0xff, 0xff]).is_err());
/// ```
pub fn encode<T: Serialize>(msg: &T) -> Result<Vec<u8>, Error> {
    bincode::serde::encode_to_vec(msg, bincode::config::standard())
        .map_err(|e| Error::Serialization(e.to_string()))
}

/// Decodes a message; malformed bytes give an error (never a panic or an unbounded allocation),
/// and so do trailing bytes.
///
/// bincode allocates what a length prefix claims before it reads the bytes, so the claims are
/// bounded: every claim of a message together may not exceed the next power of two above twice
/// the message's own length (at least [`DECODE_LIMIT`]). The blobs of the protocol (encoded
/// partials) are byte strings, whose claims equal their length; every other field claims its
/// in-memory size (a `u64` claims 8 bytes however few it took on the wire), so a message's
/// claims exceed its length by its header's fields: a bucket of the length alone refused a
/// genuine message just under a power of two. Twice the length leaves room for the fields of
/// any message of the protocol, and a forged length allocates at most four times what was
/// received.
pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, Error> {
    macro_rules! by_bucket {
        ($($k:literal)*) => {
            match bytes.len().max(DECODE_LIMIT).saturating_mul(2).next_power_of_two().trailing_zeros() {
                $($k => decode_under::<T, { 1usize << $k }>(bytes),)*
                _ => return Err(Error::Protocol(format!(
                    "malformed message: {} bytes is more than any message may hold",
                    bytes.len()
                ))),
            }
        };
    }
    let (msg, used) =
        by_bucket!(17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41)
            .map_err(|e| Error::Protocol(format!("malformed message: {e}")))?;
    if used != bytes.len() {
        return Err(Error::Protocol("malformed message: trailing bytes".into()));
    }
    Ok(msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]
        /// Random bytes decode to an error or a message, never a panic.
        #[test]
        fn random_messages_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode::<ToDriver>(&bytes);
            let _ = decode::<ToWorker>(&bytes);
        }
    }

    #[test]
    fn large_blobs_decode() {
        let msg = ToWorker::Result {
            run: 3,
            outcome: Ok(Final {
                report: Outcome {
                    value: vec![7u8; 5 << 20],
                    complete: true,
                    processed: 10,
                    total: Some(10),
                    covered: vec![0..4, 6..10],
                    resumed: 3,
                },
                items: 10,
            }),
        };
        let bytes = encode(&msg).unwrap();
        assert_eq!(decode::<ToWorker>(&bytes).unwrap(), msg);
        // A 5 MiB claim in a short message is refused before anything is allocated.
        let mut short = bytes[..64].to_vec();
        short.truncate(64);
        assert!(decode::<ToWorker>(&short).is_err());
    }

    #[test]
    fn huge_claimed_lengths_are_refused() {
        // Announce(RunId) with a string claiming 2^60 bytes.
        let mut bytes = vec![1u8, 0, 0xfd];
        bytes.extend_from_slice(&(1u64 << 60).to_le_bytes());
        assert!(decode::<ToDriver>(&bytes).is_err());
    }

    #[test]
    fn errors_survive_the_trip() {
        let e = Error::Panicked {
            chunk: 5..9,
            message: "boom".into(),
            worker: Some("rank 2".into()),
        };
        let back: Error = WireError::from(&e).into();
        assert_eq!(back, e);
        assert_eq!(
            Error::from(WireError::from(&Error::Unbounded)),
            Error::Unbounded
        );
        let e = Error::NotDecodable {
            value: "(b0, b1)".into(),
            type_name: "my::Item".into(),
        };
        assert_eq!(Error::from(WireError::from(&e)), e);
    }

    /// A genuine message decodes whatever its length, also just below or at a power of two
    /// (where a limit of the next power of two above the length alone refused it: the
    /// header's fields claim more than their bytes; `big_result` met it once in 5 runs).
    #[test]
    fn genuine_messages_of_every_length_decode() {
        for k in 16..=22u32 {
            for n in ((1usize << k) - 64..(1usize << k) + 16).step_by(3) {
                let msg = ToDriver::Done {
                    run: 1,
                    chunk: 2,
                    result: Ok(ChunkResult {
                        partial: vec![7; n],
                        take_counts: vec![],
                        items: 9,
                    }),
                    nanos: 1 << 40,
                    thread: 1,
                    began: 1 << 33,
                };
                let bytes = encode(&msg).unwrap();
                let back = decode::<ToDriver>(&bytes)
                    .unwrap_or_else(|e| panic!("{n} bytes of partial, {}: {e}", bytes.len()));
                assert_eq!(back, msg);
            }
        }
    }
}
