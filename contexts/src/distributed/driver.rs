//! The driver's side of a context (rank 0): its state, the I/O runtime of its transport, the
//! files and processes it owns, and its end (`Shutdown` to every worker, files removed, the
//! workers seen to their end by an [`Ending`](super::ending::Ending)).

use super::children::Children;
use super::coordinator::DriverState;
use super::monitor::board::{Board, DriverInfo};
use super::transport::secret::Secret;
use super::transport::{Event, tcp};
use super::{DistributedOptions, ending, files, launcher};
use haydi_core::plumbing::Unpoisoned;
use haydi_core::{Error, Result};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The driver of a context.
pub(crate) struct DriverSide {
    pub state: Mutex<DriverState>,
    pub seq: AtomicU64,
    pub opts: DistributedOptions,
    pub size: u32,
    pub address: String,
    pub children: Arc<Children>,
    /// Where spawned workers write (`spawn` only); handed to the [`ending::Ending`].
    pub logs: Mutex<Option<launcher::LogDir>>,
    /// Set once the context ended (dropped, or at the process's exit).
    ended: AtomicBool,
    /// Ranks that had not joined when the context started.
    pub missing: Vec<u32>,
    /// How the workers were spawned (`spawn` only), to start lost ones again.
    pub plan: Option<launcher::SpawnPlan>,
    /// The rendezvous file this driver wrote and what it wrote there: it stays while the driver
    /// lives (a worker may join late) and is removed with the driver's context.
    pub rendezvous: Mutex<Option<(PathBuf, String)>>,
    /// Files written by `write_monitor_file`, and what they hold: removed with the context.
    pub monitor_files: Mutex<Vec<(PathBuf, String)>>,
    /// The job's secret (for monitor files).
    pub secret: Secret,
    /// The runtime of the TCP transport's tasks; handed to the [`ending::Ending`].
    rt: Mutex<Option<tokio::runtime::Runtime>>,
}

impl DriverSide {
    /// A driver of `size` processes listening on `bind` (for workers when `tcp_workers`, for
    /// monitors always); also returns the sender of its dispatch loop's events, for another
    /// transport's workers.
    pub(crate) fn start(
        bind: &str,
        secret: Secret,
        size: u32,
        tcp_workers: bool,
        opts: DistributedOptions,
    ) -> Result<(Self, crossbeam_channel::Sender<Event>)> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("haydi-driver-io")
            .enable_all()
            .build()
            .map_err(|e| Error::Context(format!("cannot start the I/O runtime: {e}")))?;
        let (tx, rx) = crossbeam_channel::unbounded();
        let board = Arc::new(Board::new());
        let door = tcp::Door::new(
            secret.clone(),
            size,
            tcp_workers,
            opts.clone(),
            tx.clone(),
            board.clone(),
        );
        let address = tcp::listen(&rt, bind, door)?;
        board.set_driver(DriverInfo {
            address: address.clone(),
            threads: u32::try_from(opts.driver_threads()).unwrap_or(u32::MAX),
            size,
            allow_control: opts.allow_control,
            events: Some(tx.clone()),
        });
        tracing::info!(target: "haydi", %address, size, "driver listening");
        let side = DriverSide {
            state: Mutex::new(DriverState::new(rx, opts.rejoin_cache, board)),
            seq: AtomicU64::new(0),
            opts,
            size,
            address,
            children: Arc::new(Children::new(Vec::new(), None)),
            logs: Mutex::new(None),
            ended: AtomicBool::new(false),
            missing: Vec::new(),
            plan: None,
            rendezvous: Mutex::new(None),
            monitor_files: Mutex::new(Vec::new()),
            secret,
            rt: Mutex::new(Some(rt)),
        };
        Ok((side, tx))
    }

    /// What monitors see of this driver.
    #[cfg(feature = "mpi")]
    pub(crate) fn board(&self) -> Arc<Board> {
        self.state.lock_unpoisoned().board.clone()
    }

    /// Ends the context (once): tells every worker the driver's program is done with it
    /// (`Shutdown`: workers go on with their own `main`), removes the rendezvous and monitor
    /// files, and returns what is needed to see the workers to their end.
    pub(crate) fn end(&self) -> Option<ending::Ending> {
        if self.ended.swap(true, Ordering::SeqCst) {
            return None;
        }
        // At the process's exit another thread may still hold the state (a run in progress on
        // it, or `std::process::exit` called from a closure): do not wait for it forever.
        let until = std::time::Instant::now() + Duration::from_secs(2);
        let mut guard = loop {
            match self.state.try_lock() {
                Ok(g) => break Some(g),
                Err(std::sync::TryLockError::Poisoned(p)) => break Some(p.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) if std::time::Instant::now() < until => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                Err(std::sync::TryLockError::WouldBlock) => break None,
            }
        };
        let (state, live, behind, lost) = match guard.as_deref_mut() {
            Some(st) => {
                st.poll();
                // The last result may still be on its way (a large one takes a while): wait
                // until it is written, or until the heartbeat deadline cuts a worker that
                // stopped reading.
                let behind = st.shutdown(self.opts.heartbeat_timeout + Duration::from_secs(2));
                let live: std::collections::BTreeSet<u32> = st
                    .peers
                    .iter()
                    .filter(|(_, p)| p.alive)
                    .map(|(r, _)| *r)
                    .collect();
                // Workers lost during the job count as failed (their log is kept); one whose
                // program ended (before the driver's) did not fail.
                let lost = st.lost_count() > 0;
                (
                    std::mem::replace(st, DriverState::detached()),
                    live,
                    behind,
                    lost,
                )
            }
            None => (
                DriverState::detached(),
                Default::default(),
                Default::default(),
                true,
            ),
        };
        drop(guard);
        let monitor_files = std::mem::take(&mut *self.monitor_files.lock_unpoisoned());
        let rendezvous = self.rendezvous.lock_unpoisoned().take();
        for (path, text) in rendezvous.into_iter().chain(monitor_files) {
            // Only if it is still ours: another driver may have replaced it since.
            if files::read_private(&path).ok().flatten().as_deref() == Some(text.as_str()) {
                let _ = std::fs::remove_file(&path);
            }
        }
        Some(ending::Ending {
            state,
            children: self.children.clone(),
            live,
            behind,
            logs: self.logs.lock_unpoisoned().take(),
            keep_logs: self.opts.keep_logs,
            failed: lost,
            rt: self.rt.lock_unpoisoned().take(),
            grace: self.opts.heartbeat_timeout.max(Duration::from_secs(2)),
        })
    }
}

impl Drop for DriverSide {
    fn drop(&mut self) {
        if let Some(e) = self.end() {
            if self.children.is_empty() && e.behind.is_empty() {
                // Workers started by a launcher or by hand are not ours to wait for.
                e.finish();
            } else {
                // Spawned workers go on with their main: the exit handler waits for them.
                ending::defer(e);
            }
        }
    }
}
