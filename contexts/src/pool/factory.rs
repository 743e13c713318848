//! Contexts and pools by name (Glimpse's `MakePool`, pyMOR's `new_parallel_pool`): the same
//! names choose the session's context, a pool, the `HAYDI_POOL` variable and `haydi.toml`.

use super::Pool;
use crate::DistributedContext;
use haydi_core::context::ParallelContext;
use haydi_core::{Error, Result, SerialContext, ThreadContext, session};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// The environment variable naming the context of [`Pool::from_env`] (same syntax as
/// [`ContextSpec`]).
pub const POOL_ENV: &str = "HAYDI_POOL";

const VALID: &str = "serial, threads, threads:N, spawn:N, cluster";

/// A context by name: `serial`, `threads` (one per core), `threads:N`, `spawn:N` (N worker
/// processes of this program, [`DistributedContext::spawn`]) or `cluster` (ranks from the
/// launcher: Slurm, Open MPI, PMI or `HAYDI_RANK`, [`DistributedContext::from_env`]).
///
/// ```
/// use haydi_contexts::pool::ContextSpec;
/// assert_eq!("threads:4".parse::<ContextSpec>()?, ContextSpec::Threads(Some(4)));
/// assert_eq!(ContextSpec::Spawn(2).to_string(), "spawn:2");
/// let err = "gpu".parse::<ContextSpec>().unwrap_err().to_string();
/// assert!(err.contains("serial, threads, threads:N, spawn:N, cluster"), "{err}");
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextSpec {
    /// [`SerialContext`].
    Serial,
    /// [`ThreadContext`] with this many threads (`None`: one per core).
    Threads(Option<usize>),
    /// [`DistributedContext::spawn`] of this many workers.
    Spawn(usize),
    /// [`DistributedContext::from_env`].
    Cluster,
}

impl FromStr for ContextSpec {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        let count = |what: &str, n: &str| -> Result<usize> {
            match n.parse::<usize>() {
                Ok(k) if k > 0 => Ok(k),
                _ => Err(Error::InvalidArgument(format!(
                    "context '{s}': {what} needs a positive count, as in {what}:4"
                ))),
            }
        };
        match s.split_once(':') {
            None => match s {
                "serial" => Ok(ContextSpec::Serial),
                "threads" => Ok(ContextSpec::Threads(None)),
                "cluster" => Ok(ContextSpec::Cluster),
                "spawn" => Err(Error::InvalidArgument(format!(
                    "context 'spawn' needs a count, as in spawn:4 (valid: {VALID})"
                ))),
                _ => Err(unknown(s)),
            },
            Some(("threads", n)) => Ok(ContextSpec::Threads(Some(count("threads", n)?))),
            Some(("spawn", n)) => Ok(ContextSpec::Spawn(count("spawn", n)?)),
            Some(_) => Err(unknown(s)),
        }
    }
}

fn unknown(s: &str) -> Error {
    Error::InvalidArgument(format!("unknown context '{s}'; valid: {VALID}"))
}

impl fmt::Display for ContextSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContextSpec::Serial => write!(f, "serial"),
            ContextSpec::Threads(None) => write!(f, "threads"),
            ContextSpec::Threads(Some(n)) => write!(f, "threads:{n}"),
            ContextSpec::Spawn(n) => write!(f, "spawn:{n}"),
            ContextSpec::Cluster => write!(f, "cluster"),
        }
    }
}

impl ContextSpec {
    /// The name in `HAYDI_POOL`, if set (an invalid one is an error, not ignored).
    ///
    /// ```
    /// use haydi_contexts::pool::ContextSpec;
    /// // Unset in doctests:
    /// assert_eq!(ContextSpec::from_env()?, None);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn from_env() -> Result<Option<ContextSpec>> {
        match std::env::var(POOL_ENV) {
            Ok(v) if !v.trim().is_empty() => v
                .parse()
                .map(Some)
                .map_err(|e| Error::InvalidArgument(format!("{POOL_ENV}: {e}"))),
            _ => Ok(None),
        }
    }

    /// Creates the context. `spawn:N` starts N worker processes of this program (in a worker
    /// process it returns that worker's context, SPMD).
    ///
    /// ```
    /// use haydi_contexts::pool::ContextSpec;
    /// assert_eq!(ContextSpec::Threads(Some(2)).build()?.name(), "threads(2)");
    /// assert!(haydi_contexts::extensions::is_serial(&*ContextSpec::Serial.build()?));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn build(&self) -> Result<Arc<dyn ParallelContext>> {
        Ok(match self {
            ContextSpec::Serial => Arc::new(SerialContext),
            ContextSpec::Threads(None) => Arc::new(ThreadContext::all_cores()?),
            ContextSpec::Threads(Some(n)) => Arc::new(ThreadContext::new(*n)?),
            ContextSpec::Spawn(n) => Arc::new(DistributedContext::spawn(*n)?),
            ContextSpec::Cluster => Arc::new(DistributedContext::from_env()?),
        })
    }

    /// Creates the context and makes it the session's (what `run(true)` uses).
    ///
    /// ```
    /// use haydi_contexts::pool::ContextSpec;
    /// use haydi_core::prelude::*;
    /// ContextSpec::Threads(Some(2)).install()?;
    /// assert_eq!(session::parallel_context().name(), "threads(2)");
    /// session::clear_parallel_context();
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn install(&self) -> Result<Arc<dyn ParallelContext>> {
        let ctx = self.build()?;
        session::set_parallel_context_shared(ctx.clone());
        Ok(ctx)
    }
}

impl Pool {
    /// A pool over the context of that name (see [`ContextSpec`]); an unknown name is an
    /// [`Error::InvalidArgument`] listing the valid ones.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// assert_eq!(Pool::by_name("threads:3")?.len(), 3);
    /// assert!(!Pool::by_name("serial")?.is_parallel());
    /// assert!(Pool::by_name("theads:3").is_err());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn by_name(name: &str) -> Result<Pool> {
        Ok(Pool::from_shared(name.parse::<ContextSpec>()?.build()?))
    }

    /// A pool chosen the configured way: `HAYDI_POOL`, else `haydi.toml`'s `context` (see
    /// [`Config`](super::Config)), else the session's context.
    ///
    /// ```
    /// use haydi_contexts::Pool;
    /// assert!(Pool::from_env()?.len() >= 1);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn from_env() -> Result<Pool> {
        match super::Config::load()?.context {
            Some(spec) => Ok(Pool::from_shared(spec.build()?)),
            None => Ok(Pool::from_session()),
        }
    }
}
