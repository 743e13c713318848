//! The WGSL prelude shipped with every kernel, and the compute entry point of each device
//! action around the user's `fn kernel(i: U64) -> u32`.

use crate::action::Op;
use crate::space::KernelSpace;
use std::fmt::Write;

/// Invocations per workgroup of every generated entry point.
pub const WORKGROUP: u32 = 256;

/// The helpers every kernel can use (WGSL has no 64-bit integers):
///
/// - `struct U64 { lo: u32, hi: u32 }`: a 64-bit index; `u64_add32(a, b)`, `u64_lt(a, b)`,
///   `u64_eq(a, b)`.
/// - `u64_divmod(&x, d) -> u32`: divides `x` by `d` (`1 <= d < 65536`) in place and returns the
///   remainder (three 16-bit steps of long division).
/// - For a mixed-radix [`KernelSpace`] (generated per space): `SPACE_DIGITS` (the number of
///   coordinates), `SPACE_RADICES` and `space_digits(i) -> array<u32, SPACE_DIGITS>` (the
///   digits of index `i`, first coordinate first, as [`KernelSpace::digits`] gives them).
///
/// ```
/// assert!(haydi_gpu::WGSL_PRELUDE.contains("fn u64_divmod"));
/// ```
pub const WGSL_PRELUDE: &str = r#"
struct U64 { lo: u32, hi: u32 }

fn u64_add32(a: U64, b: u32) -> U64 {
    let lo = a.lo + b;
    return U64(lo, a.hi + select(0u, 1u, lo < a.lo));
}

fn u64_lt(a: U64, b: U64) -> bool {
    return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

fn u64_eq(a: U64, b: U64) -> bool {
    return a.hi == b.hi && a.lo == b.lo;
}

fn u64_divmod(x: ptr<function, U64>, d: u32) -> u32 {
    let hq = (*x).hi / d;
    var r = (*x).hi % d;
    let a = (r << 16u) | ((*x).lo >> 16u);
    let q1 = a / d;
    r = a % d;
    let b = (r << 16u) | ((*x).lo & 0xffffu);
    let q0 = b / d;
    r = b % d;
    *x = U64((q1 << 16u) | q0, hq);
    return r;
}
"#;

/// The space's constants and digit decoder (nothing for a plain range).
fn space_part(space: &KernelSpace) -> String {
    let r = space.radices();
    if r.is_empty() {
        return String::new();
    }
    let list: Vec<String> = r.iter().map(|x| format!("{}u", x.max(&1))).collect();
    format!(
        r#"
const SPACE_DIGITS: u32 = {n}u;
const SPACE_RADICES = array<u32, {n}>({list});

fn space_digits(i: U64) -> array<u32, {n}> {{
    var x = i;
    var radices = SPACE_RADICES;
    var d: array<u32, {n}>;
    for (var k = {last}i; k >= 0i; k = k - 1i) {{
        d[k] = u64_divmod(&x, radices[k]);
    }}
    return d;
}}
"#,
        n = r.len(),
        list = list.join(", "),
        last = r.len() as i64 - 1,
    )
}

/// The bindings shared by every entry point: the chunk's base index, its length and an
/// auxiliary word (the capacity of the match list), and the output words.
const BINDINGS: &str = r#"
struct HaydiParams { base_lo: u32, base_hi: u32, count: u32, aux: u32 }
@group(0) @binding(0) var<uniform> haydi_params: HaydiParams;
@group(0) @binding(1) var<storage, read_write> haydi_out: array<atomic<u32>>;
"#;

/// The head of every entry point: `local` is the invocation's position in the dispatch, and
/// `haydi_active` whether it holds an index.
fn entry_head() -> String {
    format!(
        r#"
@compute @workgroup_size({WORKGROUP})
fn haydi_main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {{
    let wg = wid.x + wid.y * nwg.x;
    let local = wg * {WORKGROUP}u + lid;
    let haydi_active = local < haydi_params.count;
"#
    )
}

fn entry(op: &Op) -> String {
    let head = entry_head();
    let body = match op {
        Op::Count => r#"
    if (haydi_active) {
        if (kernel(u64_add32(U64(haydi_params.base_lo, haydi_params.base_hi), local)) != 0u) {
            atomicAdd(&haydi_wg[0], 1u);
        }
    }
    workgroupBarrier();
    if (lid == 0u) {
        let c = atomicLoad(&haydi_wg[0]);
        if (c != 0u) { atomicAdd(&haydi_out[0], c); }
    }
}
var<workgroup> haydi_wg: array<atomic<u32>, 1>;
"#
        .to_string(),
        Op::Sum => r#"
    if (haydi_active) {
        let v = kernel(u64_add32(U64(haydi_params.base_lo, haydi_params.base_hi), local));
        let old = atomicAdd(&haydi_wg[0], v);
        if (old + v < old) { atomicAdd(&haydi_wg[1], 1u); }
    }
    workgroupBarrier();
    if (lid == 0u) {
        let lo = atomicLoad(&haydi_wg[0]);
        let hi = atomicLoad(&haydi_wg[1]);
        let old = atomicAdd(&haydi_out[0], lo);
        let carry = select(0u, 1u, old + lo < old);
        atomicAdd(&haydi_out[1], hi + carry);
    }
}
var<workgroup> haydi_wg: array<atomic<u32>, 2>;
"#
        .to_string(),
        Op::Min | Op::Max => {
            let (none_v, better) = if *op == Op::Min {
                ("0xffffffffu", "ov < bv || (ov == bv && oi < bi)")
            } else {
                ("0u", "ov > bv || (ov == bv && oi < bi)")
            };
            format!(
                r#"
    var v = {none_v};
    var i = 0xffffffffu;
    if (haydi_active) {{
        v = kernel(u64_add32(U64(haydi_params.base_lo, haydi_params.base_hi), local));
        i = local;
    }}
    haydi_bv[lid] = v;
    haydi_bi[lid] = i;
    for (var s = {half}u; s > 0u; s = s >> 1u) {{
        workgroupBarrier();
        if (lid < s) {{
            let bv = haydi_bv[lid];
            let bi = haydi_bi[lid];
            let ov = haydi_bv[lid + s];
            let oi = haydi_bi[lid + s];
            if (oi != 0xffffffffu && (bi == 0xffffffffu || {better})) {{
                haydi_bv[lid] = ov;
                haydi_bi[lid] = oi;
            }}
        }}
    }}
    workgroupBarrier();
    if (lid == 0u) {{
        atomicStore(&haydi_out[2u * wg], haydi_bv[0]);
        atomicStore(&haydi_out[2u * wg + 1u], haydi_bi[0]);
    }}
}}
var<workgroup> haydi_bv: array<u32, {WORKGROUP}>;
var<workgroup> haydi_bi: array<u32, {WORKGROUP}>;
"#,
                half = WORKGROUP / 2,
            )
        }
        Op::CountsBy(k) => format!(
            r#"
    if (haydi_active) {{
        let v = kernel(u64_add32(U64(haydi_params.base_lo, haydi_params.base_hi), local));
        atomicAdd(&haydi_wg[min(v, {k}u)], 1u);
    }}
    workgroupBarrier();
    for (var j = lid; j <= {k}u; j = j + {WORKGROUP}u) {{
        let c = atomicLoad(&haydi_wg[j]);
        if (c != 0u) {{ atomicAdd(&haydi_out[j], c); }}
    }}
}}
var<workgroup> haydi_wg: array<atomic<u32>, {n}>;
"#,
            n = k + 1
        ),
        Op::Matches(_) => r#"
    if (haydi_active) {
        if (kernel(u64_add32(U64(haydi_params.base_lo, haydi_params.base_hi), local)) != 0u) {
            let slot = atomicAdd(&haydi_out[0], 1u);
            if (slot < haydi_params.aux) {
                atomicStore(&haydi_out[slot + 1u], local);
            }
        }
    }
}
"#
        .to_string(),
    };
    head + &body
}

/// The whole shader module of `user` (which defines `fn kernel(i: U64) -> u32`) over `space`
/// for `op`: prelude, space helpers, the user's code, bindings and entry point.
pub(crate) fn module(user: &str, space: &KernelSpace, op: &Op) -> String {
    assemble(user, space, &entry(op))
}

/// The probe of `user` over `space` (what [`crate::Kernel::check`] runs): the output buffer
/// arrives holding one index per invocation as two words (low, high), and each invocation
/// replaces the low word with the kernel's value at that index. So arbitrary indices (a seeded
/// sample, not a contiguous chunk) go in one dispatch, through the same two bindings as every
/// action; each invocation touches only its own two words.
pub(crate) fn probe_module(user: &str, space: &KernelSpace) -> String {
    let body = r#"
    if (haydi_active) {
        let at = 2u * local;
        let i = U64(atomicLoad(&haydi_out[at]), atomicLoad(&haydi_out[at + 1u]));
        atomicStore(&haydi_out[at], kernel(i));
    }
}
"#;
    assemble(user, space, &(entry_head() + body))
}

/// Prelude, space helpers, the user's code, bindings and `entry`.
fn assemble(user: &str, space: &KernelSpace, entry: &str) -> String {
    let mut s = String::with_capacity(user.len() + 4096);
    s.push_str(WGSL_PRELUDE);
    s.push_str(&space_part(space));
    let _ = writeln!(s, "\n// ---- kernel ----");
    s.push_str(user);
    s.push('\n');
    s.push_str(BINDINGS);
    s.push_str(entry);
    s
}

/// How many `u32` output words a dispatch of `count` indices needs (`cap`: the match list's
/// capacity).
pub(crate) fn out_words(op: &Op, count: u32, cap: u32) -> usize {
    match op {
        Op::Count | Op::Sum => 2,
        Op::Min | Op::Max => 2 * count.div_ceil(WORKGROUP).max(1) as usize,
        Op::CountsBy(k) => *k as usize + 1,
        Op::Matches(_) => cap as usize + 1,
    }
}
