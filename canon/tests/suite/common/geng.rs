//! nauty's `geng` as a test oracle: the number of graphs it generates for some switches.
//! Without `geng` the tests that need it print that they are skipped; under `CI=true` they
//! fail (CI installs Debian's `nauty`, whose binary is `nauty-geng`).

use std::process::Command;

/// The geng binary on this machine: Debian's `nauty-geng`, or upstream's `geng`.
pub fn binary() -> Option<&'static str> {
    ["nauty-geng", "geng"].into_iter().find(|b| {
        Command::new(b)
            .arg("-help")
            .output()
            .is_ok_and(|o| !o.stderr.is_empty() || !o.stdout.is_empty())
    })
}

/// The geng binary, or `None` after printing that `test` is skipped; under `CI=true` a missing
/// geng panics (the test fails).
pub fn required(test: &str) -> Option<&'static str> {
    let found = binary();
    if found.is_none() {
        let why = format!("{test}: nauty's geng is not installed (Debian: apt-get install nauty)");
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{why}; under CI=true this test must run");
        }
        eprintln!("SKIPPED {why}");
    }
    found
}

/// `geng -u ARGS`: the number of graphs it reports on its `>Z` line, or `None` when it refuses
/// the arguments (`>E ... impossible ...`: geng rejects classes it knows to be empty, such as
/// minimum degree 2 on 2 vertices).
pub fn count(bin: &str, args: &[&str]) -> Option<u64> {
    let out = Command::new(bin)
        .arg("-u")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running {bin}: {e}"));
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        assert!(
            err.contains(">E"),
            "{bin} -u {args:?} failed without an error line: {err}"
        );
        return None;
    }
    let line = err
        .lines()
        .find(|l| l.starts_with(">Z"))
        .unwrap_or_else(|| panic!("{bin} -u {args:?}: no >Z line in {err}"));
    Some(
        line.split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("{bin}: cannot read the count of {line}")),
    )
}
