//! A pass over index ranges with a partial, typed: what a job is before it is erased. Every
//! [`Pass`] is an [`ErasedJob`]; the erasure (downcasts, the one wire form of partials, panics
//! caught and named) is written once, here, for every job of the workspace: a pipeline's job,
//! enumerate's counting pass, a window onto a job, a breadth-first search's level, a kernel
//! job, a pool's broadcast.

use super::codec::{decode_value, encode_value};
use super::erased::{ChunkOutput, ErasedJob, ErasedPartial, JobSignature};
use super::task_note::catch_panic;
use crate::error::{Error, Result};
use crate::pipeline::Extent;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::any::{Any, TypeId};

/// A pass over an index space whose chunks produce partials that merge in index order (see
/// [`ErasedJob`], which every `Pass` is). User code in [`Pass::run`] and [`Pass::merge`] may
/// panic: the erased job catches it and fails the chunk with [`Error::Panicked`] (naming the
/// chunk, the task a pool noted with [`note_task`](super::note_task), and
/// [`Pass::panic_prefix`]).
///
/// ```
/// use haydi_core::plumbing::{ChunkOutput, ErasedJob, JobSignature, Pass};
/// use haydi_core::pipeline::Extent;
/// use haydi_core::prelude::*;
/// /// The squares of the indices below `n`, as a job.
/// struct Squares { n: u128 }
/// impl Pass for Squares {
///     type Partial = Vec<u128>;
///     fn extent(&self) -> haydi_core::Result<Extent> { Ok(Extent::Finite(self.n)) }
///     fn run(&self, start: u128, end: u128, _: &[u64]) -> haydi_core::Result<ChunkOutput<Vec<u128>>> {
///         Ok(ChunkOutput::new((start..end).map(|i| i * i).collect()))
///     }
///     fn empty(&self) -> Vec<u128> { Vec::new() }
///     fn merge(&self, left: &mut Vec<u128>, right: Vec<u128>) -> haydi_core::Result<()> {
///         left.extend(right);
///         Ok(())
///     }
///     fn partial_bytes(&self, p: &Vec<u128>) -> u64 { 16 * p.capacity() as u64 }
///     fn signature(&self) -> JobSignature {
///         JobSignature { call_site: std::panic::Location::caller(), type_name: "squares" }
///     }
/// }
/// let report = ThreadContext::new(2)?.execute(&Squares { n: 1000 }, &RunOptions::new())?;
/// let v = report.value.downcast::<Vec<u128>>().unwrap();
/// assert_eq!(v.len(), 1000);
/// assert_eq!(v[999], 998_001);
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub trait Pass: Sync {
    /// The partial result of a chunk.
    type Partial: Serialize + DeserializeOwned + Send + 'static;
    /// Length of the index space.
    fn extent(&self) -> Result<Extent>;
    /// Chunk boundaries must be multiples of this (1 by default).
    fn alignment(&self) -> u128 {
        1
    }
    /// The limits of the pass's `take`s, in chain order (none by default).
    fn take_limits(&self) -> &[u64] {
        &[]
    }
    /// The partial over the indices `[start, end)`; `budgets[j]` is how many items `take`
    /// number `j` may let through.
    fn run(&self, start: u128, end: u128, budgets: &[u64]) -> Result<ChunkOutput<Self::Partial>>;
    /// The partial of no indices.
    fn empty(&self) -> Self::Partial;
    /// Appends `right`, the partial of a later chunk, to `left`.
    fn merge(&self, left: &mut Self::Partial, right: Self::Partial) -> Result<()>;
    /// An estimate of the memory `partial` takes, in bytes (checked against the run's result
    /// budget).
    fn partial_bytes(&self, partial: &Self::Partial) -> u64;
    /// Where the run was started and what it is.
    fn signature(&self) -> JobSignature;
    /// What the pass's source yields (see [`ErasedJob::fingerprint`]).
    fn fingerprint(&self) -> String {
        format!("{} (source not described)", self.signature().type_name)
    }
    /// A value this pass offers to contexts that know its type (see [`ErasedJob::extension`]).
    fn extension(&self, of: TypeId) -> Option<&(dyn Any + Send + Sync)> {
        let _ = of;
        None
    }
    /// Where the user code of [`Pass::run`] is, put before the message of a panic in it
    /// (`"in the counting pass of enumerate: "`); empty (the default): the panic's own message.
    fn panic_prefix(&self) -> &'static str {
        ""
    }
}

/// The partial inside `p`, which must be a `P`.
fn typed<P: 'static>(p: ErasedPartial) -> Result<P> {
    p.downcast::<P>().map(|b| *b).map_err(|_| wrong::<P>())
}

fn wrong<P>() -> Error {
    Error::Context(format!(
        "a partial of the wrong type (expected {})",
        std::any::type_name::<P>()
    ))
}

impl<P: Pass> ErasedJob for P {
    fn extent(&self) -> Result<Extent> {
        Pass::extent(self)
    }

    fn alignment(&self) -> u128 {
        Pass::alignment(self)
    }

    fn take_limits(&self) -> &[u64] {
        Pass::take_limits(self)
    }

    fn run_chunk(&self, start: u128, end: u128, budgets: &[u64]) -> Result<ChunkOutput> {
        let out = catch_panic(start..end, self.panic_prefix(), || {
            self.run(start, end, budgets)
        })??;
        Ok(out.erase())
    }

    fn empty_partial(&self) -> ErasedPartial {
        Box::new(self.empty())
    }

    fn merge(&self, left: &mut ErasedPartial, right: ErasedPartial) -> Result<()> {
        let right = typed::<P::Partial>(right)?;
        let left = left
            .downcast_mut::<P::Partial>()
            .ok_or_else(wrong::<P::Partial>)?;
        catch_panic(0..0, "while merging partial results: ", || {
            Pass::merge(self, left, right)
        })?
    }

    fn encode_partial(&self, partial: &ErasedPartial) -> Result<Vec<u8>> {
        let p = partial
            .downcast_ref::<P::Partial>()
            .ok_or_else(wrong::<P::Partial>)?;
        encode_value(p)
    }

    fn decode_partial(&self, bytes: &[u8]) -> Result<ErasedPartial> {
        Ok(Box::new(decode_value::<P::Partial>(bytes)?))
    }

    fn signature(&self) -> JobSignature {
        Pass::signature(self)
    }

    fn fingerprint(&self) -> String {
        Pass::fingerprint(self)
    }

    fn partial_bytes(&self, partial: &ErasedPartial) -> u64 {
        partial
            .downcast_ref::<P::Partial>()
            .map_or(0, |p| Pass::partial_bytes(self, p))
    }

    fn extension(&self, of: TypeId) -> Option<&(dyn Any + Send + Sync)> {
        Pass::extension(self, of)
    }
}
