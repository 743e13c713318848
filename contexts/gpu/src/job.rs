//! Kernel stages and kernel jobs: a kernel over a space with a device action, run by any
//! context (CPU closure) or on accelerators ([`crate::AcceleratorContext`], [`crate::Accelerator`]).

use crate::action::{Op, Part, check_keys};
use crate::device::Accelerator;
use crate::kernel::Kernel;
use crate::space::KernelSpace;
use haydi_core::context::nested;
use haydi_core::pipeline::Extent;
use haydi_core::plumbing::Unpoisoned;
use haydi_core::plumbing::{ChunkOutput, JobSignature, Pass};
use haydi_core::prelude::*;
use haydi_core::{Outcome, context::RunReport};
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::marker::PhantomData;
use std::panic::Location;
use std::sync::{Arc, Mutex};

/// A kernel over an index space, before its action is chosen.
///
/// ```
/// use haydi_gpu::{Kernel, KernelSpace};
/// let odd = Kernel::new("odd", "fn kernel(i: U64) -> u32 { return i.lo & 1u; }", |i| (i & 1) as u32);
/// let stage = odd.over(KernelSpace::range(10));
/// assert_eq!(stage.count().run(false)?, 5);
/// assert_eq!(stage.take(2).run(false)?, vec![1, 3]);
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct KernelStage {
    kernel: Kernel,
    space: KernelSpace,
}

impl KernelStage {
    pub(crate) fn new(kernel: Kernel, space: KernelSpace) -> Self {
        KernelStage { kernel, space }
    }

    fn job<T>(&self, op: Op, finish: fn(Part) -> Result<T>) -> KernelJob<T> {
        KernelJob {
            run: Arc::new(KernelRun {
                kernel: self.kernel.clone(),
                space: self.space.clone(),
                limits: op.take_limits(),
                op,
                reruns: Mutex::new(HashMap::new()),
            }),
            finish,
            _t: PhantomData,
        }
    }

    /// How many indices have a non-zero value.
    ///
    /// ```
    /// # use haydi_gpu::{Kernel, KernelSpace};
    /// let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return select(0u, 1u, i.lo % 3u == 0u); }", |i| u32::from(i % 3 == 0));
    /// assert_eq!(k.over(KernelSpace::range(10)).count().run(false)?, 4);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn count(&self) -> KernelJob<u64> {
        self.job(Op::Count, |p| match p {
            Part::Count(c) => Ok(c),
            other => Err(bug(&other)),
        })
    }

    /// The sum of the values (as `u128`: it cannot overflow).
    ///
    /// ```
    /// # use haydi_gpu::{Kernel, KernelSpace};
    /// let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return 0xffffffffu; }", |_| u32::MAX);
    /// assert_eq!(k.over(KernelSpace::range(4)).sum().run(false)?, 4 * u128::from(u32::MAX));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn sum(&self) -> KernelJob<u128> {
        self.job(Op::Sum, |p| match p {
            Part::Sum(s) => Ok(s),
            other => Err(bug(&other)),
        })
    }

    /// The smallest value and the first index that has it (`None` for an empty space).
    ///
    /// ```
    /// # use haydi_gpu::{Kernel, KernelSpace};
    /// let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return (i.lo + 3u) % 5u; }", |i| ((i + 3) % 5) as u32);
    /// assert_eq!(k.over(KernelSpace::range(20)).min().run(false)?, Some((0, 2)));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn min(&self) -> KernelJob<Option<(u32, u64)>> {
        self.job(Op::Min, best)
    }

    /// The largest value and the first index that has it (`None` for an empty space).
    ///
    /// ```
    /// # use haydi_gpu::{Kernel, KernelSpace};
    /// let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return (i.lo + 3u) % 5u; }", |i| ((i + 3) % 5) as u32);
    /// assert_eq!(k.over(KernelSpace::range(20)).max().run(false)?, Some((4, 1)));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn max(&self) -> KernelJob<Option<(u32, u64)>> {
        self.job(Op::Max, best)
    }

    /// How many indices have each value in `0..keys` (`1 <= keys <=` [`crate::MAX_KEYS`]). A
    /// value outside the range fails the run with [`Error::InvalidArgument`] (never a silently
    /// short count); so does a bad `keys`.
    ///
    /// ```
    /// # use haydi_gpu::{Kernel, KernelSpace};
    /// let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return i.lo % 3u; }", |i| (i % 3) as u32);
    /// assert_eq!(k.over(KernelSpace::range(10)).counts_by(3).run(false)?, vec![4, 3, 3]);
    /// assert!(k.over(KernelSpace::range(10)).counts_by(2).run(false).is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn counts_by(&self, keys: u32) -> KernelJob<Vec<u64>> {
        self.job(Op::CountsBy(keys), |p| match p {
            Part::Hist(mut h) => {
                let out = h.pop().unwrap_or(0);
                if out > 0 {
                    return Err(Error::InvalidArgument(format!(
                        "counts_by({}): the kernel returned a key outside 0..{} at {out} indices",
                        h.len(),
                        h.len()
                    )));
                }
                Ok(h)
            }
            other => Err(bug(&other)),
        })
    }

    /// The first `k` indices with a non-zero value, in index order (the run stops handing out
    /// work once they are known).
    ///
    /// ```
    /// # use haydi_gpu::{Kernel, KernelSpace};
    /// let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return select(0u, 1u, i.lo % 10u == 9u); }", |i| u32::from(i % 10 == 9));
    /// assert_eq!(k.over(KernelSpace::range(1_000_000)).take(3).run(false)?, vec![9, 19, 29]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn take(&self, k: u64) -> KernelJob<Vec<u64>> {
        self.job(Op::Matches(Some(k)), found)
    }

    /// The first index with a non-zero value.
    ///
    /// ```
    /// # use haydi_gpu::{Kernel, KernelSpace};
    /// let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return select(0u, 1u, i.lo * i.lo > 50u); }", |i| u32::from(i * i > 50));
    /// assert_eq!(k.over(KernelSpace::range(100)).first().run(false)?, Some(8));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn first(&self) -> KernelJob<Option<u64>> {
        self.job(Op::Matches(Some(1)), |p| {
            found(p).map(|v| v.first().copied())
        })
    }

    /// Every index with a non-zero value, in index order (bounded by the run's result budget).
    /// The rest of a chain runs on the CPU from here, for example as a haydi pipeline over the
    /// indices:
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::Values;
    /// # use haydi_gpu::{Kernel, KernelSpace};
    /// let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return select(0u, 1u, i.lo % 4u == 0u); }", |i| u32::from(i % 4 == 0));
    /// let hits = k.over(KernelSpace::range(20)).collect().run(false)?;
    /// assert_eq!(hits, vec![0, 4, 8, 12, 16]);
    /// let halves = Values::new(hits).iterate().map(|i| i / 2).collect().run(false)?;
    /// assert_eq!(halves, vec![0, 2, 4, 6, 8]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn collect(&self) -> KernelJob<Vec<u64>> {
        self.job(Op::Matches(None), found)
    }
}

fn bug(p: &Part) -> Error {
    Error::Context(format!("kernel job: unexpected partial {p:?} (a bug)"))
}

/// A partial that is not a kernel job's.
fn foreign() -> Error {
    Error::Context("kernel job: a partial of another job was given (a bug)".into())
}

fn best(p: Part) -> Result<Option<(u32, u64)>> {
    match p {
        Part::Best(b) => Ok(b),
        other => Err(bug(&other)),
    }
}

fn found(p: Part) -> Result<Vec<u64>> {
    match p {
        Part::Found(v) => Ok(v),
        other => Err(bug(&other)),
    }
}

/// What a kernel job is, shared by its runs: the device form that an
/// [`crate::AcceleratorContext`] finds as the job's extension ([`haydi_core::plumbing::ErasedJob::extension`]).
pub(crate) struct KernelRun {
    pub(crate) kernel: Kernel,
    pub(crate) space: KernelSpace,
    pub(crate) op: Op,
    limits: Vec<u64>,
    /// Matches found by chunks with upper-bound budgets, by chunk start: the scheduler's re-run
    /// of a chunk with exact budgets takes a prefix of them instead of running it again.
    reruns: Mutex<HashMap<u64, Kept>>,
}

/// The matches a chunk found: its end, the matches, and whether they are all of its matches.
type Kept = (u64, Vec<u64>, bool);

impl KernelRun {
    /// The budget of a chunk's `take` (unlimited without one).
    pub(crate) fn budget(&self, budgets: &[u64]) -> u64 {
        budgets.first().copied().unwrap_or(u64::MAX)
    }

    /// Runs chunk `[start, end)` with `compute` (the CPU closure or a device), answering a
    /// re-run from the matches kept of its first run.
    pub(crate) fn chunk(
        &self,
        start: u128,
        end: u128,
        budgets: &[u64],
        compute: impl FnOnce(u64, u64, u64) -> Result<Part>,
    ) -> Result<ChunkOutput<Part>> {
        let at = self.space.start();
        let (s, e) = (at + start as u64, at + end as u64);
        let budget = self.budget(budgets);
        let limited = matches!(self.op, Op::Matches(Some(_)));
        if limited {
            let kept = self.reruns.lock_unpoisoned().remove(&s);
            if let Some((ke, v, all)) = kept {
                if ke == e && (all || v.len() as u64 >= budget) {
                    let mut v = v;
                    v.truncate(usize::try_from(budget).unwrap_or(usize::MAX));
                    let part = Part::Found(v);
                    return Ok(self.output(part));
                }
            }
        }
        let part = compute(s, e, budget)?;
        if let (true, Part::Found(v)) = (limited, &part) {
            if !v.is_empty() {
                let all = (v.len() as u64) < budget;
                self.reruns.lock_unpoisoned().insert(s, (e, v.clone(), all));
            }
        }
        Ok(self.output(part))
    }

    fn output(&self, part: Part) -> ChunkOutput<Part> {
        ChunkOutput {
            take_counts: self.op.taken(&part),
            partial: part,
            items: 0,
        }
    }

    /// The CPU closure over a chunk; a panic in it becomes [`Error::Panicked`].
    pub(crate) fn cpu_part(&self, start: u64, end: u64, budget: u64) -> Result<Part> {
        let f = &*self.kernel.inner.cpu;
        haydi_core::plumbing::catch_panic(u128::from(start)..u128::from(end), "", || {
            self.op.cpu_chunk(f, start, end, budget)
        })
    }
}

/// A kernel job seen by a context for one run.
struct Bound<'a> {
    run: &'a KernelRun,
    site: &'static Location<'static>,
}

impl Pass for Bound<'_> {
    type Partial = Part;

    fn extent(&self) -> Result<Extent> {
        Ok(Extent::Finite(u128::from(self.run.space.len())))
    }
    fn take_limits(&self) -> &[u64] {
        &self.run.limits
    }
    fn run(&self, start: u128, end: u128, budgets: &[u64]) -> Result<ChunkOutput<Part>> {
        self.run
            .chunk(start, end, budgets, |s, e, b| self.run.cpu_part(s, e, b))
    }
    fn empty(&self) -> Part {
        self.run.op.empty()
    }
    fn merge(&self, left: &mut Part, right: Part) -> Result<()> {
        self.run.op.merge(left, right)
    }
    fn signature(&self) -> JobSignature {
        JobSignature {
            call_site: self.site,
            type_name: "haydi_gpu::KernelJob",
        }
    }
    fn partial_bytes(&self, partial: &Part) -> u64 {
        Op::bytes(partial)
    }
    /// The device form, for an [`crate::AcceleratorContext`].
    fn extension(&self, of: TypeId) -> Option<&(dyn Any + Send + Sync)> {
        (of == TypeId::of::<KernelRun>()).then_some(self.run as _)
    }
}

/// A kernel stage with its action: run it serially (`run(false)`: the CPU closure), on the
/// session's context (`run(true)`: on an [`crate::AcceleratorContext`], devices and CPU threads
/// together; on any other context, the CPU closure), on a given context (`run_in`), or wholly on
/// one device (`run_on`). Every way gives the same result.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_gpu::{Kernel, KernelSpace};
/// let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return i.lo % 7u; }", |i| (i % 7) as u32);
/// let job = k.over(KernelSpace::range(10_000)).sum();
/// assert_eq!(job.run(false)?, job.run_in(&ThreadContext::new(2)?)?);
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub struct KernelJob<T> {
    pub(crate) run: Arc<KernelRun>,
    finish: fn(Part) -> Result<T>,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for KernelJob<T> {
    fn clone(&self) -> Self {
        KernelJob {
            run: self.run.clone(),
            finish: self.finish,
            _t: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for KernelJob<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "KernelJob({} over {} indices, {})",
            self.run.kernel.name(),
            self.run.space.len(),
            self.run.op.label()
        )
    }
}

impl<T> KernelJob<T> {
    /// Runs serially with the CPU closure (`false`) or on the session's parallel context.
    ///
    /// ```
    /// # use haydi_gpu::{Kernel, KernelSpace};
    /// let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return 1u; }", |_| 1);
    /// assert_eq!(k.over(KernelSpace::range(7)).count().run(true)?, 7);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    #[track_caller]
    pub fn run(&self, parallel: bool) -> Result<T> {
        self.run_with(parallel, &RunOptions::default())
            .and_then(Outcome::into_complete)
    }

    /// [`KernelJob::run`] with options (timeout, fixed chunk sizes, progress, ...); a run cut
    /// short by its timeout says so in the [`Outcome`].
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// # use haydi_gpu::{Kernel, KernelSpace};
    /// let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return 1u; }", |_| 1);
    /// let out = k.over(KernelSpace::range(7)).count().run_with(false, &RunOptions::new())?;
    /// assert!(out.complete && out.value == 7);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    #[track_caller]
    pub fn run_with(&self, parallel: bool, opts: &RunOptions) -> Result<Outcome<T>> {
        let site = Location::caller();
        session::on_run_context(parallel, |ctx| self.execute(ctx, opts, site, parallel))
    }

    /// Runs on `ctx` (devices and CPU threads on an [`crate::AcceleratorContext`], the CPU
    /// closure elsewhere).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// # use haydi_gpu::{Kernel, KernelSpace};
    /// let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return i.lo; }", |i| i as u32);
    /// assert_eq!(k.over(KernelSpace::range(100)).max().run_in(&ThreadContext::new(2)?)?, Some((99, 99)));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    #[track_caller]
    pub fn run_in(&self, ctx: &dyn ParallelContext) -> Result<T> {
        self.run_in_with(ctx, &RunOptions::default())
            .and_then(Outcome::into_complete)
    }

    /// [`KernelJob::run_in`] with options.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// # use haydi_gpu::{Kernel, KernelSpace};
    /// let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return i.lo; }", |i| i as u32);
    /// let out = k.over(KernelSpace::range(10)).sum().run_in_with(&SerialContext, &RunOptions::new().chunk_size(3))?;
    /// assert_eq!(out.value, 45);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    #[track_caller]
    pub fn run_in_with(&self, ctx: &dyn ParallelContext, opts: &RunOptions) -> Result<Outcome<T>> {
        self.execute(ctx, opts, Location::caller(), true)
    }

    /// Runs every index on `device`, one bounded dispatch after the other, with no CPU worker
    /// (the way to test a device against [`KernelJob::run`]`(false)`). Errors of the device
    /// (a kernel that does not compile, a lost device) fail the run. In debug builds the
    /// kernel is first checked against its CPU closure on this device
    /// ([`crate::Kernel::check`], [`crate::DEBUG_CHECK_SAMPLES`] indices, once per space); in
    /// release builds call [`crate::Kernel::check_on`] yourself or run on an
    /// [`crate::AcceleratorContext`], which always checks.
    ///
    /// ```no_run
    /// # use haydi_gpu::{Kernel, KernelSpace};
    /// let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return i.lo & 1u; }", |i| (i & 1) as u32);
    /// let job = k.over(KernelSpace::range(1 << 20)).count();
    /// for device in haydi_gpu::iter_accelerators() {
    ///     assert_eq!(job.run_on(&device)?, job.run(false)?);
    /// }
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn run_on(&self, device: &Accelerator) -> Result<T> {
        self.run_on_with(device, &RunOptions::default())
    }

    /// [`KernelJob::run_on`] with options: only the result budget
    /// ([`RunOptions::max_result_bytes`]) applies; a result past it is
    /// [`Error::ResultTooLarge`], as in any run.
    ///
    /// ```no_run
    /// use haydi_core::prelude::*;
    /// # use haydi_gpu::{Kernel, KernelSpace};
    /// let k = Kernel::new("all", "fn kernel(i: U64) -> u32 { return 1u; }", |_| 1);
    /// let small = RunOptions::new().max_result_bytes(1 << 12);
    /// for device in haydi_gpu::iter_accelerators() {
    ///     let e = k.over(KernelSpace::range(1 << 20)).collect().run_on_with(&device, &small);
    ///     assert!(matches!(e, Err(Error::ResultTooLarge { .. })));
    /// }
    /// ```
    pub fn run_on_with(&self, device: &Accelerator, opts: &RunOptions) -> Result<T> {
        self.check()?;
        self.run.reruns.lock_unpoisoned().clear();
        let part = device.run_all(&self.run, opts.result_budget())?;
        (self.finish)(part)
    }

    fn check(&self) -> Result<()> {
        if let Op::CountsBy(k) = self.run.op {
            check_keys(k)?;
        }
        Ok(())
    }

    fn execute(
        &self,
        ctx: &dyn ParallelContext,
        opts: &RunOptions,
        site: &'static Location<'static>,
        parallel: bool,
    ) -> Result<Outcome<T>> {
        self.check()?;
        if parallel && nested::in_parallel_run() {
            return Err(Error::NestedParallelRun);
        }
        self.run.reruns.lock_unpoisoned().clear();
        let bound = Bound {
            run: &self.run,
            site,
        };
        let report: RunReport = nested::execute(ctx, &bound, opts, parallel)?;
        self.run.reruns.lock_unpoisoned().clear();
        report.try_map(|p| {
            let part = p.downcast::<Part>().map_err(|_| foreign())?;
            (self.finish)(*part)
        })
    }
}
