//! The first bootstrap: [`DistributedContext::spawn`], workers re-executed from this program
//! on this machine (over TCP on loopback).

use super::DistributedOptions;
use super::children::Children;
use super::context::DistributedContext;
use super::driver::DriverSide;
use super::from_env::tcp_worker;
use super::launcher;
use super::transport::secret::Secret;
use super::transport::tcp::Target;
use haydi_core::plumbing::Unpoisoned;
use haydi_core::{Error, Result};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `spawn` calls made so far in this process (a spawned worker finds its own by the index).
static SPAWN_CALLS: AtomicUsize = AtomicUsize::new(0);

impl DistributedContext {
    /// Re-executes this program `n` times as workers on this machine and returns the driver's
    /// context. In a process started this way, the matching `spawn` call returns the worker's
    /// context instead (it finds `HAYDI_RANK` and `HAYDI_SPAWN_INDEX` in the environment), and
    /// other `spawn` calls return a context that runs jobs by itself (serially).
    pub fn spawn(n: usize) -> Result<Self> {
        Self::spawn_with(n, DistributedOptions::default())
    }

    /// [`spawn`](Self::spawn) with options.
    pub fn spawn_with(n: usize, opts: DistributedOptions) -> Result<Self> {
        let index = SPAWN_CALLS.fetch_add(1, Ordering::SeqCst);
        if let Some(role) = launcher::spawned_role() {
            if role.spawn_index != index {
                return Ok(DistributedContext::bystander(
                    role.rank,
                    format!("spawn({n}) seen from a worker of another context"),
                ));
            }
            // Die with the driver, even before (or while) connecting to it.
            launcher::watch_parent(role.rank);
            let (addr, secret) = launcher::coordinator_from_env()?;
            let threads = launcher::threads_from_env().unwrap_or(opts.threads_per_worker);
            return tcp_worker(
                Target::Fixed(addr, secret),
                role.rank,
                threads,
                &opts,
                &format!("spawn({n})"),
            );
        }
        if n == 0 {
            return Err(Error::Context("spawn needs at least one worker".into()));
        }
        let secret = Secret::random();
        let logs = launcher::LogDir::new(opts.log_dir.as_deref())?;
        let mut opts = opts;
        // The workers have the cores: the driver runs no chunks unless told to.
        opts.driver_threads.get_or_insert(0);
        let (mut side, _) = DriverSide::start(
            "127.0.0.1:0",
            secret.clone(),
            n as u32 + 1,
            true,
            opts.clone(),
        )?;
        let plan = launcher::SpawnPlan {
            n,
            address: side.address.clone(),
            secret: secret.clone(),
            spawn_index: index,
            threads: opts.threads_per_worker,
        };
        let children = plan.start_all(&logs);
        side.plan = Some(plan);
        let log_dir = logs.path().to_path_buf();
        // Dropping the driver's context on an error below now cleans up (or keeps the logs).
        *side.logs.get_mut().unwrap_or_else(|e| e.into_inner()) = Some(logs);
        let children = children?;
        tracing::info!(target: "haydi", workers = n, logs = %log_dir.display(), "spawned workers");
        let children = Arc::new(Children::new(children, Some(log_dir.clone())));
        side.children = children.clone();
        let mut st = side.state.lock_unpoisoned();
        let described = children.clone();
        st.describe = Some(Box::new(move |rank| described.describe(rank)));
        let joined = st.wait_joined(n, opts.min_workers, opts.connect_timeout, || {
            children.ended().len()
        });
        let missing: Vec<u32> = (1..=n as u32)
            .filter(|r| !st.peers.contains_key(r))
            .collect();
        for (rank, how) in children.ended() {
            if missing.contains(&rank) {
                haydi_core::warning!(
                    rank,
                    "worker {rank} {how} before it joined; see {}",
                    log_dir.join(format!("worker-{rank}.log")).display()
                );
            }
        }
        drop(st);
        if let Err(e) = joined {
            let ended: Vec<String> = children
                .ended()
                .into_iter()
                .map(|(r, how)| format!("worker {r} {how}"))
                .collect();
            return Err(match e {
                Error::Worker(m) if !ended.is_empty() => Error::Worker(format!(
                    "{m}; {}; logs in {}",
                    ended.join(", "),
                    log_dir.display()
                )),
                e => e,
            });
        }
        side.missing = missing;
        Ok(DistributedContext::of_driver(side, &format!("spawn({n})")))
    }
}
