//! Checkpointed runs (`RunOptions::checkpoint`): a run cut short (timeout, failure) and run
//! again resumes, runs only what is missing and gives the uninterrupted result; a checkpoint of
//! another job, a corrupt, truncated or linked one is refused with a clear error.

use crate::common::tiny_chunks;
use haydi_core::domain::tests_support::Digits;
use haydi_core::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

fn slow(x: u64) -> u64 {
    std::thread::sleep(Duration::from_micros(100));
    x
}

/// Timed out, then resumed: the serial value, and the second run runs only what the first did
/// not finish (counted by the closure).
#[test]
fn timed_out_run_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sum.ckpt");
    let ctx = tiny_chunks(2);
    let calls = AtomicU64::new(0);
    let job = Digits(20_000)
        .iterate()
        .inspect(|_| {
            calls.fetch_add(1, Ordering::Relaxed);
        })
        .map(slow)
        .filter(|x| x % 3 != 0)
        .collect();
    let opts = RunOptions::new()
        .checkpoint(&path)
        .checkpoint_every(Duration::from_millis(20))
        .timeout(Duration::from_millis(300));
    // One call site for every run of the job (it is part of the checkpoint's fingerprint).
    let go = |opts: &RunOptions| job.run_in_with(&ctx, opts).unwrap();
    let first = go(&opts);
    assert!(!first.complete, "the first run should time out");
    assert_eq!(first.resumed, 0);
    let ran_first = calls.swap(0, Ordering::Relaxed);
    let opts = RunOptions::new().checkpoint(&path);
    let second = go(&opts);
    let oracle: Vec<u64> = (0..20_000).filter(|x| x % 3 != 0).collect();
    assert!(second.complete);
    assert_eq!(second.value, oracle);
    assert_eq!(
        second.resumed, first.processed,
        "all the first run finished is reused"
    );
    let ran_second = calls.load(Ordering::Relaxed) as u128;
    assert_eq!(
        ran_second,
        20_000 - first.processed,
        "only the missing indices run again"
    );
    assert!(ran_first as u128 >= first.processed);
    // A third run: everything from the file, nothing runs.
    calls.store(0, Ordering::Relaxed);
    let third = go(&opts);
    assert_eq!((third.value, third.resumed), (oracle, 20_000));
    assert_eq!(calls.load(Ordering::Relaxed), 0);
}

/// A run that fails (a panic at index 15 000) keeps its finished work; fixed, it resumes.
#[test]
fn failed_run_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("count.ckpt");
    let ctx = tiny_chunks(2);
    let fail = std::sync::atomic::AtomicBool::new(true);
    let job = Digits(20_000)
        .iterate()
        .map(|x| {
            if x == 15_000 && fail.load(Ordering::Relaxed) {
                panic!("not yet");
            }
            x * 2
        })
        .sum();
    let opts = RunOptions::new()
        .checkpoint(&path)
        .checkpoint_every(Duration::from_millis(5));
    let go = || job.run_in_with(&ctx, &opts);
    assert!(go().is_err());
    fail.store(false, Ordering::Relaxed);
    let out = go().unwrap();
    assert_eq!(out.value, (0..20_000u64).map(|x| x * 2).sum::<u64>());
    assert!(out.resumed > 0 && out.resumed < 20_000, "{}", out.resumed);
}

/// A `take` after a filter, resumed: the same first items as an uninterrupted run.
#[test]
fn take_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("take.ckpt");
    let ctx = tiny_chunks(2);
    let job = Digits(50_000)
        .iterate()
        .map(slow)
        .filter(|x| x % 7 == 3)
        .take(2000)
        .collect();
    let cut = RunOptions::new()
        .checkpoint(&path)
        .checkpoint_every(Duration::from_millis(10))
        .timeout(Duration::from_millis(200));
    let go = |opts: &RunOptions| job.run_in_with(&ctx, opts).unwrap();
    let first = go(&cut);
    assert!(!first.complete);
    let out = go(&RunOptions::new().checkpoint(&path));
    let oracle: Vec<u64> = (0..50_000).filter(|x| x % 7 == 3).take(2000).collect();
    assert!(out.complete);
    assert_eq!(out.value, oracle);
}

/// Every context: a checkpoint written by a parallel run resumes on the serial context and the
/// other way round (the file holds index ranges, not threads).
#[test]
fn contexts_share_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.ckpt");
    // One call site for both runs.
    let run = |ctx: &dyn ParallelContext, opts: &RunOptions| {
        Digits(5000)
            .iterate()
            .map(slow)
            .collect()
            .run_in_with(ctx, opts)
            .unwrap()
    };
    let cut = RunOptions::new()
        .checkpoint(&path)
        .timeout(Duration::from_millis(100));
    let first = run(&tiny_chunks(2), &cut);
    assert!(!first.complete);
    let out = run(&SerialContext, &RunOptions::new().checkpoint(&path));
    assert_eq!(out.value, (0..5000).collect::<Vec<u64>>());
    assert_eq!(out.resumed, first.processed);
}

#[test]
fn foreign_corrupt_and_linked_checkpoints_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.ckpt");
    let opts = RunOptions::new().checkpoint(&path);
    // One call site for the runs of this job.
    let again = |n: u64| Digits(n).iterate().count().run_with(true, &opts);
    assert_eq!(again(1000).unwrap().value, 1000);
    // Another job (another pipeline at another call site, another size).
    let e = Digits(999)
        .iterate()
        .sum()
        .run_with(true, &opts)
        .unwrap_err();
    assert!(e.to_string().contains("belongs to another run"), "{e}");
    // The same pipeline type over another index space.
    assert_eq!(again(1000).unwrap().resumed, 1000);
    let e = again(1001).unwrap_err();
    assert!(e.to_string().contains("belongs to another run"), "{e}");
    // Truncated.
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
    let e = again(1000).unwrap_err();
    assert!(
        e.to_string().contains("cannot be trusted") && e.to_string().contains("MAC does not match"),
        "{e}"
    );
    // One byte changed.
    let mut changed = bytes.clone();
    let last = changed.len() - 1;
    changed[last] ^= 1;
    std::fs::write(&path, &changed).unwrap();
    assert!(
        again(1000)
            .unwrap_err()
            .to_string()
            .contains("MAC does not match")
    );
    // Not a checkpoint at all.
    std::fs::write(&path, b"hello").unwrap();
    assert!(
        again(1000)
            .unwrap_err()
            .to_string()
            .contains("no haydi header")
    );
    // A link is not followed.
    #[cfg(unix)]
    {
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, &bytes).unwrap();
        let link = dir.path().join("link.ckpt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = Digits(1000)
            .iterate()
            .count()
            .run_with(true, &RunOptions::new().checkpoint(&link))
            .unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
    }
    // No temporary files left behind.
    let stray: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

#[test]
fn another_identity_is_refused_the_same_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scaled.ckpt");
    // One call site; what the closure captures (k) is invisible to the type and the size.
    let go = |k: u64| {
        let opts = RunOptions::new()
            .checkpoint(&path)
            .checkpoint_identity(format!("k={k}"));
        Digits(2000)
            .iterate()
            .map(move |x| x * k)
            .sum()
            .run_with(true, &opts)
    };
    let oracle = |k: u64| (0..2000u64).map(|x| x * k).sum::<u64>();
    assert_eq!(go(3).unwrap().value, oracle(3));
    let e = go(4).unwrap_err().to_string();
    assert!(
        e.contains("belongs to another run") && e.contains("k=3") && e.contains("k=4"),
        "{e}"
    );
    let again = go(3).unwrap();
    assert_eq!((again.value, again.resumed), (oracle(3), 2000));
}

/// Issue 24, WRONG row "a partial changed by +1000 and its SHA-256 recomputed": the attacker
/// (or a careless script) finds the sum in the file, adds 1000, and writes the plain checksum
/// an unkeyed format would check. The HMAC under the user's key refuses it; today's code
/// resumed it and returned 5950 for 4950.
#[test]
fn a_forged_partial_with_a_recomputed_sha256_is_refused() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sum.ckpt");
    let opts = RunOptions::new().checkpoint(&path);
    let go = || Digits(100).iterate().sum().run_with(true, &opts);
    assert_eq!(go().unwrap().value, 4950);
    let bytes = std::fs::read(&path).unwrap();
    let magic = b"haydi checkpoint\n";
    assert!(bytes.starts_with(magic));
    let mut body = bytes[magic.len() + 32..].to_vec();
    // bincode's varint of 4950 and of 5950: 251, then the u16 in little endian.
    let (from, to) = ([251u8, 0x56, 0x13], [251u8, 0x3e, 0x17]);
    let at: Vec<usize> = (0..body.len() - 2)
        .filter(|&i| body[i..i + 3] == from)
        .collect();
    assert_eq!(at.len(), 1, "the sum appears once in the checkpoint");
    body[at[0]..at[0] + 3].copy_from_slice(&to);
    let mut forged = magic.to_vec();
    forged.extend_from_slice(&Sha256::digest(&body));
    forged.extend_from_slice(&body);
    std::fs::write(&path, &forged).unwrap();
    let e = go().unwrap_err().to_string();
    assert!(
        e.contains("cannot be trusted") && e.contains("MAC does not match"),
        "{e}"
    );
}

/// Issue 24: the domain's own description is part of a checkpoint's identity:
/// `Range::new(10)` and `Range::span(5, 15, 1)` have one type and one size (today one resumed
/// the other's checkpoint: WRONG), and the refusal names the domains.
#[test]
fn another_domain_of_the_same_type_and_size_is_refused() {
    use haydi_domains::Range;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("range.ckpt");
    let opts = RunOptions::new().checkpoint(&path);
    let go = |d: Range| d.iterate().sum().run_with(true, &opts);
    assert_eq!(go(Range::new(10)).unwrap().value, 45);
    let e = go(Range::span(5, 15, 1).unwrap()).unwrap_err().to_string();
    assert!(
        e.contains("its domain differs")
            && e.contains("Range(start 0, step 1, len 10)")
            && e.contains("Range(start 5, step 1, len 10)"),
        "{e}"
    );
    let again = go(Range::new(10)).unwrap();
    assert_eq!((again.value, again.resumed), (45, 10));
}
