//! Runs the cookbook examples (`examples/sweep.rs`, `examples/long_run.rs`, `examples/cerny.rs`,
//! `examples/gpu_cerny.rs` with the `gpu` feature,
//! `examples/crop.rs`)
//! and checks their output against oracles computed here, independently of haydi.
//!
//! `cargo test` builds the examples next to the test binaries (`target/<profile>/examples/`);
//! a run restricted to this test (`cargo test --test examples`) does not, so build them first
//! with `cargo build --examples` (the tests fail with that advice when a binary is missing).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target/<profile>/deps")
        .join("examples");
    let bin = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is not built: run `cargo test` (which builds the examples) or `cargo build --examples` first",
        bin.display()
    );
    bin
}

/// Runs example `name` with `args`; its standard output, after checking that it succeeded.
fn run(name: &str, args: &[&str]) -> String {
    let out = Command::new(example(name))
        .args(args)
        .output()
        .expect("start the example");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name} {args:?} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The oracle of the sweep: the multiplicative order of `a` modulo `m` by repeated
/// multiplication from scratch for each `k` (0 when `a^k` is never 1).
fn order_oracle(m: i64, a: i64) -> i64 {
    (1..=m)
        .find(|&k| (0..k).fold(1 % m, |x, _| x * a % m) == 1 % m)
        .unwrap_or(0)
}

fn parse_csv(text: &str) -> Vec<(i64, i64, i64)> {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("m,a,order"), "{text}");
    lines
        .map(|l| {
            let f: Vec<i64> = l
                .split(',')
                .map(|x| x.parse().unwrap_or_else(|e| panic!("{l:?}: {e}")))
                .collect();
            assert_eq!(f.len(), 3, "{l:?}");
            (f[0], f[1], f[2])
        })
        .collect()
}

#[test]
fn sweep_writes_every_parameter_pair_as_csv() {
    let dir = tempfile::tempdir().expect("a private temp dir");
    let path = dir.path().join("sweep.csv");
    let path_arg = path.to_str().expect("a UTF-8 temp path");
    run("sweep", &[path_arg, "30", "25"]);
    let text = std::fs::read_to_string(&path).expect("the CSV file");
    let rows = parse_csv(&text);
    assert_eq!(rows.len(), 29 * 25);
    // The sweep's order: m major, then a.
    let expected: Vec<(i64, i64)> = (2..=30)
        .flat_map(|m| (1..=25).map(move |a| (m, a)))
        .collect();
    let got: Vec<(i64, i64)> = rows.iter().map(|(m, a, _)| (*m, *a)).collect();
    assert_eq!(got, expected);
    for (m, a, k) in &rows {
        assert_eq!(*k, order_oracle(*m, *a), "order of {a} mod {m}");
    }
    let find = |m, a| rows.iter().find(|r| r.0 == m && r.1 == a).unwrap().2;
    assert_eq!(find(7, 3), 6); // 3 is a primitive root mod 7
    assert_eq!(find(7, 2), 3);
    assert_eq!(find(10, 3), 4);
    assert_eq!(find(4, 2), 0);
    assert_eq!(find(23, 5), 22);
    // Without a path (or with `-`) the same CSV goes to standard output.
    assert_eq!(run("sweep", &["-", "30", "25"]), text);
}

#[test]
fn sweep_rejects_bad_arguments_with_an_error() {
    let out = Command::new(example("sweep"))
        .args(["-", "many"])
        .output()
        .expect("start the example");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("many"));
}

/// With the `plot` feature, a fourth argument draws the sweep: two SVG and two PNG files.
#[cfg(feature = "plot")]
#[test]
fn sweep_draws_its_plots() {
    let dir = tempfile::tempdir().expect("a private temp dir");
    let plots = dir.path().to_str().expect("a UTF-8 temp path");
    let csv = run("sweep", &["-", "12", "10", plots]);
    assert_eq!(parse_csv(&csv).len(), 11 * 10);
    for name in ["orders", "order-by-a"] {
        let svg = std::fs::read_to_string(dir.path().join(format!("{name}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{name}"
        );
        assert!(svg.contains("order of a mod m"), "{name}: {svg}");
        let png = std::fs::read(dir.path().join(format!("{name}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{name}.png is a PNG");
    }
    let lines = std::fs::read_to_string(dir.path().join("order-by-a.svg")).unwrap();
    for m in 2..=7 {
        assert!(
            lines.contains(&format!("m = {m}")),
            "the legend names m = {m}"
        );
    }
    assert!(!lines.contains("m = 8"), "only m up to 7 has a line");
}

/// Without the `plot` feature, asking for plots is a clear error, not a silent skip.
#[cfg(not(feature = "plot"))]
#[test]
fn sweep_without_the_plot_feature_says_so() {
    let dir = tempfile::tempdir().expect("a private temp dir");
    let out = Command::new(example("sweep"))
        .args(["-", "5", "5", dir.path().to_str().unwrap()])
        .output()
        .expect("start the example");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--features plot"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `complete=<bool> processed=<n> total=<n> count=<n>`, parsed.
fn parse_outcome(line: &str) -> (bool, u128, u128, u128) {
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|f| f.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in {line:?}"))
    };
    let number = |name: &str| field(name).parse::<u128>().expect(name);
    (
        field("complete").parse().expect("complete"),
        number("processed"),
        number("total"),
        number("count"),
    )
}

fn digit_sum(mut x: u128) -> u128 {
    let mut s = 0;
    while x > 0 {
        s += x % 10;
        x /= 10;
    }
    s
}

#[test]
fn long_run_reports_a_complete_outcome_when_time_suffices() {
    let out = run("long_run", &["600", "200000"]);
    let (complete, processed, total, count) = parse_outcome(out.trim());
    let oracle = (0..200_000u128).filter(|x| digit_sum(*x) % 7 == 0).count() as u128;
    assert!(complete, "{out}");
    assert_eq!(
        (processed, total, count),
        (200_000, 200_000, oracle),
        "{out}"
    );
}

#[test]
fn long_run_reports_a_partial_outcome_when_time_is_up() {
    // 10^12 numbers cannot be examined in a second.
    let out = run("long_run", &["1"]);
    let (complete, processed, total, count) = parse_outcome(out.trim());
    assert!(!complete, "{out}");
    assert_eq!(total, 1_000_000_000_000, "{out}");
    assert!(processed > 0 && processed < total, "{out}");
    assert!(count <= processed, "{out}");
}

/// An automaton with `n` states over 2 letters: `delta[state][letter]`.
type Dfa = Vec<[usize; 2]>;

/// The shortest reset word's length by breadth-first search over subsets (0 if none).
fn reset_oracle(delta: &Dfa) -> u32 {
    let n = delta.len();
    let full: usize = (1 << n) - 1;
    let mut seen = vec![false; 1 << n];
    seen[full] = true;
    let mut level = vec![full];
    let mut len = 0;
    while !level.is_empty() {
        if level.iter().any(|s| s.count_ones() == 1) {
            return len;
        }
        let mut next = Vec::new();
        for &set in &level {
            for letter in [0, 1] {
                let image = (0..n)
                    .filter(|q| set >> q & 1 == 1)
                    .fold(0, |acc, q| acc | 1 << delta[q][letter]);
                if !seen[image] {
                    seen[image] = true;
                    next.push(image);
                }
            }
        }
        level = next;
        len += 1;
    }
    0
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for i in 0..n {
            let mut q = p.clone();
            q.insert(i, n - 1);
            out.push(q);
        }
    }
    out
}

/// The smallest relabelling of `delta` under renaming states and swapping letters.
fn canonical_oracle(delta: &Dfa, perms: &[Vec<usize>]) -> Dfa {
    let n = delta.len();
    let mut best: Option<Dfa> = None;
    for p in perms {
        for swap in [false, true] {
            let mut d = vec![[0; 2]; n];
            for q in 0..n {
                for l in 0..2 {
                    let l2 = if swap { 1 - l } else { l };
                    d[p[q]][l2] = p[delta[q][l]];
                }
            }
            if best.as_ref().is_none_or(|b| d < *b) {
                best = Some(d);
            }
        }
    }
    best.expect("at least one relabelling")
}

/// Every automaton with `n` states up to isomorphism, with its reset length.
fn classes_oracle(n: usize) -> Vec<(Dfa, u32)> {
    let perms = permutations(n);
    let mut classes = BTreeSet::new();
    for code in 0..n.pow(2 * n as u32) {
        let mut c = code;
        let mut delta = vec![[0; 2]; n];
        for row in delta.iter_mut() {
            for t in row.iter_mut() {
                *t = c % n;
                c /= n;
            }
        }
        classes.insert(canonical_oracle(&delta, &perms));
    }
    classes
        .into_iter()
        .map(|d| {
            let r = reset_oracle(&d);
            (d, r)
        })
        .collect()
}

/// An automaton printed as `{(q0, a0): q1, (q0, a1): q0, ...}`, parsed.
fn parse_automaton(text: &str, n: usize) -> Dfa {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == 'q' || chars[i] == 'a' {
            let kind = chars[i];
            let digits: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            assert!(!digits.is_empty(), "{text:?}");
            tokens.push((kind, digits.parse::<usize>().unwrap()));
            i += 1 + digits.len();
        } else {
            assert!(" {}(),:".contains(chars[i]), "{text:?}");
            i += 1;
        }
    }
    assert_eq!(tokens.len(), 3 * 2 * n, "{text:?}");
    let mut delta = vec![[usize::MAX; 2]; n];
    for t in tokens.chunks(3) {
        let [(ks, s), (kl, l), (kt, target)] = [t[0], t[1], t[2]];
        assert_eq!((ks, kl, kt), ('q', 'a', 'q'), "{text:?}");
        assert!(s < n && l < 2 && target < n, "{text:?}");
        delta[s][l] = target;
    }
    assert!(delta.iter().flatten().all(|t| *t < n), "{text:?}");
    delta
}

#[test]
fn cerny_prints_the_automata_with_the_longest_reset_words() {
    let out = run("cerny", &["4"]);
    let lines: Vec<&str> = out.lines().collect();
    let mut i = 0;
    for n in 1..=4usize {
        let header = lines
            .get(i)
            .unwrap_or_else(|| panic!("no line for n={n}:\n{out}"));
        let field = |name: &str| -> usize {
            header
                .split_whitespace()
                .find_map(|f| f.strip_prefix(&format!("{name}=")))
                .unwrap_or_else(|| panic!("{name} in {header:?}"))
                .parse()
                .unwrap()
        };
        assert_eq!(field("n"), n, "{out}");
        let classes = classes_oracle(n);
        let longest = classes.iter().map(|c| c.1).max().unwrap();
        let extremes: BTreeSet<Dfa> = classes
            .iter()
            .filter(|c| c.1 == longest)
            .map(|c| c.0.clone())
            .collect();
        assert_eq!(field("automata"), classes.len(), "{out}");
        assert_eq!(field("max_reset") as u32, longest, "{out}");
        assert_eq!(
            longest as usize,
            (n - 1) * (n - 1),
            "Černý's bound is reached"
        );
        assert_eq!(field("extreme"), extremes.len(), "{out}");
        let perms = permutations(n);
        let printed: BTreeSet<Dfa> = lines[i + 1..=i + extremes.len()]
            .iter()
            .map(|l| {
                assert!(l.starts_with("  {(q0, a0): q"), "{l:?}");
                let d = parse_automaton(l, n);
                assert_eq!(reset_oracle(&d), longest, "{l}");
                canonical_oracle(&d, &perms)
            })
            .collect();
        assert_eq!(printed, extremes, "the extreme automata of n={n}");
        i += 1 + extremes.len();
    }
    assert_eq!(i, lines.len(), "{out}");
}

/// The `n=<n> graphs=<count>` lines of `examples/graphs.rs`, as counts by n.
fn graph_counts(out: &str) -> Vec<u64> {
    out.lines()
        .map(|l| {
            let count = l
                .split_whitespace()
                .find_map(|f| f.strip_prefix("graphs="))
                .unwrap_or_else(|| panic!("no count in {l:?}"));
            count.parse().unwrap()
        })
        .collect()
}

#[test]
fn graphs_example_counts_graphs_and_classes() {
    // OEIS A000088 (all graphs), A001349 (connected), A006785 (triangle-free)
    let all = graph_counts(&run("graphs", &["7", "parallel"]));
    assert_eq!(all, [1, 2, 4, 11, 34, 156, 1044]);
    let connected = graph_counts(&run("graphs", &["7", "serial", "--geng", "-c"]));
    assert_eq!(connected, [1, 1, 2, 6, 21, 112, 853]);
    let tf = graph_counts(&run("graphs", &["8", "parallel", "--geng", "-t"]));
    assert_eq!(tf, [1, 2, 3, 7, 14, 38, 107, 410]);
    let bad = Command::new(example("graphs"))
        .args(["5", "serial", "--geng", "-T"])
        .output()
        .expect("start the example");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown switch -T"));
}

#[test]
fn cerny_census_resumes_from_its_checkpoint() {
    let dir = tempfile::tempdir().expect("a private temp dir");
    let ckpt = dir.path().join("c6.ckpt");
    let ckpt = ckpt.to_str().unwrap();
    // stopped early on purpose, then resumed from the checkpoint
    let first = run("cerny", &["census", "6", ckpt, "--timeout", "0.3"]);
    let resumed = run("cerny", &["census", "6", ckpt]);
    let fresh = run(
        "cerny",
        &[
            "census",
            "6",
            dir.path().join("other.ckpt").to_str().unwrap(),
        ],
    );
    let body = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| !l.starts_with("resumed="))
            .map(String::from)
            .collect()
    };
    assert_eq!(body(&resumed), body(&fresh), "{first}");
    // Burnside's lemma, the distribution adds up, and Černý's bound is reached
    assert!(
        fresh.starts_with("n=6 automata=1540696 burnside=1540696 (equal)"),
        "{fresh}"
    );
    let total: u64 = fresh
        .lines()
        .filter_map(|l| l.strip_prefix("reset="))
        .map(|l| l.split("automata=").nth(1).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, 1_540_696);
    assert!(fresh.contains("max_reset=25 extreme=2"), "{fresh}");
    // what the first run finished, the second took from the checkpoint
    let done: u64 = match first.strip_prefix("incomplete: ") {
        Some(rest) => rest.split_whitespace().next().unwrap().parse().unwrap(),
        None => first
            .lines()
            .last()
            .and_then(|l| l.strip_prefix("resumed=0 of "))
            .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
            .expect("a complete first run resumed nothing"),
    };
    let resumed_line = resumed.lines().last().unwrap();
    assert!(
        resumed_line.starts_with(&format!("resumed={done} of ")),
        "{first}\n{resumed}"
    );
}

/// `examples/pool.rs` on worker processes (its default, spawn:2) and on threads: the gathered
/// `|A v_t|^2` equal a plain computation here, and the parts follow `ceil(k / workers)`.
#[test]
fn pool_example() {
    let (n, k) = (120usize, 7usize);
    let oracle: Vec<f64> = (0..k)
        .map(|t| {
            (0..n)
                .map(|i| {
                    (0..n)
                        .map(|j| (((31 * i + 17 * j) % 13) as f64 - 6.0) * ((t + j) % 7) as f64)
                        .sum::<f64>()
                })
                .map(|y| y * y)
                .sum()
        })
        .collect();
    for (ctx, workers, parts) in [("spawn:2", 2, "[4, 3]"), ("threads:3", 3, "[3, 3, 1]")] {
        let out = run(
            "pool",
            &[
                "--n",
                &n.to_string(),
                "--k",
                &k.to_string(),
                "--context",
                ctx,
            ],
        );
        let mut lines = out.lines();
        assert_eq!(
            lines.next(),
            Some(format!("workers {workers}").as_str()),
            "{out}"
        );
        assert_eq!(
            lines.next(),
            Some(format!("parts {parts}").as_str()),
            "{out}"
        );
        let got: Vec<f64> = lines
            .map(|l| {
                let (t, x) = l.split_once(' ').expect("t value");
                assert!(t.parse::<usize>().is_ok(), "{l}");
                x.parse().expect("a number")
            })
            .collect();
        assert_eq!(got, oracle, "{ctx}");
    }
}

#[test]
fn crop_sows_grows_and_reaps_the_coprime_pairs() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().to_str().expect("a UTF-8 temp path");
    let out = run("crop", &[path, "120"]);
    let gcd = |mut a: i64, mut b: i64| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    let oracle = (1..=120i64)
        .flat_map(|a| (1..=120i64).map(move |b| (a, b)))
        .filter(|&(a, b)| gcd(a, b) == 1)
        .count();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "sown 8 batches", "{out}");
    assert_eq!(lines[1], "batch 1: grown", "{out}");
    assert_eq!(lines[2], "batch 2: grown", "{out}");
    assert!(
        lines[3].starts_with("status: 2 / 8 batches completed"),
        "{out}"
    );
    assert_eq!(lines[4], "missing: [3, 4, 5, 6, 7, 8]", "{out}");
    assert_eq!(lines[5], "grow_missing grew 6 batches", "{out}");
    assert!(
        lines[6].starts_with("status: 8 / 8 batches completed"),
        "{out}"
    );
    assert_eq!(lines[7], "check: 8 results checked, 0 bad", "{out}");
    assert_eq!(
        lines[8],
        format!("coprime pairs up to 120: {oracle}"),
        "{out}"
    );
    assert!(
        !dir.path().join("coprime").exists(),
        "the crop was not cleaned"
    );
    // The Slurm script of the same crop, and one array task growing its batch.
    let script = run("crop", &[path, "120", "script"]);
    assert!(script.contains("#SBATCH --array=1-8\n"), "{script}");
    let task = Command::new(example("crop"))
        .args([path, "120"])
        .env("SLURM_ARRAY_TASK_ID", "5")
        .output()
        .expect("start the example");
    assert!(task.status.success());
    assert_eq!(String::from_utf8_lossy(&task.stdout), "batch 5: grown\n");
}

/// `gpu_cerny N` with its output checked, or `None` (skipped with a printed reason) when this
/// machine has no accelerator, which under `CI=true` fails instead.
#[cfg(feature = "gpu")]
fn gpu_cerny(args: &[&str]) -> Option<String> {
    let out = Command::new(example("gpu_cerny"))
        .args(args)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .expect("start gpu_cerny");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() && stderr.contains("no accelerator") {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI=true and gpu_cerny found no accelerator: {stderr}"
        );
        eprintln!("SKIPPED gpu_cerny {args:?}: {stderr}");
        return None;
    }
    assert!(
        out.status.success(),
        "gpu_cerny {args:?} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    Some(stdout)
}

#[cfg(feature = "gpu")]
fn field_of(line: &str, name: &str) -> u64 {
    line.split_whitespace()
        .find_map(|f| f.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("{name} in {line:?}"))
        .parse()
        .unwrap()
}

/// Brute force for `gpu_cerny`: every automaton (digits by repeated division), synchronizing
/// when every pair of states can be merged (a search over pairs), and its shortest reset word
/// by trying every word of length 0, 1, 2, ... Returns (synchronizing, longest, how many).
#[cfg(feature = "gpu")]
fn cerny_brute_force(n: usize) -> (u64, usize, u64) {
    let total = n.pow(2 * n as u32);
    let (mut sync, mut longest, mut extreme) = (0u64, 0usize, 0u64);
    for index in 0..total {
        let mut x = index;
        let mut d = vec![0usize; 2 * n];
        for k in (0..2 * n).rev() {
            d[k] = x % n;
            x /= n;
        }
        let step = |s: usize, l: usize| d[2 * s + l];
        // Pairs that can be merged: a fixed point of "some letter maps the pair to a merged one".
        let mut mergeable = vec![vec![false; n]; n];
        for (s, row) in mergeable.iter_mut().enumerate() {
            row[s] = true;
        }
        loop {
            let mut changed = false;
            for p in 0..n {
                for q in 0..n {
                    if !mergeable[p][q] && (0..2).any(|l| mergeable[step(p, l)][step(q, l)]) {
                        mergeable[p][q] = true;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        if !mergeable.iter().all(|row| row.iter().all(|&m| m)) {
            continue;
        }
        sync += 1;
        let len = (0..)
            .find(|&len: &usize| {
                (0..1usize << len).any(|word| {
                    let mut states: Vec<usize> = (0..n).collect();
                    for b in 0..len {
                        for s in states.iter_mut() {
                            *s = step(*s, word >> b & 1);
                        }
                    }
                    states.iter().all(|&s| s == states[0])
                })
            })
            .unwrap();
        match len.cmp(&longest) {
            std::cmp::Ordering::Greater => (longest, extreme) = (len, 1),
            std::cmp::Ordering::Equal => extreme += 1,
            std::cmp::Ordering::Less => {}
        }
    }
    (sync, longest, extreme)
}

#[cfg(feature = "gpu")]
#[test]
fn gpu_cerny_agrees_with_the_cpu_closure_and_brute_force() {
    for n in 1..=4usize {
        let Some(out) = gpu_cerny(&[&n.to_string(), "--check"]) else {
            return;
        };
        let line = out.lines().next().unwrap();
        assert_eq!(
            field_of(line, "automata"),
            (n as u64).pow(2 * n as u32),
            "{out}"
        );
        let (sync, longest, extreme) = cerny_brute_force(n);
        assert_eq!(field_of(line, "synchronizing"), sync, "{out}");
        assert_eq!(field_of(line, "max_reset") as usize, longest, "{out}");
        assert_eq!(field_of(line, "extreme"), extreme, "{out}");
        assert_eq!(longest, (n - 1) * (n - 1));
        assert!(out.contains("check=ok"), "{out}");
    }
    // Hybrid: the device and two CPU threads.
    let out = gpu_cerny(&["4", "--mode", "hybrid", "--threads", "2", "--check"]).unwrap();
    assert!(
        out.contains("max_reset=9") && out.contains("check=ok"),
        "{out}"
    );
}

/// n = 5 on the device (about 3 s on lavapipe): the longest shortest reset word is 16, as
/// `examples/cerny.rs` finds over the isomorphism classes (its own test checks n <= 4).
#[cfg(feature = "gpu")]
#[test]
fn gpu_cerny_five_states_has_longest_reset_word_sixteen() {
    let Some(out) = gpu_cerny(&["5"]) else {
        return;
    };
    let line = out.lines().next().unwrap();
    assert_eq!(field_of(line, "automata"), 9_765_625, "{out}");
    assert_eq!(field_of(line, "max_reset"), 16, "{out}");
}
