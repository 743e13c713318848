//! Where a pipeline's items come from: a domain's index space, or a seeded random stream.

use crate::context::{RunOptions, RunReport};
use crate::domain::Domain;
use crate::error::{Error, Result};
use crate::plumbing::ErasedJob;
use crate::size::Size;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::ops::{ControlFlow, Range};
use std::panic::Location;
use std::sync::{Arc, MutexGuard};

/// The length of a source's index space.
///
/// ```
/// use haydi_core::pipeline::{Extent, Iterate, Source};
/// use haydi_domains::Range;
/// assert_eq!(Iterate::new(Range::new(5)).extent().unwrap(), Extent::Finite(5));
/// ```
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
///
/// ```
/// use haydi_core::pipeline::{Iterate, Source};
/// use haydi_domains::Range;
/// use std::ops::ControlFlow;
/// let mut seen = Vec::new();
/// Iterate::new(Range::new(10)).visit(3, 6, &mut |x| { seen.push(x); ControlFlow::Continue(()) }).unwrap();
/// assert_eq!(seen, vec![3, 4, 5]);
/// ```
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

    /// A stable description of what this source yields, for checkpoints and crops to tell
    /// jobs apart (see [`crate::Domain::fingerprint`]): a domain's source gives the domain's
    /// fingerprint. The default is honest that it describes nothing beyond
    /// [`describe`](Source::describe).
    ///
    /// ```
    /// use haydi_core::pipeline::{Iterate, Source};
    /// use haydi_domains::Range;
    /// assert_eq!(Iterate::new(Range::new(3)).fingerprint(), "Range(start 0, step 1, len 3)");
    /// ```
    fn fingerprint(&self) -> String {
        format!("{} (source not described)", self.describe())
    }

    /// The number of items with index in `[start, end)`, when the source can count them
    /// faster than it produces them; `None` (the default) when it cannot. A run of `count`
    /// straight on the source (no adapter between) uses it: the generation tree of canonical
    /// forms counts its leaves without building a single item. The count must equal the number
    /// of items `visit` gives, and an error `visit` would meet must be returned.
    ///
    /// ```
    /// use haydi_core::pipeline::{Iterate, Source};
    /// use haydi_domains::Range;
    /// assert!(Iterate::new(Range::new(10)).count_range(0, 10).is_none());
    /// ```
    fn count_range(&self, start: u128, end: u128) -> Option<Result<u64>> {
        let _ = (start, end);
        None
    }

    /// Whether every index yields exactly one item (so the `n`-th item is the one of index
    /// `n`): true for a domain of exact size and for random streams, false for filtered
    /// domains. `false` is always safe; [`super::Enumerate`] counts items when it is.
    fn dense(&self) -> bool {
        false
    }

    /// Whether [`Source::prepare`] runs a first pass over the whole index space before the
    /// chunks can run (a counting pass of `enumerate` after a filter, the exploration of a
    /// breadth-first search). Such a source cannot run one index range on its own
    /// ([`crate::Job::run_range_in_with`] refuses it). The default, `false`, suits every source
    /// whose `prepare` does nothing.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_core::pipeline::{Iterate, Source};
    /// use haydi_domains::Range;
    /// assert!(!Iterate::new(Range::new(3)).needs_first_pass());
    /// ```
    fn needs_first_pass(&self) -> bool {
        false
    }

    /// Runs whatever must run before the chunks can (on the same context, through `run`) and
    /// says how the run's index space maps back to this source's items. The default does
    /// nothing: most sources need no first pass. [`super::Enumerate`] counts items here.
    fn prepare(
        &self,
        run: &mut PassRunner<'_>,
        opts: &RunOptions,
        site: &'static Location<'static>,
    ) -> Result<Option<FirstPass<'_>>> {
        let _ = (run, opts, site);
        Ok(None)
    }
}

/// Runs one job on the run's context with the given options (what [`Source::prepare`] gets).
///
/// ```
/// use haydi_core::pipeline::PassRunner;
/// use haydi_core::prelude::*;
/// // What `Job` hands to `Source::prepare`: here, a runner that runs serially.
/// let mut serial = |job: &dyn haydi_core::plumbing::ErasedJob, o: &RunOptions| SerialContext.execute(job, o);
/// let _runner: &mut PassRunner<'_> = &mut serial;
/// ```
pub type PassRunner<'r> = dyn FnMut(&dyn ErasedJob, &RunOptions) -> Result<RunReport> + 'r;

/// What a first pass (see [`Source::prepare`]) found: whether it covered the whole source, and
/// where each index of the second pass starts in the source's index space.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// // A counting pass runs for enumerate after a filter; its Outcome is in source indices.
/// let out = Range::new(100).filter(|x| x % 9 == 0).enumerate().count().run_with(true, &RunOptions::new()).unwrap();
/// assert_eq!((out.value, out.processed, out.total), (12, 100, Some(100)));
/// ```
#[derive(Debug)]
pub struct FirstPass<'s> {
    pub(crate) complete: bool,
    /// `bounds[j]..bounds[j + 1]` is the source range of second-pass index `j`.
    pub(crate) bounds: Arc<Vec<u128>>,
    /// The length of the source's index space, as the first pass saw it.
    pub(crate) total: Option<u128>,
    /// Locks held until the run ends (see [`super::Enumerate`]).
    pub(crate) running: Vec<MutexGuard<'s, ()>>,
    /// The second pass's indices are the source's (`bounds` unused).
    pub(crate) identity: bool,
}

impl<'s> FirstPass<'s> {
    /// The report of a first pass after which the run's indices are the source's own (the
    /// source collected its items in the pass and the run visits them by index, as
    /// `haydi_domains::systems::Bfs` does): `complete` says whether the pass finished (a pass
    /// cut short by the run's timeout makes the run's `Outcome` incomplete), `total` is the
    /// length of the index space it produced. `hold` keeps a lock until the run ends, so two
    /// runs of one job at once do not see each other's first pass.
    ///
    /// ```
    /// use haydi_core::pipeline::FirstPass;
    /// let pass = FirstPass::same_indices(true, 10, None);
    /// assert!(format!("{pass:?}").contains("complete: true"));
    /// ```
    pub fn same_indices(complete: bool, total: u128, hold: Option<MutexGuard<'s, ()>>) -> Self {
        FirstPass {
            complete,
            bounds: Arc::new(Vec::new()),
            total: Some(total),
            running: hold.into_iter().collect(),
            identity: true,
        }
    }

    /// The source range of the second pass's indices `r`.
    pub(crate) fn source_range(&self, r: Range<u128>) -> Range<u128> {
        if self.identity {
            let end = self.total.unwrap_or(u128::MAX);
            return r.start.min(end)..r.end.min(end);
        }
        let at = |j: u128| {
            let last = self.bounds.len().saturating_sub(1);
            let j = usize::try_from(j).unwrap_or(usize::MAX).min(last);
            self.bounds.get(j).copied().unwrap_or(0)
        };
        at(r.start)..at(r.end)
    }

    /// The source ranges of the second pass's ranges `rs` (sorted, not overlapping), with
    /// neighbours joined and empty ones dropped.
    pub(crate) fn source_ranges(&self, rs: &[Range<u128>]) -> Vec<Range<u128>> {
        let mut out: Vec<Range<u128>> = Vec::with_capacity(rs.len());
        for r in rs {
            let m = self.source_range(r.clone());
            if m.is_empty() {
                continue;
            }
            match out.last_mut() {
                Some(last) if last.end == m.start => last.end = m.end,
                _ => out.push(m),
            }
        }
        out
    }
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
/// use haydi_core::pipeline::{Iterate, Pipeline};
/// assert_eq!(Pipeline::new(Iterate::new(haydi_domains::Range::new(2))).count().run(false).unwrap(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct Iterate<D> {
    domain: D,
    /// The size overflows and `visit_from` reaches the end: the last index is the rest.
    overflows: bool,
}

impl<D: Domain> Iterate<D> {
    /// The source of every item of `domain`, in index order.
    pub fn new(domain: D) -> Self {
        let overflows = domain.size() == Size::Unknown && domain.visits_past_u128();
        Iterate { domain, overflows }
    }

    /// The chunk that holds the last index: every item from `start` to the real end. Out of
    /// line, so the common path's consumer is never handed to it (see `Job::visit_past_u128`).
    #[cold]
    #[inline(never)]
    fn visit_past_u128<F>(&self, start: u128, f: &mut F)
    where
        F: FnMut(D::Item) -> ControlFlow<()>,
    {
        let _ = self.domain.visit_from(start, f);
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
            self.visit_past_u128(start, f);
            return Ok(());
        }
        let _ = self.domain.visit_range(start, end, f);
        Ok(())
    }

    fn dense(&self) -> bool {
        matches!(self.domain.size(), crate::Size::Exact(_))
    }

    fn fingerprint(&self) -> String {
        self.domain.fingerprint()
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
///
/// ```
/// use haydi_core::pipeline::GENERATE_BLOCK;
/// assert_eq!(GENERATE_BLOCK, 1024);
/// ```
pub const GENERATE_BLOCK: u128 = 1024;

/// An endless stream of uniformly random items of a domain (see
/// [`crate::DomainExt::generate`]). The same seed gives the same stream, whatever the context.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// use haydi_core::pipeline::{Generate, Pipeline};
/// let v = Pipeline::new(Generate::new(Range::new(3), 9)).take(10).collect().run(false).unwrap();
/// assert!(v.len() == 10 && v.iter().all(|x| *x < 3));
/// ```
#[derive(Debug, Clone)]
pub struct Generate<D> {
    domain: D,
    seed: u64,
}

impl<D> Generate<D> {
    /// The endless source of uniformly random items of `domain` drawn from `seed`.
    pub fn new(domain: D, seed: u64) -> Self {
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

    fn dense(&self) -> bool {
        true
    }

    fn describe(&self) -> String {
        format!("generate({}, seed {})", self.domain.name(), self.seed)
    }

    fn fingerprint(&self) -> String {
        format!(
            "generate({}, seed {})",
            self.domain.fingerprint(),
            self.seed
        )
    }
}
