//! Running one index range of a job on its own, and the typed pieces of its action, for
//! programs that keep partial results of their own (crops on disk, say): run ranges, store
//! their partials, merge them in index order, finish.

use super::job::{Bound, Job, downcast};
use super::source::{Extent, Source};
use super::transform::Transform;
use crate::action::Action;
use crate::context::{Outcome, ParallelContext, RunOptions, RunReport, SerialContext, nested};
use crate::error::{Error, Result};
use crate::plumbing::{ErasedJob, Window, catch_panic};
use std::ops::Range;
use std::panic::Location;

impl<S, T, A> Job<S, T, A>
where
    S: Source,
    T: Transform<S::Item>,
    A: Action<T::Out>,
{
    /// The length of the job's index space, as known before any run.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_core::pipeline::Extent;
    /// use haydi_domains::Range;
    /// assert_eq!(Range::new(7).filter(|x| x % 2 == 0).count().extent().unwrap(), Extent::Finite(7));
    /// ```
    pub fn extent(&self) -> Result<Extent> {
        self.source.extent()
    }

    /// The limits of the pipeline's `take`s, in chain order (empty without a `take`).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// assert_eq!(Range::new(9).take(4).count().take_limits(), &[4]);
    /// assert!(Range::new(9).count().take_limits().is_empty());
    /// ```
    pub fn take_limits(&self) -> &[u64] {
        &self.limits
    }

    /// Whether the source runs a first pass over its whole index space before any chunk (see
    /// [`Source::needs_first_pass`]); such a job cannot run one range on its own.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// assert!(!Range::new(9).enumerate().count().needs_first_pass());
    /// assert!(Range::new(9).filter(|x| x % 2 == 0).enumerate().count().needs_first_pass());
    /// ```
    pub fn needs_first_pass(&self) -> bool {
        self.source.needs_first_pass()
    }

    /// The full type name of the job (pipeline and action), as in its run signature.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// assert!(Range::new(3).count().type_name().contains("Count"));
    /// ```
    pub fn type_name(&self) -> &'static str {
        std::any::type_name::<Self>()
    }

    /// A stable description of what the job's source yields (its domain's
    /// [`fingerprint`](crate::Domain::fingerprint)), which checkpoints and crops record.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// assert_eq!(Range::new(3).count().fingerprint(), "Range(start 0, step 1, len 3)");
    /// ```
    pub fn fingerprint(&self) -> String {
        self.source.fingerprint()
    }

    /// The action that ends the pipeline.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_core::action::Count;
    /// use haydi_domains::Range;
    /// let job = Range::new(3).count();
    /// let _: &Count = job.action();
    /// ```
    pub fn action(&self) -> &A {
        &self.action
    }

    /// Runs the indices `range` of the job on `ctx` (in parallel on a parallel context) as if
    /// they were the job's whole index space, with options. The value is what a serial run over
    /// exactly these indices returns, in index order (a `take` counts from `range.start`);
    /// [`Outcome::covered`] is in the job's indices (inside `range`), `total` is the length of
    /// the range and `complete` says whether all of it ran.
    ///
    /// Fails with [`Error::InvalidArgument`] when `range` is reversed or reaches past the
    /// index space, when the source needs a first pass over its whole index space (an
    /// `enumerate` after a filter, a breadth-first search: a range of it means nothing on its
    /// own), or when `opts` asks for a checkpoint (a checkpoint identifies a run by its call
    /// site and length, which two ranges can share).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let job = Range::new(100).filter(|x| x % 3 == 0).collect();
    /// let two = ThreadContext::new(2)?;
    /// let out = job.run_range_in_with(&two, 10..40, &RunOptions::new())?;
    /// assert_eq!(out.value, (12..40).step_by(3).collect::<Vec<i64>>());
    /// assert_eq!((out.complete, out.covered, out.total), (true, vec![10..40], Some(30)));
    /// assert!(job.run_range_in_with(&two, 50..101, &RunOptions::new()).is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    #[track_caller]
    pub fn run_range_in_with(
        &self,
        ctx: &dyn ParallelContext,
        range: Range<u128>,
        opts: &RunOptions,
    ) -> Result<Outcome<A::Output>> {
        self.range_partial(ctx, range, opts, Location::caller())?
            .try_map(|p| self.finish_partial(p))
    }

    /// [`Job::run_range_in_with`], returning the action's partial instead of its output: what
    /// [`Job::merge_partial`] merges with the partials of neighbouring ranges and
    /// [`Job::finish_partial`] turns into the output.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let job = Range::new(10).sum();
    /// let mut left = job.run_range_partial_in(&SerialContext, 0..4, &RunOptions::new())?.value;
    /// let right = job.run_range_partial_in(&SerialContext, 4..10, &RunOptions::new())?.value;
    /// job.merge_partial(&mut left, right)?;
    /// assert_eq!(job.finish_partial(left)?, job.run(false)?);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    #[track_caller]
    pub fn run_range_partial_in(
        &self,
        ctx: &dyn ParallelContext,
        range: Range<u128>,
        opts: &RunOptions,
    ) -> Result<Outcome<A::Partial>> {
        self.range_partial(ctx, range, opts, Location::caller())
    }

    /// The action's partial of no items.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let job = Range::new(10).count();
    /// assert_eq!(job.finish_partial(job.empty_partial()).unwrap(), 0);
    /// ```
    pub fn empty_partial(&self) -> A::Partial {
        self.action.empty()
    }

    /// Appends `right`, the partial of the range just after `left`'s, to `left`. A panic of
    /// the action becomes [`Error::Panicked`].
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let job = Range::new(10).collect();
    /// let mut a = job.run_range_partial_in(&SerialContext, 0..2, &RunOptions::new())?.value;
    /// let b = job.run_range_partial_in(&SerialContext, 2..3, &RunOptions::new())?.value;
    /// job.merge_partial(&mut a, b)?;
    /// assert_eq!(job.finish_partial(a)?, vec![0, 1, 2]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn merge_partial(&self, left: &mut A::Partial, right: A::Partial) -> Result<()> {
        catch_panic(0..0, "while merging partial results: ", || {
            self.action.merge(left, right)
        })
    }

    /// Turns a (merged) partial into the action's output, as the end of a run does. A panic
    /// of the action becomes [`Error::Panicked`].
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let job = Range::new(5).max_by_key(|x| *x);
    /// let p = job.run_range_partial_in(&SerialContext, 0..5, &RunOptions::new())?.value;
    /// assert_eq!(job.finish_partial(p)?, Some((4, 4)));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn finish_partial(&self, partial: A::Partial) -> Result<A::Output> {
        catch_panic(0..0, "in the final step of the action: ", || {
            self.action.finish(partial)
        })
    }

    /// Encodes a partial in the one wire form of partials (bincode 2, as
    /// [`ErasedJob::encode_partial`] and distributed contexts write it).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let job = Range::new(5).collect();
    /// let bytes = job.encode_partial(&vec![1, 2])?;
    /// assert_eq!(job.decode_partial(&bytes)?, vec![1, 2]);
    /// assert!(job.decode_partial(&[0xff]).is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn encode_partial(&self, partial: &A::Partial) -> Result<Vec<u8>> {
        crate::plumbing::encode_value(partial)
    }

    /// Decodes a partial written by [`Job::encode_partial`]; bytes left over are an error.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Range;
    /// let job = Range::new(5).count();
    /// let bytes = job.encode_partial(&3)?;
    /// assert_eq!(job.decode_partial(&bytes)?, 3);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn decode_partial(&self, bytes: &[u8]) -> Result<A::Partial> {
        crate::plumbing::decode_value(bytes)
    }

    fn range_partial(
        &self,
        ctx: &dyn ParallelContext,
        range: Range<u128>,
        opts: &RunOptions,
        site: &'static Location<'static>,
    ) -> Result<Outcome<A::Partial>> {
        let invalid = |m: String| Err(Error::InvalidArgument(m));
        if range.start > range.end {
            return invalid(format!(
                "run_range: the range {}..{} is reversed",
                range.start, range.end
            ));
        }
        if self.source.needs_first_pass() {
            return invalid(format!(
                "run_range: {} needs a first pass over its whole index space (an enumerate \
                 after a filter, a breadth-first search), so a range of it cannot run on its own",
                self.source.describe()
            ));
        }
        if let Extent::Finite(n) = self.source.extent()? {
            if range.end > n {
                return invalid(format!(
                    "run_range: the range {}..{} reaches past the index space 0..{n}",
                    range.start, range.end
                ));
            }
        }
        if opts.checkpoint.is_some() {
            return invalid(
                "run_range: a range run cannot be checkpointed (two ranges of one job would \
                 share a checkpoint); clear RunOptions::checkpoint"
                    .into(),
            );
        }
        let parallel = ctx.extension_of::<SerialContext>().is_none();
        if parallel && nested::in_parallel_run() {
            return Err(Error::NestedParallelRun);
        }
        let mut run = |job: &dyn ErasedJob, o: &RunOptions| -> Result<RunReport> {
            nested::execute(ctx, job, o, parallel)
        };
        // A source whose `prepare` does something without saying so is refused too.
        if self.source.prepare(&mut run, opts, site)?.is_some() {
            return invalid(format!(
                "run_range: {} ran a first pass over its whole index space, so a range of it \
                 cannot run on its own",
                self.source.describe()
            ));
        }
        let bound = Bound::new(self, site, opts);
        let len = range.end - range.start;
        let window = Window::new(&bound, range.start, len);
        let mut report = run(&window, opts)?;
        for r in &mut report.covered {
            *r = r.start + range.start..r.end + range.start;
        }
        report.total = Some(len);
        report.try_map(downcast::<A::Partial>)
    }
}
