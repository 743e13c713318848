//! A pipeline with its action: what `run` executes.

use super::source::{Extent, Source};
use super::transform::{ChunkCtx, Transform};
use crate::action::Action;
use crate::context::{Outcome, ParallelContext, RunOptions, RunReport, nested};
use crate::error::{Error, Result};
use crate::plumbing::{ChunkOutput, ErasedJob, ErasedPartial, JobSignature, Pass};
use crate::session;
use crate::size::Size;
use std::fmt;
use std::ops::ControlFlow;
use std::panic::Location;
use std::time::Instant;

/// A pipeline ended by an action, ready to run (and to run again: running does not consume it).
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let job = Range::new(1000).filter(|x| x % 3 == 0).count();
/// assert_eq!(job.run(false).unwrap(), 334);
/// assert_eq!(job.run(true).unwrap(), 334);
/// ```
#[must_use = "a job does nothing until it is run"]
pub struct Job<S, T, A> {
    pub(super) source: S,
    pub(super) transform: T,
    pub(super) action: A,
    pub(super) limits: Vec<u64>,
}

impl<S: fmt::Debug, T: fmt::Debug, A: fmt::Debug> fmt::Debug for Job<S, T, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Job")
            .field("source", &self.source)
            .field("transform", &self.transform)
            .field("action", &self.action)
            .finish()
    }
}

impl<S, T, A> Job<S, T, A>
where
    S: Source,
    T: Transform<S::Item>,
{
    pub(crate) fn new(source: S, transform: T, action: A) -> Self {
        let mut limits = Vec::new();
        transform.take_limits(&mut limits);
        Job {
            source,
            transform,
            action,
            limits,
        }
    }
}

impl<S, T, A> Job<S, T, A>
where
    S: Source,
    T: Transform<S::Item>,
    A: Action<T::Out>,
{
    /// Runs the job: serially on this thread (`parallel == false`), or on the session's parallel
    /// context (see [`crate::session`]).
    ///
    /// Fails with [`Error::NestedParallelRun`] when `parallel` is true and this thread is already
    /// inside a parallel run (in a closure of another `run(true)`, say); `run(false)` is always
    /// allowed.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let job = Range::new(10).filter(|x| x % 2 == 1).collect();
    /// assert_eq!(job.run(true).unwrap(), job.run(false).unwrap());
    /// ```
    #[track_caller]
    pub fn run(&self, parallel: bool) -> Result<A::Output> {
        let out = self.run_with(parallel, &RunOptions::default())?;
        debug_assert!(out.complete);
        Ok(out.value)
    }

    /// Runs the job with options (timeout, progress, chunk trace). A run cut short by its
    /// timeout returns an [`Outcome`] with `complete == false`, never a silently partial value.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// use std::time::Duration;
    /// let opts = RunOptions::new().timeout(Duration::from_secs(60));
    /// let out = Range::new(1000).count().run_with(true, &opts).unwrap();
    /// assert!(out.complete);
    /// assert_eq!((out.value, out.processed, out.total), (1000, 1000, Some(1000)));
    /// ```
    #[track_caller]
    pub fn run_with(&self, parallel: bool, opts: &RunOptions) -> Result<Outcome<A::Output>> {
        let site = Location::caller();
        session::on_run_context(parallel, |ctx| self.execute(ctx, opts, site, parallel))
    }

    /// Runs the job in parallel on the given context instead of the session's.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let two = ThreadContext::new(2).unwrap();
    /// assert_eq!(Range::new(100).sum().run_in(&two).unwrap(), 4950);
    /// ```
    #[track_caller]
    pub fn run_in(&self, ctx: &dyn ParallelContext) -> Result<A::Output> {
        let out = self.execute(ctx, &RunOptions::default(), Location::caller(), true)?;
        Ok(out.value)
    }

    /// [`Job::run_in`] with options.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let out = Range::new(100).count().run_in_with(&SerialContext, &RunOptions::new()).unwrap();
    /// assert!(out.complete && out.value == 100);
    /// ```
    #[track_caller]
    pub fn run_in_with(
        &self,
        ctx: &dyn ParallelContext,
        opts: &RunOptions,
    ) -> Result<Outcome<A::Output>> {
        self.execute(ctx, opts, Location::caller(), true)
    }

    fn execute(
        &self,
        ctx: &dyn ParallelContext,
        opts: &RunOptions,
        site: &'static Location<'static>,
        parallel: bool,
    ) -> Result<Outcome<A::Output>> {
        if parallel && nested::in_parallel_run() {
            return Err(Error::NestedParallelRun);
        }
        let started = Instant::now();
        let mut run = |job: &dyn ErasedJob, o: &RunOptions| -> Result<RunReport> {
            nested::execute(ctx, job, o, parallel)
        };
        // A source may need a pass of its own first (enumerate after a filter counts items);
        // a timeout covers both passes.
        let first = self.source.prepare(&mut run, opts, site)?;
        let rest;
        let opts = match (&first, opts.timeout) {
            (Some(_), Some(t)) => {
                rest = RunOptions {
                    timeout: Some(t.saturating_sub(started.elapsed())),
                    ..opts.clone()
                };
                &rest
            }
            _ => opts,
        };
        let bound = Bound::new(self, site, opts);
        let mut report = run(&bound, opts)?;
        // After a counting pass the run's indices are segments: report source indices.
        if let Some(pass) = &first {
            report.covered = pass.source_ranges(&report.covered);
            report.processed = report.covered.iter().map(|r| r.end - r.start).sum();
            report.complete &= pass.complete;
            report.total = pass.total;
        }
        report.try_map(|p| self.finish_partial(downcast::<A::Partial>(p)?))
    }

    /// The partial over the items with index in `[start, end)`, with the given `take` budgets.
    /// With `COUNT`, also counts the items that reach the action (for progress reports);
    /// without it the loop carries no counter at all. Never inlined: inlined into one caller,
    /// the two instantiations were merged by the optimiser into one loop that carries both
    /// counters. Panics are caught by the erased job ([`crate::plumbing::Pass`]).
    #[inline(never)]
    fn run_chunk_typed<const COUNT: bool>(
        &self,
        start: u128,
        end: u128,
        budgets: &[u64],
    ) -> Result<ChunkOutput<A::Partial>> {
        let ctx = ChunkCtx::new(budgets);
        let (mut acc, items) = if ctx.any_exhausted() {
            (self.action.empty_for(end.saturating_sub(start)), 0)
        } else if end >= Size::OVERFLOW_EXTENT {
            self.visit_past_u128::<COUNT>(start, end, &ctx)?
        } else {
            self.visit_chunk::<COUNT, false>(start, end, &ctx)?
        };
        self.action.end_chunk(&mut acc);
        Ok(ChunkOutput {
            partial: acc,
            take_counts: ctx.counts(),
            items,
        })
    }

    /// The items of `[start, end)` pushed into a fresh partial, and how many there were (with
    /// `COUNT`). `PAST` tells the copy for chunks past `u128` (see [`Job::visit_past_u128`])
    /// from the common one: its closures are other types, so the common path's callees keep
    /// one caller each and are inlined into it.
    #[inline(always)]
    fn visit_chunk<const COUNT: bool, const PAST: bool>(
        &self,
        start: u128,
        end: u128,
        ctx: &ChunkCtx,
    ) -> Result<(A::Partial, u64)> {
        let action = &self.action;
        let mut acc = action.empty_for(end.saturating_sub(start));
        let mut items = 0u64;
        // `count` straight on a source that can count: no item is made at all (`push_unseen`
        // of 0 items asks whether the action would take a count).
        if self.transform.is_identity() && action.push_unseen(&mut acc, 0) {
            if let Some(n) = self.source.count_range(start, end) {
                let n = n?;
                action.push_unseen(&mut acc, n);
                if COUNT {
                    items += n;
                }
                return Ok((acc, items));
            }
        }
        let mut push = self.transform.wrap(ctx, |x| {
            action.push(&mut acc, x);
            if COUNT {
                items += 1;
            }
            ControlFlow::Continue(())
        });
        self.source.visit(start, end, &mut push)?;
        drop(push);
        Ok((acc, items))
    }

    /// [`Job::visit_chunk`] for a chunk that reaches the last index of a domain whose size
    /// overflows `u128` (its items run on to the domain's real end through
    /// [`crate::Domain::visit_from`]): a copy of its own, so that the common chunk's
    /// accumulator is never handed to that path. Where it was (one copy, the path behind a
    /// branch), the optimiser kept every chunk's accumulator in memory instead of a register:
    /// an increment through a pointer per item, 5% more instructions on a product's `count`.
    #[inline(never)]
    #[cold]
    fn visit_past_u128<const COUNT: bool>(
        &self,
        start: u128,
        end: u128,
        ctx: &ChunkCtx,
    ) -> Result<(A::Partial, u64)> {
        self.visit_chunk::<COUNT, true>(start, end, ctx)
    }
}

pub(super) fn downcast<P: 'static>(p: ErasedPartial) -> Result<P> {
    p.downcast::<P>()
        .map(|b| *b)
        .map_err(|_| Error::Context("a context returned a partial of the wrong type".into()))
}

/// A job bound to the call site of its run, as handed to contexts.
pub(super) struct Bound<'a, S, T, A> {
    pub(super) job: &'a Job<S, T, A>,
    pub(super) site: &'static Location<'static>,
    pub(super) count_items: bool,
}

impl<'a, S, T, A> Bound<'a, S, T, A> {
    /// `job` run from `site`; items reaching the action are counted only when a progress
    /// report or a chunk trace needs them.
    pub(super) fn new(
        job: &'a Job<S, T, A>,
        site: &'static Location<'static>,
        opts: &RunOptions,
    ) -> Self {
        let count_items =
            opts.progress_bar || opts.progress.is_some() || opts.chunk_trace.is_some();
        Bound {
            job,
            site,
            count_items,
        }
    }
}

impl<S, T, A> Pass for Bound<'_, S, T, A>
where
    S: Source,
    T: Transform<S::Item>,
    A: Action<T::Out>,
{
    type Partial = A::Partial;

    fn extent(&self) -> Result<Extent> {
        self.job.source.extent()
    }

    fn alignment(&self) -> u128 {
        self.job.source.alignment()
    }

    fn take_limits(&self) -> &[u64] {
        &self.job.limits
    }

    fn run(&self, start: u128, end: u128, budgets: &[u64]) -> Result<ChunkOutput<A::Partial>> {
        if self.count_items {
            self.job.run_chunk_typed::<true>(start, end, budgets)
        } else {
            self.job.run_chunk_typed::<false>(start, end, budgets)
        }
    }

    fn empty(&self) -> A::Partial {
        self.job.action.empty()
    }

    fn merge(&self, left: &mut A::Partial, right: A::Partial) -> Result<()> {
        self.job.action.merge(left, right);
        Ok(())
    }

    fn partial_bytes(&self, partial: &A::Partial) -> u64 {
        self.job.action.partial_bytes(partial)
    }

    fn signature(&self) -> JobSignature {
        JobSignature {
            call_site: self.site,
            type_name: std::any::type_name::<Job<S, T, A>>(),
        }
    }

    fn fingerprint(&self) -> String {
        self.job.source.fingerprint()
    }
}
