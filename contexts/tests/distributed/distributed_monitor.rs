//! Monitors of a running driver (`distributed::monitor`, the `haydi` tool): they see the
//! workers and the run while it goes on, need the job's secret, are never workers themselves,
//! may stop the job or drop a worker only when the driver allows it, and a malformed monitor
//! message costs that monitor its connection and nothing else. Each case runs in a process
//! tree of its own (see `support`); `cargo test --test distributed -- NAME` runs one.

use crate::support;

use crate::support::{eventually, is_worker, rank, slow};
use haydi_contexts::distributed::Secret;
use haydi_contexts::distributed::monitor::{
    ClusterStatus, Monitor, MonitorHello, MonitorReply, find_driver,
};
use haydi_contexts::distributed::protocol::{ToDriver, decode, encode};
use haydi_contexts::distributed::transport::frame::{HANDSHAKE_MAX_FRAME, framed, write_frame};
use haydi_contexts::distributed::transport::noise;
use haydi_contexts::{DistributedContext, DistributedOptions};
use haydi_core::domain::tests_support::Digits;
use haydi_core::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::Duration;

/// The cases of this subject, run by the binary's `main` (`support::main`).
pub const CASES: &[support::Case] = &[
    ("sees_workers", sees_workers),
    ("wrong_secret_refused", wrong_secret_refused),
    ("control_refused", control_refused),
    ("drop_worker_serial", drop_worker_serial),
    ("stop_everywhere", stop_everywhere),
    ("cli_end_to_end", cli_end_to_end),
];

const WAIT: Duration = Duration::from_secs(5);
/// Where the processes of a case leave notes for the driver (inherited by spawned workers).
const NOTES: &str = "HAYDI_TEST_MONITOR_NOTES";

/// Spawns 2 workers with `opts`; on the driver, also writes a monitor file in a private
/// folder (where the workers leave their notes too) that lives as long as the returned guard,
/// and returns its path.
fn start(opts: DistributedOptions) -> (DistributedContext, Option<(tempfile::TempDir, PathBuf)>) {
    let dir = (!is_worker()).then(|| {
        let dir = tempfile::tempdir().expect("a private temporary folder");
        // Inherited by the workers spawned below (the only thread of this process yet).
        unsafe { std::env::set_var(NOTES, dir.path()) };
        dir
    });
    let ctx = DistributedContext::spawn_with(2, opts).expect("spawn");
    let Some(dir) = dir.filter(|_| ctx.is_driver()) else {
        return (ctx, None);
    };
    let path = dir.path().join("job.haydi");
    ctx.write_monitor_file(&path).expect("the monitor file");
    (ctx, Some((dir, path)))
}

fn connect(path: &Path) -> Monitor {
    let driver = find_driver(None, Some(path)).expect("the driver in the monitor file");
    Monitor::connect_to(&driver, WAIT).expect("a monitor connection")
}

/// A worker leaves a note for the driver.
fn note(text: &str) {
    let dir = std::env::var(NOTES).expect("the notes folder");
    std::fs::write(Path::new(&dir).join(format!("rank-{}", rank())), text).expect("a note");
}

/// The notes of workers `ranks`, waiting for them.
fn notes(ranks: &[u32]) -> Vec<String> {
    let dir = PathBuf::from(std::env::var(NOTES).expect("the notes folder"));
    ranks
        .iter()
        .map(|r| {
            let p = dir.join(format!("rank-{r}"));
            assert!(
                eventually(Duration::from_secs(20), || p.exists()),
                "no note of rank {r}"
            );
            std::thread::sleep(Duration::from_millis(50));
            std::fs::read_to_string(&p).expect("a note")
        })
        .collect()
}

/// On the driver: a thread that connects a monitor, waits until a run is in progress and
/// some worker has sent a chunk result, then calls `f` with the monitor and that status.
fn during_run<T: Send + 'static>(
    path: &Path,
    f: impl FnOnce(Monitor, ClusterStatus) -> T + Send + 'static,
) -> JoinHandle<T> {
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        let mut m = connect(&path);
        let mut last = None;
        let going = eventually(Duration::from_secs(30), || {
            let s = m.status().expect("a status");
            let ok = s.run.is_some() && s.workers.iter().any(|w| w.chunks_done > 0);
            last = Some(s);
            ok
        });
        assert!(going, "no run with chunks done seen: {last:?}");
        f(m, last.expect("a status"))
    })
}

fn join<T>(h: Option<JoinHandle<T>>) -> Option<T> {
    h.map(|h| h.join().expect("the monitor's checks"))
}

/// A long run: `n` items of 1 ms each.
fn long_run(ctx: &DistributedContext, n: u64) -> haydi_core::Result<Vec<u64>> {
    Digits(n)
        .map(|x| slow(x, 1000))
        .filter(|x| x % 3 != 0)
        .map(|x| x * 2)
        .collect()
        .run_in(ctx)
}

fn serial(n: u64) -> Vec<u64> {
    (0..n).filter(|x| x % 3 != 0).map(|x| x * 2).collect()
}

/// While a run goes on, a monitor sees both workers with their pids, threads and host, recent
/// heartbeats, chunks done and the run's progress; it is no worker (the live workers stay 2,
/// the run ends while it is connected), and after the run it sees the run's outcome.
fn sees_workers() {
    let opts = DistributedOptions {
        threads_per_worker: 2,
        ..Default::default()
    };
    let (ctx, file) = start(opts);
    let pids: BTreeSet<u32> = ctx.worker_pids().into_iter().collect();
    let watcher = file.as_ref().map(|(_, path)| {
        during_run(path, move |mut m, s| {
            assert_eq!(m.size(), 3);
            assert_eq!(s.workers.iter().map(|w| w.rank).collect::<Vec<_>>(), [1, 2]);
            let seen: BTreeSet<u32> = s.workers.iter().map(|w| w.pid).collect();
            assert_eq!(seen, pids, "{s:?}");
            for w in &s.workers {
                assert_eq!(w.threads, 2, "{w:?}");
                assert_eq!(w.host, haydi_contexts::distributed::launcher::hostname());
                assert!(w.heard_ms < 5000, "{w:?}");
            }
            assert_eq!((s.driver.pid, s.driver.size), (std::process::id(), 3));
            assert!(s.missing.is_empty() && !s.control_allowed && s.stopped.is_none());
            let run = s.run.as_ref().expect("the run");
            assert_eq!(run.seq, 0);
            assert!(run.call_site.contains("distributed_monitor.rs"), "{run:?}");
            assert!(eventually(WAIT, || {
                let r = m.status().expect("a status").run;
                r.is_some_and(|r| r.total == Some(6000) && r.processed > 0 && r.processed <= 6000)
            }));
            // Stays connected until the run is over (it must not hold the run up).
            assert!(eventually(Duration::from_secs(30), || {
                m.status().expect("a status").run.is_none()
            }));
            let s = m.status().expect("a status");
            let last = s.last_run.expect("the last run");
            assert_eq!(last.outcome.as_deref(), Some("complete"), "{last:?}");
            assert_eq!((last.processed, s.runs_finished), (6000, 1));
            assert!(s.workers.iter().map(|w| w.chunks_done).sum::<u64>() > 0);
            println!("sees_workers: {:?}", s.workers);
        })
    });
    assert_eq!(long_run(&ctx, 6000).expect("the run"), serial(6000));
    join(watcher);
    if ctx.is_driver() {
        assert_eq!(ctx.live_workers(), 2);
    }
    // The workers wait here while the driver checks above.
    assert_eq!(Digits(10).count().run_in(&ctx).unwrap(), 10);
}

/// Authenticates with `secret`, says hello as a monitor, and returns the sealed connection
/// (or the error of the handshake).
async fn raw_monitor(addr: &str, secret: &Secret, forged: Option<&[u8]>) -> Result<bool, String> {
    let sock = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let mut conn = framed(sock, HANDSHAKE_MAX_FRAME);
    let session = noise::initiate(&mut conn, secret)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(bytes) = forged {
        // A frame not sealed with the session key.
        write_frame(&mut conn, bytes)
            .await
            .map_err(|e| e.to_string())?;
    }
    let (mut tx, mut rx) = session.split(conn, 1 << 20);
    let hello = encode(&ToDriver::Monitor(MonitorHello::here())).unwrap();
    let _ = tx.send(&hello).await;
    if forged.is_none() {
        let welcome = rx
            .recv(WAIT)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("closed")?;
        assert!(matches!(
            decode::<MonitorReply>(&welcome),
            Ok(MonitorReply::Welcome { size: 3 })
        ));
        // An oversized request (over the 4 KiB a monitor may send).
        let _ = tx.send(&vec![0u8; 64 << 10]).await;
    }
    // Whether the driver closed the connection (rather than answering).
    Ok(matches!(rx.recv(WAIT).await, Ok(None) | Err(_)))
}

/// A monitor with the wrong secret is refused, a forged or oversized monitor message closes
/// that monitor's connection only: the workers and the run go on, and a good monitor still
/// sees both workers.
fn wrong_secret_refused() {
    let (ctx, file) = start(DistributedOptions::default());
    let watcher = file.as_ref().map(|(_, path)| {
        let driver = find_driver(None, Some(path)).expect("the monitor file");
        during_run(path, move |mut m, _| {
            let addr = driver.address;
            let e = Monitor::connect(&addr, &Secret::random(), WAIT).expect_err("a wrong secret");
            assert!(e.to_string().contains("secret"), "{e}");
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let wrong = rt.block_on(raw_monitor(&addr, &Secret::random(), None));
            assert!(wrong.is_err(), "a wrong secret authenticated: {wrong:?}");
            let forged = rt.block_on(raw_monitor(&addr, &driver.secret, Some(&[7u8; 40])));
            assert_eq!(forged, Ok(true), "a forged frame was answered");
            let oversized = rt.block_on(raw_monitor(&addr, &driver.secret, None));
            assert_eq!(oversized, Ok(true), "an oversized request was answered");
            let s = m.status().expect("the first monitor still works");
            assert_eq!(s.workers.len(), 2, "{s:?}");
        })
    });
    assert_eq!(long_run(&ctx, 3000).expect("the run"), serial(3000));
    join(watcher);
    if ctx.is_driver() {
        assert_eq!(ctx.live_workers(), 2);
    }
    assert_eq!(Digits(10).count().run_in(&ctx).unwrap(), 10);
}

/// A driver that does not allow control refuses `stop` and `drop-worker` with a message
/// naming `allow_control`, and nothing happens: the run gives its result, both workers stay.
fn control_refused() {
    let (ctx, file) = start(DistributedOptions::default());
    let watcher = file.as_ref().map(|(_, path)| {
        during_run(path, |mut m, _| {
            let e = m.stop("please").expect_err("stop is refused");
            assert!(e.to_string().contains("allow_control"), "{e}");
            let e = m.drop_worker(1).expect_err("drop-worker is refused");
            assert!(e.to_string().contains("allow_control"), "{e}");
            let s = m.status().expect("a status");
            assert_eq!((s.workers.len(), s.stopped), (2, None), "{:?}", s.workers);
        })
    });
    assert_eq!(long_run(&ctx, 2000).expect("the run"), serial(2000));
    join(watcher);
    if ctx.is_driver() {
        assert_eq!(ctx.live_workers(), 2);
    }
    assert_eq!(Digits(10).count().run_in(&ctx).unwrap(), 10);
}

/// Dropping a worker during a run loses it like a crash: its chunks run elsewhere and the
/// result is still the serial one (on the driver and on the other worker).
fn drop_worker_serial() {
    let (ctx, file) = start(DistributedOptions::default().allow_control(true));
    let watcher = file.as_ref().map(|(_, path)| {
        during_run(path, |mut m, _| {
            let e = m.drop_worker(9).expect_err("no rank 9");
            assert!(e.to_string().contains("no worker of rank 9"), "{e}");
            let done = m.drop_worker(1).expect("drop rank 1");
            assert!(done.contains("dropped rank 1"), "{done}");
            assert!(eventually(WAIT, || {
                let s = m.status().expect("a status");
                s.workers.iter().map(|w| w.rank).collect::<Vec<_>>() == [2] && s.missing == [1]
            }));
            assert!(
                m.status().expect("a status").run.is_some(),
                "the run ended too soon"
            );
        })
    });
    let out = long_run(&ctx, 4000);
    join(watcher);
    assert_eq!(out.expect("the run"), serial(4000));
    if ctx.is_driver() {
        assert_eq!(ctx.live_workers(), 1);
        assert_eq!(notes(&[2]), ["serial result"]);
    } else {
        // Rank 1 does not get here: it lost its driver during the run and exited.
        note("serial result");
    }
    assert_eq!(Digits(10).count().run_in(&ctx).unwrap(), 10);
}

/// `stop` during a run fails it on every process with an error naming the monitor's request
/// and its reason, and every later run fails the same way.
fn stop_everywhere() {
    let (ctx, file) = start(DistributedOptions::default().allow_control(true));
    let watcher = file.as_ref().map(|(_, path)| {
        during_run(path, |mut m, _| {
            let done = m.stop("the test says stop").expect("stop");
            assert!(done.contains("run #0"), "{done}");
        })
    });
    let first = long_run(&ctx, 20_000)
        .map(|v| v.len())
        .expect_err("a stopped run")
        .to_string();
    join(watcher);
    let second = Digits(10)
        .count()
        .run_in(&ctx)
        .expect_err("a run after the stop");
    let text = format!("{first}\n{second}");
    if is_worker() {
        note(&text);
        return;
    }
    for t in std::iter::once(text).chain(notes(&[1, 2])) {
        assert_eq!(
            t.matches("stopped by a monitor request (haydi stop from")
                .count(),
            2,
            "{t}"
        );
        assert_eq!(t.matches("the test says stop").count(), 2, "{t}");
    }
}

/// Runs the `haydi` tool; its exit code, stdout and stderr.
fn haydi(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    support::haydi_tool(args, env)
}

/// The `haydi` binary end to end, during a run: `status` (text) and `workers --json` show the
/// workers' pids, a wrong secret and an unknown rank fail with exit code 1, a control request
/// without `--yes` is a usage error (2) that changes nothing, and `stop --yes --reason` stops
/// the run on every process.
fn cli_end_to_end() {
    let (ctx, file) = start(DistributedOptions::default().allow_control(true));
    let pids = ctx.worker_pids();
    let watcher = file.as_ref().map(|(_, path)| {
        let file = path.to_str().expect("a UTF-8 path").to_string();
        let addr = ctx.address().expect("the address");
        during_run(path, move |_, _| {
            let rv = ["--rendezvous", file.as_str()];
            let (code, out, err) = haydi(&[&rv[..], &["status"]].concat(), &[]);
            assert_eq!(code, 0, "{out}{err}");
            println!("haydi status:\n{out}");
            assert!(out.contains("running run #0 at"), "{out}");
            assert!(out.contains("workers: 2 of 2 connected"), "{out}");
            for pid in &pids {
                assert!(
                    out.contains(&format!(" {pid} ")),
                    "pid {pid} missing:\n{out}"
                );
            }
            let (code, out, err) = haydi(&[&rv[..], &["--json", "workers"]].concat(), &[]);
            assert_eq!(code, 0, "{out}{err}");
            println!("haydi --json workers:\n{out}");
            let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
            let seen: BTreeSet<u64> = json
                .as_array()
                .expect("an array")
                .iter()
                .map(|w| w["pid"].as_u64().expect("a pid"))
                .collect();
            assert_eq!(seen, pids.iter().map(|&p| p as u64).collect(), "{out}");
            let wrong = Secret::random().to_hex();
            let (code, _, err) = haydi(
                &["--coordinator", &addr, "status"],
                &[("HAYDI_SECRET", wrong.as_str())],
            );
            assert_eq!(code, 1, "{err}");
            assert!(err.contains("secret"), "{err}");
            let (code, _, err) = haydi(&[&rv[..], &["stop"]].concat(), &[]);
            assert_eq!(code, 2, "{err}");
            assert!(err.contains("--yes"), "{err}");
            let (code, _, err) = haydi(&[&rv[..], &["drop-worker", "7", "--yes"]].concat(), &[]);
            assert_eq!(code, 1, "{err}");
            assert!(err.contains("no worker of rank 7"), "{err}");
            let (code, out, err) = haydi(&[&rv[..], &["status"]].concat(), &[]);
            assert!(code == 0 && !out.contains("STOPPED"), "{out}{err}");
            let (code, out, err) = haydi(
                &[&rv[..], &["stop", "--yes", "--reason", "from the cli"]].concat(),
                &[],
            );
            assert_eq!(code, 0, "{out}{err}");
            assert!(out.contains("stopping the job"), "{out}");
        })
    });
    let e = long_run(&ctx, 20_000)
        .map(|v| v.len())
        .expect_err("a stopped run")
        .to_string();
    join(watcher);
    if is_worker() {
        note(&e);
        return;
    }
    for t in std::iter::once(e).chain(notes(&[1, 2])) {
        assert!(
            t.contains("stopped by a monitor request") && t.contains("from the cli"),
            "{t}"
        );
    }
}
