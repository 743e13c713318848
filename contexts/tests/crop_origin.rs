//! Proof of origin for crops (issue 24) and crop scripts that name their executable (issue
//! 23), across processes: a batch copied from a crop sown with other arguments, a rebuilt
//! executable (refused by the script and by the crop), `haydi reseal` moving a crop and a
//! checkpoint to another account's key, and a crop folder planted by another user (as root,
//! through `setpriv`).
//!
//! `harness = false`: the binary is both the test and the programs it starts (`crop K` with
//! the action in `HAYDI_TEST_ACTION`, `ckpt K`); without a role it runs every case (or those
//! whose name contains the first argument). The case that needs root and `setpriv` prints
//! `SKIPPED` without them, and fails under `CI=true`.

use haydi_contexts::crop::{Batches, Crop, Scheduler, ScriptOptions};
use haydi_core::prelude::*;
use haydi_domains::Range;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const ACTION: &str = "HAYDI_TEST_ACTION";
const DIR: &str = "HAYDI_TEST_DIR";
const CKPT: &str = "HAYDI_TEST_CHECKPOINT";
const PARTIAL: &str = "HAYDI_TEST_PARTIAL";
const IDENTITY: &str = "HAYDI_TEST_IDENTITY";

fn oracle(k: i64) -> i64 {
    (0..40).map(|x| x * k).sum()
}

/// The one place the crop is made: `k` comes from the program's arguments, which no type
/// shows (so only the arguments tell `crop 1` from `crop 2`).
#[allow(clippy::type_complexity)]
fn make(
    dir: &Path,
    k: i64,
) -> Crop<
    impl haydi_core::pipeline::Source<Item = i64>,
    impl haydi_core::pipeline::Transform<i64, Out = i64>,
    impl haydi_core::action::Action<i64, Output = i64>,
> {
    Crop::new("twin", dir, Range::new(40).map(move |x| x * k).sum()).expect("the crop")
}

/// The `crop K` role: one action on the crop in `HAYDI_TEST_DIR`; prints what it did, or
/// `error=...`.
fn role_crop(k: i64) {
    let dir = PathBuf::from(std::env::var(DIR).expect("the crop folder"));
    let crop = make(&dir, k);
    let action = std::env::var(ACTION).expect("the action");
    let done: haydi_core::Result<String> = (|| match action.as_str() {
        "sow-grow" => {
            crop.sow(Batches::Count(4))?;
            Ok(format!("grew={}", crop.grow_missing()?.len()))
        }
        "sow-grow-2" => {
            crop.sow(Batches::Count(4))?;
            Ok(format!("grew={}", crop.grow_many(&[1, 2])?.len()))
        }
        "status" => Ok(format!("status={}", crop.status()?)),
        "check-reap" => {
            let found = crop.check()?;
            let bad: Vec<String> = found.bad.iter().map(|(i, w)| format!("{i}:{w}")).collect();
            crop.grow_missing()?;
            Ok(format!("bad=[{}] reap={}", bad.join("; "), crop.reap()?))
        }
        "grow-reap" => {
            crop.grow_missing()?;
            Ok(format!("reap={}", crop.reap()?))
        }
        "grow-env" => match crop.grow_from_env()? {
            Some((id, g)) => Ok(format!("grew={id}:{g}")),
            None => Ok("grew=none".into()),
        },
        "sow-script" => {
            crop.sow(Batches::Count(3))?;
            let opts = ScriptOptions {
                setup: vec![
                    format!("export {ACTION}=grow-env"),
                    format!("export {DIR}='{}'", dir.display()),
                ],
                ..Default::default()
            };
            let path = dir.join("grow.sh");
            std::fs::write(&path, crop.script(Scheduler::Slurm, &opts)?)
                .map_err(|e| Error::Context(e.to_string()))?;
            Ok(format!("script={}", path.display()))
        }
        other => panic!("unknown action {other}"),
    })();
    match done {
        Ok(text) => println!("{text}"),
        Err(e) => println!("error={e}"),
    }
}

/// The `ckpt K` role: a checkpointed sum (stopped after 300 ms with `HAYDI_TEST_PARTIAL`).
fn role_ckpt(k: i64) {
    let partial = std::env::var(PARTIAL).is_ok();
    let mut opts = RunOptions::new()
        .checkpoint(std::env::var(CKPT).expect("the checkpoint"))
        .checkpoint_every(Duration::from_millis(20));
    if partial {
        opts = opts.timeout(Duration::from_millis(300));
    }
    if let Ok(id) = std::env::var(IDENTITY) {
        opts = opts.checkpoint_identity(id);
    }
    let job = Range::new(2000)
        .map(move |x| {
            if partial {
                std::thread::sleep(Duration::from_micros(300));
            }
            x * k
        })
        .sum();
    match job.run_in_with(&ThreadContext::new(2).unwrap(), &opts) {
        Ok(out) => println!("value={} resumed={}", out.value, out.resumed),
        Err(e) => println!("error={e}"),
    }
}

// ---------------------------------------------------------------------------------------------

/// Runs `bin args` with `env` (and `HAYDI_KEY_FILE` as given): its trimmed output; it must
/// exit 0.
fn run(bin: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(bin);
    cmd.args(args);
    for k in [ACTION, DIR, CKPT, PARTIAL, IDENTITY, "HAYDI_CROP_BATCH"] {
        cmd.env_remove(k);
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().unwrap();
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "{bin:?} {args:?} {env:?}:\n{o}\n{e}");
    o.trim().to_string()
}

fn chmod(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// This binary at `to` with `extra` bytes appended (what a rebuild makes), executable;
/// replaced by a rename, as a build replaces its output.
fn copy_of_me(to: &Path, extra: &[u8]) -> PathBuf {
    let mut bytes = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    bytes.extend_from_slice(extra);
    let tmp = to.with_extension("new");
    std::fs::write(&tmp, bytes).unwrap();
    chmod(&tmp, 0o755);
    std::fs::rename(&tmp, to).unwrap();
    to.to_path_buf()
}

struct Skip(String);

/// Issue 24, WRONG row "a batch copied from a same-name crop sown with k=2, no
/// `Crop::identity`": the program's arguments are part of the crop's identity, so the copied
/// batch belongs to another crop: `check` finds and removes it, and the reap is `crop 1`'s
/// (today `check` found nothing and the reap mixed both). Growing `crop 1`'s folder with
/// `crop 2` is refused, saying the arguments differ.
fn a_batch_of_a_crop_sown_with_other_arguments_is_refused() -> Result<(), Skip> {
    let d = tempfile::tempdir().unwrap();
    let me = std::env::current_exe().unwrap();
    let (a, b) = (d.path().join("a"), d.path().join("b"));
    let key = d.path().join("keys").join("key");
    let key = key.to_string_lossy();
    let crop = |k: &str, dir: &Path, action: &str| {
        run(
            &me,
            &["crop", k],
            &[
                (DIR, &dir.to_string_lossy()),
                (ACTION, action),
                ("HAYDI_KEY_FILE", &key),
            ],
        )
    };
    assert_eq!(crop("2", &a, "sow-grow"), "grew=4");
    assert_eq!(crop("1", &b, "sow-grow"), "grew=4");
    let batch = |dir: &Path| dir.join("twin").join("results").join("batch-2.result");
    std::fs::copy(batch(&a), batch(&b)).unwrap();
    let out = crop("1", &b, "check-reap");
    assert!(
        out.starts_with("bad=[2:")
            && out.contains("another crop or another sowing")
            && out.ends_with(&format!("reap={}", oracle(1))),
        "{out}"
    );
    let e = crop("2", &b, "grow-reap");
    assert!(
        e.starts_with("error=")
            && e.contains("sown by another job")
            && e.contains(
                r#"its arguments differ (the file's: ["crop", "1"]; this run's: ["crop", "2"])"#
            ),
        "{e}"
    );
    Ok(())
}

/// Issue 23: a crop's script names the executable the crop was sown with and refuses another:
/// after a rebuild (the file replaced by another executable), the script's task stops at once
/// with a clear message, and the rebuilt program itself is refused by the crop (its
/// executable differs). A byte-identical copy elsewhere still grows it. Today the rebuilt
/// program grew the crop.
fn a_rebuilt_executable_is_refused_by_the_script_and_by_the_crop() -> Result<(), Skip> {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("crops");
    let key = d.path().join("keys").join("key");
    let key = key.to_string_lossy().into_owned();
    let prog = copy_of_me(&d.path().join("prog"), b"");
    let env = |action: &'static str| {
        vec![
            (DIR, dir.to_string_lossy().into_owned()),
            (ACTION, action.to_string()),
            ("HAYDI_KEY_FILE", key.clone()),
        ]
    };
    let call = |bin: &Path, action: &'static str, extra: &[(&str, &str)]| {
        let mut e: Vec<(&str, String)> = env(action);
        for (k, v) in extra {
            e.push((k, v.to_string()));
        }
        let refs: Vec<(&str, &str)> = e.iter().map(|(k, v)| (*k, v.as_str())).collect();
        run(bin, &["crop", "3"], &refs)
    };
    let out = call(&prog, "sow-script", &[]);
    let script = PathBuf::from(out.strip_prefix("script=").expect(&out));
    // The script as written grows a batch with the executable that sowed the crop.
    let task = |n: &str| {
        let mut c = Command::new("bash");
        c.arg(&script)
            .env("SLURM_ARRAY_TASK_ID", n)
            .env("HAYDI_KEY_FILE", &key)
            .env_remove(ACTION)
            .env_remove(DIR);
        c.output().unwrap()
    };
    let ok = task("1");
    assert!(
        ok.status.success() && String::from_utf8_lossy(&ok.stdout).contains("grew=1:grown"),
        "{}\n{}",
        String::from_utf8_lossy(&ok.stdout),
        String::from_utf8_lossy(&ok.stderr)
    );
    // Rebuilt: the script refuses to start it.
    copy_of_me(&prog, b"a rebuild");
    let refused = task("2");
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success() && err.contains("is not the executable the crop was sown with"),
        "{err}"
    );
    // Started by hand, the rebuilt program is refused by the crop itself.
    let e = call(&prog, "grow-env", &[("HAYDI_CROP_BATCH", "2")]);
    assert!(
        e.starts_with("error=") && e.contains("its executable differs"),
        "{e}"
    );
    // A byte-identical copy of the original, elsewhere, is the same executable.
    let same = copy_of_me(&d.path().join("same"), b"");
    assert_eq!(
        call(&same, "grow-env", &[("HAYDI_CROP_BATCH", "2")]),
        "grew=2:grown"
    );
    Ok(())
}

/// `haydi reseal` moves a crop and a checkpoint to another account's key: under the second
/// key both are refused (their MACs fail, and the message says to re-seal); re-sealed, the
/// crop keeps its grown batches and reaps right, and the checkpoint resumes where it stopped.
/// `--identity` adopts a checkpoint for a run that gives that identity.
fn haydi_reseal_moves_a_crop_and_a_checkpoint_to_another_key() -> Result<(), Skip> {
    let d = tempfile::tempdir().unwrap();
    let me = std::env::current_exe().unwrap();
    let tool = PathBuf::from(env!("CARGO_BIN_EXE_haydi"));
    let dir = d.path().join("crops");
    let keys = d.path().join("keys");
    let (alice, bob) = (
        keys.join("alice").to_string_lossy().into_owned(),
        keys.join("bob").to_string_lossy().into_owned(),
    );
    let dir_s = dir.to_string_lossy().into_owned();
    let crop = |key: &str, action: &str| {
        run(
            &me,
            &["crop", "4"],
            &[(DIR, &dir_s), (ACTION, action), ("HAYDI_KEY_FILE", key)],
        )
    };
    assert_eq!(crop(&alice, "sow-grow-2"), "grew=2");
    let e = crop(&bob, "status");
    assert!(
        e.contains("cannot be trusted")
            && e.contains("MAC does not match")
            && e.contains("haydi reseal"),
        "{e}"
    );
    let crop_dir = dir.join("twin");
    let out = run(
        &tool,
        &["reseal", &crop_dir.to_string_lossy()],
        &[("HAYDI_KEY_FILE", &bob)],
    );
    assert!(
        out.contains("the manifest and 2 batch results") && out.contains(&bob),
        "{out}"
    );
    assert!(crop(&bob, "status").starts_with("status=2 / 4 batches completed"));
    assert_eq!(crop(&bob, "grow-reap"), format!("reap={}", oracle(4)));
    // A checkpoint, stopped midway under alice's key.
    let ckpt = d.path().join("sum.ckpt");
    let ck = ckpt.to_string_lossy().into_owned();
    let sum = |key: &str, extra: &[(&str, &str)]| {
        let mut env = vec![(CKPT, ck.as_str()), ("HAYDI_KEY_FILE", key)];
        env.extend_from_slice(extra);
        run(&me, &["ckpt", "7"], &env)
    };
    let first = sum(&alice, &[(PARTIAL, "1")]);
    assert!(first.starts_with("value="), "{first}");
    assert!(sum(&bob, &[]).contains("MAC does not match"));
    let out = run(&tool, &["reseal", &ck], &[("HAYDI_KEY_FILE", &bob)]);
    assert!(out.starts_with("re-sealed checkpoint of"), "{out}");
    let line = sum(&bob, &[]);
    let expected: i64 = (0..2000).map(|x| x * 7).sum();
    assert!(
        line.starts_with(&format!("value={expected} resumed=")),
        "{line}"
    );
    assert!(!line.ends_with("resumed=0"), "{line}");
    // Adopted under an identity, a run giving it resumes everything.
    let out = run(
        &tool,
        &["reseal", "--identity", "sums v1", &ck],
        &[("HAYDI_KEY_FILE", &bob)],
    );
    assert!(out.contains("identity \"sums v1\""), "{out}");
    assert_eq!(
        sum(&bob, &[(IDENTITY, "sums v1")]),
        format!("value={expected} resumed=2000")
    );
    Ok(())
}

/// Another user's folder where the crop's folder goes (a shared crops folder, the name taken
/// first): refused, naming the owner.
fn a_crop_folder_planted_by_another_user_is_refused() -> Result<(), Skip> {
    if haydi_core::trusted::current_uid() != 0 {
        return Err(Skip("needs root to run as two users".into()));
    }
    let has_setpriv = Command::new("sh")
        .args(["-c", "command -v setpriv"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_setpriv {
        return Err(Skip("needs setpriv (util-linux)".into()));
    }
    let d = tempfile::tempdir().unwrap();
    chmod(d.path(), 0o755);
    let shared = d.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    chmod(&shared, 0o1777);
    let planted = Command::new("setpriv")
        .args(["--reuid=4243", "--regid=4243", "--clear-groups", "--"])
        .args(["mkdir", "-m", "0777"])
        .arg(shared.join("twin"))
        .status()
        .unwrap();
    assert!(planted.success());
    let me = std::env::current_exe().unwrap();
    let key = d.path().join("keys").join("key");
    let e = run(
        &me,
        &["crop", "1"],
        &[
            (DIR, &shared.to_string_lossy()),
            (ACTION, "sow-grow"),
            ("HAYDI_KEY_FILE", &key.to_string_lossy()),
        ],
    );
    assert!(
        e.starts_with("error=") && e.contains("belongs to user id 4243"),
        "{e}"
    );
    Ok(())
}

type Case = (&'static str, fn() -> Result<(), Skip>);

const CASES: &[Case] = &[
    (
        "a_batch_of_a_crop_sown_with_other_arguments_is_refused",
        a_batch_of_a_crop_sown_with_other_arguments_is_refused,
    ),
    (
        "a_rebuilt_executable_is_refused_by_the_script_and_by_the_crop",
        a_rebuilt_executable_is_refused_by_the_script_and_by_the_crop,
    ),
    (
        "haydi_reseal_moves_a_crop_and_a_checkpoint_to_another_key",
        haydi_reseal_moves_a_crop_and_a_checkpoint_to_another_key,
    ),
    (
        "a_crop_folder_planted_by_another_user_is_refused",
        a_crop_folder_planted_by_another_user_is_refused,
    ),
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("crop") => return role_crop(args[1].parse().expect("crop K")),
        Some("ckpt") => return role_ckpt(args[1].parse().expect("ckpt K")),
        _ => {}
    }
    let filter = args.iter().find(|a| !a.starts_with('-'));
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let mut failed = 0;
    for (name, case) in CASES {
        if filter.is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let t = std::time::Instant::now();
        match std::panic::catch_unwind(case) {
            Ok(Ok(())) => println!("test {name} ... ok ({:.1} s)", t.elapsed().as_secs_f64()),
            Ok(Err(Skip(why))) if ci => {
                failed += 1;
                println!(
                    "test {name} ... FAILED: it cannot run here ({why}), and under CI=true it must"
                );
            }
            Ok(Err(Skip(why))) => println!("SKIPPED {name}: {why}"),
            Err(_) => {
                failed += 1;
                println!("test {name} ... FAILED");
            }
        }
    }
    if failed > 0 {
        println!("crop_origin: {failed} failed");
        std::process::exit(1);
    }
}
