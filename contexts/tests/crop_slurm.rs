//! A crop grown by a (fake) Slurm array: `Crop::submit(Scheduler::Slurm, ..)` writes the
//! script and runs `sbatch` on it, a fake `sbatch` (a shell script first on `PATH`) runs every
//! array task locally with `SLURM_ARRAY_TASK_ID` set, as Slurm would (it fails a task whose
//! `--output` folder is missing, and runs the script with bash as written), each task is this
//! very binary calling `Crop::grow_from_env`, and the reaped value equals `run(false)` and a
//! plain loop. Issue 23: the output folder is created, setup lines run before `set -u`, the
//! tasks' default contexts have the requested threads, and without `sbatch` on `PATH`
//! `submit` says so.
//!
//! `harness = false`: the binary is both the test and the array tasks' program (SPMD: the
//! crop is made at one call site, so every process agrees on its fingerprint).

use haydi_contexts::crop::{Batches, Crop, Grow, Scheduler, ScriptOptions};
use haydi_core::Job;
use haydi_core::prelude::*;
use haydi_domains::{Product, Range};
use std::path::Path;

const ROLE: &str = "HAYDI_CROP_TEST_ROLE";
const DIR: &str = "HAYDI_CROP_TEST_DIR";

#[allow(clippy::type_complexity)] // impl types of the job's source, chain and action
fn job() -> Job<
    impl haydi_core::pipeline::Source<Item = (i64, i64)>,
    impl haydi_core::pipeline::Transform<(i64, i64), Out = (i64, i64)>,
    impl haydi_core::action::Action<(i64, i64), Output = Vec<(i64, i64)>>,
> {
    Product::new((Range::new(30), Range::new(20)))
        .filter(|(a, b)| (a * b) % 7 == 1)
        .collect()
}

fn oracle() -> Vec<(i64, i64)> {
    let mut v = Vec::new();
    for a in 0..30 {
        for b in 0..20 {
            if (a * b) % 7 == 1 {
                v.push((a, b));
            }
        }
    }
    v
}

/// The one place the crop is made, in the test and in every array task alike.
#[allow(clippy::type_complexity)]
fn make(
    dir: &Path,
) -> Crop<
    impl haydi_core::pipeline::Source<Item = (i64, i64)>,
    impl haydi_core::pipeline::Transform<(i64, i64), Out = (i64, i64)>,
    impl haydi_core::action::Action<(i64, i64), Output = Vec<(i64, i64)>>,
> {
    Crop::new("slurm", dir, job()).expect("the crop")
}

/// An array task: grow the batch the environment names.
fn grow(dir: &Path) {
    let crop = make(dir);
    // The default context's threads, which the script sets through HAYDI_THREADS.
    println!("task threads={}", session::parallel_context().workers());
    match crop.grow_from_env() {
        Ok(Some((id, g))) => {
            assert!(matches!(g, Grow::Grown | Grow::AlreadyDone), "{g}");
            println!("array task grew batch {id}: {g}");
        }
        Ok(None) => panic!("started as an array task without an array index"),
        Err(e) => panic!("{e}"),
    }
}

/// The fake `sbatch`: runs the script once per index of its `#SBATCH --array=A-B` line, with
/// `SLURM_ARRAY_TASK_ID` set, and fails if any task does, or (as Slurm's tasks do) when the
/// folder of its `--output` file is missing.
const FAKE_SBATCH: &str = r#"#!/bin/sh
set -eu
script="$1"
range=$(sed -n 's/^#SBATCH --array=\([0-9]*-[0-9]*\)$/\1/p' "$script")
test -n "$range" || { echo "sbatch: no --array line" >&2; exit 2; }
output=$(sed -n 's/^#SBATCH --output=\(.*\)$/\1/p' "$script")
if [ -n "$output" ] && [ ! -d "$(dirname "$output")" ]; then
    echo "slurmstepd: error: couldn't open output file $output: No such file or directory" >&2
    exit 3
fi
first=${range%-*}
last=${range#*-}
i=$first
while [ "$i" -le "$last" ]; do
    SLURM_ARRAY_JOB_ID=42 SLURM_ARRAY_TASK_ID=$i bash "$script"
    i=$((i + 1))
done
echo "Submitted batch job 42"
"#;

fn test() {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let dir = tmp.path().join("crops");
    let crop = make(&dir);
    assert_eq!(crop.sow(Batches::Count(5)).unwrap(), 5);
    crop.grow(3).unwrap(); // one batch grown here: its array task finds it done
    let logs = tmp.path().join("logs").join("slurm");
    let opts = ScriptOptions {
        cpus_per_task: Some(3),
        log_dir: Some(logs.clone()),
        setup: vec![
            // What module scripts do: read a variable that may be unset (fails under set -u).
            ": \"${HAYDI_CROP_TEST_NEVER_SET}\"".into(),
            format!("export {ROLE}=grow"),
            format!("export {DIR}='{}'", dir.display()),
        ],
        ..Default::default()
    };
    // No sbatch on PATH: a clear error, naming the command and where the script is.
    unsafe { std::env::set_var("PATH", tmp.path().join("nothing-here")) };
    let e = crop
        .submit(Scheduler::Slurm, &opts)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("sbatch is not on PATH") && e.contains("scripts/slurm-"),
        "{e}"
    );
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let sbatch = bin.join("sbatch");
    std::fs::write(&sbatch, FAKE_SBATCH).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&sbatch, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    unsafe { std::env::set_var("PATH", format!("{}:{}", bin.display(), *PATH0)) };
    unsafe { std::env::remove_var("HAYDI_CROP_BATCH") };
    let submitted = crop.submit(Scheduler::Slurm, &opts).unwrap();
    assert!(logs.is_dir(), "the output folder was not created");
    let script = std::fs::read_to_string(&submitted.script).unwrap();
    assert!(script.contains("#SBATCH --array=1-5\n"), "{script}");
    assert_eq!(submitted.job_id.as_deref(), Some("42"), "{submitted:?}");
    let stdout = &submitted.output;
    assert!(stdout.contains("Submitted batch job 42"), "{stdout}");
    assert_eq!(
        stdout.matches("task threads=3\n").count(),
        5,
        "every task runs on the 3 threads it asked for:\n{stdout}"
    );
    for id in 1..=5 {
        assert!(
            stdout.contains(&format!("array task grew batch {id}: ")),
            "{stdout}"
        );
    }
    assert!(
        stdout.contains("array task grew batch 3: already done"),
        "{stdout}"
    );
    assert!(crop.missing().unwrap().is_empty());
    assert!(crop.check().unwrap().is_clean());
    let reaped = crop.reap().unwrap();
    assert_eq!(reaped, crop.job().run(false).unwrap());
    assert_eq!(reaped, oracle());
    crop.clean().unwrap();
    println!("test crop_slurm::fake_sbatch_array ... ok");
}

/// The `PATH` the test started with (it is changed to put the fake `sbatch` first).
static PATH0: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| std::env::var("PATH").unwrap_or_default());

fn main() {
    std::sync::LazyLock::force(&PATH0);
    match std::env::var(ROLE).as_deref() {
        Ok("grow") => grow(Path::new(&std::env::var(DIR).expect("the crop folder"))),
        _ => test(),
    }
}
