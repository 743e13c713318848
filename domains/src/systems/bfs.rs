//! Breadth-first exploration of a transition system as a pipeline source.
//!
//! How a run goes, serially or in parallel: [`Source::prepare`] explores level by level. Each
//! level's expansion is a job of its own, run on the run's context like any other: its index
//! space is the previous level's states, a chunk expands its states in order (dropping states
//! seen on earlier levels and repeats within the chunk), and the merged result, in index order,
//! is deduplicated in order. So the states, and their order, are those of a serial
//! breadth-first search: level by level, each level in the order its states were first reached.
//! Then the run proper visits the collected states as an index range `0..n`, in parallel like a
//! domain. Under a distributed context every process runs the same level jobs (collective runs,
//! SPMD) and ends with the same states.

use super::HashSet;
use super::Successors;
use haydi_core::context::RunOptions;
use haydi_core::pipeline::{Extent, FirstPass, Identity, PassRunner, Pipeline, Source};
use haydi_core::plumbing::{ChunkOutput, ErasedJob, JobSignature, Pass};
use haydi_core::{Error, IntoPipeline, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;
use std::hash::Hash;
use std::marker::PhantomData;
use std::ops::ControlFlow;
use std::panic::Location;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// What the states of a breadth-first search need: cloning, hashing (each is visited once) and
/// serde (a level's states travel between processes under a distributed context). Implemented
/// for every type with those traits: integers, tuples, `Vec`s, strings, haydi's `Set`/`Mapping`, and
/// your own types deriving them.
///
/// ```
/// fn is_state<S: haydi_domains::systems::State>() {}
/// is_state::<(u32, Vec<bool>)>();
/// ```
pub trait State: Clone + Eq + Hash + Send + Sync + Serialize + DeserializeOwned + 'static {}
impl<S: Clone + Eq + Hash + Send + Sync + Serialize + DeserializeOwned + 'static> State for S {}

/// Why an exploration ended.
///
/// ```
/// use haydi_domains::systems::{Bfs, BfsEnd, System};
/// let line = System::new(|x: &u32| (*x < 10).then_some(x + 1));
/// assert_eq!(Bfs::new(line.clone(), [0]).explore(false).unwrap().end, BfsEnd::Exhausted);
/// assert_eq!(Bfs::new(line.clone(), [0]).max_depth(3).explore(false).unwrap().end, BfsEnd::MaxDepth);
/// assert_eq!(Bfs::new(line, [0]).max_states(5).explore(false).unwrap().end, BfsEnd::MaxStates);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BfsEnd {
    /// Every reachable state was found: a last expansion found nothing new.
    Exhausted,
    /// The last level is at `max_depth` and was not expanded: more states may lie beyond it.
    MaxDepth,
    /// `max_states` states were found and at least one more was reached: the states are the
    /// first `max_states` of the breadth-first order.
    MaxStates,
    /// The run's timeout stopped the exploration: the states are a prefix of the levels.
    TimedOut,
}

/// The result of a breadth-first exploration ([`Bfs::explore`]): the states in breadth-first
/// order, where each level starts, and why it ended.
///
/// ```
/// use haydi_domains::systems::{Bfs, System};
/// let s = System::new(|x: &u32| [x * 2 % 7, x * 3 % 7]);
/// let e = Bfs::new(s, [1]).explore(true).unwrap();
/// assert_eq!(e.states, vec![1, 2, 3, 4, 6, 5]);
/// assert_eq!(e.depth(4), Some(2)); // states[4] == 6 is two steps from 1
/// assert_eq!(e.level(1), &[2, 3]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exploration<S> {
    /// The states, each once, level by level.
    pub states: Vec<S>,
    /// `levels[d]` is the index of the first state at depth `d`; one entry per non-empty level.
    pub levels: Vec<usize>,
    /// Why the exploration ended.
    pub end: BfsEnd,
}

impl<S> Exploration<S> {
    /// The depth of `states[i]` (its distance from the initial states), `None` past the end.
    ///
    /// ```
    /// use haydi_domains::systems::{Bfs, System};
    /// let e = Bfs::new(System::new(|x: &u8| (*x < 2).then_some(x + 1)), [0]).explore(false).unwrap();
    /// assert_eq!((e.depth(0), e.depth(2), e.depth(3)), (Some(0), Some(2), None));
    /// ```
    pub fn depth(&self, i: usize) -> Option<u32> {
        if i >= self.states.len() {
            return None;
        }
        Some((self.levels.partition_point(|&start| start <= i) - 1) as u32)
    }

    /// The states at depth `d` (empty past the last level).
    ///
    /// ```
    /// use haydi_domains::systems::{Bfs, System};
    /// let e = Bfs::new(System::new(|x: &u8| [x + 1, x + 2]), [0]).max_depth(1).explore(false).unwrap();
    /// assert_eq!((e.level(0), e.level(1), e.level(2)), (&[0][..], &[1, 2][..], &[][..]));
    /// ```
    pub fn level(&self, d: usize) -> &[S] {
        let Some(&start) = self.levels.get(d) else {
            return &[];
        };
        let end = self.levels.get(d + 1).copied().unwrap_or(self.states.len());
        &self.states[start..end]
    }
}

/// What a [`Bfs`] yields: the states ([`States`]) or `(state, depth)` pairs ([`WithDepth`]).
///
/// ```
/// use haydi_domains::systems::{BfsItems, States, WithDepth};
/// assert_eq!(States::item("s", 2), "s");
/// assert_eq!(WithDepth::item("s", 2), ("s", 2));
/// ```
pub trait BfsItems: Send + Sync + 'static {
    /// The item for a state at a depth.
    type Item<S>;
    /// Makes the item.
    fn item<S>(state: S, depth: u32) -> Self::Item<S>;
}

/// A [`Bfs`] yields its states (the default).
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::systems::{Bfs, States, System};
/// let b: Bfs<_, States> = Bfs::new(System::new(|x: &u8| [x / 2]), [4]);
/// assert_eq!(b.collect().run(false).unwrap(), vec![4, 2, 1, 0]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct States;
/// A [`Bfs`] yields `(state, depth)` (see [`Bfs::with_depth`]).
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::systems::{Bfs, System, WithDepth};
/// let b: Bfs<_, WithDepth> = Bfs::new(System::new(|x: &u8| [x / 2]), [4]).with_depth();
/// assert_eq!(b.collect().run(false).unwrap(), vec![(4, 0), (2, 1), (1, 2), (0, 3)]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct WithDepth;

impl BfsItems for States {
    type Item<S> = S;
    fn item<S>(state: S, _: u32) -> S {
        state
    }
}

impl BfsItems for WithDepth {
    type Item<S> = (S, u32);
    fn item<S>(state: S, depth: u32) -> (S, u32) {
        (state, depth)
    }
}

/// The states reachable from initial states, breadth first, as a source of pipelines (the
/// Python `DLTS.bfs` / `System.iterate_states`): every state once, level by level (depth 0 is
/// the initial states, deduplicated, in the given order), each level in the order its states
/// were first reached. Every adapter and action applies (`map`, `filter`, `take`, `count`,
/// `collect`, ..., `run(true)`), and every context gives the serial result: see the module
/// documentation for how a run explores in parallel.
///
/// Bounds: [`Bfs::max_depth`] keeps the states at most that many steps from the initial ones;
/// [`Bfs::max_states`] keeps the first that many states of the breadth-first order, exactly.
/// [`Bfs::explore`] says which bound, if any, cut the exploration ([`BfsEnd`]); a run's
/// [`haydi_core::Outcome`] is incomplete when its timeout stopped the exploration. No initial
/// states, or `max_states(0)`, give no states. A `take` after it limits the items, not the
/// exploration (which finishes first): bound the exploration with `max_states`.
///
/// `Bfs` is a pipeline source, not a [`haydi_core::Domain`]: a domain knows its size and
/// unranks an index without running anything, and the reachable states are only known once
/// explored. For a domain of them (inside a `Product`, say), materialize it:
/// `Values::new(bfs.explore(true)?.states)`. Each run explores anew (the successor closure
/// may be expensive: run once, or `explore` once and reuse the [`Exploration`]); the states
/// of the last run stay in the `Bfs` until it is dropped or run again.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::systems::{dlts_from_map, Bfs};
/// use std::collections::BTreeMap;
/// let m = dlts_from_map(BTreeMap::from([((0, 'a'), 1), ((0, 'b'), 0), ((1, 'a'), 0)]));
/// assert_eq!(Bfs::new(m.clone(), [0]).collect().run(true).unwrap(), vec![0, 1]);
/// assert_eq!(Bfs::new(m, [0]).with_depth().collect().run(true).unwrap(), vec![(0, 0), (1, 1)]);
/// ```
pub struct Bfs<G: Successors, M = States> {
    system: Arc<G>,
    init: Vec<G::State>,
    max_depth: Option<u32>,
    max_states: Option<u64>,
    explored: Mutex<Option<Arc<Exploration<G::State>>>>,
    running: Mutex<()>,
    _items: PhantomData<fn() -> M>,
}

impl<G: Successors, M> Clone for Bfs<G, M>
where
    G::State: Clone,
{
    fn clone(&self) -> Self {
        Bfs {
            system: self.system.clone(),
            init: self.init.clone(),
            max_depth: self.max_depth,
            max_states: self.max_states,
            explored: Mutex::new(None),
            running: Mutex::new(()),
            _items: PhantomData,
        }
    }
}

impl<G: Successors, M> fmt::Debug for Bfs<G, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bfs")
            .field("init_states", &self.init.len())
            .field("max_depth", &self.max_depth)
            .field("max_states", &self.max_states)
            .finish_non_exhaustive()
    }
}

/// A breadth-first exploration of `system` from `init`: [`Bfs::new`] with the Python-style
/// bounds given at once (`None`: unbounded).
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::systems::{bfs, System};
/// let s = System::new(|x: &u64| [x + 1, x + 10]);
/// assert_eq!(bfs(s, [0], Some(1), None).collect().run(true).unwrap(), vec![0, 1, 10]);
/// ```
pub fn bfs<G, I>(system: G, init: I, max_depth: Option<u32>, max_states: Option<u64>) -> Bfs<G>
where
    G: Successors,
    G::State: State,
    I: IntoIterator<Item = G::State>,
{
    let mut b = Bfs::new(system, init);
    b.max_depth = max_depth;
    b.max_states = max_states;
    b
}

impl<G> Bfs<G, States>
where
    G: Successors,
    G::State: State,
{
    /// The states reachable in `system` from the states `init`, unbounded.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::systems::{Bfs, System};
    /// let s = System::new(|x: &u32| [(x + 1) % 5]);
    /// assert_eq!(Bfs::new(s, [3]).count().run(true).unwrap(), 5);
    /// ```
    pub fn new<I: IntoIterator<Item = G::State>>(system: G, init: I) -> Self {
        Bfs {
            system: Arc::new(system),
            init: init.into_iter().collect(),
            max_depth: None,
            max_states: None,
            explored: Mutex::new(None),
            running: Mutex::new(()),
            _items: PhantomData,
        }
    }

    /// Yields `(state, depth)` instead of the states.
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::systems::{Bfs, System};
    /// let s = System::new(|x: &u32| [x / 2]);
    /// assert_eq!(Bfs::new(s, [5]).with_depth().collect().run(true).unwrap(), vec![(5, 0), (2, 1), (1, 2), (0, 3)]);
    /// ```
    pub fn with_depth(self) -> Bfs<G, WithDepth> {
        Bfs {
            system: self.system,
            init: self.init,
            max_depth: self.max_depth,
            max_states: self.max_states,
            explored: Mutex::new(None),
            running: Mutex::new(()),
            _items: PhantomData,
        }
    }
}

impl<G, M> Bfs<G, M>
where
    G: Successors,
    G::State: State,
    M: BfsItems,
{
    /// Keeps the states at most `depth` steps from the initial states (`0`: the initial states
    /// only).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::systems::{Bfs, System};
    /// let s = System::new(|x: &u32| [x + 1]);
    /// assert_eq!(Bfs::new(s, [0]).max_depth(4).collect().run(true).unwrap(), vec![0, 1, 2, 3, 4]);
    /// ```
    pub fn max_depth(mut self, depth: u32) -> Self {
        self.max_depth = Some(depth);
        self
    }

    /// Keeps the first `n` states of the breadth-first order, exactly (`0`: none).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::systems::{Bfs, System};
    /// let s = System::new(|x: &u32| [2 * x + 1, 2 * x + 2]);
    /// assert_eq!(Bfs::new(s, [0]).max_states(4).collect().run(true).unwrap(), vec![0, 1, 2, 3]);
    /// ```
    pub fn max_states(mut self, n: u64) -> Self {
        self.max_states = Some(n);
        self
    }

    /// Explores, in parallel on the session's context (`parallel`) or serially, and returns all
    /// the states with their levels and why the exploration ended.
    ///
    /// ```
    /// use haydi_domains::systems::{Bfs, BfsEnd, System};
    /// let s = System::new(|x: &u32| [x * x % 11]);
    /// let e = Bfs::new(s, [2]).explore(true).unwrap();
    /// assert_eq!((e.states, e.end), (vec![2, 4, 5, 3, 9], BfsEnd::Exhausted));
    /// ```
    #[track_caller]
    pub fn explore(&self, parallel: bool) -> Result<Exploration<G::State>> {
        let site = Location::caller();
        let mut run = |job: &dyn ErasedJob, o: &RunOptions| {
            haydi_core::session::on_run_context(parallel, |ctx| {
                haydi_core::context::nested::execute(ctx, job, o, parallel)
            })
        };
        self.explore_with(&mut run, &RunOptions::default(), site)
    }

    /// The level-by-level exploration, each level's expansion a job run through `run`.
    fn explore_with(
        &self,
        run: &mut PassRunner<'_>,
        opts: &RunOptions,
        site: &'static Location<'static>,
    ) -> Result<Exploration<G::State>> {
        let started = Instant::now();
        let limit = self
            .max_states
            .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
        let mut seen: HashSet<G::State> = HashSet::default();
        let mut states: Vec<G::State> = Vec::new();
        let mut levels = Vec::new();
        // Adds the candidates in order; `false` when the state bound cut one off.
        let add = |cands: Vec<G::State>,
                   seen: &mut HashSet<G::State>,
                   states: &mut Vec<G::State>|
         -> bool {
            for s in cands {
                if seen.contains(&s) {
                    continue;
                }
                if states.len() >= limit {
                    return false;
                }
                seen.insert(s.clone());
                states.push(s);
            }
            true
        };
        if !add(self.init.clone(), &mut seen, &mut states) {
            if !states.is_empty() {
                levels.push(0);
            }
            return Ok(Exploration {
                states,
                levels,
                end: BfsEnd::MaxStates,
            });
        }
        if !states.is_empty() {
            levels.push(0);
        }
        let mut depth = 0u32;
        let end = loop {
            let Some(&start) = levels.last() else {
                break BfsEnd::Exhausted;
            };
            if levels.len() as u32 - 1 < depth {
                break BfsEnd::Exhausted; // the last expansion found nothing new
            }
            if self.max_depth.is_some_and(|d| depth >= d) {
                break BfsEnd::MaxDepth;
            }
            let level = LevelPass {
                system: &*self.system,
                frontier: &states[start..],
                seen: &seen,
                site,
            };
            let o = RunOptions {
                chunk_trace: None,
                // A level is not the run: its checkpoint would be another job's.
                checkpoint: None,
                progress_bar: false,
                progress: None,
                timeout: opts.timeout.map(|t| t.saturating_sub(started.elapsed())),
                ..opts.clone()
            };
            let report = run(&level, &o)?;
            let cands = *report
                .value
                .downcast::<Vec<G::State>>()
                .map_err(|_| Error::Context("bfs: a level returned a wrong partial".into()))?;
            if !report.complete {
                break BfsEnd::TimedOut;
            }
            let before = states.len();
            let fits = add(cands, &mut seen, &mut states);
            depth += 1;
            if states.len() > before {
                levels.push(before);
            }
            if !fits {
                break BfsEnd::MaxStates;
            }
        };
        Ok(Exploration {
            states,
            levels,
            end,
        })
    }

    fn current(&self) -> Result<Arc<Exploration<G::State>>> {
        self.explored
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| Error::Context("bfs: a chunk ran before the exploration".into()))
    }

    /// The pipeline of this exploration's items (what every adapter and action starts from).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::systems::{Bfs, System};
    /// let p = Bfs::new(System::new(|x: &u8| (*x < 3).then_some(x + 1)), [0]).iterate();
    /// assert_eq!(p.map(|x| x * 10).collect().run(true).unwrap(), vec![0, 10, 20, 30]);
    /// ```
    pub fn iterate(self) -> Pipeline<Self, Identity> {
        Pipeline::new(self)
    }

    /// The items passed through `f` (a pipeline; see [`Pipeline::map`]).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::systems::{Bfs, System};
    /// let b = Bfs::new(System::new(|x: &u8| (*x < 3).then_some(x + 1)), [0]);
    /// assert_eq!(b.map(|x| x * 2).collect().run(true).unwrap(), vec![0, 2, 4, 6]);
    /// ```
    pub fn map<F, O>(self, f: F) -> Pipeline<Self, haydi_core::pipeline::Map<Identity, F>>
    where
        F: Fn(M::Item<G::State>) -> O + Send + Sync,
    {
        self.iterate().map(f)
    }

    /// The items for which `pred` holds (a pipeline; see [`Pipeline::filter`]).
    ///
    /// ```
    /// use haydi_core::prelude::*;
    /// use haydi_domains::systems::{Bfs, System};
    /// let b = Bfs::new(System::new(|x: &u8| (*x < 9).then_some(x + 1)), [0]);
    /// assert_eq!(b.filter(|x| x % 4 == 0).collect().run(true).unwrap(), vec![0, 4, 8]);
    /// ```
    pub fn filter<F>(self, pred: F) -> Pipeline<Self, haydi_core::pipeline::Filter<Identity, F>>
    where
        F: Fn(&M::Item<G::State>) -> bool + Send + Sync,
    {
        self.iterate().filter(pred)
    }
}

impl<G, M> Source for Bfs<G, M>
where
    G: Successors,
    G::State: State,
    M: BfsItems,
{
    type Item = M::Item<G::State>;

    fn extent(&self) -> Result<Extent> {
        Ok(Extent::Finite(self.current()?.states.len() as u128))
    }

    fn visit<F>(&self, start: u128, end: u128, f: &mut F) -> Result<()>
    where
        F: FnMut(Self::Item) -> ControlFlow<()>,
    {
        let e = self.current()?;
        let n = e.states.len();
        let end = usize::try_from(end).unwrap_or(usize::MAX).min(n);
        let start = usize::try_from(start).unwrap_or(usize::MAX).min(end);
        if start == end {
            return Ok(());
        }
        let mut depth = e.depth(start).unwrap_or(0);
        for (i, s) in e.states[start..end].iter().enumerate() {
            let i = start + i;
            while e.levels.get(depth as usize + 1).is_some_and(|&b| b <= i) {
                depth += 1;
            }
            if f(M::item(s.clone(), depth)).is_break() {
                break;
            }
        }
        Ok(())
    }

    fn dense(&self) -> bool {
        true
    }

    fn needs_first_pass(&self) -> bool {
        true
    }

    fn describe(&self) -> String {
        format!(
            "bfs({} initial states, max_depth {:?}, max_states {:?})",
            self.init.len(),
            self.max_depth,
            self.max_states
        )
    }

    fn prepare(
        &self,
        run: &mut PassRunner<'_>,
        opts: &RunOptions,
        site: &'static Location<'static>,
    ) -> Result<Option<FirstPass<'_>>> {
        let guard = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        let e = self.explore_with(run, opts, site)?;
        let complete = e.end != BfsEnd::TimedOut;
        let total = e.states.len() as u128;
        *self.explored.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(e));
        Ok(Some(FirstPass::same_indices(complete, total, Some(guard))))
    }
}

impl<G, M> IntoPipeline for Bfs<G, M>
where
    G: Successors,
    G::State: State,
    M: BfsItems,
{
    type Source = Self;
    type Transform = Identity;
    type Item = M::Item<G::State>;

    fn into_pipeline(self) -> Pipeline<Self, Identity> {
        Pipeline::new(self)
    }
}

/// One level's expansion as a job: its index space is the frontier, a chunk's partial the new
/// successors of its states (not seen on earlier levels, each once per chunk), in order.
struct LevelPass<'a, G: Successors> {
    system: &'a G,
    frontier: &'a [G::State],
    seen: &'a HashSet<G::State>,
    site: &'static Location<'static>,
}

impl<G> Pass for LevelPass<'_, G>
where
    G: Successors,
    G::State: State,
{
    type Partial = Vec<G::State>;

    fn extent(&self) -> Result<Extent> {
        Ok(Extent::Finite(self.frontier.len() as u128))
    }

    fn run(&self, start: u128, end: u128, _budgets: &[u64]) -> Result<ChunkOutput<Vec<G::State>>> {
        let n = self.frontier.len();
        let e = usize::try_from(end).unwrap_or(usize::MAX).min(n);
        let s = usize::try_from(start).unwrap_or(usize::MAX).min(e);
        let mut out: Vec<G::State> = Vec::new();
        let mut local: HashSet<G::State> = HashSet::default();
        for state in &self.frontier[s..e] {
            self.system.successors(state, &mut |next| {
                if !self.seen.contains(&next) && local.insert(next.clone()) {
                    out.push(next);
                }
            });
        }
        let items = out.len() as u64;
        Ok(ChunkOutput {
            partial: out,
            take_counts: Vec::new(),
            items,
        })
    }

    fn empty(&self) -> Vec<G::State> {
        Vec::new()
    }

    fn merge(&self, left: &mut Vec<G::State>, right: Vec<G::State>) -> Result<()> {
        left.extend(right);
        Ok(())
    }

    fn signature(&self) -> JobSignature {
        JobSignature {
            call_site: self.site,
            type_name: std::any::type_name::<Self>(),
        }
    }

    fn partial_bytes(&self, partial: &Vec<G::State>) -> u64 {
        (std::mem::size_of::<G::State>() as u64).saturating_mul(partial.capacity() as u64)
    }

    fn panic_prefix(&self) -> &'static str {
        "in a successor function of bfs: "
    }
}
