//! `haydi trace FILE`: the summary of a real run's chunk trace, as text and JSON, and a clear
//! error for a file that is not a chunk trace.

use crate::support;

use haydi_core::prelude::*;
use haydi_domains::Range;

fn haydi(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    support::haydi_tool(args, &[])
}

#[test]
fn summarizes_a_real_trace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.json");
    let ctx = ThreadContext::new(2).unwrap();
    let n = 200_000u64;
    let sum = Range::new(n as i64)
        .map(|x| (0..50).fold(x, |a, i| a ^ (a >> 3).wrapping_add(i)) % 3)
        .sum()
        .run_in_with(&ctx, &RunOptions::new().chunk_trace(&path))
        .unwrap();
    assert!(sum.value <= 2 * n as i64);
    let (code, out, err) = haydi(&["--json".as_ref(), "trace".as_ref(), path.as_os_str()]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let workers = doc["workers"].as_array().unwrap();
    let items: u64 = workers.iter().map(|w| w["items"].as_u64().unwrap()).sum();
    assert_eq!(items, n, "every item in exactly one chunk: {out}");
    let balance = doc["balance"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&balance), "{out}");
    assert!(doc["span_s"].as_f64().unwrap() > 0.0);
    let (code, text, _) = haydi(&["trace".as_ref(), path.as_os_str()]);
    assert_eq!(code, 0);
    assert!(
        text.contains("balance") && text.contains("idle tail"),
        "{text}"
    );
}

#[test]
fn a_file_that_is_not_a_trace_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("not-a-trace.json");
    std::fs::write(&path, "{\"traceEvents\": 3}").unwrap();
    let (code, _, err) = haydi(&["trace".as_ref(), path.as_os_str()]);
    assert_eq!(code, 1);
    assert!(err.contains("not a haydi chunk trace"), "{err}");
    let (code, _, err) = haydi(&["trace".as_ref(), dir.path().join("missing").as_os_str()]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot read the trace"), "{err}");
}
