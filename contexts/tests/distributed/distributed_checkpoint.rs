//! A checkpointed run on worker processes whose driver is killed with SIGKILL halfway: run
//! again, it resumes from the driver's checkpoint, gives the uninterrupted result, and runs only
//! what was missing. Each case runs in its own process tree (see `support`).

use crate::support;

use crate::support::slow;
use haydi_contexts::DistributedContext;
use haydi_core::domain::tests_support::Digits;
use haydi_core::prelude::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CKPT_ENV: &str = "HAYDI_TEST_CHECKPOINT";
const N: u64 = 6000;

/// The cases of this subject, run by the binary's `main` (`support::main`).
pub const CASES: &[support::Case] = &[
    ("killed_driver_resumes", killed_driver_resumes),
    ("checkpointed_run", checkpointed_run),
];

/// The run itself (started twice by `killed_driver_resumes`; without its variable, nothing).
/// The driver prints `value=V resumed=R processed=P`.
fn checkpointed_run() {
    let Some(path) = std::env::var_os(CKPT_ENV) else {
        return;
    };
    let ctx = DistributedContext::spawn(2).expect("spawn");
    let opts = RunOptions::new()
        .checkpoint(path)
        .checkpoint_every(Duration::from_millis(100));
    let out = Digits(N)
        .map(|x| slow(x, 1500) * 3)
        .sum()
        .run_in_with(&ctx, &opts)
        .expect("the run");
    if ctx.is_driver() {
        println!(
            "value={} resumed={} processed={}",
            out.value, out.resumed, out.processed
        );
    }
}

fn killed_driver_resumes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("run.ckpt");
    let exe = std::env::current_exe().expect("exe");
    let start = || {
        Command::new(&exe)
            .arg("case=checkpointed_run")
            .env(CKPT_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the run")
    };
    // 6000 indices of 1.5 ms on 2 one-thread workers: about 4.5 s. Kill the driver once a
    // checkpoint exists and 1.2 s have passed.
    let mut first = start();
    let t = Instant::now();
    while !(path.exists() && t.elapsed() > Duration::from_millis(1200)) {
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "no checkpoint appeared"
        );
        assert!(
            first.try_wait().expect("wait").is_none(),
            "the run ended before it was killed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = Command::new("kill")
        .args(["-9", &first.id().to_string()])
        .status();
    let status = first.wait().expect("wait");
    assert!(!status.success(), "the first run was not killed");
    // Its workers die with it (they watch their parent); give them a moment.
    std::thread::sleep(Duration::from_millis(500));
    let second = start().wait_with_output().expect("second run");
    assert!(second.status.success(), "the second run failed");
    let text = String::from_utf8_lossy(&second.stdout);
    let field = |name: &str| -> u128 {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in {text:?}"))
            .parse()
            .expect("a number")
    };
    assert_eq!(field("value"), (0..N as u128).map(|x| x * 3).sum::<u128>());
    assert_eq!(field("processed"), N as u128);
    let resumed = field("resumed");
    assert!(
        resumed > 0 && resumed < N as u128,
        "the second run should resume part of the work, resumed {resumed}"
    );
    println!("killed_driver_resumes: {resumed} of {N} indices came from the checkpoint");
}
