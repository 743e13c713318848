//! Labelled parameter sweeps (xyzpy's `Runner`, `Harvester` and `Sampler`): a function of named
//! parameters over every combination of their values, run on the session's context, gathered
//! as a [`Table`] in grid order whatever the context.
//!
//! The grid is the product of the parameters' value lists, first parameter major (the order of
//! nested loops written in the order of the `param` calls). A run is one ordinary run of the
//! context over the grid positions, so it is parallel, fault tolerant and SPMD-safe as any run
//! is. With [`Sweep::shuffled`] the positions run in a seeded random order (the table is put back
//! in grid order); [`Sweep::sample`] runs a seeded random subset of the grid; [`Sweep::run_missing`]
//! runs only the combinations an existing table lacks (a harvester adding values to a parameter).

mod crop;
mod label;
#[cfg(feature = "plot")]
mod plot;
mod table;

pub use crop::SweepCrop;
pub use label::Label;
#[cfg(feature = "plot")]
pub use plot::{Cells, Figure, Heatmap, Line, LinePlot, Picture};
pub use table::Table;

use haydi_core::domain::Indices;
use haydi_core::prelude::*;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A sweep: named parameters with their values.
///
/// ```
/// use haydi_contexts::sweep::Sweep;
/// let t = Sweep::new()
///     .param("a", [1, 2])
///     .param("b", [10, 20, 30])
///     .run(|p| p.int("a") + p.int("b"))?;
/// assert_eq!(t.len(), 6);
/// assert_eq!(t.outputs(), [11, 21, 31, 12, 22, 32]);
/// assert_eq!(t.rows[1].0[1].to_string(), "20");
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Sweep {
    params: Vec<(String, Vec<Label>)>,
    shuffle: Option<u64>,
    sample: Option<(usize, u64)>,
}

/// One combination of the parameters, as the swept function sees it.
///
/// ```
/// use haydi_contexts::sweep::Sweep;
/// let t = Sweep::new().param("x", [0.5]).param("mode", ["fast"]).run(|p| {
///     format!("{} {}", p.float("x"), p.get("mode").and_then(|l| l.as_str()).unwrap_or("?"))
/// })?;
/// assert_eq!(t.outputs(), ["0.5 fast"]);
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Params<'a> {
    names: &'a [(String, Vec<Label>)],
    values: Vec<&'a Label>,
}

impl Params<'_> {
    /// The value of parameter `name`.
    ///
    /// ```
    /// use haydi_contexts::sweep::{Label, Sweep};
    /// let t = Sweep::new().param("a", [4]).run(|p| p.get("a").cloned())?;
    /// assert_eq!(t.outputs(), [Some(Label::Int(4))]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn get(&self, name: &str) -> Option<&Label> {
        self.names
            .iter()
            .position(|(n, _)| n == name)
            .map(|i| self.values[i])
    }

    /// The integer parameter `name`. Panics (naming it) when there is none or it is not an
    /// integer: inside a run, that is the task's panic, reported with its index.
    ///
    /// ```
    /// use haydi_contexts::sweep::Sweep;
    /// assert_eq!(Sweep::new().param("n", [3]).run(|p| p.int("n") * 2)?.outputs(), [6]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn int(&self, name: &str) -> i64 {
        self.get(name)
            .and_then(Label::as_i64)
            .unwrap_or_else(|| panic!("sweep parameter {name:?} is not an integer parameter"))
    }

    /// The numeric parameter `name` as a float (integers convert); panics like [`Params::int`].
    ///
    /// ```
    /// use haydi_contexts::sweep::Sweep;
    /// assert_eq!(Sweep::new().param("x", [1]).run(|p| p.float("x") / 2.0)?.outputs(), [0.5]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn float(&self, name: &str) -> f64 {
        self.get(name)
            .and_then(Label::as_f64)
            .unwrap_or_else(|| panic!("sweep parameter {name:?} is not a numeric parameter"))
    }

    /// The values, in parameter order.
    ///
    /// ```
    /// use haydi_contexts::sweep::Sweep;
    /// let t = Sweep::new().param("a", [1]).param("b", ["x"]).run(|p| p.values().len())?;
    /// assert_eq!(t.outputs(), [2]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn values(&self) -> &[&Label] {
        &self.values
    }
}

impl Sweep {
    /// A sweep with no parameters yet (its grid has one, empty, combination).
    ///
    /// ```
    /// use haydi_contexts::sweep::Sweep;
    /// assert_eq!(Sweep::new().size(), 1);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds parameter `name` with these values (the last parameter added varies fastest).
    ///
    /// ```
    /// use haydi_contexts::sweep::Sweep;
    /// let s = Sweep::new().param("a", [1, 2]).param("c", (100..=400).step_by(100));
    /// assert_eq!(s.size(), 8);
    /// ```
    pub fn param<L: Into<Label>>(
        mut self,
        name: &str,
        values: impl IntoIterator<Item = L>,
    ) -> Self {
        self.params.push((
            name.to_string(),
            values.into_iter().map(Into::into).collect(),
        ));
        self
    }

    /// Runs the combinations in a random order drawn from `seed` (the table is still in grid
    /// order): spreads expensive corners of a grid over the run, as xyzpy's shuffle does.
    ///
    /// ```
    /// use haydi_contexts::sweep::Sweep;
    /// let s = Sweep::new().param("a", 0..20);
    /// assert_eq!(s.clone().shuffled(7).run(|p| p.int("a"))?, s.run(|p| p.int("a"))?);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn shuffled(mut self, seed: u64) -> Self {
        self.shuffle = Some(seed);
        self
    }

    /// Runs only `k` combinations drawn at random (without repetition) from `seed`, as xyzpy's
    /// `Sampler`; the table holds them in grid order. `k` above the grid's size takes it all.
    ///
    /// ```
    /// use haydi_contexts::sweep::Sweep;
    /// let t = Sweep::new().param("a", 0..100).sample(5, 1).run(|p| p.int("a"))?;
    /// assert_eq!(t.len(), 5);
    /// assert!(t.outputs().windows(2).all(|w| w[0] < w[1])); // grid order
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn sample(mut self, k: usize, seed: u64) -> Self {
        self.sample = Some((k, seed));
        self
    }

    /// The number of combinations of the grid (1 with no parameters; 0 if one has no values).
    ///
    /// ```
    /// use haydi_contexts::sweep::Sweep;
    /// assert_eq!(Sweep::new().param("a", [1, 2]).param("b", Vec::<i64>::new()).size(), 0);
    /// ```
    pub fn size(&self) -> u128 {
        self.params
            .iter()
            .try_fold(1u128, |n, (_, v)| n.checked_mul(v.len() as u128))
            .unwrap_or(u128::MAX)
    }

    /// The parameter names, in order.
    ///
    /// ```
    /// use haydi_contexts::sweep::Sweep;
    /// assert_eq!(Sweep::new().param("a", [1]).param("b", [2]).names(), ["a", "b"]);
    /// ```
    pub fn names(&self) -> Vec<String> {
        self.params.iter().map(|(n, _)| n.clone()).collect()
    }

    fn check(&self) -> Result<usize> {
        for (i, (n, _)) in self.params.iter().enumerate() {
            if self.params[..i].iter().any(|(m, _)| m == n) {
                return Err(Error::InvalidArgument(format!(
                    "sweep: the parameter {n:?} is given twice"
                )));
            }
        }
        usize::try_from(self.size())
            .ok()
            .filter(|&n| n < usize::MAX)
            .ok_or_else(|| {
                Error::InvalidArgument(
                    "sweep: the grid has more combinations than this machine can index; sample it"
                        .into(),
                )
            })
    }

    /// The values of combination `pos` (grid order, last parameter fastest).
    fn combo(&self, mut pos: usize) -> Vec<&Label> {
        if self.params.is_empty() {
            return Vec::new();
        }
        let mut v = vec![&self.params[0].1[0]; self.params.len()];
        for (i, (_, values)) in self.params.iter().enumerate().rev() {
            v[i] = &values[pos % values.len()];
            pos /= values.len();
        }
        v
    }

    /// Task `i` of a run over the positions `order`: `f` on combination `order[i]`, with its
    /// position (the task's index goes into panic messages).
    fn task<R>(&self, order: &[usize], i: u64, f: &impl Fn(&Params<'_>) -> R) -> (usize, R) {
        haydi_core::plumbing::note_task(i);
        let pos = order[i as usize];
        let p = Params {
            names: &self.params,
            values: self.combo(pos),
        };
        (pos, f(&p))
    }

    /// The grid positions to run, in run order, and the same sorted (the table's order).
    fn positions(&self, n: usize) -> (Vec<usize>, Vec<usize>) {
        let mut chosen: Vec<usize> = (0..n).collect();
        if let Some((k, seed)) = self.sample {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            chosen.shuffle(&mut rng);
            chosen.truncate(k);
            chosen.sort_unstable();
        }
        let mut order = chosen.clone();
        if let Some(seed) = self.shuffle {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            order.shuffle(&mut rng);
        }
        (order, chosen)
    }

    /// Runs `f` on every combination (or the sample) on the session's context and returns the
    /// table in grid order. A panic in `f` is [`Error::Panicked`] naming the task (its place
    /// in the run order).
    ///
    /// ```
    /// use haydi_contexts::sweep::Sweep;
    /// let t = Sweep::new().param("a", [1, 2]).param("b", [10, 20, 30])
    ///     .param("c", (100..=400).step_by(100))
    ///     .run(|p| p.int("a") + p.int("b") + p.int("c"))?;
    /// assert_eq!(t.len(), 24);
    /// assert_eq!(t.outputs()[..4], [111, 211, 311, 411]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn run<R, F>(&self, f: F) -> Result<Table<R>>
    where
        R: Send + Serialize + DeserializeOwned + 'static,
        F: Fn(&Params<'_>) -> R + Send + Sync,
    {
        self.run_positions(f, |_| true)
    }

    /// Runs only the combinations that `existing` (a table of this sweep's parameters, from an
    /// earlier run, perhaps with fewer values) lacks, and returns the union in grid order: the
    /// existing rows are kept as they are (xyzpy's `Harvester` with `missing_only`).
    ///
    /// ```
    /// use haydi_contexts::sweep::Sweep;
    /// let small = Sweep::new().param("a", [1, 2]).run(|p| p.int("a") * 10)?;
    /// let calls = std::sync::atomic::AtomicU64::new(0);
    /// let big = Sweep::new().param("a", [1, 2, 3]).run_missing(&small, |p| {
    ///     calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    ///     p.int("a") * 10
    /// })?;
    /// assert_eq!(big.outputs(), [10, 20, 30]);
    /// assert_eq!(calls.into_inner(), 1); // only a = 3 ran
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn run_missing<R, F>(&self, existing: &Table<R>, f: F) -> Result<Table<R>>
    where
        R: Clone + Send + Serialize + DeserializeOwned + 'static,
        F: Fn(&Params<'_>) -> R + Send + Sync,
    {
        if existing.names != self.names() {
            return Err(Error::InvalidArgument(format!(
                "sweep: the existing table has the parameters {:?}, this sweep {:?}",
                existing.names,
                self.names()
            )));
        }
        let known = |labels: &[&Label]| existing.find(labels);
        let fresh = self.run_positions(&f, |labels| known(labels).is_none())?;
        // Merge: every combination of this sweep, from the old table where it was there.
        let mut rows = Vec::new();
        let mut fresh = fresh.rows.into_iter().peekable();
        let n = self.check()?;
        let (_, chosen) = self.positions(n);
        for pos in chosen {
            let labels = self.combo(pos);
            match known(&labels) {
                Some(r) => rows.push((labels.into_iter().cloned().collect(), r.clone())),
                None => match fresh.next() {
                    Some(row) => rows.push(row),
                    None => return Err(Error::Context("sweep: a missing row did not run".into())),
                },
            }
        }
        Ok(Table {
            names: self.names(),
            rows,
        })
    }

    fn run_positions<R, F>(&self, f: F, want: impl Fn(&[&Label]) -> bool) -> Result<Table<R>>
    where
        R: Send + Serialize + DeserializeOwned + 'static,
        F: Fn(&Params<'_>) -> R + Send + Sync,
    {
        let n = self.check()?;
        let names = self.names();
        if n == 0 {
            return Ok(Table {
                names,
                rows: Vec::new(),
            });
        }
        if self.params.is_empty() {
            let p = Params {
                names: &self.params,
                values: Vec::new(),
            };
            return Ok(Table {
                names,
                rows: vec![(Vec::new(), f(&p))],
            });
        }
        let (order, _) = self.positions(n);
        let order: Vec<usize> = order
            .into_iter()
            .filter(|&pos| want(&self.combo(pos)))
            .collect();
        let f = &f;
        let order_ref = &order;
        let mut out: Vec<(usize, R)> = Indices(order.len() as u64)
            .iterate()
            .map(move |i| self.task(order_ref, i, f))
            .collect()
            .run(true)?;
        out.sort_by_key(|(pos, _)| *pos);
        Ok(Table {
            names,
            rows: out
                .into_iter()
                .map(|(pos, r)| (self.combo(pos).into_iter().cloned().collect(), r))
                .collect(),
        })
    }
}
