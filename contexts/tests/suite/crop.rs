//! Crops (`haydi_contexts::crop`): xyzpy's acceptance case, whole batch plans, damaged and
//! forged results, leases, refusals and submission scripts. Oracles are the serial run of the
//! same job and values computed here by plain loops.

use haydi_contexts::crop::{Batches, Crop, Grow, Scheduler, ScriptOptions};
use haydi_core::Job;
use haydi_core::prelude::*;
use haydi_domains::{Product, Range, Values};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// xyzpy's grid: a in {10, 20, 30}, b in {4, 5, 6, 7}, each case giving a + b.
#[allow(clippy::type_complexity)] // impl types of the job's source, chain and action
fn grid() -> Job<
    impl haydi_core::pipeline::Source<Item = (i64, i64)>,
    impl haydi_core::pipeline::Transform<(i64, i64), Out = i64>,
    impl haydi_core::action::Action<i64, Output = Vec<i64>>,
> {
    Product::new((
        Values::new(vec![10i64, 20, 30]),
        Range::span(4, 8, 1).unwrap(),
    ))
    .iterate()
    .map(|(a, b)| a + b)
    .collect()
}

fn grid_oracle() -> Vec<i64> {
    let mut v = Vec::new();
    for a in [10, 20, 30] {
        for b in 4..8 {
            v.push(a + b);
        }
    }
    v
}

#[test]
fn xyzpy_acceptance_case() {
    let dir = tempfile::tempdir().unwrap();
    let crop = Crop::new("xyz", dir.path(), grid()).unwrap();
    let s = crop.status().unwrap();
    assert_eq!((s.batches, s.done), (None, 0));
    assert_eq!(s.to_string(), "not sown");
    assert!(crop.missing().is_err(), "nothing sown yet");

    assert_eq!(crop.sow(Batches::Size(5)).unwrap(), 3);
    let s = crop.status().unwrap();
    assert_eq!((s.batches, s.done), (Some(3), 0));
    assert!(s.to_string().starts_with("0 / 3 batches completed"), "{s}");

    assert_eq!(crop.grow(1).unwrap(), Grow::Grown);
    assert_eq!(crop.missing().unwrap(), vec![2, 3]);
    let e = crop.reap().unwrap_err().to_string();
    assert!(
        e.contains("2 of 3 batches are missing") && e.contains("2-3"),
        "{e}"
    );
    assert!(
        crop.to_string().contains("1 / 3 batches completed"),
        "{crop}"
    );

    crop.grow_many(&[2, 3]).unwrap();
    assert!(crop.check().unwrap().is_clean());
    let reaped = crop.reap().unwrap();
    assert_eq!(reaped, crop.job().run(false).unwrap());
    assert_eq!(reaped, grid_oracle());
    assert_eq!(
        crop.status().unwrap().to_string(),
        "3 / 3 batches completed [####################]"
    );

    // The same through grow_missing on two threads, in a fresh crop.
    let crop2 = Crop::new("xyz2", dir.path(), grid()).unwrap();
    crop2.sow(Batches::Size(5)).unwrap();
    let grown = session::with_parallel_context(ThreadContext::new(2).unwrap(), || {
        crop2.grow_missing().unwrap()
    });
    assert_eq!(
        grown,
        vec![(1, Grow::Grown), (2, Grow::Grown), (3, Grow::Grown)]
    );
    assert!(crop2.check().unwrap().is_clean());
    assert_eq!(crop2.reap().unwrap(), grid_oracle());
    crop2.clean().unwrap();
    assert!(!dir.path().join("xyz2").exists());
}

#[test]
fn ninety_nine_cases_in_67_and_98_batches_are_kept_whole() {
    let dir = tempfile::tempdir().unwrap();
    for k in [67, 98] {
        let job = Range::new(99).map(|x| x * 3 + 1).collect();
        let crop = Crop::new(format!("n{k}"), dir.path(), job).unwrap();
        assert_eq!(crop.sow(Batches::Count(k)).unwrap(), k);
        // Grown in order, every batch extends the covered prefix by at least one index.
        let mut end = 0;
        for id in 1..=k {
            assert_eq!(crop.grow(id).unwrap(), Grow::Grown);
            let out = crop.reap_partial().unwrap();
            assert_eq!(out.covered.len(), 1, "batch {id}: {:?}", out.covered);
            assert_eq!(out.covered[0].start, 0);
            assert!(out.covered[0].end > end, "batch {id} is empty");
            end = out.covered[0].end;
            assert_eq!(out.complete, id == k);
        }
        assert_eq!(end, 99);
        let want: Vec<i64> = (0..99).map(|x| x * 3 + 1).collect();
        assert_eq!(crop.reap().unwrap(), want);
        assert_eq!(crop.reap().unwrap(), crop.job().run(false).unwrap());
    }
}

#[test]
fn impossible_plans_and_uncroppable_jobs_are_invalid_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let crop = Crop::new("plans", dir.path(), grid()).unwrap();
    for b in [Batches::Size(0), Batches::Count(0), Batches::Count(13)] {
        match crop.sow(b) {
            Err(Error::InvalidArgument(_)) => {}
            other => panic!("{b:?}: {other:?}"),
        }
    }
    assert_eq!(crop.sow(Batches::Count(12)).unwrap(), 12);
    let take = Crop::new("take", dir.path(), Range::new(10).take(3).collect()).unwrap();
    match take.sow(Batches::Size(2)) {
        Err(Error::InvalidArgument(m)) => assert!(m.contains("take"), "{m}"),
        other => panic!("{other:?}"),
    }
    let counted = Range::new(10).filter(|x| x % 2 == 0).enumerate().count();
    let pass = Crop::new("pass", dir.path(), counted).unwrap();
    match pass.sow(Batches::Size(2)) {
        Err(Error::InvalidArgument(m)) => assert!(m.contains("first pass"), "{m}"),
        other => panic!("{other:?}"),
    }
    let endless = Crop::new("endless", dir.path(), Range::new(3).generate(1).count()).unwrap();
    assert!(matches!(
        endless.sow(Batches::Size(2)),
        Err(Error::InvalidArgument(_))
    ));
    assert!(Crop::new("a/b", dir.path(), Range::new(3).count()).is_err());
}

#[test]
fn resowing_keeps_results_and_another_job_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let crop = Crop::new("same", dir.path(), grid()).unwrap();
    crop.sow(Batches::Size(5)).unwrap();
    crop.grow(2).unwrap();
    assert_eq!(crop.sow(Batches::Size(5)).unwrap(), 3);
    assert_eq!(crop.missing().unwrap(), vec![1, 3]);
    assert!(crop.sow(Batches::Size(4)).is_err(), "another plan");
    // Another job (another call site and type) under the same name and folder.
    let other = Crop::new("same", dir.path(), Range::new(12).count()).unwrap();
    let e = other.sow(Batches::Size(5)).unwrap_err().to_string();
    assert!(e.contains("another job"), "{e}");
    assert!(other.grow(1).is_err());
    assert!(other.reap().is_err());
    assert_eq!(crop.missing().unwrap(), vec![1, 3]);
}

fn result_file(crop_dir: &Path, id: usize) -> std::path::PathBuf {
    crop_dir.join("results").join(format!("batch-{id}.result"))
}

#[test]
fn a_truncated_result_is_found_by_check_and_regrown() {
    let dir = tempfile::tempdir().unwrap();
    let crop = Crop::new("trunc", dir.path(), grid()).unwrap();
    crop.sow(Batches::Size(5)).unwrap();
    crop.grow_missing().unwrap();
    let f = result_file(crop.path(), 2);
    let bytes = std::fs::read(&f).unwrap();
    std::fs::write(&f, &bytes[..bytes.len() / 2]).unwrap();
    // Not trusted even before check: missing means "no verified result".
    assert_eq!(crop.missing().unwrap(), vec![2]);
    assert!(crop.reap().is_err());
    let found = crop.check().unwrap();
    assert_eq!(found.bad.len(), 1, "{found}");
    assert_eq!(found.bad[0].0, 2);
    assert!(found.bad[0].1.contains("truncated"), "{found}");
    assert!(!f.exists());
    assert_eq!(crop.grow_missing().unwrap(), vec![(2, Grow::Grown)]);
    assert!(crop.check().unwrap().is_clean());
    assert_eq!(crop.reap().unwrap(), grid_oracle());
}

#[test]
fn forged_headers_and_checksums_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let crop = Crop::new("forged", dir.path(), grid()).unwrap();
    crop.sow(Batches::Size(5)).unwrap();
    crop.grow_missing().unwrap();
    // A sound file of batch 1 put in batch 2's place: its checksum holds, its header does not.
    std::fs::copy(result_file(crop.path(), 1), result_file(crop.path(), 2)).unwrap();
    // One byte of batch 3 changed: the checksum fails.
    let f3 = result_file(crop.path(), 3);
    let mut bytes = std::fs::read(&f3).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&f3, &bytes).unwrap();
    assert_eq!(crop.missing().unwrap(), vec![2, 3]);
    let found = crop.check().unwrap();
    assert_eq!(found.checked, 3);
    let bad: Vec<usize> = found.bad.iter().map(|b| b.0).collect();
    assert_eq!(bad, vec![2, 3], "{found}");
    assert!(found.bad[0].1.contains("header says batch 1"), "{found}");
    assert!(found.bad[1].1.contains("MAC does not match"), "{found}");
    // A sound result of another crop of the same job, copied in: another fingerprint.
    let twin = Crop::new("twin", dir.path(), grid()).unwrap();
    twin.sow(Batches::Size(4)).unwrap();
    twin.grow(1).unwrap();
    std::fs::copy(result_file(twin.path(), 1), result_file(crop.path(), 1)).unwrap();
    let found = crop.check().unwrap();
    assert_eq!(found.bad.len(), 1, "{found}");
    assert!(found.bad[0].1.contains("another crop"), "{found}");
    crop.grow_missing().unwrap();
    assert_eq!(crop.reap().unwrap(), grid_oracle());
}

#[cfg(unix)]
#[test]
fn links_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("linked")).unwrap();
    let crop = Crop::new("linked", dir.path(), grid()).unwrap();
    let e = crop.sow(Batches::Size(5)).unwrap_err().to_string();
    assert!(e.contains("symbolic link"), "{e}");
    assert!(crop.clean().is_err());
    assert!(elsewhere.exists());
    // A link planted as a result file is not followed: the batch is missing, check removes it.
    let ok = Crop::new("ok", dir.path(), grid()).unwrap();
    ok.sow(Batches::Size(5)).unwrap();
    ok.grow(1).unwrap();
    std::os::unix::fs::symlink(result_file(ok.path(), 1), result_file(ok.path(), 2)).unwrap();
    assert_eq!(ok.missing().unwrap(), vec![2, 3]);
    let found = ok.check().unwrap();
    assert!(found.bad[0].1.contains("symbolic link"), "{found}");
    assert!(result_file(ok.path(), 1).exists());
}

fn lease_file(crop_dir: &Path, id: usize) -> std::path::PathBuf {
    crop_dir.join("leases").join(format!("batch-{id}.lease"))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A lease as a grower writes it, started and last refreshed at `refreshed`.
fn plant_lease_at(path: &Path, pid: u32, host: &str, refreshed: u64) {
    std::fs::write(
        path,
        format!(
            "pid={pid}\nhost={host}\nstarted={refreshed}\nrefreshed={refreshed}\ntoken=planted\n"
        ),
    )
    .unwrap();
}

/// A fresh lease.
fn plant_lease(path: &Path, pid: u32, host: &str) {
    plant_lease_at(path, pid, host, now());
}

fn this_host() -> String {
    haydi_contexts::distributed::launcher::hostname()
}

#[test]
fn a_live_lease_keeps_a_second_grower_off() {
    let dir = tempfile::tempdir().unwrap();
    let calls = AtomicU64::new(0);
    let job = Range::new(40)
        .map(|x| {
            calls.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(5));
            x
        })
        .sum();
    let crop = Crop::new("lease", dir.path(), job).unwrap();
    crop.sow(Batches::Size(20)).unwrap();
    // Two growers of batch 1 at once: one grows it, the other finds it leased (or done).
    let barrier = std::sync::Barrier::new(2);
    let outcomes: Vec<Grow> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    crop.grow_in(&SerialContext, 1).unwrap()
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        outcomes.iter().filter(|g| **g == Grow::Grown).count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(calls.load(Ordering::Relaxed), 20, "batch 1 grown twice");
    assert!(!lease_file(crop.path(), 1).exists(), "lease left behind");
    // A live lease of another grower (this very process, say): the batch is left alone.
    plant_lease(
        &lease_file(crop.path(), 2),
        std::process::id(),
        &this_host(),
    );
    match crop.grow(2).unwrap() {
        Grow::Leased(Some(h)) => assert_eq!(h.pid, std::process::id()),
        other => panic!("{other:?}"),
    }
    // So is one of another host that is fresh (its process cannot be looked at from here).
    plant_lease(&lease_file(crop.path(), 2), 1, "some-other-host.invalid");
    assert!(matches!(crop.grow(2).unwrap(), Grow::Leased(Some(_))));
    assert_eq!(crop.status().unwrap().growing, 1);
    assert_eq!(crop.missing().unwrap(), vec![2]);
    assert_eq!(calls.load(Ordering::Relaxed), 20);
}

#[test]
fn stale_leases_are_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let crop = Crop::new("stale", dir.path(), grid())
        .unwrap()
        .lease_timeout(Duration::from_secs(60));
    crop.sow(Batches::Size(5)).unwrap();
    // A lease whose process is gone (same host, no such pid).
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    plant_lease(&lease_file(crop.path(), 1), dead, &this_host());
    assert_eq!(crop.grow(1).unwrap(), Grow::Grown);
    assert!(!lease_file(crop.path(), 1).exists());
    // A lease of another host not refreshed for longer than the lease timeout.
    let l2 = lease_file(crop.path(), 2);
    plant_lease_at(&l2, 1, "some-other-host.invalid", now() - 3600);
    assert_eq!(crop.grow(2).unwrap(), Grow::Grown);
    // A garbled lease, however new: malformed is stale.
    let l3 = lease_file(crop.path(), 3);
    std::fs::write(&l3, "").unwrap();
    assert_eq!(crop.grow(3).unwrap(), Grow::Grown);
    assert_eq!(crop.reap().unwrap(), grid_oracle());
}

/// Leases that would hold their batch forever (issue 24): staleness comes from the times a
/// lease records, never from the file's modification time, and anything that is no lease is
/// stale. Today's code kept each of these batches from ever being grown.
#[test]
fn leases_never_block_a_batch_forever() {
    let dir = tempfile::tempdir().unwrap();
    let crop = Crop::new("forever", dir.path(), grid())
        .unwrap()
        .lease_timeout(Duration::from_secs(60));
    crop.sow(Batches::Count(4)).unwrap();
    let year = Duration::from_secs(365 * 24 * 3600);
    // Recorded as refreshed an hour ago, its file's mtime set a year ahead.
    let l1 = lease_file(crop.path(), 1);
    plant_lease_at(&l1, 1, "some-other-host.invalid", now() - 3600);
    std::fs::File::options()
        .append(true)
        .open(&l1)
        .unwrap()
        .set_modified(SystemTime::now() + year)
        .unwrap();
    assert_eq!(crop.grow(1).unwrap(), Grow::Grown);
    // A directory where the lease should be.
    let l2 = lease_file(crop.path(), 2);
    std::fs::create_dir(&l2).unwrap();
    std::fs::write(l2.join("inside"), "x").unwrap();
    assert_eq!(crop.grow(2).unwrap(), Grow::Grown);
    assert!(!l2.exists());
    // A refresh recorded a year ahead: beyond the lease timeout, so stale at once.
    let l3 = lease_file(crop.path(), 3);
    plant_lease_at(&l3, 1, "some-other-host.invalid", now() + year.as_secs());
    assert_eq!(crop.grow(3).unwrap(), Grow::Grown);
    // A lease without its refresh time (the old format): malformed, so stale.
    let l4 = lease_file(crop.path(), 4);
    std::fs::write(
        &l4,
        format!("pid=1\nhost=some-other-host.invalid\nstarted={}\n", now()),
    )
    .unwrap();
    assert_eq!(crop.grow(4).unwrap(), Grow::Grown);
    assert_eq!(crop.reap().unwrap(), grid_oracle());
}

/// `bash -n` accepts the script.
fn shell_syntax_ok(text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.sh");
    std::fs::write(&p, text).unwrap();
    let out = std::process::Command::new("bash")
        .arg("-n")
        .arg(&p)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn scripts_are_well_formed() {
    let dir = tempfile::tempdir().unwrap();
    // With an identity, any program and arguments may grow the crop.
    let crop = Crop::new("scripts", dir.path(), grid())
        .unwrap()
        .identity("xyzpy grid");
    crop.sow(Batches::Size(5)).unwrap();
    let logs = dir.path().join("logs").join("nested");
    let opts = ScriptOptions {
        time: Some(Duration::from_secs(90 * 60)),
        memory: Some(2048),
        cpus_per_task: Some(4),
        program: Some("/opt/my prog/bin".into()),
        args: Some(vec!["grow".into(), "it's".into()]),
        setup: vec!["module load gcc".into()],
        log_dir: Some(logs.clone()),
        ..Default::default()
    };
    let expect = [
        (
            Scheduler::Slurm,
            "#SBATCH",
            "#SBATCH --array=1-3",
            "#SBATCH --time=01:30:00",
        ),
        (
            Scheduler::Pbs,
            "#PBS",
            "#PBS -J 1-3",
            "#PBS -l walltime=01:30:00",
        ),
        (Scheduler::Sge, "#$", "#$ -t 1-3", "#$ -l h_rt=01:30:00"),
        (
            Scheduler::HyperQueue,
            "#HQ",
            "#HQ --array=1-3",
            "#HQ --time-limit=5400s",
        ),
    ];
    for (sched, prefix, array, time) in expect {
        let s = crop.script(sched, &opts).unwrap();
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines[0], "#!/bin/bash", "{s}");
        assert!(lines.contains(&array), "{sched:?}:\n{s}");
        assert!(lines.contains(&time), "{sched:?}:\n{s}");
        // Directives come first, all of them before the first command.
        let first_cmd = lines.iter().position(|l| !l.starts_with('#')).unwrap();
        assert!(
            lines[1..first_cmd]
                .iter()
                .all(|l| l.starts_with(prefix) || l.starts_with("# haydi crop"))
        );
        assert!(!s.contains('[') && !s.contains(']'), "stray bracket:\n{s}");
        assert!(s.contains("export OMP_NUM_THREADS=4\n"));
        // haydi's own thread count, read by the default context (issue 23).
        assert!(s.contains("export HAYDI_THREADS=4\n"), "{s}");
        // Only variables something reads.
        assert!(
            !s.contains("HAYDI_CROP_NAME") && !s.contains("HAYDI_CROP_DIR"),
            "{s}"
        );
        // The setup runs before `set -u` (module scripts read unset variables), after `set -e`.
        let at = |l: &str| {
            lines
                .iter()
                .position(|x| *x == l)
                .unwrap_or_else(|| panic!("{l}:\n{s}"))
        };
        assert!(at("set -e") < at("module load gcc"), "{s}");
        assert!(at("module load gcc") < at("set -u"), "{s}");
        // The output folder exists before anything is submitted (Slurm does not create it).
        assert!(logs.is_dir());
        assert!(
            s.ends_with("exec '/opt/my prog/bin' 'grow' 'it'\\''s'\n"),
            "{s}"
        );
        shell_syntax_ok(&s);
    }
    // Only the missing batches: the array has one task per missing batch, mapped by a list.
    crop.grow(2).unwrap();
    let only = ScriptOptions {
        only_missing: true,
        args: Some(vec![]),
        ..Default::default()
    };
    let s = crop.script(Scheduler::Slurm, &only).unwrap();
    assert!(
        s.contains("#SBATCH --array=1-2\n") && s.contains("export HAYDI_CROP_BATCHES=1,3\n"),
        "{s}"
    );
    shell_syntax_ok(&s);
    // PBS Pro refuses a one-task array: no -J, and the index is set in the script.
    crop.grow(1).unwrap();
    let s = crop.script(Scheduler::Pbs, &only).unwrap();
    assert!(
        !s.contains("-J") && s.contains("export HAYDI_CROP_BATCH=1\n"),
        "{s}"
    );
    crop.grow(3).unwrap();
    assert!(
        crop.script(Scheduler::Sge, &only).is_err(),
        "nothing missing"
    );
}

/// `s` quoted for a POSIX shell, as scripts quote.
fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Issue 23: a crop's script runs the executable that sowed the crop, with the arguments it
/// was sown with, checks its SHA-256 before starting it, and refuses another program or
/// other arguments at once (their tasks would be refused by the crop).
#[test]
fn scripts_run_the_executable_that_sowed_the_crop_and_refuse_another() {
    let dir = tempfile::tempdir().unwrap();
    let crop = Crop::new("exe", dir.path(), grid()).unwrap();
    crop.sow(Batches::Size(5)).unwrap();
    let s = crop
        .script(Scheduler::Slurm, &ScriptOptions::default())
        .unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut exec = format!("exec {}", quoted(&exe.to_string_lossy()));
    for a in std::env::args().skip(1) {
        exec.push(' ');
        exec.push_str(&quoted(&a));
    }
    assert!(s.ends_with(&format!("{exec}\n")), "{s}");
    let out = std::process::Command::new("sha256sum")
        .arg(&exe)
        .output()
        .unwrap();
    let hex = String::from_utf8_lossy(&out.stdout)[..64].to_string();
    assert!(
        s.contains(&hex),
        "the script checks the executable's SHA-256:\n{s}"
    );
    shell_syntax_ok(&s);
    // A byte-identical copy is the same executable.
    let copy = dir.path().join("copy");
    std::fs::copy(&exe, &copy).unwrap();
    let same = ScriptOptions {
        program: Some(copy.clone()),
        ..Default::default()
    };
    assert!(crop.script(Scheduler::Slurm, &same).is_ok());
    // Another executable is refused, naming both.
    let other = ScriptOptions {
        program: Some("/bin/sh".into()),
        ..Default::default()
    };
    let e = crop
        .script(Scheduler::Slurm, &other)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("/bin/sh is not the executable the crop was sown with")
            && e.contains(&*exe.to_string_lossy()),
        "{e}"
    );
    // So are other arguments.
    let args = ScriptOptions {
        args: Some(vec!["another".into()]),
        ..Default::default()
    };
    let e = crop.script(Scheduler::Pbs, &args).unwrap_err().to_string();
    assert!(e.contains("not those the crop was sown with"), "{e}");
}

/// Issue 23: `grow_missing` grows batches side by side on the session's context (xyzpy's
/// `grow_missing(parallel=True)`). Each batch holds one index, whose closure waits (at most
/// 10 s) until an index of another batch runs at the same time; grown one after the other, as
/// before, no two ever meet.
#[test]
fn grow_missing_grows_batches_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let running = AtomicU64::new(0);
    let most = AtomicU64::new(0);
    let job = Range::new(4)
        .map(|x| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while most.load(Ordering::SeqCst) < 2 && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            running.fetch_sub(1, Ordering::SeqCst);
            x * 10
        })
        .sum();
    let crop = Crop::new("side", dir.path(), job).unwrap();
    assert_eq!(crop.sow(Batches::Count(4)).unwrap(), 4);
    let grown =
        session::with_parallel_context(ThreadContext::new(2).unwrap(), || crop.grow_missing())
            .unwrap();
    assert_eq!(
        grown,
        (1..=4).map(|id| (id, Grow::Grown)).collect::<Vec<_>>()
    );
    assert!(
        most.load(Ordering::SeqCst) >= 2,
        "no two batches ever grew at the same time"
    );
    assert_eq!(crop.reap().unwrap(), 60);
}

/// Issue 24, WRONG row "a crop result +1000 with the SHA-256 recomputed": the sum in batch 2's
/// file is raised by 1000 and the plain checksum an unkeyed format would check is written
/// again. The HMAC under the user's key refuses it: `check` finds it, the batch is grown
/// again, and the reap is right (today `check` found nothing and the reap was 1000 too high).
#[test]
fn a_forged_result_with_a_recomputed_sha256_is_found() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let crop = Crop::new("forged-sum", dir.path(), Range::new(100).sum()).unwrap();
    crop.sow(Batches::Count(2)).unwrap();
    crop.grow_missing().unwrap();
    let f = result_file(crop.path(), 2);
    let bytes = std::fs::read(&f).unwrap();
    let magic = b"haydi crop batch\n";
    assert!(bytes.starts_with(magic));
    let mut body = bytes[magic.len() + 32..].to_vec();
    // Batch 2 sums 50..100 = 3725: bincode's zigzag varint of 3725 and of 4725.
    let (from, to) = ([251u8, 0x1a, 0x1d], [251u8, 0xea, 0x24]);
    let at: Vec<usize> = (0..body.len() - 2)
        .filter(|&i| body[i..i + 3] == from)
        .collect();
    assert_eq!(at.len(), 1, "the sum appears once in the result");
    body[at[0]..at[0] + 3].copy_from_slice(&to);
    let mut forged = magic.to_vec();
    forged.extend_from_slice(&Sha256::digest(&body));
    forged.extend_from_slice(&body);
    std::fs::write(&f, &forged).unwrap();
    assert_eq!(crop.missing().unwrap(), vec![2]);
    let found = crop.check().unwrap();
    assert_eq!(found.bad.len(), 1, "{found}");
    assert!(found.bad[0].1.contains("MAC does not match"), "{found}");
    crop.grow_missing().unwrap();
    assert_eq!(crop.reap().unwrap(), 4950);
}
