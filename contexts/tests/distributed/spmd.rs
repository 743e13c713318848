//! The SPMD program model on several processes (a `harness = false` binary; see
//! `support::main`): what the driver pushes is what every process holds, every process's own
//! code runs to the end of its `main`, a legitimate rejoin never fails a run, warnings reach a
//! program that installed no subscriber, nothing is left behind in the temporary folder, and
//! spawning survives a rebuild of the program's file.
//!
//! Cases whose name ends in `_program` are the programs the other cases start (by `spawn` or
//! by hand), not tests of their own.

use crate::support;

use crate::support::{arg, by_hand, eventually, finish, is_worker, rank, signal, slow};
use haydi_contexts::{DistributedContext, DistributedOptions, Pool};
use haydi_core::domain::tests_support::Digits;
use haydi_core::prelude::*;
use haydi_domains::Values;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

/// The cases of this subject, run by the binary's `main` (`support::main`).
pub const CASES: &[support::Case] = &[
    ("push_holds_the_driver_value", push_holds_the_driver_value),
    ("files_program", files_program),
    ("workers_finish_main_spawn", workers_finish_main_spawn),
    ("workers_finish_main_by_hand", workers_finish_main_by_hand),
    ("rejoin_program", rejoin_program),
    ("rejoin_with_gaps", rejoin_with_gaps),
    ("lost_worker_program", lost_worker_program),
    ("warnings_without_subscriber", warnings_without_subscriber),
    ("rebuild_program", rebuild_program),
    ("spawn_survives_a_rebuild", spawn_survives_a_rebuild),
    ("driver_killed_program", driver_killed_program),
    ("killed_driver_is_said", killed_driver_is_said),
    (
        "extra_run_after_the_driver_ended",
        extra_run_after_the_driver_ended,
    ),
    ("pool_zip_and_arrays", pool_zip_and_arrays),
    ("worker_ends_early", worker_ends_early),
    (
        "divergent_sources_are_refused",
        divergent_sources_are_refused,
    ),
];

/// A value drawn without a seed: the process id and the clock, different on every process.
fn unseeded_rng() -> rand_chacha::ChaCha8Rng {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    rand_chacha::ChaCha8Rng::seed_from_u64(nanos ^ (u64::from(std::process::id()) << 32))
}

fn digest<T: serde::Serialize>(v: &T) -> String {
    hex::encode(Sha256::digest(
        haydi_core::plumbing::encode_value(v).unwrap(),
    ))
}

fn dot(a: &[u64], b: &[u64]) -> u64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.wrapping_mul(*y))
        .fold(0, u64::wrapping_add)
}

/// pyMOR's contract: `push` puts a copy of the driver's object on every worker. Every process
/// draws its own unseeded random matrix; after `push` every process holds the driver's, the
/// map over its rows equals the driver's own loop (the oracle), `scatter_list` likewise, and
/// a worker killed and restarted (which draws yet another matrix when it re-runs `main`) gets
/// the driver's again.
fn push_holds_the_driver_value() {
    let ctx = DistributedContext::spawn(2).expect("spawn");
    let pool = Pool::new(ctx.clone());
    let mut rng = unseeded_rng();
    let own: Vec<Vec<u64>> = (0..40)
        .map(|_| (0..8).map(|_| rng.random_range(0..1000)).collect())
        .collect();
    let m = pool.push(own.clone()).expect("push");
    if ctx.is_driver() {
        assert_eq!(*m, own, "the driver keeps its own object");
    } else {
        assert_ne!(*m, own, "a worker's own draw differs from the driver's");
    }
    let v: Vec<u64> = (1..=8).collect();
    let rows: Vec<usize> = (0..40).collect();
    // Each task takes a while, so that the workers run them (not the driver alone).
    let dots = pool
        .map(|&r| slow(dot(&m[r], &v), 2000), &rows)
        .expect("map");
    let oracle: Vec<u64> = m.iter().map(|row| dot(row, &v)).collect();
    assert_eq!(dots, oracle, "map over the pushed matrix");
    // What every worker process holds is the driver's matrix.
    let held = pool.apply(|_| digest(&*m)).expect("apply");
    assert!(held.iter().all(|h| *h == digest(&*m)), "{held:?}");
    let parts = pool
        .scatter_list((0..10).map(|_| rng.random_range(0..100u64)).collect())
        .expect("scatter_list");
    let sums = pool
        .apply(|w| parts.part(w).iter().sum::<u64>())
        .expect("apply");
    assert_eq!(
        sums,
        [
            parts.part(0).iter().sum::<u64>(),
            parts.part(1).iter().sum()
        ]
    );
    if ctx.is_driver() {
        signal(ctx.worker_pids()[0], "-9");
        assert!(eventually(Duration::from_secs(20), || ctx.live_workers() == 1));
        assert_eq!(ctx.respawn_lost().unwrap(), vec![1]);
        assert_eq!(ctx.wait_for_workers(2, Duration::from_secs(30)).unwrap(), 2);
    }
    // Worker process 1 is the restarted one: it holds the driver's matrix too.
    let held = pool
        .apply(|_| digest(&*m))
        .expect("apply after the restart");
    assert!(held.iter().all(|h| *h == digest(&*m)), "{held:?}");
    println!("push_holds_the_driver_value: ok on rank {}", rank());
}

/// A program that writes a file on every process after its last run (after some work of its
/// own, longer on higher ranks), with its context in the session (never dropped).
fn files_program() {
    let dir = PathBuf::from(arg("dir").expect("dir="));
    let ctx = if std::env::args().any(|a| a == "hand") {
        DistributedContext::from_env()
    } else {
        DistributedContext::spawn(3)
    }
    .expect("context");
    session::set_parallel_context(ctx.clone());
    let n = Digits(20_000).map(|x| x % 7).sum().run(true).unwrap();
    std::thread::sleep(Duration::from_millis(20 + 30 * u64::from(ctx.rank())));
    std::fs::write(dir.join(format!("rank-{}", ctx.rank())), n.to_string()).unwrap();
}

/// How many times the file programs run (50; `SPMD_TRIALS` to debug with fewer).
fn trials() -> usize {
    std::env::var("SPMD_TRIALS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(50)
}

/// The expected content of `files_program`'s files.
fn files_expected() -> String {
    (0..20_000u64).map(|x| x % 7).sum::<u64>().to_string()
}

/// Checks that `dir` holds one file per rank with the run's result.
fn check_files(dir: &Path, ranks: u32, trial: usize) {
    for r in 0..ranks {
        let f = dir.join(format!("rank-{r}"));
        let got = std::fs::read_to_string(&f)
            .unwrap_or_else(|e| panic!("trial {trial}: {} not written: {e}", f.display()));
        assert_eq!(got, files_expected(), "trial {trial}, rank {r}");
    }
}

/// Lists what a run left in a temporary folder.
fn leftovers(tmp: &Path) -> Vec<String> {
    std::fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// 50 runs of `files_program` on `spawn(3)`: every process writes its file (the driver waits
/// for its workers to finish their `main`), every process exits 0, and the workers' log folder
/// is gone from the temporary folder.
fn workers_finish_main_spawn() {
    for trial in 0..trials() {
        let out = tempfile::tempdir().unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let child = by_hand(
            &[
                "case=files_program",
                &format!("dir={}", out.path().display()),
            ],
            &[("TMPDIR", tmp.path().to_str().unwrap())],
        )
        .spawn()
        .unwrap();
        let (ok, text) = finish(child, Duration::from_secs(60));
        assert!(ok, "trial {trial}: {text}");
        // Workers whose program ends before the driver's are not lost workers.
        assert!(!text.contains("WARN"), "trial {trial}: {text}");
        check_files(out.path(), 4, trial);
        let left = leftovers(tmp.path());
        assert!(
            left.is_empty(),
            "trial {trial}: left behind in TMPDIR: {left:?}"
        );
    }
    println!("workers_finish_main_spawn: 50 runs, every file written, nothing left behind");
}

/// Starts rank `r` of a by-hand job of `size` processes of `case` with `args`: one job id, a
/// private runtime folder for the rendezvous file.
fn start_rank(case: &str, args: &[String], r: u32, size: u32, job: &str, runtime: &Path) -> Child {
    let mut all = vec![format!("case={case}")];
    all.extend(args.iter().cloned());
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    by_hand(
        &all,
        &[
            ("HAYDI_RANK", &r.to_string()),
            ("HAYDI_SIZE", &size.to_string()),
            ("HAYDI_JOB_ID", job),
            ("XDG_RUNTIME_DIR", runtime.to_str().unwrap()),
        ],
    )
    .spawn()
    .unwrap()
}

/// Starts every rank of such a job.
fn start_by_hand(case: &str, args: &[String], size: u32, job: &str, runtime: &Path) -> Vec<Child> {
    (0..size)
        .map(|r| start_rank(case, args, r, size, job, runtime))
        .collect()
}

/// 50 runs of `files_program` started by hand (`from_env`, 4 processes): every process writes
/// its file and exits 0, and the rendezvous file is gone.
fn workers_finish_main_by_hand() {
    for trial in 0..trials() {
        let out = tempfile::tempdir().unwrap();
        let runtime = tempfile::tempdir().unwrap();
        let args = vec![format!("dir={}", out.path().display()), "hand".into()];
        let job = format!("files-{trial}-{}", std::process::id());
        let procs = start_by_hand("files_program", &args, 4, &job, runtime.path());
        for (r, p) in procs.into_iter().enumerate() {
            let (ok, text) = finish(p, Duration::from_secs(60));
            assert!(ok, "trial {trial}, rank {r}: {text}");
        }
        check_files(out.path(), 4, trial);
        let rv = runtime.path().join("haydi");
        let left = if rv.exists() {
            leftovers(&rv)
        } else {
            Vec::new()
        };
        assert!(left.is_empty(), "trial {trial}: rendezvous left: {left:?}");
    }
    println!("workers_finish_main_by_hand: 50 runs, every file written");
}

/// A job with real work between its runs (`gap=` milliseconds): each run's count is checked
/// against the plain loop on every process, and the process writes its progress after each.
fn rejoin_program() {
    let gap = Duration::from_millis(arg("gap").unwrap().parse().unwrap());
    let dir = PathBuf::from(arg("dir").unwrap());
    let opts = DistributedOptions {
        heartbeat_timeout: Duration::from_secs(2),
        ..Default::default()
    };
    let ctx = DistributedContext::from_env_with(opts).expect("from_env");
    for k in 0..10u64 {
        let n = Digits(2000)
            .map(|x| slow(x, 100) + k)
            .filter(|x| x % 3 == 0)
            .count()
            .run_in(&ctx)
            .unwrap_or_else(|e| panic!("run {k} failed on rank {}: {e}", ctx.rank()));
        assert_eq!(n, (0..2000u64).filter(|x| (x + k) % 3 == 0).count() as u64);
        std::fs::write(dir.join(format!("progress-{}", ctx.rank())), k.to_string()).unwrap();
        std::thread::sleep(gap);
    }
    std::fs::write(dir.join(format!("done-{}", ctx.rank())), "").unwrap();
}

/// A worker killed in the middle of a by-hand job and started again by hand (same job id,
/// arguments and binary) catches up and takes part, while the job goes on with gaps of 0, 100
/// and 600 ms of work between runs: no run fails on any process.
fn rejoin_with_gaps() {
    for gap in [0u64, 100, 600] {
        let dir = tempfile::tempdir().unwrap();
        let runtime = tempfile::tempdir().unwrap();
        let args = vec![
            format!("gap={gap}"),
            format!("dir={}", dir.path().display()),
        ];
        let job = format!("rejoin-{gap}-{}", std::process::id());
        let mut procs = start_by_hand("rejoin_program", &args, 3, &job, runtime.path());
        let progress = dir.path().join("progress-2");
        assert!(
            eventually(Duration::from_secs(60), || std::fs::read_to_string(
                &progress
            )
            .is_ok_and(|k| k.parse::<u64>().is_ok_and(|k| k >= 2))),
            "gap {gap}: rank 2 made no progress"
        );
        let _ = procs[2].kill();
        let _ = procs[2].wait();
        procs[2] = start_rank("rejoin_program", &args, 2, 3, &job, runtime.path());
        for (r, p) in procs.into_iter().enumerate() {
            let (ok, text) = finish(p, Duration::from_secs(120));
            assert!(ok, "gap {gap}, rank {r}: {text}");
        }
        for r in 0..3 {
            assert!(
                dir.path().join(format!("done-{r}")).exists(),
                "gap {gap}: rank {r} did not finish"
            );
        }
        println!("rejoin_with_gaps: gap {gap} ms ok");
    }
}

/// A spawn program whose worker 1 is killed during a run (no tracing subscriber installed).
fn lost_worker_program() {
    let opts = DistributedOptions {
        heartbeat_timeout: Duration::from_secs(2),
        ..Default::default()
    };
    let ctx = DistributedContext::spawn_with(2, opts).expect("spawn");
    if let Some(&pid) = ctx.worker_pids().first() {
        // The driver kills worker 1 while the run is under way.
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            signal(pid, "-9");
        });
    }
    let n = Digits(8000)
        .map(|x| slow(x, 300))
        .count()
        .run_in(&ctx)
        .unwrap();
    assert_eq!(n, 8000);
}

/// A program that installed no `tracing` subscriber sees haydi's warnings on stderr (the lost
/// worker, the kept log folder, with its path); `HAYDI_WARNINGS=off` silences them.
fn warnings_without_subscriber() {
    for silenced in [false, true] {
        let tmp = tempfile::tempdir().unwrap();
        let mut envs = vec![("TMPDIR", tmp.path().to_str().unwrap())];
        if silenced {
            envs.push(("HAYDI_WARNINGS", "off"));
        }
        let child = by_hand(&["case=lost_worker_program"], &envs)
            .spawn()
            .unwrap();
        let (ok, text) = finish(child, Duration::from_secs(120));
        assert!(ok, "{text}");
        let kept = leftovers(tmp.path());
        assert_eq!(
            kept.len(),
            1,
            "the failed worker's log folder is kept: {kept:?}\n{text}"
        );
        let folder = tmp.path().join(&kept[0]);
        if silenced {
            assert!(!text.contains("WARN"), "{text}");
        } else {
            assert!(text.contains("WARN haydi: worker lost"), "{text}");
            assert!(text.contains("its log is kept"), "{text}");
            assert!(text.contains(&folder.display().to_string()), "{text}");
        }
    }
    println!("warnings_without_subscriber: ok");
}

/// A program that spawns a worker, waits while its file is replaced (a rebuild), then spawns
/// again: a worker restarted after a loss, and a second context.
fn rebuild_program() {
    let dir = PathBuf::from(arg("dir").unwrap());
    let ctx = DistributedContext::spawn(1).expect("spawn");
    assert_eq!(Digits(1000).count().run_in(&ctx).unwrap(), 1000);
    if ctx.is_driver() {
        std::fs::write(dir.join("ready"), "").unwrap();
        assert!(eventually(Duration::from_secs(30), || dir
            .join("replaced")
            .exists()));
        signal(ctx.worker_pids()[0], "-9");
        assert!(eventually(Duration::from_secs(20), || ctx.live_workers() == 0));
        assert_eq!(
            ctx.respawn_lost().expect("respawn after a rebuild"),
            vec![1]
        );
        assert_eq!(ctx.wait_for_workers(1, Duration::from_secs(30)).unwrap(), 1);
    }
    let (n, ranks) = support::traced_count(&ctx, 2000, 200);
    assert_eq!(n, 2000);
    if ctx.is_driver() {
        assert!(
            ranks.contains(&1),
            "the restarted worker ran nothing: {ranks:?}"
        );
    }
    let again = DistributedContext::spawn(1).expect("a second spawn after a rebuild");
    assert_eq!(Digits(500).sum().run_in(&again).unwrap(), 124_750);
}

/// The program's file is replaced while it runs (as `cargo build` does): restarting a lost
/// worker and spawning a new context still run the program that is running.
fn spawn_survives_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let prog = dir.path().join("prog");
    std::fs::copy(std::env::current_exe().unwrap(), &prog).unwrap();
    let child = support::by_hand_exe(
        &prog,
        &[
            "case=rebuild_program",
            &format!("dir={}", dir.path().display()),
        ],
        &[],
    )
    .spawn()
    .unwrap();
    assert!(eventually(Duration::from_secs(60), || dir
        .path()
        .join("ready")
        .exists()));
    // A rebuild: the file is removed and another one (here not even a program) put there.
    std::fs::remove_file(&prog).unwrap();
    std::fs::write(&prog, b"#!/bin/sh\nexit 9\n").unwrap();
    std::fs::write(dir.path().join("replaced"), "").unwrap();
    let (ok, text) = finish(child, Duration::from_secs(120));
    assert!(ok, "{text}");
    println!("spawn_survives_a_rebuild: ok");
}

/// A by-hand job whose driver is killed between runs: the worker says so and exits non-zero.
fn driver_killed_program() {
    let dir = PathBuf::from(arg("dir").unwrap());
    let opts = DistributedOptions {
        heartbeat_timeout: Duration::from_secs(2),
        ..Default::default()
    };
    let ctx = DistributedContext::from_env_with(opts).expect("from_env");
    assert_eq!(Digits(1000).count().run_in(&ctx).unwrap(), 1000);
    std::fs::write(dir.join(format!("ran-{}", ctx.rank())), "").unwrap();
    // Work of its own, during which the driver is killed.
    std::thread::sleep(Duration::from_secs(30));
    std::fs::write(dir.join(format!("end-{}", ctx.rank())), "").unwrap();
}

/// A killed driver is not a normal end: the worker's stderr says it lost the driver, and its
/// exit status is not 0 (it does not go on as if its values were the job's).
fn killed_driver_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tempfile::tempdir().unwrap();
    let args = vec![format!("dir={}", dir.path().display())];
    let job = format!("killed-{}", std::process::id());
    let mut procs = start_by_hand("driver_killed_program", &args, 2, &job, runtime.path());
    assert!(eventually(Duration::from_secs(60), || dir
        .path()
        .join("ran-1")
        .exists()));
    let _ = procs[0].kill();
    let _ = procs[0].wait();
    let worker = procs.pop().unwrap();
    let t = Instant::now();
    let (ok, text) = finish(worker, Duration::from_secs(60));
    assert!(!ok, "{text}");
    assert!(text.contains("lost the driver"), "{text}");
    assert!(t.elapsed() < Duration::from_secs(25), "{:?}", t.elapsed());
    assert!(!dir.path().join("end-1").exists());
    println!("killed_driver_is_said: ok");
}

/// A worker that makes one run more than the driver gets a clear error there (the driver's
/// program ended), not a hang and not a value; the worker's main goes on after it.
fn extra_run_after_the_driver_ended() {
    let ctx = DistributedContext::spawn(1).expect("spawn");
    assert_eq!(Digits(100).count().run_in(&ctx).unwrap(), 100);
    if is_worker() {
        let e = Digits(100)
            .count()
            .run_in(&ctx)
            .expect_err("a run the driver never makes");
        assert!(matches!(e, Error::Protocol(_)), "{e}");
        assert!(e.to_string().contains("driver's program had ended"), "{e}");
        println!("worker: {e}");
    }
}

/// `map_zip` over four inputs and `scatter_array` on worker processes equal plain loops.
fn pool_zip_and_arrays() {
    let ctx = DistributedContext::spawn(2).expect("spawn");
    let pool = Pool::new(ctx.clone());
    let a: Vec<u64> = (0..50).collect();
    let b: Vec<u64> = (0..50).map(|x| x * x).collect();
    let c: Vec<String> = (0..50).map(|x| format!("s{x}")).collect();
    let d: Vec<bool> = (0..50).map(|x| x % 3 == 0).collect();
    let got = pool
        .map_zip(
            |(a, b, c, d)| format!("{c}:{}", if *d { a + b } else { a * b }),
            (&a[..], &b[..], &c[..], &d[..]),
        )
        .unwrap();
    let want: Vec<String> = (0..50)
        .map(|i| format!("{}:{}", c[i], if d[i] { a[i] + b[i] } else { a[i] * b[i] }))
        .collect();
    assert_eq!(got, want);
    let cols: Vec<Vec<u64>> = (0..12).map(|k| (0..30).map(|i| i * k).collect()).collect();
    let refs: Vec<&[u64]> = cols.iter().map(Vec::as_slice).collect();
    let sums = pool
        .map_zip(|row: Vec<&u64>| row.into_iter().sum::<u64>(), &refs[..])
        .unwrap();
    assert_eq!(
        sums,
        (0..30)
            .map(|i| (0..12).map(|k| i * k).sum())
            .collect::<Vec<u64>>()
    );
    // A 9 x 4 matrix scattered by rows; each worker process sums its rows.
    let m = pool.scatter_array((0..36u64).collect(), 4).unwrap();
    let per = pool
        .apply(|w| {
            m.part_rows(w)
                .map(|r| r.iter().sum::<u64>())
                .collect::<Vec<_>>()
        })
        .unwrap();
    let flat: Vec<u64> = per.concat();
    assert_eq!(
        flat,
        (0..9u64)
            .map(|r| (4 * r..4 * r + 4).sum::<u64>())
            .collect::<Vec<_>>()
    );
    assert_eq!(m.sizes(), [20, 16]);
}

/// A worker whose program ends after fewer runs than the driver's (here it returns from its
/// main after the first run) makes the driver's next run an error naming it, not a value
/// computed without it.
fn worker_ends_early() {
    let ctx = DistributedContext::spawn(1).expect("spawn");
    assert_eq!(Digits(100).count().run_in(&ctx).unwrap(), 100);
    if is_worker() {
        return;
    }
    std::thread::sleep(Duration::from_millis(500));
    let e = Digits(5000)
        .map(|x| slow(x, 100))
        .count()
        .run_in(&ctx)
        .expect_err("a run the worker never makes");
    assert!(matches!(e, Error::Protocol(_)), "{e}");
    assert!(
        e.to_string()
            .contains("rank 1's program ended after 1 runs"),
        "{e}"
    );
    println!("worker_ends_early: {e}");
}

/// A seed every process of `ctx` shares: the driver's unseeded draw.
fn shared_seed(ctx: &DistributedContext) -> u64 {
    let own: u64 = unseeded_rng().random();
    let bytes = haydi_contexts::pool::driver_bytes(ctx, own.to_le_bytes().to_vec()).unwrap();
    let shared = u64::from_le_bytes(bytes.try_into().unwrap());
    assert_eq!(
        shared == own,
        !is_worker(),
        "the driver keeps its draw, a worker takes it"
    );
    shared
}

/// 0..600 in the order an RNG with `seed` shuffles them, as a list with a digest.
fn shuffled(seed: u64) -> Values<u64> {
    let mut v: Vec<u64> = (0..600).collect();
    v.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
    Values::new(v).hashed().unwrap()
}

/// Every process builds its domain from its own draw (an unseeded shuffle, a seed drawn at
/// random): chunks computed over different lists would merge into a result that is nobody's
/// (the Python port's `random.shuffle` in a test did exactly that). The driver refuses such
/// a run, an error on every process naming the other source, never a value; the same program
/// with the driver's seed (`driver_bytes`) runs, equal to the serial run over the driver's.
fn divergent_sources_are_refused() {
    let ctx = DistributedContext::spawn(2).expect("spawn");
    if !is_worker() {
        assert_eq!(ctx.wait_for_workers(2, Duration::from_secs(60)).unwrap(), 2);
    }
    // Each item takes 2 ms, so that both workers reach each run while it is in progress.
    let list = shuffled(shared_seed(&ctx));
    let oracle = list.as_slice().to_vec();
    let got = list
        .clone()
        .iterate()
        .map(|x| slow(x, 2000))
        .collect()
        .run_in(&ctx)
        .expect("the driver's list on every process");
    assert_eq!(got, oracle);
    let seed = shared_seed(&ctx);
    let generated = |seed: u64| Digits(1000).generate(seed).map(|x| slow(x, 2000)).take(500);
    let got = generated(seed)
        .collect()
        .run_in(&ctx)
        .expect("the driver's seed");
    assert_eq!(got, generated(seed).collect().run(false).unwrap());

    let own_seed: u64 = unseeded_rng().random();
    let e = generated(own_seed)
        .collect()
        .run_in(&ctx)
        .expect_err("a stream of each process's own seed");
    assert!(matches!(e, Error::Protocol(_)), "{e}");
    if !is_worker() {
        let text = e.to_string();
        assert!(text.contains("the same call over another source"), "{text}");
        assert!(text.contains(&format!("seed {own_seed})")), "{text}");
    }
    let e = shuffled(unseeded_rng().random())
        .iterate()
        .map(|x| slow(x, 2000))
        .collect()
        .run_in(&ctx)
        .expect_err("a list of each process's own order");
    assert!(matches!(e, Error::Protocol(_)), "{e}");
    if !is_worker() {
        assert!(e.to_string().contains("Values(600 items; sha256 "), "{e}");
    }
    println!("divergent_sources_are_refused: ok on rank {}", rank());
}
