//! `haydi`: watch a running distributed job (its driver, a `DistributedContext`).
//!
//! ```text
//! haydi status                     # the driver, its workers, the run in progress
//! haydi workers --json             # the workers only, as JSON
//! haydi stop --yes --reason "..."  # the run fails on every process (driver must allow it)
//! haydi drop-worker 3 --yes        # worker 3 is lost; its chunks run elsewhere
//! haydi trace run.json             # offline: how evenly a traced run kept its workers busy
//! haydi reseal run.ckpt            # offline: adopt a checkpoint (or a crop folder) you trust
//! ```
//!
//! The driver is found as a worker finds it: `--coordinator ADDR` or `HAYDI_COORDINATOR` (with
//! the secret in `HAYDI_SECRET`, never on the command line), `--rendezvous FILE` or
//! `HAYDI_RENDEZVOUS`, or else the one rendezvous file in this user's private directory. Every
//! request is authenticated like a worker. Reading is always allowed; `stop` and `drop-worker`
//! need `--yes` here and `DistributedOptions::allow_control(true)` in the job.
//!
//! `reseal` needs no driver either: it re-seals a checkpoint file or a crop folder under this
//! user's key (`$XDG_DATA_HOME/haydi/key` or `HAYDI_KEY_FILE`), which is how a checkpoint or a
//! crop moves to another account (copy it into the account, then re-seal the copy there), and,
//! with `--identity TEXT`, how a file written by another build or with other arguments is
//! adopted by a run that gives that identity (`RunOptions::checkpoint_identity`,
//! `Crop::identity`). It does not check the file's old seal: re-seal only what you trust.
//!
//! Exit status: 0 done, 1 the request failed or was refused, 2 a usage error (clap's, or a
//! control request without `--yes`).

use clap::{Parser, Subcommand};
use haydi_contexts::distributed::monitor::{
    ClusterStatus, Monitor, RunStatus, WorkerStatus, find_driver,
};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Watch a running haydi job: its workers and its progress; stop it or drop a worker.
#[derive(Debug, Parser)]
#[command(name = "haydi", version)]
struct Cli {
    /// The driver's rendezvous file (default: HAYDI_RENDEZVOUS, or the one file in the private
    /// rendezvous directory).
    #[arg(long, global = true, value_name = "FILE")]
    rendezvous: Option<PathBuf>,
    /// The driver's `host:port` (default: HAYDI_COORDINATOR); the secret comes from HAYDI_SECRET.
    #[arg(long, global = true, value_name = "ADDR")]
    coordinator: Option<String>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Seconds to wait for the driver to answer.
    #[arg(long, global = true, default_value_t = 10.0, value_name = "SECS")]
    timeout: f64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The driver, its workers and the run in progress (read-only).
    Status,
    /// The workers: rank, host, pid, threads, chunks done, last heard from (read-only).
    Workers,
    /// Stop the job: the run in progress fails on every process, and so does every later run.
    Stop {
        /// Really stop it.
        #[arg(long)]
        yes: bool,
        /// Why (part of the error every process gets).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Drop one worker: it is treated as lost and its chunks run elsewhere.
    DropWorker {
        /// The worker's rank.
        rank: u32,
        /// Really drop it.
        #[arg(long)]
        yes: bool,
    },
    /// Summarize a chunk trace file (`RunOptions::chunk_trace`): chunks, items, busy time and
    /// last end per worker, the balance (least / most busy) and the idle tail. Needs no driver.
    Trace {
        /// The trace file.
        file: PathBuf,
    },
    /// Re-seal a checkpoint file or a crop folder (`DIR/NAME`) under this user's key: to move
    /// it from another account (copy it here first) or to adopt it under an identity. Needs
    /// no driver. It vouches for the file without checking its old seal.
    Reseal {
        /// The checkpoint file, or the crop's folder.
        path: PathBuf,
        /// Record this identity instead of the program's arguments and executable (what
        /// `RunOptions::checkpoint_identity` / `Crop::identity` give the run that resumes it).
        #[arg(long, value_name = "TEXT")]
        identity: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let control = match &cli.command {
        Command::Stop { yes: false, .. } => Some("stop the job"),
        Command::DropWorker { yes: false, .. } => Some("drop a worker"),
        _ => None,
    };
    if let Some(what) = control {
        eprintln!("haydi: refusing to {what} without --yes");
        return ExitCode::from(2);
    }
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("haydi: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: &Cli) -> haydi_core::Result<()> {
    if let Command::Reseal { path, identity } = &cli.command {
        let key = haydi_core::trusted::UserKey::load_or_create()?;
        let what = if path.is_dir() {
            haydi_contexts::crop::reseal(path, identity.as_deref())?
        } else {
            format!(
                "re-sealed {}",
                haydi_core::plumbing::reseal_checkpoint(path, identity.as_deref())?
            )
        };
        let key = haydi_core::trusted::key::describe(&key);
        if cli.json {
            print_json(&serde_json::json!({ "done": what, "key": key }))?;
        } else {
            println!("{what}\nunder the key {key}");
        }
        return Ok(());
    }
    if let Command::Trace { file } = &cli.command {
        let s = haydi_core::context::TraceSummary::read(file)?;
        if cli.json {
            let workers: Vec<_> = s
                .workers
                .iter()
                .map(|w| {
                    serde_json::json!({
                        "process": w.process, "thread": w.thread, "chunks": w.chunks,
                        "items": w.items, "busy_s": w.busy, "last_end_s": w.last_end,
                    })
                })
                .collect();
            print_json(&serde_json::json!({
                "span_s": s.span, "balance": s.balance(), "idle_tail_s": s.idle_tail(),
                "workers": workers,
            }))?;
        } else {
            println!("{s}");
        }
        return Ok(());
    }
    let driver = find_driver(cli.coordinator.as_deref(), cli.rendezvous.as_deref())?;
    let timeout =
        Duration::try_from_secs_f64(cli.timeout.max(0.001)).unwrap_or(Duration::from_secs(10));
    let mut m = Monitor::connect_to(&driver, timeout)?;
    let done = |what: String| {
        if cli.json {
            println!("{}", serde_json::json!({ "done": what }));
        } else {
            println!("{what}");
        }
    };
    match &cli.command {
        Command::Status => {
            let s = m.status()?;
            if cli.json {
                print_json(&s)?;
            } else {
                print!("{}", status_text(&s));
            }
        }
        Command::Workers => {
            let s = m.status()?;
            if cli.json {
                print_json(&s.workers)?;
            } else {
                print!("{}", workers_text(&s.workers));
            }
        }
        Command::Stop { reason, .. } => done(m.stop(reason)?),
        Command::DropWorker { rank, .. } => done(m.drop_worker(*rank)?),
        Command::Trace { .. } | Command::Reseal { .. } => unreachable!("answered above"),
    }
    Ok(())
}

fn print_json<T: serde::Serialize>(v: &T) -> haydi_core::Result<()> {
    let text = serde_json::to_string_pretty(v)
        .map_err(|e| haydi_core::Error::Serialization(e.to_string()))?;
    println!("{text}");
    Ok(())
}

fn seconds(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

fn run_text(r: &RunStatus) -> String {
    let progress = match r.total {
        Some(t) if t > 0 => format!(
            "{} of {t} indices ({:.1}%)",
            r.processed,
            r.processed as f64 * 100.0 / t as f64
        ),
        Some(t) => format!("{} of {t} indices", r.processed),
        None => format!("{} indices (total unknown)", r.processed),
    };
    format!(
        "run #{} at {}: {progress}, {} items, {}",
        r.seq,
        r.call_site,
        r.items,
        seconds(r.elapsed_ms)
    )
}

fn status_text(s: &ClusterStatus) -> String {
    let d = &s.driver;
    let mut out = format!(
        "driver {} on {} (pid {}), {} processes, {} driver threads, {}\n",
        d.address,
        d.host,
        d.pid,
        d.size,
        d.threads,
        if s.control_allowed {
            "control allowed"
        } else {
            "read-only (control not allowed)"
        }
    );
    if let Some(why) = &s.stopped {
        out += &format!("STOPPED: {why}\n");
    }
    match &s.run {
        Some(r) => out += &format!("running {}\n", run_text(r)),
        None => out += &format!("no run in progress ({} runs ended)\n", s.runs_finished),
    }
    if let Some(r) = &s.last_run {
        let outcome = r.outcome.as_deref().unwrap_or("?");
        out += &format!("last {}: {outcome}\n", run_text(r));
    }
    out += &format!(
        "workers: {} of {} connected",
        s.workers.len(),
        d.size.saturating_sub(1)
    );
    if !s.missing.is_empty() {
        out += &format!(" (missing ranks {:?})", s.missing);
    }
    out += "\n";
    out + &workers_text(&s.workers)
}

fn workers_text(workers: &[WorkerStatus]) -> String {
    let mut rows = vec![[
        "RANK".to_string(),
        "HOST".into(),
        "PID".into(),
        "THREADS".into(),
        "CHUNKS".into(),
        "HEARD".into(),
        "UP".into(),
    ]];
    for w in workers {
        rows.push([
            w.rank.to_string(),
            w.host.clone(),
            w.pid.to_string(),
            w.threads.to_string(),
            w.chunks_done.to_string(),
            format!("{} ago", seconds(w.heard_ms)),
            seconds(w.connected_ms),
        ]);
    }
    let widths: Vec<usize> = (0..7)
        .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out += line.join("  ").trim_end();
        out += "\n";
    }
    out
}
