//! Crops: a job cut into batches on disk, grown anywhere (here, in parallel; on a batch
//! system's array tasks), reaped when all are there, in the manner of xyzpy's `Crop`.
//!
//! ```text
//! let crop = Crop::new("sums", "/scratch/crops", job)?;   // nothing on disk yet
//! crop.sow(Batches::Size(1000))?;        // dir/sums/manifest: fingerprint + batch plan
//! crop.grow(1)?;                         // batch 1 on the session's context
//! crop.grow_missing()?;                  // or: array tasks calling crop.grow_from_env()
//! let value = crop.reap()?;              // == job.run(false)
//! ```
//!
//! **Layout.** `dir/name/` (mode 0700; a link there is refused) holds `manifest`,
//! `results/batch-<id>.result` and `leases/batch-<id>.lease`. The manifest says which job the
//! crop belongs to (the call site of [`Crop::new`], the job's type name: pipeline and action,
//! the length of its index space, the domain's [`fingerprint`](haydi_core::Domain::fingerprint),
//! and the program's arguments and executable hash, or the [`Crop::identity`] given instead),
//! the batch plan (the index range of every batch) and the program that sowed it (its path and
//! arguments, which [`Crop::script`] runs); no code: the program that sowed the crop is the one
//! that grows it, as array tasks start the same executable with the same arguments (SPMD, as
//! for [`crate::DistributedContext`]). Another program, a rebuilt one or other arguments are
//! refused with an error saying which part differs (see [`Crop::identity`] for programs whose
//! arguments do not change the job, such as one with `sow`/`grow`/`reap` subcommands).
//!
//! **Batches** are contiguous index ranges, numbered **from 1** (like xyzpy and like the array
//! indices `1..=n` of the scripts [`Crop::script`] writes): batch `k` is `plan[k - 1]`.
//! Growing a batch runs the job over exactly its range ([`haydi_core::Job::run_range_partial_in`])
//! and stores the action's partial; reaping merges the partials in index order and finishes
//! them, which is what `run(false)` returns (an action's merge is associative by contract).
//!
//! **What xyzpy gets wrong, and this does not.** A result is written to a temporary file
//! (created exclusively, 0600) in the same folder, synced, renamed into place, the folder
//! synced: a crash leaves no result or a whole one, never a truncated file that counts as
//! done. Every result carries a header (magic line, the crop's fingerprint, its batch id and
//! range) and an HMAC-SHA-256 of its contents under the user's key
//! ([`haydi_core::trusted`]), and a batch is *missing* unless its file is there, this user's,
//! not writable by others, and verified: [`Crop::missing`] and [`Crop::reap`] never trust a
//! damaged, edited or forged file, and [`Crop::check`] removes such files so that they are
//! grown again. Nothing is pickled: the job is code of the program, the files hold only data.
//! Leases keep two growers off one batch (see [`Holder`]).
//!
//! **Jobs that cannot be cropped.** A pipeline with a `take` stops after its first `n` items
//! *in index order*: whether a batch's items count depends on how many items all earlier
//! batches let through, so batches are not independent; [`Crop::sow`] refuses it (put the
//! `take` in a program that reaps, or crop without it). Sources that run a first pass over
//! their whole index space (`enumerate` after a filter, a breadth-first search) are refused for
//! the same reason, and so are endless sources.

mod batches;
mod grow;
mod lease;
mod manifest;
mod reap;
mod reseal;
mod result;
mod script;
mod status;

pub use batches::{Batches, MAX_BATCHES};
pub use grow::{ARRAY_VARIABLES, BATCH_LIST_VARIABLE};
pub use lease::Holder;
pub use reseal::reseal;
pub use script::{Scheduler, ScriptOptions, Submitted};
pub use status::{CheckReport, CropStatus, Grow};

use haydi_core::action::Action;
use haydi_core::pipeline::{Extent, Source, Transform};
use haydi_core::trusted::{Origin, private_dir, this_program};
use haydi_core::{Error, Job, Result, Size};
use manifest::{JobId, Manifest};
use std::fmt;
use std::panic::Location;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A job cut into batches on disk: sow, grow, reap (see the [module docs](self)).
///
/// ```
/// use haydi_contexts::crop::{Batches, Crop};
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let dir = tempfile::tempdir()?;
/// let crop = Crop::new("squares", dir.path(), Range::new(100).map(|x| x * x).sum())?;
/// assert_eq!(crop.sow(Batches::Count(4))?, 4);
/// crop.grow(2)?;
/// assert_eq!(crop.missing()?, vec![1, 3, 4]);
/// assert!(crop.reap().is_err());
/// crop.grow_missing()?;
/// assert_eq!(crop.status()?.to_string(), "4 / 4 batches completed [####################]");
/// assert_eq!(crop.reap()?, crop.job().run(false)?);
/// crop.clean()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Crop<S, T, A> {
    name: String,
    root: PathBuf,
    job: Job<S, T, A>,
    site: &'static Location<'static>,
    lease_timeout: Duration,
    identity: Option<String>,
    /// What the job's domain cannot show of itself (a sweep's grid), added to its fingerprint.
    domain_note: Option<String>,
}

impl<S, T, A> fmt::Debug for Crop<S, T, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crop")
            .field("name", &self.name)
            .field("root", &self.root)
            .field("site", &self.site)
            .finish_non_exhaustive()
    }
}

/// The default [`Crop::lease_timeout`]: a lease not refreshed for this long is stale.
///
/// ```
/// assert_eq!(haydi_contexts::crop::DEFAULT_LEASE_TIMEOUT.as_secs(), 120);
/// ```
pub const DEFAULT_LEASE_TIMEOUT: Duration = Duration::from_secs(120);

impl<S, T, A> Crop<S, T, A>
where
    S: Source,
    T: Transform<S::Item>,
    A: Action<T::Out>,
{
    /// The crop `name` of `job` in the folder `dir` (its files go to `dir/name`). Nothing is
    /// written until [`Crop::sow`]. The call site identifies the job in the manifest, so make
    /// the crop in one place of the program (every process of it then agrees). `name` must be
    /// a plain file name (letters, digits, `-`, `_`, `.`; not `.` or `..`).
    ///
    /// ```
    /// use haydi_contexts::crop::Crop;
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// assert!(Crop::new("ok-1", "/tmp", Range::new(3).count()).is_ok());
    /// assert!(Crop::new("../up", "/tmp", Range::new(3).count()).is_err());
    /// ```
    #[track_caller]
    pub fn new(name: impl Into<String>, dir: impl AsRef<Path>, job: Job<S, T, A>) -> Result<Self> {
        let name = name.into();
        let plain = !name.is_empty()
            && name != "."
            && name != ".."
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !plain {
            return Err(Error::InvalidArgument(format!(
                "crop name {name:?}: use a plain file name (letters, digits, '-', '_', '.')"
            )));
        }
        Ok(Crop {
            root: dir.as_ref().join(&name),
            name,
            job,
            site: Location::caller(),
            lease_timeout: DEFAULT_LEASE_TIMEOUT,
            identity: None,
            domain_note: None,
        })
    }

    /// How long a lease may go unrefreshed before another grower takes it over (default
    /// [`DEFAULT_LEASE_TIMEOUT`]; a grower refreshes its leases every quarter of it).
    ///
    /// ```
    /// use haydi_contexts::crop::Crop;
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// use std::time::Duration;
    /// let crop = Crop::new("c", "/tmp", Range::new(3).count())?.lease_timeout(Duration::from_secs(5));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn lease_timeout(mut self, timeout: Duration) -> Self {
        self.lease_timeout = timeout;
        self
    }

    /// Text that identifies the job instead of the program's arguments and executable (the
    /// call site, type, index space and domain fingerprint are still compared): name what the
    /// job's closures capture. Without it, a crop is grown and reaped only by the program
    /// that sowed it, with the same arguments: right for array tasks (the script runs the
    /// sowing command again), wrong for a program whose arguments do not change the job (a
    /// `sow`/`grow`/`reap` subcommand, an output path) or that is rebuilt on purpose. The
    /// trade-off: with an identity, another build or other arguments grow the crop, so the
    /// text must change whenever the job does. A crop sown with another identity (or
    /// without one) is refused instead of mixing its batches with this one's;
    /// `haydi reseal --identity TEXT DIR/NAME` adopts a crop sown without one.
    ///
    /// ```
    /// use haydi_contexts::crop::{Batches, Crop};
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let make = |k: i64| Crop::new("c", dir.path(), Range::new(9).map(move |x| x * k).sum())
    ///     .map(|c| c.identity(format!("k={k}")));
    /// make(2)?.sow(Batches::Count(3))?;
    /// assert!(make(3)?.sow(Batches::Count(3)).is_err()); // another k: refused
    /// assert_eq!(make(2)?.sow(Batches::Count(3))?, 3); // the same one: kept
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn identity(mut self, text: impl Into<String>) -> Self {
        self.identity = Some(text.into());
        self
    }

    /// Adds `text` to the job's domain fingerprint (a sweep's grid, which its index domain
    /// cannot show).
    pub(crate) fn describe_domain(mut self, text: String) -> Self {
        self.domain_note = Some(text);
        self
    }

    /// The crop's name.
    ///
    /// ```
    /// use haydi_contexts::crop::Crop;
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// assert_eq!(Crop::new("c", "/tmp", Range::new(3).count())?.name(), "c");
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The crop's folder, `dir/name`.
    ///
    /// ```
    /// use haydi_contexts::crop::Crop;
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// assert_eq!(Crop::new("c", "/tmp", Range::new(3).count())?.path(), std::path::Path::new("/tmp/c"));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// The job.
    ///
    /// ```
    /// use haydi_contexts::crop::Crop;
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// assert_eq!(Crop::new("c", "/tmp", Range::new(3).count())?.job().run(false)?, 3);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn job(&self) -> &Job<S, T, A> {
        &self.job
    }

    /// Sows the crop: checks that the job can be cut into independent batches, plans them and
    /// writes the manifest. Returns the number of batches. Sowing a crop again with the same
    /// job and plan keeps every result already grown; a crop of another job, or of this job
    /// with another plan, is refused (clean it first).
    ///
    /// Errors ([`Error::InvalidArgument`]): a zero batch size or count, more batches than
    /// indices, an empty index space, a job with a `take` or a first pass, an endless source or
    /// one beyond `u128` (see the [module docs](self)).
    ///
    /// ```
    /// use haydi_contexts::crop::{Batches, Crop};
    /// use haydi_domains::Range;
    /// use haydi_core::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let crop = Crop::new("c", dir.path(), Range::new(10).count())?;
    /// assert_eq!(crop.sow(Batches::Size(4))?, 3);
    /// assert_eq!(crop.sow(Batches::Size(4))?, 3); // the same: kept
    /// assert!(crop.sow(Batches::Size(5)).is_err()); // another plan
    /// assert!(Crop::new("t", dir.path(), Range::new(10).take(3).count())?.sow(Batches::Size(2)).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sow(&self, batches: Batches) -> Result<usize> {
        let id = self.job_id()?;
        let plan = batches.plan(id.extent)?;
        let parent = self.root.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .map_err(|e| Error::Context(format!("cannot create {}: {e}", parent.display())))?;
        let fix = "remove it, or give the crop another name or folder";
        private_dir(&self.root, fix)?;
        private_dir(&self.root.join("results"), fix)?;
        private_dir(&self.root.join("leases"), fix)?;
        let fresh = Manifest::new(&self.name, id, plan, this_program().clone());
        match Manifest::load(&self.manifest_path())? {
            None => fresh.save(&self.manifest_path())?,
            Some(old) if old.same_sowing(&fresh) => {}
            Some(old) if old.job != fresh.job => {
                return Err(Error::InvalidArgument(format!(
                    "crop {}: it was sown by another job: {}",
                    self.root.display(),
                    old.job.difference(&fresh.job).unwrap_or_default()
                )));
            }
            Some(old) => {
                return Err(Error::InvalidArgument(format!(
                    "crop {}: it was sown with another batch plan ({} batches, this one has {}); \
                     its results do not fit this plan: clean it first, or sow it as it was",
                    self.root.display(),
                    old.plan.len(),
                    fresh.plan.len()
                )));
            }
        }
        Ok(fresh.plan.len())
    }

    /// What identifies this crop's job, after checking that it can be cropped.
    fn job_id(&self) -> Result<JobId> {
        let refuse =
            |why: String| Err(Error::InvalidArgument(format!("crop {}: {why}", self.name)));
        if !self.job.take_limits().is_empty() {
            return refuse(
                "the job has a take: which items a batch lets through depends on every \
                 earlier batch, so its batches are not independent; crop the job without the \
                 take"
                    .into(),
            );
        }
        if self.job.needs_first_pass() {
            return refuse(
                "the job's source needs a first pass over its whole index space (an enumerate \
                 after a filter, a breadth-first search), so its batches are not independent"
                    .into(),
            );
        }
        let extent = match self.job.extent()? {
            Extent::Endless => return refuse("the job's source is endless".into()),
            Extent::Finite(n) if n == Size::OVERFLOW_EXTENT => {
                return refuse("the job's domain is larger than u128 can count".into());
            }
            Extent::Finite(n) => n,
        };
        let mut domain = self.job.fingerprint();
        if let Some(note) = &self.domain_note {
            domain = format!("{domain} with {note}");
        }
        Ok(JobId {
            call_site: self.site.to_string(),
            type_name: self.job.type_name().to_string(),
            extent,
            domain,
            origin: Origin::this_program_or(self.identity.as_deref()),
        })
    }

    fn manifest_path(&self) -> PathBuf {
        self.root.join("manifest")
    }

    fn result_path(&self, id: usize) -> PathBuf {
        self.root.join("results").join(format!("batch-{id}.result"))
    }

    fn lease_path(&self, id: usize) -> PathBuf {
        self.root.join("leases").join(format!("batch-{id}.lease"))
    }

    /// The manifest, if sown (an error if it is another job's).
    fn manifest(&self) -> Result<Option<(Manifest, [u8; 32])>> {
        let Some(m) = Manifest::load(&self.manifest_path())? else {
            return Ok(None);
        };
        let id = self.job_id()?;
        if let Some(why) = m.job.difference(&id) {
            return Err(Error::InvalidArgument(format!(
                "crop {}: it was sown by another job: {why}",
                self.root.display()
            )));
        }
        let fp = m.fingerprint()?;
        Ok(Some((m, fp)))
    }

    /// The manifest, which must be there.
    fn sown(&self) -> Result<(Manifest, [u8; 32])> {
        self.manifest()?.ok_or_else(|| {
            Error::InvalidArgument(format!(
                "crop {} is not sown: call sow first",
                self.root.display()
            ))
        })
    }

    /// The range of batch `id` (1-based).
    fn batch(m: &Manifest, id: usize) -> Result<std::ops::Range<u128>> {
        match id.checked_sub(1).and_then(|i| m.plan.get(i)) {
            Some(r) => Ok(r.clone()),
            None => Err(Error::InvalidArgument(format!(
                "crop {}: there is no batch {id}; batches are numbered 1 to {}",
                m.name,
                m.plan.len()
            ))),
        }
    }
}

impl<S, T, A> fmt::Display for Crop<S, T, A>
where
    S: Source,
    T: Transform<S::Item>,
    A: Action<T::Out>,
{
    /// `name: 5 / 20 batches completed [#####...]`, or what is wrong.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status() {
            Ok(s) => write!(f, "{}: {s}", self.name),
            Err(e) => write!(f, "{}: {e}", self.name),
        }
    }
}
