//! The default result-memory budget of a run (the field `max_result_bytes` of
//! [`super::RunOptions`]).

use std::sync::OnceLock;

/// What [`default_max_result_bytes`] falls back to when the machine's memory is unknown: 2 GiB.
///
/// ```
/// assert_eq!(haydi_core::context::FALLBACK_MAX_RESULT_BYTES, 2 * 1024 * 1024 * 1024);
/// ```
pub const FALLBACK_MAX_RESULT_BYTES: u64 = 2 << 30;

/// The result-memory budget of a run whose `max_result_bytes` (in [`super::RunOptions`]) is
/// `None`: one eighth of this machine's physical memory (`MemTotal` in `/proc/meminfo`), or
/// [`FALLBACK_MAX_RESULT_BYTES`] (2 GiB) where that cannot be read. Computed once per process.
///
/// ```
/// use haydi_core::context::default_max_result_bytes;
/// let budget = default_max_result_bytes();
/// assert!(budget > 0);
/// assert_eq!(budget, default_max_result_bytes());
/// ```
pub fn default_max_result_bytes() -> u64 {
    static BUDGET: OnceLock<u64> = OnceLock::new();
    *BUDGET.get_or_init(|| {
        std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|s| mem_total_bytes(&s))
            .map_or(FALLBACK_MAX_RESULT_BYTES, |total| (total / 8).max(1))
    })
}

/// `MemTotal` of a `/proc/meminfo` text, in bytes.
fn mem_total_bytes(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut words = line["MemTotal:".len()..].split_whitespace();
    let n: u64 = words.next()?.parse().ok()?;
    let unit = match words.next() {
        None => 1,
        Some(u) if u.eq_ignore_ascii_case("kb") => 1024,
        Some(u) if u.eq_ignore_ascii_case("mb") => 1 << 20,
        Some(u) if u.eq_ignore_ascii_case("gb") => 1 << 30,
        Some(_) => return None,
    };
    n.checked_mul(unit).filter(|&b| b > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_mem_total() {
        let s = "MemFree:  100 kB\nMemTotal:       16303052 kB\nSwap: 0 kB\n";
        assert_eq!(mem_total_bytes(s), Some(16303052 * 1024));
        assert_eq!(mem_total_bytes("MemTotal: 12\n"), Some(12));
        assert_eq!(mem_total_bytes("MemTotal: lots kB\n"), None);
        assert_eq!(mem_total_bytes("MemTotal: 0 kB\n"), None);
        assert_eq!(mem_total_bytes(""), None);
    }
}
