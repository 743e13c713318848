//! Checking a kernel's two forms against each other: the device's values (its WGSL) and the
//! CPU closure's, at both ends of the space and a seeded sample of indices between them.
//!
//! A kernel whose WGSL and CPU closure mean different things gives a different result on every
//! context (the serial run is the closure's, a device run the WGSL's, a hybrid run a mix that
//! depends on who ran which chunk), and nothing else notices. So a device checks a kernel before
//! its first run over a space: [`crate::AcceleratorContext`] always, on
//! [`CONTEXT_CHECK_SAMPLES`] indices; in debug builds every device run
//! ([`crate::KernelJob::run_on`] too) on [`DEBUG_CHECK_SAMPLES`]. A sample proves nothing about
//! the indices it misses: a kernel that disagrees at one index in a million passes it.

use crate::device::{Accelerator, DeviceFailure, iter_accelerators};
use crate::kernel::Kernel;
use crate::space::KernelSpace;
use haydi_core::plumbing::Unpoisoned;
use haydi_core::{Error, Result};
use std::collections::HashSet;

/// The seed of every check's sample (fixed, so a check is the same on every run and machine).
///
/// ```
/// assert_eq!(haydi_gpu::CHECK_SEED, 0x6861_7964_695f_6770);
/// ```
pub const CHECK_SEED: u64 = 0x6861_7964_695f_6770;

/// The seeded indices checked before a kernel's first run over a space on a device in debug
/// builds (besides both ends of the space).
///
/// ```
/// assert!(haydi_gpu::DEBUG_CHECK_SAMPLES >= haydi_gpu::CONTEXT_CHECK_SAMPLES);
/// ```
pub const DEBUG_CHECK_SAMPLES: usize = 1024;

/// The seeded indices an [`crate::AcceleratorContext`] checks before a kernel's first run over
/// a space on each of its devices, in every build (besides both ends of the space; see
/// [`crate::AcceleratorContext::with_check_samples`]).
///
/// ```
/// assert_eq!(haydi_gpu::CONTEXT_CHECK_SAMPLES, 64);
/// ```
pub const CONTEXT_CHECK_SAMPLES: usize = 64;

/// What a passed check compared.
///
/// ```no_run
/// use haydi_gpu::{Kernel, KernelSpace};
/// let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return i.lo % 3u; }", |i| (i % 3) as u32);
/// let report = k.check(&KernelSpace::range(1000), 16)?;
/// assert_eq!(report.indices, haydi_gpu::check_sample(&KernelSpace::range(1000), 16));
/// println!("checked on {:?}", report.devices);
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelCheck {
    /// The indices compared, in increasing order ([`check_sample`]).
    pub indices: Vec<u64>,
    /// The names of the devices they were compared on (empty when there is none).
    pub devices: Vec<String>,
}

/// The indices a check compares: the first and the last index of `space` and `samples` more,
/// distinct, drawn uniformly from [`CHECK_SEED`] (splitmix64), in increasing order. A space of
/// at most `2 * (samples + 2)` indices is checked whole; an empty one has none.
///
/// ```
/// use haydi_gpu::{check_sample, KernelSpace};
/// let s = KernelSpace::span(1 << 32, (1 << 32) + 1_000_000);
/// let a = check_sample(&s, 10);
/// assert_eq!(a.len(), 12);
/// assert_eq!((a[0], a[11]), (1 << 32, (1 << 32) + 999_999));
/// assert_eq!(a, check_sample(&s, 10)); // seeded: the same every time
/// assert_eq!(check_sample(&KernelSpace::range(5), 10), vec![0, 1, 2, 3, 4]);
/// ```
pub fn check_sample(space: &KernelSpace, samples: usize) -> Vec<u64> {
    let (start, len) = (space.start(), space.len());
    let want = samples.saturating_add(2);
    if len <= (want as u64).saturating_mul(2) {
        return (start..start + len).collect();
    }
    let mut picked: HashSet<u64> = HashSet::with_capacity(want);
    picked.insert(start);
    picked.insert(start + len - 1);
    let mut state = CHECK_SEED;
    while picked.len() < want {
        let r = splitmix64(&mut state);
        // Lemire's multiply-shift: uniform enough for a sample, no division.
        picked.insert(start + ((u128::from(r) * u128::from(len)) >> 64) as u64);
    }
    let mut out: Vec<u64> = picked.into_iter().collect();
    out.sort_unstable();
    out
}

/// The next value of the splitmix64 stream at `state`.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Kernel {
    /// Compares the kernel's WGSL, run on every accelerator of this machine
    /// ([`crate::iter_accelerators`]), with its CPU closure at [`check_sample`]`(space,
    /// samples)`: both ends of `space` and `samples` seeded indices. A disagreement is an
    /// [`Error::InvalidArgument`] naming the kernel, the device, the first index that
    /// disagrees (with its digits in a mixed-radix space), both values and how many of the
    /// checked indices disagree. With no device (or without the `wgpu` feature) nothing is
    /// compared, and the report lists no device.
    ///
    /// ```
    /// use haydi_gpu::{Kernel, KernelSpace};
    /// let good = Kernel::new("mod3", "fn kernel(i: U64) -> u32 { return i.lo % 3u; }", |i| (i % 3) as u32);
    /// let report = good.check(&KernelSpace::range(1 << 20), 64)?;
    /// assert_eq!(report.indices.len(), 66);
    /// // WGSL and closure disagree: refused wherever there is a device.
    /// let bad = Kernel::new("bad", "fn kernel(i: U64) -> u32 { return i.lo % 3u; }", |i| (i % 5) as u32);
    /// match bad.check(&KernelSpace::range(1 << 20), 64) {
    ///     Ok(report) => assert!(report.devices.is_empty()),
    ///     Err(e) => assert!(e.to_string().contains("disagrees"), "{e}"),
    /// }
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn check(&self, space: &KernelSpace, samples: usize) -> Result<KernelCheck> {
        let indices = check_sample(space, samples);
        let mut devices = Vec::new();
        for device in iter_accelerators() {
            compare(self, &device, space, &indices).map_err(DeviceFailure::into_error)?;
            devices.push(device.info().name.clone());
        }
        Ok(KernelCheck { indices, devices })
    }

    /// [`Kernel::check`] on one device.
    ///
    /// ```no_run
    /// use haydi_gpu::{Kernel, KernelSpace};
    /// let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return i.hi; }", |i| (i >> 32) as u32);
    /// for device in haydi_gpu::iter_accelerators() {
    ///     k.check_on(&device, &KernelSpace::span(0, 1 << 40), 256)?;
    /// }
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn check_on(
        &self,
        device: &Accelerator,
        space: &KernelSpace,
        samples: usize,
    ) -> Result<KernelCheck> {
        let indices = check_sample(space, samples);
        compare(self, device, space, &indices).map_err(DeviceFailure::into_error)?;
        Ok(KernelCheck {
            indices,
            devices: vec![device.info().name.clone()],
        })
    }
}

/// Checks `kernel` over `space` on `device` with `samples` seeded indices unless it passed a
/// check of at least as many there already (the kernel remembers, per device handle and
/// space): what runs before a kernel's first run on a device.
pub(crate) fn ensure_checked(
    kernel: &Kernel,
    device: &Accelerator,
    space: &KernelSpace,
    samples: usize,
) -> std::result::Result<(), DeviceFailure> {
    let key = (device.inner.id, space.clone());
    let record = || kernel.inner.checked.lock_unpoisoned();
    if record().get(&key).is_some_and(|&n| n >= samples) {
        return Ok(());
    }
    compare(kernel, device, space, &check_sample(space, samples))?;
    let mut passed = record();
    let n = passed.entry(key).or_insert(0);
    *n = (*n).max(samples);
    Ok(())
}

/// The device's values and the CPU closure's at `indices`: a disagreement (or a panicking
/// closure) is the job's error; a device that cannot run the probe is lost.
fn compare(
    kernel: &Kernel,
    device: &Accelerator,
    space: &KernelSpace,
    indices: &[u64],
) -> std::result::Result<(), DeviceFailure> {
    if indices.is_empty() {
        return Ok(());
    }
    let on_device = device.probe(kernel, space, indices)?;
    if on_device.len() != indices.len() {
        return Err(DeviceFailure::Job(Error::Context(format!(
            "kernel check: {} values for {} indices (a bug)",
            on_device.len(),
            indices.len()
        ))));
    }
    let mut first = None;
    let mut wrong = 0usize;
    for (&i, &d) in indices.iter().zip(&on_device) {
        let c = haydi_core::plumbing::catch_panic(u128::from(i)..u128::from(i) + 1, "", || {
            kernel.cpu(i)
        })
        .map_err(DeviceFailure::Job)?;
        if c != d {
            wrong += 1;
            first.get_or_insert((i, d, c));
        }
    }
    let Some((i, d, c)) = first else {
        return Ok(());
    };
    let digits = if space.radices().is_empty() {
        String::new()
    } else {
        format!(" (digits {:?})", space.digits(i))
    };
    Err(DeviceFailure::Job(Error::InvalidArgument(format!(
        "kernel `{}` disagrees with its CPU closure on {}: at index {i}{digits} the device (WGSL) \
         gives {d} and the CPU closure gives {c}; {wrong} of {} checked indices disagree \
         (both ends of the space and a sample seeded with haydi_gpu::CHECK_SEED)",
        kernel.name(),
        device.info().name,
        indices.len()
    ))))
}
