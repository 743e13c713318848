//! Where a pipeline's items come from: a domain's index space, or a seeded random stream.

use crate::domain::Domain;
use crate::error::{Error, Result};
use crate::size::Size;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::ops::ControlFlow;

/// The length of a source's index space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extent {
    /// Indices `0..n`.
    Finite(u128),
    /// An endless stream: the run needs a `take` or a timeout.
    Endless,
}

/// A pipeline source: anything that can produce the items of an index range.
///
/// Sources are shared by reference between the threads of a run, hence `Sync`.
pub trait Source: Send + Sync {
    /// The type of the items.
    type Item;

    /// The length of the index space.
    fn extent(&self) -> Result<Extent>;

    /// Chunk boundaries must be multiples of this (random streams are seeded per block).
    fn alignment(&self) -> u128 {
        1
    }

    /// Calls `f` on the items with index in `[start, end)` in order, until `f` breaks.
    fn visit<F>(&self, start: u128, end: u128, f: &mut F) -> Result<()>
    where
        F: FnMut(Self::Item) -> ControlFlow<()>;

    /// A human-readable description (for logs and errors).
    fn describe(&self) -> String;
}

const OVERFLOW_EXTENT: u128 = Size::OVERFLOW_EXTENT;

/// Iterates every item of a domain in index order (see [`crate::DomainExt::iterate`]).
///
/// A domain whose size fits `u128` is split by its indices. One whose size overflows
/// ([`Size::Unknown`]) keeps its own indices for its first items, which is all any run can
/// reach (more than 10^38 of them): the index space is `0..Size::OVERFLOW_EXTENT`, and the
/// last index ([`Size::OVERFLOW_EXTENT`]` - 1`) stands for all the items from there on, visited lazily by
/// [`Domain::visit_from`]. So `take`, `first`, filtered searches and timeouts behave as on any
/// other domain, the items come in serial order, and a run that needs the whole space (a
/// `count`, say) is exact if it ever ends. An [`Outcome`](crate::Outcome) of such a run has
/// `total == Some(Size::OVERFLOW_EXTENT)`, and its `processed` counts items (as long as the last
/// index is not merged). An overflowing domain whose `visit_from` does not reach its end
/// ([`Domain::visits_past_u128`]) fails with [`Error::SizeOverflow`].
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_core::domain::tests_support::Wide;
/// // 2 x u128::MAX items: more than u128 can count.
/// let w = Wide { rows: 2, cols: u128::MAX };
/// let v = w.iterate().filter(|(_, i)| i % 2 == 1).take(2).collect().run(false).unwrap();
/// assert_eq!(v, vec![(0, 1), (0, 3)]);
/// let out = w.first().run_with(false, &RunOptions::new()).unwrap();
/// assert_eq!((out.value, out.total), (Some((0, 0)), Some(Size::OVERFLOW_EXTENT)));
/// ```
#[derive(Debug, Clone)]
pub struct Iterate<D> {
    domain: D,
    /// The size overflows and `visit_from` reaches the end: the last index is the rest.
    overflows: bool,
}

impl<D: Domain> Iterate<D> {
    pub(crate) fn new(domain: D) -> Self {
        let overflows = domain.size() == Size::Unknown && domain.visits_past_u128();
        Iterate { domain, overflows }
    }
}

impl<D: Domain> Source for Iterate<D> {
    type Item = D::Item;

    fn extent(&self) -> Result<Extent> {
        if self.overflows {
            return Ok(Extent::Finite(OVERFLOW_EXTENT));
        }
        self.domain
            .size()
            .bound()
            .map(Extent::Finite)
            .ok_or_else(|| Error::SizeOverflow {
                domain: self.domain.name(),
            })
    }

    #[inline]
    fn visit<F>(&self, start: u128, end: u128, f: &mut F) -> Result<()>
    where
        F: FnMut(D::Item) -> ControlFlow<()>,
    {
        if self.overflows && end >= OVERFLOW_EXTENT {
            // The chunk holds the last index: everything from `start` to the real end.
            let _ = self.domain.visit_from(start, f);
            return Ok(());
        }
        let _ = self.domain.visit_range(start, end, f);
        Ok(())
    }

    fn describe(&self) -> String {
        format!(
            "iterate({}, size {}{})",
            self.domain.name(),
            self.domain.size(),
            if self.overflows {
                ", the last index holding the items past u128"
            } else {
                ""
            }
        )
    }
}

/// Positions of a random stream per independently seeded block.
///
/// Item `i` of a `generate(seed)` stream is drawn from the ChaCha8 stream number `i / BLOCK`
/// of `seed`, so the items do not depend on how a run is cut into chunks or how many workers
/// run it.
pub const GENERATE_BLOCK: u128 = 1024;

/// An endless stream of uniformly random items of a domain (see
/// [`crate::DomainExt::generate`]). The same seed gives the same stream, whatever the context.
#[derive(Debug, Clone)]
pub struct Generate<D> {
    domain: D,
    seed: u64,
}

impl<D> Generate<D> {
    pub(crate) fn new(domain: D, seed: u64) -> Self {
        Generate { domain, seed }
    }
}

impl<D: Domain> Source for Generate<D> {
    type Item = D::Item;

    fn extent(&self) -> Result<Extent> {
        Ok(Extent::Endless)
    }

    fn alignment(&self) -> u128 {
        GENERATE_BLOCK
    }

    fn visit<F>(&self, start: u128, end: u128, f: &mut F) -> Result<()>
    where
        F: FnMut(D::Item) -> ControlFlow<()>,
    {
        let mut pos = start;
        while pos < end {
            let block = pos / GENERATE_BLOCK;
            let block_start = block * GENERATE_BLOCK;
            let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
            rng.set_stream(block as u64);
            for _ in block_start..pos {
                self.domain.generate_one(&mut rng)?;
            }
            let block_end = end.min(block_start + GENERATE_BLOCK);
            for _ in pos..block_end {
                let x = self.domain.generate_one(&mut rng)?;
                if f(x).is_break() {
                    return Ok(());
                }
            }
            pos = block_end;
        }
        Ok(())
    }

    fn describe(&self) -> String {
        format!("generate({}, seed {})", self.domain.name(), self.seed)
    }
}
