//! haydi on accelerators: kernel stages that run on GPUs (wgpu, WGSL compute shaders) next to
//! CPU threads.
//!
//! A GPU cannot run a Rust closure, so a pipeline that should run on a device gets a *kernel
//! stage*: a [`Kernel`] carries device code (WGSL, a function `fn kernel(i: U64) -> u32`) and a
//! CPU closure with the same meaning. [`Kernel::over`] puts it over a [`KernelSpace`] (a range,
//! or a mixed-radix product of small ranges such as haydi's `Sequences` and `Mappings`), and a
//! device action turns it into a [`KernelJob`]: `count`, `sum`, `min`/`max` with the index,
//! `counts_by` over a small key range, the first `k` matching indices in serial order (`take`,
//! `first`, `collect`).
//!
//! - `run(false)` runs the CPU closure, and so does any CPU context: it is the oracle the
//!   device is tested against.
//! - On an [`AcceleratorContext`] (`session::set_parallel_context(AcceleratorContext::all()?)`),
//!   one worker per device and optional CPU threads pull chunks from the same scheduler, and the
//!   result is merged in index order: equal to `run(false)`.
//! - [`iter_accelerators`] lists the devices; [`AcceleratorPool`] processes inputs on a pool of
//!   them.
//! - WGSL and closure must mean the same: [`Kernel::check`] compares them at both ends of a
//!   space and a seeded sample of indices ([`check_sample`]), and a device does so before a
//!   kernel's first run over a space (an [`AcceleratorContext`] always, on
//!   [`CONTEXT_CHECK_SAMPLES`] indices; every device run in debug builds, on
//!   [`DEBUG_CHECK_SAMPLES`]): a disagreement is an error naming the index and both values,
//!   never a silently different result.
//!
//! The device path needs the crate's `wgpu` feature (haydi's `gpu` feature). Without it this
//! crate builds pure Rust: no device is listed, and kernel jobs run their CPU closure.
//!
//! ```
//! use haydi_core::prelude::*;
//! use haydi_gpu::{Kernel, KernelSpace};
//! // Pairs (a, b) in 0..100 x 0..100 with a * b == 36.
//! let space = KernelSpace::product(&[100, 100])?;
//! let s2 = space.clone();
//! let k = Kernel::new(
//!     "product36",
//!     "fn kernel(i: U64) -> u32 { let d = space_digits(i); return select(0u, 1u, d[0] * d[1] == 36u); }",
//!     move |i| { let d = s2.digits(i); u32::from(d[0] * d[1] == 36) },
//! );
//! let hits = k.over(space.clone()).collect().run(false)?;
//! let pairs: Vec<Vec<u32>> = hits.iter().map(|&i| space.digits(i)).collect();
//! assert_eq!(pairs.len(), 9);
//! assert_eq!(pairs[0], vec![1, 36]);
//! # Ok::<(), haydi_core::Error>(())
//! ```

// Without the device path, the shader generation and device plumbing are unused.
#![cfg_attr(not(feature = "wgpu"), allow(dead_code))]

mod action;
#[cfg(feature = "wgpu")]
mod backend;
mod check;
mod context;
mod device;
mod job;
mod kernel;
mod mix;
mod pool;
mod space;
mod wgsl;

pub use action::MAX_KEYS;
pub use check::{
    CHECK_SEED, CONTEXT_CHECK_SAMPLES, DEBUG_CHECK_SAMPLES, KernelCheck, check_sample,
};
pub use context::{AcceleratorContext, DEVICE_WORKER_BASE};
pub use device::{
    Accelerator, AcceleratorFilter, AcceleratorInfo, DeviceKind, dedupe_devices, iter_accelerators,
    iter_accelerators_with,
};
pub use haydi_core::task::TaskHandle;
pub use job::{KernelJob, KernelStage};
pub use kernel::Kernel;
pub use mix::{MIX_WGSL, mix};
pub use pool::{AcceleratorPool, ProcessMap};
pub use space::{KernelSpace, MAX_RADIX};
pub use wgsl::{WGSL_PRELUDE, WORKGROUP};

/// Whether this build has the device path (the `wgpu` feature).
///
/// ```
/// println!("device support: {}", haydi_gpu::DEVICE_SUPPORT);
/// ```
pub const DEVICE_SUPPORT: bool = cfg!(feature = "wgpu");
