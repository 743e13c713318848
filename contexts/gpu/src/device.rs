//! Device listing: [`iter_accelerators`], its filters, and the [`Accelerator`] handle.

use crate::action::Part;
use crate::job::KernelRun;
use haydi_core::{Error, Result};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// What kind of device an accelerator is.
///
/// ```
/// use haydi_gpu::DeviceKind;
/// assert_eq!(DeviceKind::parse("discrete"), Some(DeviceKind::DiscreteGpu));
/// assert_eq!(DeviceKind::Cpu.to_string(), "cpu");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceKind {
    /// A GPU of its own (NVIDIA, AMD cards).
    DiscreteGpu,
    /// A GPU sharing the host's memory.
    IntegratedGpu,
    /// A GPU seen through a hypervisor.
    VirtualGpu,
    /// A software implementation running on the CPU (Mesa's lavapipe/llvmpipe).
    Cpu,
    /// Anything else.
    Other,
}

impl DeviceKind {
    /// Parses `discrete`, `integrated`, `virtual`, `cpu` or `other` (any case).
    ///
    /// ```
    /// assert_eq!(haydi_gpu::DeviceKind::parse("CPU"), Some(haydi_gpu::DeviceKind::Cpu));
    /// assert_eq!(haydi_gpu::DeviceKind::parse("tpu"), None);
    /// ```
    pub fn parse(s: &str) -> Option<DeviceKind> {
        Some(match s.to_ascii_lowercase().as_str() {
            "discrete" | "discrete_gpu" | "discretegpu" => DeviceKind::DiscreteGpu,
            "integrated" | "integrated_gpu" | "integratedgpu" => DeviceKind::IntegratedGpu,
            "virtual" | "virtual_gpu" | "virtualgpu" => DeviceKind::VirtualGpu,
            "cpu" => DeviceKind::Cpu,
            "other" => DeviceKind::Other,
            _ => return None,
        })
    }
}

impl fmt::Display for DeviceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeviceKind::DiscreteGpu => "discrete",
            DeviceKind::IntegratedGpu => "integrated",
            DeviceKind::VirtualGpu => "virtual",
            DeviceKind::Cpu => "cpu",
            DeviceKind::Other => "other",
        })
    }
}

/// What is known of an accelerator.
///
/// ```
/// for a in haydi_gpu::iter_accelerators() {
///     let i = a.info();
///     println!("{} ({}, {}, vendor {:#x})", i.name, i.backend, i.kind, i.vendor);
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceleratorInfo {
    /// The device's name, such as `NVIDIA H200` or `llvmpipe (LLVM 15.0.6, 256 bits)`.
    pub name: String,
    /// The PCI vendor id (`0x10de` NVIDIA, `0x10005` Mesa).
    pub vendor: u32,
    /// The PCI device id (0 when the backend does not say).
    pub device: u32,
    /// The backend it is reached through, in lower case: `vulkan`, `gl`, `metal`, `dx12`.
    pub backend: String,
    /// The kind of device.
    pub kind: DeviceKind,
    /// The driver's name and version.
    pub driver: String,
    /// Device memory in bytes, when the backend reports it (wgpu does not: `None` there).
    pub memory: Option<u64>,
    /// The largest buffer the device allows, in bytes.
    pub max_buffer_bytes: u64,
    /// The PCI bus id, when the backend reports one (empty otherwise): it tells two identical
    /// GPUs of one machine apart.
    pub pci_bus: String,
}

/// Which accelerators [`iter_accelerators_with`] lists: a regular expression on the name, a
/// backend, a kind. Every part is optional; the default lists every device.
///
/// ```
/// use haydi_gpu::{AcceleratorFilter, DeviceKind};
/// let f = AcceleratorFilter::new().name("(?i)llvmpipe|h200")?.backend("vulkan").kind(DeviceKind::Cpu);
/// let devices: Vec<_> = haydi_gpu::iter_accelerators_with(&f).collect();
/// assert!(devices.iter().all(|d| d.info().kind == DeviceKind::Cpu));
/// assert!(AcceleratorFilter::new().name("(").is_err());
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct AcceleratorFilter {
    name: Option<regex::Regex>,
    backend: Option<String>,
    kind: Option<DeviceKind>,
}

impl AcceleratorFilter {
    /// A filter that lets every device through.
    ///
    /// ```
    /// let all = haydi_gpu::AcceleratorFilter::new();
    /// # let _ = all;
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Only devices whose name matches `pattern` (a `regex` crate expression; an invalid one is
    /// an [`Error::InvalidArgument`]).
    ///
    /// ```
    /// assert!(haydi_gpu::AcceleratorFilter::new().name("^NVIDIA").is_ok());
    /// ```
    pub fn name(mut self, pattern: &str) -> Result<Self> {
        let re = regex::Regex::new(pattern).map_err(|e| {
            Error::InvalidArgument(format!("accelerator name filter {pattern:?}: {e}"))
        })?;
        self.name = Some(re);
        Ok(self)
    }

    /// Only devices reached through `backend` (`vulkan`, `gl`, `metal`, `dx12`; any case).
    ///
    /// ```
    /// let f = haydi_gpu::AcceleratorFilter::new().backend("Vulkan");
    /// # let _ = f;
    /// ```
    pub fn backend(mut self, backend: &str) -> Self {
        self.backend = Some(backend.to_ascii_lowercase());
        self
    }

    /// Only devices of this kind.
    ///
    /// ```
    /// let f = haydi_gpu::AcceleratorFilter::new().kind(haydi_gpu::DeviceKind::DiscreteGpu);
    /// # let _ = f;
    /// ```
    pub fn kind(mut self, kind: DeviceKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Whether `info` passes the filter.
    ///
    /// ```
    /// use haydi_gpu::{AcceleratorFilter, AcceleratorInfo, DeviceKind};
    /// let info = AcceleratorInfo { name: "llvmpipe".into(), vendor: 0x10005, device: 0, backend: "vulkan".into(),
    ///     kind: DeviceKind::Cpu, driver: "llvmpipe".into(), memory: None, max_buffer_bytes: 1 << 28, pci_bus: String::new() };
    /// assert!(AcceleratorFilter::new().name("pipe")?.matches(&info));
    /// assert!(!AcceleratorFilter::new().backend("gl").matches(&info));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn matches(&self, info: &AcceleratorInfo) -> bool {
        self.name.as_ref().is_none_or(|r| r.is_match(&info.name))
            && self.backend.as_ref().is_none_or(|b| *b == info.backend)
            && self.kind.is_none_or(|k| k == info.kind)
    }
}

/// Keeps one entry per physical device when one is seen through several backends (lavapipe is
/// listed by Vulkan and by GL): devices with the same name, vendor and device id are one unless
/// both report PCI bus ids and these differ (two identical GPUs stay two), and the backend listed
/// first in `vulkan, metal, dx12, gl` wins. The order is otherwise kept.
///
/// ```
/// use haydi_gpu::{dedupe_devices, AcceleratorInfo, DeviceKind};
/// let seen = |backend: &str| AcceleratorInfo { name: "llvmpipe".into(), vendor: 0x10005, device: 0,
///     backend: backend.into(), kind: DeviceKind::Cpu, driver: String::new(), memory: None, max_buffer_bytes: 0, pci_bus: String::new() };
/// let kept = dedupe_devices(vec![seen("gl"), seen("vulkan")]);
/// assert_eq!(kept.len(), 1);
/// assert_eq!(kept[0].backend, "vulkan");
/// let on_bus = |bus: &str| AcceleratorInfo { pci_bus: bus.into(), ..seen("vulkan") };
/// assert_eq!(dedupe_devices(vec![on_bus("0000:01:00.0"), on_bus("0000:02:00.0")]).len(), 2);
/// ```
pub fn dedupe_devices(infos: Vec<AcceleratorInfo>) -> Vec<AcceleratorInfo> {
    let rank = |b: &str| {
        ["vulkan", "metal", "dx12", "gl"]
            .iter()
            .position(|x| *x == b)
            .unwrap_or(9)
    };
    let mut keep: Vec<usize> = Vec::new();
    for (i, info) in infos.iter().enumerate() {
        let same = keep.iter().position(|&k| {
            let o = &infos[k];
            o.name == info.name
                && o.vendor == info.vendor
                && o.device == info.device
                && (o.pci_bus == info.pci_bus || o.pci_bus.is_empty() || info.pci_bus.is_empty())
        });
        match same {
            None => keep.push(i),
            Some(p) if rank(&info.backend) < rank(&infos[keep[p]].backend) => keep[p] = i,
            Some(_) => {}
        }
    }
    keep.sort_unstable();
    let mut infos: Vec<Option<AcceleratorInfo>> = infos.into_iter().map(Some).collect();
    keep.into_iter().filter_map(|k| infos[k].take()).collect()
}

/// Every accelerator of this machine, one per physical device (see [`dedupe_devices`]). No
/// device (no driver, built without the `wgpu` feature) is an empty list, never a panic.
///
/// ```
/// let n = haydi_gpu::iter_accelerators().count();
/// println!("{n} accelerator(s)");
/// ```
pub fn iter_accelerators() -> std::vec::IntoIter<Accelerator> {
    iter_accelerators_with(&AcceleratorFilter::new())
}

/// The accelerators that pass `filter`, deduplicated ([`dedupe_devices`]) among those.
///
/// ```
/// use haydi_gpu::{AcceleratorFilter, DeviceKind};
/// let gpus = haydi_gpu::iter_accelerators_with(&AcceleratorFilter::new().kind(DeviceKind::DiscreteGpu));
/// assert!(gpus.into_iter().all(|g| g.info().kind == DeviceKind::DiscreteGpu));
/// ```
pub fn iter_accelerators_with(filter: &AcceleratorFilter) -> std::vec::IntoIter<Accelerator> {
    // Filter first, then dedupe: an explicit `backend("gl")` gets the GL entry of a device that
    // Vulkan also lists.
    let found: Vec<Accelerator> = list()
        .into_iter()
        .filter(|a| filter.matches(&a.info))
        .collect();
    let infos = dedupe_devices(found.iter().map(|a| a.info.clone()).collect());
    let mut out = Vec::new();
    for a in found {
        if infos.contains(&a.info) && !out.iter().any(|o: &Accelerator| o.info == a.info) {
            out.push(a);
        }
    }
    out.into_iter()
}

#[cfg(feature = "wgpu")]
fn list() -> Vec<Accelerator> {
    crate::backend::adapters()
        .into_iter()
        .map(|(info, adapter)| Accelerator::from_parts(info, Some(adapter)))
        .collect()
}

#[cfg(not(feature = "wgpu"))]
fn list() -> Vec<Accelerator> {
    Vec::new()
}

pub(crate) struct Inner {
    /// Tells handles apart (a kernel remembers the devices it was checked on by this id).
    pub(crate) id: u64,
    #[cfg(feature = "wgpu")]
    adapter: Option<wgpu::Adapter>,
    #[cfg(feature = "wgpu")]
    gpu: std::sync::OnceLock<Result<crate::backend::Gpu>>,
    /// Chunks left before a simulated loss (`u64::MAX`: never).
    lose_after: AtomicU64,
    lost: AtomicBool,
}

/// The id of the next [`Accelerator`] handle opened.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// One accelerator: its [`AcceleratorInfo`] and, opened on first use, its device. Clones share
/// the device (and its compiled kernels).
///
/// ```
/// if let Some(a) = haydi_gpu::iter_accelerators().next() {
///     println!("{}", a.info().name);
/// }
/// ```
#[derive(Clone)]
pub struct Accelerator {
    info: AcceleratorInfo,
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for Accelerator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Accelerator({} via {})",
            self.info.name, self.info.backend
        )
    }
}

/// Why a device could not run a chunk.
#[derive(Debug)]
pub(crate) enum DeviceFailure {
    /// The device is gone (lost, or a simulated loss): its chunks must run elsewhere.
    Lost(String),
    /// The job cannot run on it (a kernel that does not compile, a buffer too large): the run
    /// fails with this error.
    Job(Error),
}

impl DeviceFailure {
    /// The error of a call that has no other device to go to: the job's own error, or an
    /// [`Error::Worker`] saying the accelerator was lost.
    pub(crate) fn into_error(self) -> Error {
        match self {
            DeviceFailure::Job(e) => e,
            DeviceFailure::Lost(m) => Error::Worker(format!("accelerator lost: {m}")),
        }
    }
}

impl Accelerator {
    #[cfg(feature = "wgpu")]
    fn from_parts(info: AcceleratorInfo, adapter: Option<wgpu::Adapter>) -> Self {
        Accelerator {
            info,
            inner: Arc::new(Inner {
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                adapter,
                gpu: std::sync::OnceLock::new(),
                lose_after: AtomicU64::new(u64::MAX),
                lost: AtomicBool::new(false),
            }),
        }
    }

    /// What is known of the device.
    ///
    /// ```
    /// for a in haydi_gpu::iter_accelerators() {
    ///     assert!(!a.info().name.is_empty());
    /// }
    /// ```
    pub fn info(&self) -> &AcceleratorInfo {
        &self.info
    }

    /// Whether the device was lost (it runs no more chunks).
    ///
    /// ```
    /// for a in haydi_gpu::iter_accelerators() {
    ///     assert!(!a.is_lost());
    /// }
    /// ```
    pub fn is_lost(&self) -> bool {
        self.inner.lost.load(Ordering::Acquire)
    }

    /// Fault injection for tests: the device is treated as lost when it is asked for chunk
    /// number `chunks + 1` (0: at once), as a real device loss would be. An
    /// [`crate::AcceleratorContext`] then runs its chunks elsewhere.
    ///
    /// ```
    /// for a in haydi_gpu::iter_accelerators() {
    ///     a.simulate_loss_after(3);
    /// }
    /// ```
    pub fn simulate_loss_after(&self, chunks: u64) {
        self.inner.lose_after.store(chunks, Ordering::Release);
    }

    /// Checks the simulated loss before a chunk; marks the device lost.
    fn before_chunk(&self) -> std::result::Result<(), DeviceFailure> {
        if self.is_lost() {
            return Err(DeviceFailure::Lost(format!("{} was lost", self.info.name)));
        }
        let left = self.inner.lose_after.load(Ordering::Acquire);
        if left != u64::MAX {
            if left == 0 {
                self.inner.lost.store(true, Ordering::Release);
                return Err(DeviceFailure::Lost(format!(
                    "{} was lost (simulated)",
                    self.info.name
                )));
            }
            self.inner.lose_after.store(left - 1, Ordering::Release);
        }
        Ok(())
    }

    /// The largest chunk one dispatch may hold.
    pub(crate) fn max_chunk(&self) -> u64 {
        1 << 30
    }

    /// The opened device (opened on first use).
    #[cfg(feature = "wgpu")]
    fn gpu(&self) -> std::result::Result<&crate::backend::Gpu, DeviceFailure> {
        self.inner
            .gpu
            .get_or_init(|| match &self.inner.adapter {
                Some(a) => crate::backend::Gpu::open(a, &self.info),
                None => Err(Error::Context(format!("{}: no adapter", self.info.name))),
            })
            .as_ref()
            .map_err(|e| DeviceFailure::Lost(e.to_string()))
    }

    /// Opens the device and compiles `run`'s kernel for it (once), before any chunk: a kernel
    /// that does not compile fails the run even when its chunks would all run on CPUs.
    pub(crate) fn prepare(&self, run: &KernelRun) -> std::result::Result<(), DeviceFailure> {
        #[cfg(feature = "wgpu")]
        {
            let gpu = self.gpu()?;
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| gpu.prepare(run)))
                .unwrap_or_else(|p| {
                    Err(DeviceFailure::Lost(format!(
                        "{}: compiling the kernel panicked: {}",
                        self.info.name,
                        haydi_core::plumbing::panic_message(p)
                    )))
                })
        }
        #[cfg(not(feature = "wgpu"))]
        {
            let _ = run;
            Err(no_device_path())
        }
    }

    /// The kernel's values at `indices` of `space`, computed on the device (the probe that
    /// [`crate::Kernel::check_on`] compares with the CPU closure). Not a chunk: it does not
    /// count towards a simulated loss, but a lost device fails it.
    pub(crate) fn probe(
        &self,
        kernel: &crate::Kernel,
        space: &crate::KernelSpace,
        indices: &[u64],
    ) -> std::result::Result<Vec<u32>, DeviceFailure> {
        if self.is_lost() {
            return Err(DeviceFailure::Lost(format!("{} was lost", self.info.name)));
        }
        #[cfg(feature = "wgpu")]
        return self.on_gpu(|gpu| gpu.probe(kernel, space, indices));
        #[cfg(not(feature = "wgpu"))]
        {
            let _ = (kernel, space, indices);
            Err(no_device_path())
        }
    }

    /// Runs `[start, end)` of `run` on the device, at most `budget` matches.
    pub(crate) fn run_part(
        &self,
        run: &KernelRun,
        start: u64,
        end: u64,
        budget: u64,
    ) -> std::result::Result<Part, DeviceFailure> {
        self.before_chunk()?;
        #[cfg(feature = "wgpu")]
        return self.on_gpu(|gpu| gpu.run_part(run, start, end, budget));
        #[cfg(not(feature = "wgpu"))]
        {
            let _ = (run, start, end, budget);
            Err(no_device_path())
        }
    }

    /// Runs `work` on the opened device. A panic inside the driver or wgpu ends this device,
    /// not the run; a loss marks the device lost.
    #[cfg(feature = "wgpu")]
    fn on_gpu<T>(
        &self,
        work: impl FnOnce(&crate::backend::Gpu) -> std::result::Result<T, DeviceFailure>,
    ) -> std::result::Result<T, DeviceFailure> {
        let gpu = self.gpu()?;
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(gpu)))
            .unwrap_or_else(|p| {
                Err(DeviceFailure::Lost(format!(
                    "{}: the device code panicked: {}",
                    self.info.name,
                    haydi_core::plumbing::panic_message(p)
                )))
            });
        if let Err(DeviceFailure::Lost(_)) = &r {
            self.inner.lost.store(true, Ordering::Release);
        }
        r
    }

    /// Runs the whole space of `run` on this device, chunk after chunk in index order; a
    /// result past `result_budget` bytes stops it with [`Error::ResultTooLarge`]. In debug
    /// builds the kernel is checked against its CPU closure first ([`crate::Kernel::check`]).
    pub(crate) fn run_all(&self, run: &KernelRun, result_budget: u64) -> Result<Part> {
        if cfg!(debug_assertions) {
            crate::check::ensure_checked(&run.kernel, self, &run.space, crate::DEBUG_CHECK_SAMPLES)
                .map_err(DeviceFailure::into_error)?;
        }
        let len = run.space.start() + run.space.len();
        let mut acc = run.op.empty();
        let mut budget = run.budget(&run.op.take_limits());
        let mut at = run.space.start();
        let mut size = 1u64 << 16;
        while at < len && budget > 0 {
            let end = at.saturating_add(size).min(len);
            let t = std::time::Instant::now();
            let part = match self.run_part(run, at, end, budget) {
                Ok(p) => p,
                Err(f) => return Err(f.into_error()),
            };
            if let Part::Found(v) = &part {
                budget = budget.saturating_sub(v.len() as u64);
            }
            run.op.merge(&mut acc, part)?;
            let bytes = crate::action::Op::bytes(&acc);
            if bytes > result_budget {
                return Err(Error::ResultTooLarge {
                    budget: result_budget,
                    bytes,
                    processed: u128::from(end - run.space.start()),
                    total: Some(u128::from(run.space.len())),
                });
            }
            size = next_size(size, end - at, t.elapsed(), self.max_chunk());
            at = end;
        }
        Ok(acc)
    }
}

/// What a device operation fails with when the crate was built without the device path.
#[cfg(not(feature = "wgpu"))]
fn no_device_path() -> DeviceFailure {
    DeviceFailure::Lost("haydi-gpu was built without the `wgpu` feature".into())
}

/// The next chunk size of a device that ran `done` indices in `took`: about 20 ms of work at
/// the measured rate, at most 4 times the last, at least 1024, at most `max`.
pub(crate) fn next_size(last: u64, done: u64, took: std::time::Duration, max: u64) -> u64 {
    let target = 0.020;
    let rate = done as f64 / took.as_secs_f64().max(1e-6);
    let want = (rate * target) as u64;
    want.clamp(1024, last.saturating_mul(4).max(1024)).min(max)
}
