//! A crop grown by a real HyperQueue cluster: PyPI's `hyperqueue` wheel (its server, worker and
//! Python API; there is no `hq` binary) runs `tests/hyperqueue/driver.py`, which starts a local
//! cluster and submits this very binary as tasks: task 0 sows the crop, tasks 1..=5 grow batch
//! `HQ_TASK_ID` each. The process growing batch 3 kills itself with SIGKILL in the middle of
//! its batch (leaving its lease behind); the driver reads the failed tasks back from
//! HyperQueue and resubmits them (task 0 checks the crop, task k grows the k-th failed batch of
//! `HAYDI_CROP_BATCHES`), and the reaped value equals `run(false)` and a plain loop.
//!
//! Python comes from `HAYDI_HQ_PYTHON` (`.ci/run` sets it to a venv with `hyperqueue`), else
//! `python3`. Without `hyperqueue` the test is skipped with a notice, and fails under `CI=true`.
//!
//! `harness = false`: the binary is both the test and the tasks' program (the crop is made at
//! one call site, so every process agrees on its fingerprint).

use haydi_contexts::crop::{Batches, Crop, Grow};
use haydi_core::Job;
use haydi_core::prelude::*;
use haydi_domains::{Product, Range};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

const ROLE: &str = "HAYDI_CROP_TEST_ROLE";
const DIR: &str = "HAYDI_CROP_TEST_DIR";
/// The batch whose first grower dies.
const KILL: &str = "HAYDI_CROP_TEST_KILL";
/// Written just before that death, so that the resubmitted grower lives.
const MARKER: &str = "HAYDI_CROP_TEST_MARKER";
const BATCHES: usize = 5;
const KILLED_BATCH: usize = 3;

/// Set in the one process that must die mid-batch: the job's filter then kills it.
static ARMED: AtomicBool = AtomicBool::new(false);

/// Kills this process as `kill -9` would, from inside a running batch.
fn die() -> ! {
    let pid = std::process::id();
    let _ = Command::new("sh")
        .arg("-c")
        .arg(format!("kill -9 {pid}"))
        .status();
    std::thread::sleep(std::time::Duration::from_secs(30));
    std::process::abort()
}

#[allow(clippy::type_complexity)] // impl types of the job's source, chain and action
fn job() -> Job<
    impl haydi_core::pipeline::Source<Item = (i64, i64)>,
    impl haydi_core::pipeline::Transform<(i64, i64), Out = (i64, i64)>,
    impl haydi_core::action::Action<(i64, i64), Output = Vec<(i64, i64)>>,
> {
    Product::new((Range::new(40), Range::new(25)))
        .filter(|(a, b)| {
            if ARMED.load(Ordering::Relaxed) {
                die();
            }
            (a * b + a) % 11 == 3
        })
        .collect()
}

fn oracle() -> Vec<(i64, i64)> {
    let mut v = Vec::new();
    for a in 0..40 {
        for b in 0..25 {
            if (a * b + a) % 11 == 3 {
                v.push((a, b));
            }
        }
    }
    v
}

/// The one place the crop is made, in the test and in every task alike.
#[allow(clippy::type_complexity)]
fn make(
    dir: &Path,
) -> Crop<
    impl haydi_core::pipeline::Source<Item = (i64, i64)>,
    impl haydi_core::pipeline::Transform<(i64, i64), Out = (i64, i64)>,
    impl haydi_core::action::Action<(i64, i64), Output = Vec<(i64, i64)>>,
> {
    Crop::new("hq", dir, job()).expect("the crop")
}

/// What a HyperQueue task does, by its role.
fn task(role: &str, dir: &Path) {
    let crop = make(dir);
    match role {
        "sow" => println!(
            "task sowed {} batches",
            crop.sow(Batches::Count(BATCHES)).unwrap()
        ),
        "check" => {
            let s = crop.status().unwrap();
            println!(
                "task found {s}, missing {:?}, {} leased",
                s.missing, s.growing
            );
            println!("task checked: {}", crop.check().unwrap());
        }
        "grow" => {
            let first_try = std::env::var("HAYDI_CROP_BATCHES").is_err();
            let doomed = std::env::var("HQ_TASK_ID").ok() == std::env::var(KILL).ok();
            if first_try && doomed {
                let marker = std::env::var(MARKER).expect("the marker's path");
                std::fs::write(&marker, b"killed\n").unwrap();
                ARMED.store(true, Ordering::Relaxed);
            }
            match crop.grow_from_env() {
                Ok(Some((id, g))) => {
                    assert!(matches!(g, Grow::Grown | Grow::AlreadyDone), "{g}");
                    println!("task grew batch {id}: {g}");
                }
                Ok(None) => panic!("started as a task without HQ_TASK_ID"),
                Err(e) => panic!("{e}"),
            }
        }
        other => panic!("unknown role {other:?}"),
    }
}

/// Skips the test with `why`, or fails it under `CI=true`, where nothing may be skipped.
fn skip(why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}: this test cannot run, and under CI=true it must (.ci/run installs it)");
    }
    eprintln!("{why}; skipping crop_hyperqueue (pip install hyperqueue, or set HAYDI_HQ_PYTHON)");
}

/// A Python that can import `hyperqueue`.
fn python() -> Option<PathBuf> {
    let python = std::env::var_os("HAYDI_HQ_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"));
    let ok = Command::new(&python)
        .args(["-c", "import hyperqueue"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(python)
}

fn test() {
    let Some(python) = python() else {
        return skip("no Python with the hyperqueue package");
    };
    let tmp = tempfile::tempdir().expect("a temp dir");
    let dir = tmp.path().join("crops");
    let crop = make(&dir);
    assert_eq!(crop.status().unwrap().to_string(), "not sown");
    let marker = tmp.path().join("killed");
    let report = tmp.path().join("report.json");
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hyperqueue/driver.py");
    let out = Command::new(&python)
        .arg(&driver)
        .arg(std::env::current_exe().unwrap())
        .arg(&dir)
        .arg(BATCHES.to_string())
        .arg(tmp.path().join("hq"))
        .arg(&report)
        .env(KILL, KILLED_BATCH.to_string())
        .env(MARKER, &marker)
        .env_remove("HAYDI_CROP_BATCH")
        .env_remove("HAYDI_CROP_BATCHES")
        .output()
        .expect("run the HyperQueue driver");
    assert!(
        out.status.success(),
        "the driver failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let outputs = report["outputs"].to_string();
    assert!(
        marker.exists(),
        "batch {KILLED_BATCH}'s grower never armed its death: {outputs}"
    );
    assert_eq!(report["first_ok"], false, "a task was killed: {outputs}");
    assert_eq!(
        report["failed"],
        serde_json::json!([KILLED_BATCH]),
        "HyperQueue reports exactly the killed task as failed: {outputs}"
    );
    assert_eq!(report["second_ok"], true, "{outputs}");
    assert_eq!(report["second_failed"], serde_json::json!([]), "{outputs}");
    assert!(outputs.contains("task sowed 5 batches"), "{outputs}");
    for id in (1..=BATCHES).filter(|&id| id != KILLED_BATCH) {
        assert!(
            outputs.contains(&format!("task grew batch {id}: grown")),
            "{outputs}"
        );
    }
    assert!(
        outputs.contains(&format!("task grew batch {KILLED_BATCH}: grown")),
        "the resubmitted task grew the killed batch, over its dead grower's lease: {outputs}"
    );
    assert!(
        outputs.contains(&format!(
            "task found 4 / 5 batches completed [################....], missing [{KILLED_BATCH}], 1 leased"
        )),
        "before the resubmission, only the killed batch is missing, its lease left behind: {outputs}"
    );
    assert!(outputs.contains("task checked: "), "{outputs}");
    assert!(crop.missing().unwrap().is_empty());
    assert!(crop.check().unwrap().is_clean());
    let reaped = crop.reap().unwrap();
    assert_eq!(reaped, crop.job().run(false).unwrap());
    assert_eq!(reaped, oracle());
    crop.clean().unwrap();
    println!("test crop_hyperqueue::killed_task_resubmitted ... ok");
}

fn main() {
    match std::env::var(ROLE) {
        Ok(role) => task(
            &role,
            Path::new(&std::env::var(DIR).expect("the crop folder")),
        ),
        Err(_) => test(),
    }
}
