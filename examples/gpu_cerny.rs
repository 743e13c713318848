//! The Černý conjecture on a GPU: every labelled deterministic automaton with `n` states over
//! two letters, the length of its shortest reset (synchronizing) word computed on the device.
//!
//! The automata are the `n^(2n)` maps `(state, letter) -> state`, an index space of `2n`
//! mixed-radix digits (digit `2s + l` is the target of state `s` under letter `l`; haydi's
//! `Mappings` numbers them in the same order). A kernel decodes the digits with the WGSL
//! prelude's `space_digits` and runs a breadth-first search over subsets of states (bit masks)
//! from the set of all states to the first singleton; its value is the length of that word plus
//! one (0: the automaton does not synchronize). One `counts_by` pass gives the number of
//! synchronizing automata and the longest shortest reset word. The kernel's CPU closure is the
//! same search in Rust.
//!
//! ```text
//! cargo run --release --features gpu --example gpu_cerny -- N [--mode M] [--threads T] [--check]
//! ```
//! - `--mode device` (default): an `AcceleratorContext` with no CPU thread (the devices alone);
//!   `hybrid`: the devices and `T` CPU threads (default: all cores); `cpu`: a `ThreadContext`
//!   of `T` threads running the CPU closure; `serial`: `run(false)`.
//! - `--check`: also runs the CPU closure serially and fails unless both agree.
//!
//! It prints `n=<n> automata=<n^(2n)> synchronizing=<count> max_reset=<len> extreme=<k>` (`k`:
//! how many automata have the longest word), then `mode=... seconds=... rate=...`. The
//! conjecture says the longest is `(n-1)^2`: 16 for n = 5 (as `examples/cerny.rs` finds over
//! isomorphism classes), 25 for n = 6 (2.2e9 automata: a GPU benchmark, far too slow on a
//! software device).

use haydi::gpu::{AcceleratorContext, Kernel, KernelSpace};
use haydi::prelude::*;
use std::time::Instant;

/// The largest `n`: subsets are bit masks of at most 64 (two `u32` words on the device).
const MAX_N: u32 = 6;

/// The search on the CPU: `1 + ` the length of a shortest reset word, or 0.
fn reset_value(digits: &[u32], n: u32) -> u32 {
    let full: u64 = (1u64 << n) - 1;
    let image = |set: u64, letter: usize| -> u64 {
        let mut out = 0u64;
        for s in 0..n as usize {
            if set >> s & 1 == 1 {
                out |= 1 << digits[2 * s + letter];
            }
        }
        out
    };
    if full.count_ones() == 1 {
        return 1;
    }
    let mut seen: u64 = 1 << full;
    let mut frontier = vec![full];
    let mut depth = 0;
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for &set in &frontier {
            for letter in 0..2 {
                let t = image(set, letter);
                if t.count_ones() == 1 {
                    return depth + 2;
                }
                if seen >> t & 1 == 0 {
                    seen |= 1 << t;
                    next.push(t);
                }
            }
        }
        frontier = next;
        depth += 1;
    }
    0
}

/// The same search in WGSL (the levels as bit masks of subsets rather than lists).
fn wgsl(n: u32) -> String {
    format!(
        r#"
const N: u32 = {n}u;
const FULL: u32 = {full}u;

fn seen_bit(seen: vec2<u32>, t: u32) -> bool {{
    if (t < 32u) {{ return ((seen.x >> t) & 1u) == 1u; }}
    return ((seen.y >> (t - 32u)) & 1u) == 1u;
}}

fn with_bit(seen: vec2<u32>, t: u32) -> vec2<u32> {{
    if (t < 32u) {{ return vec2<u32>(seen.x | (1u << t), seen.y); }}
    return vec2<u32>(seen.x, seen.y | (1u << (t - 32u)));
}}

fn kernel(i: U64) -> u32 {{
    var d = space_digits(i);
    if (N == 1u) {{ return 1u; }}
    // Sets of subsets as 64-bit masks (two words): no arrays, so everything stays in registers.
    var seen = with_bit(vec2<u32>(0u, 0u), FULL);
    var frontier = seen;
    var depth = 0u;
    while (frontier.x != 0u || frontier.y != 0u) {{
        var next = vec2<u32>(0u, 0u);
        for (var w = 0u; w < 2u; w = w + 1u) {{
            var bits = frontier[w];
            while (bits != 0u) {{
                let cur = firstTrailingBit(bits) + 32u * w;
                bits = bits & (bits - 1u);
                for (var letter = 0u; letter < 2u; letter = letter + 1u) {{
                    var t = 0u;
                    for (var s = 0u; s < N; s = s + 1u) {{
                        t = t | select(0u, 1u << d[2u * s + letter], ((cur >> s) & 1u) == 1u);
                    }}
                    if (countOneBits(t) == 1u) {{ return depth + 2u; }}
                    if (!seen_bit(seen, t)) {{
                        seen = with_bit(seen, t);
                        next = with_bit(next, t);
                    }}
                }}
            }}
        }}
        frontier = next;
        depth = depth + 1u;
    }}
    return 0u;
}}
"#,
        full = (1u32 << n) - 1,
    )
}

fn arg<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    args.iter()
        .position(|a| a == name)
        .and_then(|p| args.get(p + 1))
        .and_then(|v| v.parse().ok())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: u32 = args.first().and_then(|a| a.parse().ok()).unwrap_or(4);
    if n == 0 || n > MAX_N {
        return Err(Error::InvalidArgument(format!(
            "n must be 1..={MAX_N}, not {n}"
        )));
    }
    let mode: String = arg(&args, "--mode").unwrap_or_else(|| "device".to_string());
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let threads: usize = arg(&args, "--threads").unwrap_or(cores);
    let check = args.iter().any(|a| a == "--check");

    let space = KernelSpace::mappings(2 * n as usize, n)?;
    let digits = space.clone();
    let kernel = Kernel::new("cerny", wgsl(n), move |i| {
        let mut d = [0u32; 2 * MAX_N as usize];
        let d = &mut d[..2 * n as usize];
        digits.digits_into(i, d);
        reset_value(d, n)
    });
    // Values are 0..=2^n (a BFS over 2^n subsets is at most that deep): no key is out of range.
    let job = kernel.over(space.clone()).counts_by((1 << n) + 1);
    let t = Instant::now();
    let (hist, ran_on) = match mode.as_str() {
        "serial" => (job.run(false)?, "serial".to_string()),
        "cpu" => {
            let ctx = ThreadContext::new(threads)?;
            (job.run_in(&ctx)?, ctx.name())
        }
        "device" | "hybrid" => {
            let mut ctx = AcceleratorContext::all()?;
            if mode == "hybrid" {
                ctx = ctx.with_cpu_threads(threads);
            }
            let devices: Vec<String> = ctx
                .devices()
                .iter()
                .map(|d| d.info().name.clone())
                .collect();
            let h = job.run_in(&ctx)?;
            let share = ctx.device_indices() as f64 / space.len().max(1) as f64;
            (
                h,
                format!(
                    "{} [{}] device_share={share:.3}",
                    ctx.name(),
                    devices.join(", ")
                ),
            )
        }
        other => return Err(Error::InvalidArgument(format!("unknown --mode {other}"))),
    };
    let secs = t.elapsed().as_secs_f64();
    let synchronizing: u64 = hist[1..].iter().sum();
    let longest = hist.iter().rposition(|&c| c > 0).unwrap_or(0);
    let max_reset = longest.saturating_sub(1);
    println!(
        "n={n} automata={} synchronizing={synchronizing} max_reset={max_reset} extreme={}",
        space.len(),
        hist[longest]
    );
    println!(
        "mode={mode} on={ran_on} seconds={secs:.3} rate={:.3e}/s",
        space.len() as f64 / secs
    );
    if check {
        let serial = job.run(false)?;
        if serial != hist {
            return Err(Error::Context(format!(
                "the {mode} run and the CPU closure disagree:\n{hist:?}\n{serial:?}"
            )));
        }
        println!("check=ok (CPU closure, serial)");
    }
    Ok(())
}
