//! Trust at the edges of the distributed context: results of any size, frames that cannot be
//! changed on the way, start-up that tolerates lost workers, workers that fail with a cause,
//! workers that rejoin, and chunks that hang everywhere. Each case runs in a process tree of
//! its own (see `support`); `cargo test --test distributed -- NAME` runs one.

use crate::support;

use crate::support::{eventually, is_worker, rank, signal, slow, traced_count};
use haydi_contexts::distributed::Secret;
use haydi_contexts::{DistributedContext, DistributedOptions};
use haydi_core::domain::tests_support::Digits;
use haydi_core::prelude::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

/// The cases of this subject, run by the binary's `main` (`support::main`).
pub const CASES: &[support::Case] = &[
    ("big_result", big_result),
    ("max_message_error", max_message_error),
    ("tampering_proxy", tampering_proxy),
    ("startup_tolerance", startup_tolerance),
    ("min_workers_error", min_workers_error),
    ("exit_status_named", exit_status_named),
    ("rejoin", rejoin),
    ("hang_everywhere", hang_everywhere),
    ("all_lost_reported", all_lost_reported),
];

/// A result of more than 200 MiB (in memory and on the wire) reaches every process, and the
/// workers are still there afterwards (today: the driver returns Ok while every worker exits
/// with status 3, and later runs silently run on the driver alone).
fn big_result() {
    let ctx = DistributedContext::spawn(2).expect("spawn");
    const N: u64 = 27_000_000;
    let v = Digits(N)
        .map(|x| x | (1 << 56))
        .collect()
        .run_in(&ctx)
        .expect("a 200 MiB result");
    assert_eq!(v.len() as u64, N);
    assert!(
        v.iter()
            .enumerate()
            .all(|(i, x)| *x == i as u64 | (1 << 56))
    );
    assert!(std::mem::size_of_val(&v[..]) >= 200 << 20);
    // The workers are still there and take part in the next run.
    let (n, ranks) = traced_count(&ctx, 2000, 500);
    assert_eq!(n, 2000);
    if ctx.is_driver() {
        assert_eq!(ctx.live_workers(), 2);
        assert!(
            ranks.contains(&1),
            "rank 1 ran no chunk after the big result: {ranks:?}"
        );
    }
    // The workers wait here (their program does not end) while the driver counts them above.
    assert_eq!(Digits(10).count().run_in(&ctx).unwrap(), 10);
}

/// A result over `max_message` fails on every process with an error naming the limit, and the
/// workers stay.
fn max_message_error() {
    let opts = DistributedOptions {
        max_message: 4 << 20,
        ..Default::default()
    };
    let ctx = DistributedContext::spawn_with(2, opts).expect("spawn");
    let e = Digits(3_000_000)
        .map(|x| x << 40)
        .collect()
        .run_in(&ctx)
        .expect_err("a result over max_message");
    assert!(e.to_string().contains("max_message"), "{e}");
    assert_eq!(Digits(1000).count().run_in(&ctx).unwrap(), 1000);
    if ctx.is_driver() {
        assert_eq!(ctx.live_workers(), 2);
    }
    // The workers wait here (their program does not end) while the driver counts them above.
    assert_eq!(Digits(10).count().run_in(&ctx).unwrap(), 10);
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Copies `from` to `to` frame by frame (4-byte big-endian lengths); from the `tamper_from`th
/// frame on, flips a bit in the middle of every frame longer than a sealed heartbeat.
fn relay(mut from: TcpStream, mut to: TcpStream, tamper_from: Option<usize>) {
    let mut n = 0usize;
    loop {
        let mut len = [0u8; 4];
        if from.read_exact(&mut len).is_err() {
            break;
        }
        let mut body = vec![0u8; u32::from_be_bytes(len) as usize];
        if from.read_exact(&mut body).is_err() {
            break;
        }
        if tamper_from.is_some_and(|t| n >= t) && body.len() > 24 {
            let mid = body.len() / 2;
            body[mid] ^= 0x10;
        }
        n += 1;
        if to.write_all(&len).is_err() || to.write_all(&body).is_err() {
            break;
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Both);
}

/// An on-path proxy that changes the worker's frames after the handshake cannot change the
/// result: the tampered frame drops the connection, the worker is lost, its chunks run on the
/// driver, and the value is the serial one.
fn tampering_proxy() {
    if std::env::var("HAYDI_RANK").is_err() {
        let secret = Secret::random().to_hex();
        let driver_port = free_port();
        let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
        let proxy_port = proxy.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for conn in proxy.incoming() {
                let Ok(worker) = conn else { break };
                let Ok(driver) = TcpStream::connect(("127.0.0.1", driver_port)) else {
                    break;
                };
                let (w2, d2) = (worker.try_clone().unwrap(), driver.try_clone().unwrap());
                // Worker to driver: frames 0 (handshake answer) and 1 (join) pass untouched.
                std::thread::spawn(move || relay(worker, driver, Some(3)));
                std::thread::spawn(move || relay(d2, w2, None));
            }
        });
        let exe = std::env::current_exe().unwrap();
        let start = |rank: &str, port: u16| {
            Command::new(&exe)
                .arg("case=tampering_proxy")
                .env("HAYDI_RANK", rank)
                .env("HAYDI_SIZE", "2")
                .env("HAYDI_COORDINATOR", format!("127.0.0.1:{port}"))
                .env("HAYDI_SECRET", &secret)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let driver = start("0", driver_port);
        std::thread::sleep(Duration::from_millis(300));
        let worker = start("1", proxy_port);
        let out = driver.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "driver: {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let want = 3 * (0..3000u64).sum::<u64>();
        assert!(text.contains(&format!("value={want}")), "{text}");
        assert!(
            text.contains("live=0"),
            "the tampered worker was not dropped: {text}"
        );
        let w = worker.wait_with_output().unwrap();
        assert!(
            !String::from_utf8_lossy(&w.stdout).contains("value="),
            "the worker must not return a value from a tampered connection"
        );
        return;
    }
    let opts = DistributedOptions {
        connect_timeout: Duration::from_secs(10),
        ..Default::default()
    };
    let ctx = DistributedContext::from_env_with(opts).expect("from_env");
    let v = Digits(3000)
        .map(|x| slow(x, 300) * 3)
        .sum()
        .run_in(&ctx)
        .expect("the run survives a tampered connection");
    println!("value={v} live={}", ctx.live_workers());
}

/// One worker that dies before it joins and one that is stopped do not fail `spawn(3)`: the
/// context goes on with the one that joined, and says which are missing.
fn startup_tolerance() {
    match std::env::var("HAYDI_RANK").as_deref() {
        Ok("3") => std::process::exit(5),
        Ok("2") => signal(std::process::id(), "-STOP"),
        _ => {}
    }
    let opts = DistributedOptions {
        connect_timeout: Duration::from_secs(3),
        ..Default::default()
    };
    let t = Instant::now();
    let ctx = DistributedContext::spawn_with(3, opts).expect("spawn goes on with 1 of 3");
    if ctx.is_driver() {
        assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
        assert_eq!(ctx.missing_workers(), vec![2, 3]);
        assert_eq!(ctx.live_workers(), 1);
    }
    let job = Digits(1000).map(|x| slow(x, 200) + 1).sum();
    assert_eq!(job.run_in(&ctx).unwrap(), (1..=1000u64).sum::<u64>());
}

/// With `min_workers`, too few workers is an error that says what became of the others.
fn min_workers_error() {
    if rank() == 2 {
        std::process::exit(5);
    }
    let opts = DistributedOptions {
        connect_timeout: Duration::from_secs(5),
        min_workers: 2,
        ..Default::default()
    };
    let r = DistributedContext::spawn_with(2, opts);
    if is_worker() {
        // Rank 1 joined; its driver gives up and goes away.
        return;
    }
    let e = r
        .expect_err("1 of 2 workers is below min_workers")
        .to_string();
    assert!(e.contains("only 1 of 2 workers joined"), "{e}");
    assert!(e.contains("worker 2 exited with status 5"), "{e}");
}

/// A worker that exits inside a closure is reported with its exit status and its log file.
fn exit_status_named() {
    let opts = DistributedOptions {
        max_chunk_failures: 1,
        ..Default::default()
    };
    let ctx = DistributedContext::spawn_with(1, opts).expect("spawn");
    let r = Digits(2000)
        .map(|x| {
            if x == 1500 && is_worker() {
                std::process::exit(7);
            }
            slow(x, 300)
        })
        .count()
        .run_in(&ctx);
    let e = r.expect_err("the chunk killed its worker").to_string();
    assert!(e.contains("exited with status 7"), "{e}");
    assert!(e.contains("worker-1.log"), "{e}");
}

/// A killed worker, started again, joins the job in progress: it catches up on the runs it
/// missed (one result kept by the driver, one too large to keep and computed again) and
/// takes chunks in the next run.
fn rejoin() {
    let opts = DistributedOptions {
        rejoin_cache: 4 << 10,
        ..Default::default()
    };
    let ctx = DistributedContext::spawn_with(2, opts).expect("spawn");
    // Run 0: a small result (kept); run 1: a larger one (not kept: recomputed by a late worker).
    assert_eq!(
        Digits(3000)
            .map(|x| slow(x, 100))
            .count()
            .run_in(&ctx)
            .unwrap(),
        3000
    );
    let big = Digits(5000).map(|x| x * 7).collect().run_in(&ctx).unwrap();
    assert_eq!(big.len(), 5000);
    assert_eq!(big[4999], 4999 * 7);
    if ctx.is_driver() {
        let pid = ctx.worker_pids()[0];
        signal(pid, "-9");
        assert!(eventually(Duration::from_secs(10), || ctx.live_workers() == 1));
        assert_eq!(ctx.respawn_lost().unwrap(), vec![1]);
        assert_ne!(ctx.worker_pids()[0], pid);
        assert_eq!(ctx.wait_for_workers(2, Duration::from_secs(20)).unwrap(), 2);
    }
    let (n, ranks) = traced_count(&ctx, 3000, 1000);
    assert_eq!(n, 3000);
    if ctx.is_driver() {
        assert!(
            ranks.contains(&1),
            "the restarted rank 1 ran no chunk: {ranks:?}"
        );
        assert_eq!(ctx.live_workers(), 2);
    }
    // The workers wait here (their program does not end) while the driver counts them above.
    assert_eq!(Digits(10).count().run_in(&ctx).unwrap(), 10);
}

/// A closure that hangs on every worker for the same chunk fails the run, naming the chunk,
/// instead of holding it forever.
fn hang_everywhere() {
    let opts = DistributedOptions {
        straggler_factor: 4,
        hang_factor: 20,
        hang_floor: Duration::ZERO,
        ..Default::default()
    };
    let ctx = DistributedContext::spawn_with(2, opts).expect("spawn");
    let t = Instant::now();
    let r = Digits(3000)
        .map(|x| {
            if x == 2000 && is_worker() {
                std::thread::sleep(Duration::from_secs(600));
            }
            slow(x, 200)
        })
        .count()
        .run_in(&ctx);
    if ctx.is_driver() {
        let e = r
            .expect_err("a chunk hanging everywhere fails the run")
            .to_string();
        assert!(e.contains("did not finish") && e.contains("hang"), "{e}");
        assert!(e.contains("chunk ["), "{e}");
        assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
        println!("hang_everywhere: failed after {:?}: {e}", t.elapsed());
    }
}

/// Workers lost between runs are noticed: `live_workers` says so before the next run, which
/// still gives the serial result on the driver alone.
fn all_lost_reported() {
    let ctx = DistributedContext::spawn(2).expect("spawn");
    assert_eq!(
        Digits(500)
            .map(|x| slow(x, 200))
            .count()
            .run_in(&ctx)
            .unwrap(),
        500
    );
    if !ctx.is_driver() {
        // The workers stay (their program has not ended) until the driver kills them.
        std::thread::sleep(Duration::from_secs(60));
        return;
    }
    for pid in ctx.worker_pids() {
        signal(pid, "-9");
    }
    assert!(eventually(Duration::from_secs(10), || ctx.live_workers() == 0));
    assert_eq!(
        Digits(500)
            .map(|x| slow(x, 100) * 2)
            .sum()
            .run_in(&ctx)
            .unwrap(),
        2 * (0..500u64).sum::<u64>()
    );
}
