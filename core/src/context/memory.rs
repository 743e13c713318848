//! The default result-memory budget of a run (the field `max_result_bytes` of
//! [`super::RunOptions`]): an eighth of the memory this process may really use, which is the
//! smallest of the machine's physical memory, its address-space and data limits
//! (`RLIMIT_AS`, `RLIMIT_DATA`) and its cgroup's memory limit (`memory.max`, or
//! `memory.limit_in_bytes` under cgroup v1). A budget from physical memory alone let a
//! `collect` under `ulimit -v` or in a container abort the process on a failed allocation
//! instead of failing with `Error::ResultTooLarge`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// What [`default_max_result_bytes`] falls back to when no memory size is known: 2 GiB.
///
/// ```
/// assert_eq!(haydi_core::context::FALLBACK_MAX_RESULT_BYTES, 2 * 1024 * 1024 * 1024);
/// ```
pub const FALLBACK_MAX_RESULT_BYTES: u64 = 2 << 30;

/// The result-memory budget of a run whose `max_result_bytes` (in [`super::RunOptions`]) is
/// `None`: one eighth of the smallest of this machine's physical memory (`MemTotal` in
/// `/proc/meminfo`), this process's soft `RLIMIT_AS` and `RLIMIT_DATA` (`/proc/self/limits`)
/// and its cgroup's memory limit (the smallest `memory.max` on the way up from its cgroup,
/// v2, or `memory.limit_in_bytes`, v1); [`FALLBACK_MAX_RESULT_BYTES`] (2 GiB) when none is
/// known. Computed once per process. The other seven eighths are left to the rest of the
/// program, thread stacks, allocator arenas and the copies a growing result makes.
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
        let read = |p: &Path| std::fs::read_to_string(p).ok();
        let limits = memory_limits(&read);
        let budget = limits.smallest().map(|b| (b / 8).max(1));
        tracing::debug!(target: "haydi", ?limits, ?budget, "result budget");
        budget.unwrap_or(FALLBACK_MAX_RESULT_BYTES)
    })
}

/// The memory sizes that bound this process, each `None` when unknown or unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct MemoryLimits {
    physical: Option<u64>,
    address_space: Option<u64>,
    data: Option<u64>,
    cgroup: Option<u64>,
}

impl MemoryLimits {
    fn smallest(&self) -> Option<u64> {
        [self.physical, self.address_space, self.data, self.cgroup]
            .into_iter()
            .flatten()
            .min()
    }
}

/// Reads the limits through `read` (a file's text, `None` when it cannot be read), so that
/// tests can give any system's files.
fn memory_limits(read: &dyn Fn(&Path) -> Option<String>) -> MemoryLimits {
    let limits = read(Path::new("/proc/self/limits"));
    let limit = |name: &str| limits.as_deref().and_then(|t| soft_limit(t, name));
    MemoryLimits {
        physical: read(Path::new("/proc/meminfo")).and_then(|s| mem_total_bytes(&s)),
        address_space: limit("Max address space"),
        data: limit("Max data size"),
        cgroup: cgroup_limit(read),
    }
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

/// The soft limit named `name` in a `/proc/self/limits` text, in bytes (`None`: unlimited).
fn soft_limit(limits: &str, name: &str) -> Option<u64> {
    let line = limits.lines().find(|l| l.starts_with(name))?;
    let soft = line[name.len()..].split_whitespace().next()?;
    soft.parse().ok().filter(|&b| b > 0)
}

/// A cgroup limit file's value: a number of bytes, or none for `max` and for cgroup v1's
/// "unlimited" (a page-rounded `i64::MAX`, anything from 2^62 up).
fn cgroup_value(text: &str) -> Option<u64> {
    let v: u64 = text.trim().parse().ok()?;
    (v > 0 && v < 1 << 62).then_some(v)
}

/// The smallest memory limit of this process's cgroup and its ancestors (v2 `memory.max`, v1
/// `memory.limit_in_bytes`), found through `/proc/self/cgroup` and the cgroup mounts of
/// `/proc/self/mountinfo`.
fn cgroup_limit(read: &dyn Fn(&Path) -> Option<String>) -> Option<u64> {
    let groups = read(Path::new("/proc/self/cgroup"))?;
    let mounts = read(Path::new("/proc/self/mountinfo")).unwrap_or_default();
    let mut best: Option<u64> = None;
    for (controllers, group) in groups.lines().filter_map(|l| {
        let mut f = l.splitn(3, ':');
        let _id = f.next()?;
        Some((f.next()?, f.next()?))
    }) {
        let (v2, file) = if controllers.is_empty() {
            (true, "memory.max")
        } else if controllers.split(',').any(|c| c == "memory") {
            (false, "memory.limit_in_bytes")
        } else {
            continue;
        };
        for (root, mount) in cgroup_mounts(&mounts, v2) {
            // The group's path is relative to the cgroup namespace; a mount may show a subtree.
            let Some(rel) = Path::new(group).strip_prefix(&root).ok() else {
                continue;
            };
            let mut dir = mount.join(rel);
            loop {
                if let Some(v) = read(&dir.join(file)).as_deref().and_then(cgroup_value) {
                    best = Some(best.map_or(v, |b| b.min(v)));
                }
                if dir == mount || !dir.pop() {
                    break;
                }
            }
        }
    }
    best
}

/// The cgroup file systems mounted (v2: `cgroup2`; v1: `cgroup` with the memory controller),
/// as (root of the hierarchy shown, mount point).
fn cgroup_mounts(mountinfo: &str, v2: bool) -> Vec<(PathBuf, PathBuf)> {
    mountinfo
        .lines()
        .filter_map(|l| {
            let (left, right) = l.split_once(" - ")?;
            let f: Vec<&str> = left.split_whitespace().collect();
            let r: Vec<&str> = right.split_whitespace().collect();
            let (root, mount) = (*f.get(3)?, *f.get(4)?);
            let (fstype, options) = (*r.first()?, r.get(2).copied().unwrap_or(""));
            let ok = if v2 {
                fstype == "cgroup2"
            } else {
                fstype == "cgroup" && options.split(',').any(|o| o == "memory")
            };
            ok.then(|| (PathBuf::from(root), PathBuf::from(mount)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn parses_mem_total() {
        let s = "MemFree:  100 kB\nMemTotal:       16303052 kB\nSwap: 0 kB\n";
        assert_eq!(mem_total_bytes(s), Some(16303052 * 1024));
        assert_eq!(mem_total_bytes("MemTotal: 12\n"), Some(12));
        assert_eq!(mem_total_bytes("MemTotal: lots kB\n"), None);
        assert_eq!(mem_total_bytes("MemTotal: 0 kB\n"), None);
        assert_eq!(mem_total_bytes(""), None);
    }

    const LIMITS: &str = "\
Limit                     Soft Limit           Hard Limit           Units
Max data size             unlimited            unlimited            bytes
Max stack size            8388608              unlimited            bytes
Max address space         4294967296           unlimited            bytes
";

    #[test]
    fn parses_soft_limits() {
        assert_eq!(soft_limit(LIMITS, "Max address space"), Some(4 << 30));
        assert_eq!(soft_limit(LIMITS, "Max data size"), None);
        assert_eq!(soft_limit(LIMITS, "Max resident set"), None);
    }

    /// A machine as files: `/proc/...` and cgroup files.
    fn machine(files: &[(&str, &str)]) -> impl Fn(&Path) -> Option<String> {
        let m: HashMap<PathBuf, String> = files
            .iter()
            .map(|(p, t)| (PathBuf::from(p), t.to_string()))
            .collect();
        move |p: &Path| m.get(p).cloned()
    }

    const MEMINFO: &str = "MemTotal: 16777216 kB\n"; // 16 GiB

    #[test]
    fn the_smallest_limit_wins() {
        let read = machine(&[("/proc/meminfo", MEMINFO), ("/proc/self/limits", LIMITS)]);
        let l = memory_limits(&read);
        assert_eq!(l.physical, Some(16 << 30));
        assert_eq!(l.address_space, Some(4 << 30));
        assert_eq!((l.data, l.cgroup), (None, None));
        assert_eq!(l.smallest(), Some(4 << 30));
        assert_eq!(MemoryLimits::default().smallest(), None);
    }

    #[test]
    fn cgroup_v2_limit_is_the_smallest_on_the_way_up() {
        let read = machine(&[
            ("/proc/self/cgroup", "0::/user.slice/job.scope\n"),
            (
                "/proc/self/mountinfo",
                "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n",
            ),
            ("/sys/fs/cgroup/user.slice/job.scope/memory.max", "max\n"),
            ("/sys/fs/cgroup/user.slice/memory.max", "1073741824\n"),
            ("/sys/fs/cgroup/memory.max", "2147483648\n"),
        ]);
        assert_eq!(cgroup_limit(&read), Some(1 << 30));
    }

    #[test]
    fn cgroup_v1_limit_under_a_mounted_subtree() {
        // A container whose memory hierarchy is mounted at its own group; "unlimited" above.
        let read = machine(&[
            ("/proc/self/cgroup", "9:pids:/\n4:memory:/jobs/42\n0::/\n"),
            (
                "/proc/self/mountinfo",
                "40 30 0:35 /jobs /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n\
                 41 30 0:36 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n",
            ),
            (
                "/sys/fs/cgroup/memory/42/memory.limit_in_bytes",
                "536870912\n",
            ),
            (
                "/sys/fs/cgroup/memory/memory.limit_in_bytes",
                "9223372036854771712\n",
            ),
        ]);
        assert_eq!(cgroup_limit(&read), Some(512 << 20));
        assert_eq!(cgroup_value("9223372036854771712"), None);
        assert_eq!(cgroup_value("max"), None);
    }

    #[test]
    fn no_cgroup_files_no_limit() {
        assert_eq!(cgroup_limit(&machine(&[])), None);
        let read = machine(&[("/proc/self/cgroup", "0::/\n")]);
        assert_eq!(cgroup_limit(&read), None);
    }
}
