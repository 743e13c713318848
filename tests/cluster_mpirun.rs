//! Runs `examples/cluster.rs` under Open MPI's `mpirun` with 3 ranks, on the MPI transport with
//! the `mpi` feature and on the TCP one without (skipped, with a notice,
//! when `mpirun` or the example binary is not there; `cargo test` builds the examples). Under
//! `CI=true` a missing `mpirun` or example fails the test instead: `.ci/run` installs Open MPI.

use std::path::PathBuf;
use std::process::Command;

// Hosts as network namespaces (root only; see the module).
#[allow(dead_code)]
#[path = "../contexts/tests/distributed/support/hosts.rs"]
mod hosts;

fn example_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?.parent()?.join("examples");
    let bin = dir.join(format!("cluster{}", std::env::consts::EXE_SUFFIX));
    bin.exists().then_some(bin)
}

/// Skips the test with `why`, or fails it under `CI=true`, where nothing may be skipped.
fn skip(why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}: this test cannot run, and under CI=true it must");
    }
    eprintln!("{why}; skipping");
}

#[test]
fn cluster_example_under_mpirun() {
    if Command::new("mpirun").arg("--version").output().is_err() {
        return skip("mpirun is not installed (Debian: apt-get install openmpi-bin)");
    }
    let Some(bin) = example_binary() else {
        return skip("the cluster example is not built (cargo test builds it)");
    };
    let out = Command::new("mpirun")
        .args(["--allow-run-as-root", "--oversubscribe", "-n", "3"])
        .arg(&bin)
        .arg("200000")
        .output()
        .expect("start mpirun");
    check_output(&out);
}

/// The same example with its 3 ranks on 3 hosts (network namespaces): `mpirun` starts one
/// rank in each through an agent that enters it. With the `mpi` feature the ranks talk MPI
/// (TCP between the hosts); without it haydi's own TCP, the driver listening on its address in
/// the hosts' network (`HAYDI_LISTEN=NET/24`, one setting for every rank) and writing the
/// rendezvous file to a folder every host shares.
#[test]
fn cluster_example_across_hosts() {
    if Command::new("mpirun").arg("--version").output().is_err() {
        return skip("mpirun is not installed (Debian: apt-get install openmpi-bin)");
    }
    let Some(bin) = example_binary() else {
        return skip("the cluster example is not built (cargo test builds it)");
    };
    let h = match hosts::Hosts::new(3) {
        Ok(h) => h,
        Err(why) => return hosts::skip("cluster_example_across_hosts", &why),
    };
    let dir = tempfile::tempdir().expect("a shared folder");
    let mut c = Command::new("mpirun");
    c.args(["--allow-run-as-root", "-n", "3"])
        .args(h.mpirun_args(dir.path()));
    if !cfg!(feature = "mpi") {
        c.args(["-x", "HAYDI_RENDEZVOUS", "-x", "HAYDI_LISTEN"])
            .env("HAYDI_RENDEZVOUS", dir.path().join("rendezvous"))
            .env("HAYDI_LISTEN", h.network());
    }
    let out = c.arg(&bin).arg("200000").output().expect("start mpirun");
    check_output(&out);
}

fn check_output(out: &std::process::Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // With the `mpi` feature the example talks MPI; without it, haydi's TCP runtime under
    // the ranks Open MPI gave.
    let transport = if cfg!(feature = "mpi") {
        "3 processes (MPI)"
    } else {
        "3 processes (open-mpi)"
    };
    assert!(stdout.contains(transport), "{stdout}");
    assert!(stdout.contains("primes below 200000: 17984"), "{stdout}");
    assert!(
        stdout.contains("first twin primes: [3, 5, 11, 17, 29]"),
        "{stdout}"
    );
    assert!(stdout.contains("checksum: 499897499674"), "{stdout}");
}
