//! The `enumerate` adapter: a source that numbers the items of the chain before it.
//!
//! `enumerate` ends one pipeline and starts another: `Enumerate<S, T>` is a [`Source`] whose
//! items are `(position, item)` for the items the source `S` gives through the chain `T`.
//!
//! When every source index yields one item and `T` keeps positions (only `map`, `inspect`,
//! `take`), the position is the source index.
//! Otherwise positions depend on how many items every earlier index let through, which no chunk
//! knows by itself, so a run makes two passes ([`Source::prepare`]): the first runs `S` through
//! `T` on the run's context and records, for every chunk it ran, its index range, how many items
//! came out and how many passed each `take` of `T`; the second runs the whole pipeline over
//! those chunks as *segments*: segment `j` is the `j`-th recorded range, numbered from the sum of
//! the counts before it, its `take`s given the exact budgets the records leave. The second pass's
//! index space is the segment numbers; [`FirstPass`] maps them back to source indices for the
//! run's report.

use super::source::{Extent, FirstPass, PassRunner, Source};
use super::transform::{ChunkCtx, Transform};
use crate::context::RunOptions;
use crate::error::{Error, Result};
use crate::plumbing::{ChunkOutput, JobSignature, Pass};
use crate::size::Size;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::ControlFlow;
use std::panic::Location;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// Pairs every item of a chain with its position among the items that reach its end (see
/// [`super::IntoPipeline::enumerate`]).
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let p = Range::new(10).iterate().filter(|x| x % 4 == 3).enumerate();
/// assert_eq!(p.collect().run(true).unwrap(), vec![(0, 3), (1, 7)]);
/// ```
#[must_use = "pipelines are lazy and do nothing unless run"]
pub struct Enumerate<S, T> {
    source: S,
    prefix: T,
    limits: Vec<u64>,
    /// The segments of the current run's second pass (none before a first pass).
    plan: Mutex<Option<Arc<Plan>>>,
    /// Held from the first pass to the end of the second, so two runs of one job at once do not
    /// use each other's segments.
    running: Mutex<()>,
}

impl<S: fmt::Debug, T: fmt::Debug> fmt::Debug for Enumerate<S, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Enumerate")
            .field("source", &self.source)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl<S: Clone, T: Clone> Clone for Enumerate<S, T> {
    fn clone(&self) -> Self {
        Enumerate {
            source: self.source.clone(),
            prefix: self.prefix.clone(),
            limits: self.limits.clone(),
            plan: Mutex::new(None),
            running: Mutex::new(()),
        }
    }
}

impl<S: Source, T: Transform<S::Item>> Enumerate<S, T> {
    pub(super) fn new(source: S, prefix: T) -> Self {
        let mut limits = Vec::new();
        prefix.take_limits(&mut limits);
        Enumerate {
            source,
            prefix,
            limits,
            plan: Mutex::new(None),
            running: Mutex::new(()),
        }
    }

    /// Whether positions are source indices (no counting pass): every index yields one item
    /// and the prefix neither drops nor adds any.
    fn direct(&self) -> bool {
        self.source.dense() && self.prefix.keeps_positions()
    }

    /// The smallest `take` limit of the prefix: with positions kept, no index at or past it
    /// yields an item.
    fn position_limit(&self) -> u128 {
        self.limits
            .iter()
            .copied()
            .min()
            .map_or(u128::MAX, u128::from)
    }

    fn plan(&self) -> Result<Arc<Plan>> {
        self.plan
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| Error::Context("enumerate: a chunk ran before the counting pass".into()))
    }

    /// Runs `[start, end)` of the source through the prefix with the given `take` budgets,
    /// numbering the items from `first`; `Err(Break)` when `f` broke.
    fn visit_numbered<F>(
        &self,
        start: u128,
        end: u128,
        budgets: &[u64],
        first: u64,
        f: &mut F,
    ) -> Result<ControlFlow<()>>
    where
        F: FnMut((u64, T::Out)) -> ControlFlow<()>,
    {
        let ctx = ChunkCtx::new(budgets);
        if ctx.any_exhausted() {
            return Ok(ControlFlow::Continue(()));
        }
        let mut next = first;
        let mut broke = false;
        {
            let mut push = self.prefix.wrap(&ctx, |x| {
                let r = f((next, x));
                next += 1;
                broke |= r.is_break();
                r
            });
            self.source.visit(start, end, &mut push)?;
        }
        Ok(if broke {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        })
    }
}

/// One chunk of the first pass: its source range, how many items left the prefix, and how many
/// passed each of the prefix's `take`s.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    start: u128,
    end: u128,
    items: u64,
    takes: Vec<u64>,
}

/// The second pass's segments, in source order.
#[derive(Debug)]
struct Plan {
    segments: Vec<Segment>,
}

#[derive(Debug)]
struct Segment {
    start: u128,
    end: u128,
    /// The position of the segment's first item.
    first: u64,
    /// Exact budgets of the prefix's `take`s in this segment.
    budgets: Vec<u64>,
}

impl Plan {
    /// The segments of the records that continue each other from index 0 (a timed-out first
    /// pass may also hold later chunks past a hole; they are left out).
    fn from_records(records: Vec<Record>, limits: &[u64]) -> (Plan, bool) {
        let mut segments = Vec::with_capacity(records.len());
        let mut first = 0u64;
        let mut cum = vec![0u64; limits.len()];
        let mut expected = 0u128;
        let mut contiguous = true;
        for r in records {
            if r.start != expected {
                contiguous = false;
                break;
            }
            expected = r.end;
            let budgets = limits
                .iter()
                .zip(&cum)
                .map(|(l, c)| l.saturating_sub(*c))
                .collect();
            segments.push(Segment {
                start: r.start,
                end: r.end,
                first,
                budgets,
            });
            first += r.items;
            for (c, t) in cum.iter_mut().zip(&r.takes) {
                *c += t;
            }
        }
        (Plan { segments }, contiguous)
    }
}

impl<S, T> Source for Enumerate<S, T>
where
    S: Source,
    T: Transform<S::Item>,
{
    type Item = (u64, T::Out);

    fn extent(&self) -> Result<Extent> {
        if self.direct() {
            let limit = self.position_limit();
            return Ok(match self.source.extent()? {
                Extent::Finite(n) => Extent::Finite(n.min(limit)),
                Extent::Endless if limit < u128::MAX => Extent::Finite(limit),
                Extent::Endless => Extent::Endless,
            });
        }
        Ok(Extent::Finite(self.plan()?.segments.len() as u128))
    }

    fn alignment(&self) -> u128 {
        if self.direct() {
            self.source.alignment()
        } else {
            1
        }
    }

    fn visit<F>(&self, start: u128, end: u128, f: &mut F) -> Result<()>
    where
        F: FnMut(Self::Item) -> ControlFlow<()>,
    {
        if self.direct() {
            let end = end.min(self.position_limit());
            if start >= end {
                return Ok(());
            }
            let first = u64::try_from(start).map_err(|_| Error::SizeOverflow {
                domain: format!("enumerate over {}", self.source.describe()),
            })?;
            // The range is clamped below every `take` limit, so the takes never run out here.
            let open = vec![u64::MAX; self.limits.len()];
            let _ = self.visit_numbered(start, end, &open, first, f)?;
            return Ok(());
        }
        let plan = self.plan()?;
        let to = usize::try_from(end).unwrap_or(usize::MAX);
        let from = usize::try_from(start).unwrap_or(usize::MAX);
        for seg in plan
            .segments
            .get(from..to.min(plan.segments.len()))
            .unwrap_or(&[])
        {
            if self
                .visit_numbered(seg.start, seg.end, &seg.budgets, seg.first, f)?
                .is_break()
            {
                break;
            }
        }
        Ok(())
    }

    fn dense(&self) -> bool {
        self.direct()
    }

    fn needs_first_pass(&self) -> bool {
        !self.direct() || self.source.needs_first_pass()
    }

    fn describe(&self) -> String {
        format!("enumerate({})", self.source.describe())
    }

    fn fingerprint(&self) -> String {
        format!("enumerate({})", self.source.fingerprint())
    }

    fn prepare(
        &self,
        run: &mut PassRunner<'_>,
        opts: &RunOptions,
        site: &'static Location<'static>,
    ) -> Result<Option<FirstPass<'_>>> {
        // The source may need a pass of its own (an enumerate before this one, after a
        // filter): then this pass runs over the source's segments, and the maps compose.
        let started = Instant::now();
        let inner = self.source.prepare(run, opts, site)?;
        if self.direct() {
            return Ok(inner);
        }
        // Counting a domain beyond u128 to its end never finishes: say so instead of hanging.
        let beyond =
            matches!(self.source.extent()?, Extent::Finite(n) if n == Size::OVERFLOW_EXTENT);
        if beyond && self.limits.is_empty() && opts.timeout.is_none() {
            return Err(Error::Context(format!(
                "enumerate after a filter on {}, whose size overflows u128, would count items \
                 forever: put a take(n) before enumerate, or run with a timeout",
                self.source.describe()
            )));
        }
        let guard = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        let pass = CountPass { owner: self, site };
        let quiet = RunOptions {
            chunk_trace: None,
            // The counting pass is not the run: its checkpoint would be another job's.
            checkpoint: None,
            timeout: opts.timeout.map(|t| t.saturating_sub(started.elapsed())),
            ..opts.clone()
        };
        let report = run(&pass, &quiet)?;
        let records = report.value.downcast::<Vec<Record>>().map_err(|_| {
            Error::Context("enumerate: the counting pass returned a wrong partial".into())
        })?;
        let (plan, contiguous) = Plan::from_records(*records, &self.limits);
        let mut bounds: Vec<u128> = plan
            .segments
            .iter()
            .map(|s| s.start)
            .chain(plan.segments.last().map(|s| s.end))
            .collect();
        *self.plan.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(plan));
        let mut complete = report.complete && contiguous;
        let mut total = report.total;
        let mut running = vec![guard];
        if let Some(inner) = inner {
            for b in &mut bounds {
                *b = inner.source_range(0..*b).end;
            }
            complete &= inner.complete;
            total = inner.total;
            running.extend(inner.running);
        }
        Ok(Some(FirstPass {
            complete,
            bounds: Arc::new(bounds),
            total,
            running,
            identity: false,
        }))
    }
}

/// The first pass of an enumerate as a job: the prefix over the source, one [`Record`] per chunk.
struct CountPass<'a, S, T> {
    owner: &'a Enumerate<S, T>,
    site: &'static Location<'static>,
}

impl<S, T> Pass for CountPass<'_, S, T>
where
    S: Source,
    T: Transform<S::Item>,
{
    type Partial = Vec<Record>;

    fn extent(&self) -> Result<Extent> {
        self.owner.source.extent()
    }

    fn alignment(&self) -> u128 {
        self.owner.source.alignment()
    }

    fn take_limits(&self) -> &[u64] {
        &self.owner.limits
    }

    fn run(&self, start: u128, end: u128, budgets: &[u64]) -> Result<ChunkOutput<Vec<Record>>> {
        let ctx = ChunkCtx::new(budgets);
        let mut items = 0u64;
        if !ctx.any_exhausted() {
            let mut push = self.owner.prefix.wrap(&ctx, |_| {
                items += 1;
                ControlFlow::Continue(())
            });
            self.owner.source.visit(start, end, &mut push)?;
        }
        let takes = ctx.counts();
        Ok(ChunkOutput {
            partial: vec![Record {
                start,
                end,
                items,
                takes: takes.clone(),
            }],
            take_counts: takes,
            items,
        })
    }

    fn empty(&self) -> Vec<Record> {
        Vec::new()
    }

    fn merge(&self, left: &mut Vec<Record>, right: Vec<Record>) -> Result<()> {
        left.extend(right);
        Ok(())
    }

    fn signature(&self) -> JobSignature {
        JobSignature {
            call_site: self.site,
            type_name: std::any::type_name::<Self>(),
        }
    }

    fn partial_bytes(&self, partial: &Vec<Record>) -> u64 {
        let per = std::mem::size_of::<Record>() + 8 * self.owner.limits.len();
        (per as u64).saturating_mul(partial.capacity() as u64)
    }

    fn panic_prefix(&self) -> &'static str {
        "in the counting pass of enumerate: "
    }
}
