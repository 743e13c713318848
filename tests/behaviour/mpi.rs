//! The behaviour suite on the MPI transport: started by `cargo test --features mpi --test
//! behaviour`, this binary runs itself under `mpirun -n 3` and passes when every rank passed
//! every check. Without `mpirun` it prints SKIPPED, and fails under `CI=true`.

use std::process::Command;

// Hosts as network namespaces (root only; see the module).
#[allow(dead_code)]
#[path = "../../contexts/tests/distributed/support/hosts.rs"]
mod hosts;

/// Runs this binary under `mpirun -n 3` (the same arguments: a filter still applies), then
/// with its 3 ranks on 3 hosts (network namespaces; needs root, else skipped, and under
/// `CI=true` failed), and exits with a failure unless every rank reported every check passed.
pub fn run_under_mpirun() {
    run_mpirun(&[], "one machine");
    match hosts::Hosts::new(3) {
        Ok(h) => {
            let dir = tempfile::tempdir().expect("a private folder for the agent");
            run_mpirun(&h.mpirun_args(dir.path()), "3 hosts");
        }
        Err(why) => hosts::skip("behaviour on MPI across hosts", &why),
    }
}

/// One `mpirun -n 3` of this binary with `extra` arguments; exits on failure.
fn run_mpirun(extra: &[String], place: &str) {
    let exe = std::env::current_exe().expect("current exe");
    let out = match Command::new("mpirun")
        .args(["--allow-run-as-root", "--oversubscribe", "-n", "3"])
        .args(extra)
        .arg(&exe)
        .args(std::env::args().skip(1))
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            let why = format!("cannot start mpirun ({e}; Debian: apt-get install openmpi-bin)");
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{why}: under CI=true the MPI behaviour suite must run");
            }
            println!("behaviour on MPI: SKIPPED: {why}");
            return;
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    // Every rank prints its own summary line.
    let clean = stdout
        .lines()
        .filter(|l| l.starts_with("behaviour: ") && l.ends_with(" passed, 0 failed"))
        .count();
    if !out.status.success() || clean != 3 {
        println!(
            "behaviour on MPI ({place}): FAILED ({}; {clean} of 3 ranks passed everything)",
            out.status
        );
        std::process::exit(1);
    }
    println!("behaviour on MPI ({place}): every check passed on all 3 ranks");
}
