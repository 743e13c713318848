//! `AcceleratorContext`: one worker per device and optional CPU threads, all pulling chunks
//! from one scheduler.

use crate::check::{CONTEXT_CHECK_SAMPLES, DEBUG_CHECK_SAMPLES, ensure_checked};
use crate::device::{Accelerator, DeviceFailure, DeviceKind, iter_accelerators, next_size};
use crate::job::KernelRun;
use haydi_core::context::{RunReport, WorkerId, nested};
use haydi_core::plumbing::{
    ChunkOutput, Completion, Drive, ErasedJob, Request, ScheduleConfig, Scheduler, drive,
};
use haydi_core::prelude::*;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Worker ids of devices in traces: thread `DEVICE_WORKER_BASE + d` of process 0.
pub const DEVICE_WORKER_BASE: u32 = 1000;

/// A context whose workers are accelerators (one per device) and, optionally, CPU threads, all
/// pulling chunks from the same [`Scheduler`] and merged in index order: a run gives exactly
/// what `run(false)` gives.
///
/// Kernel jobs ([`crate::KernelJob`]) run on the devices and on the CPU threads (with the
/// kernel's CPU closure); any other job runs on the CPU threads only (or on the calling thread
/// when there are none). A device sizes its own chunks from its measured rate (about 20 ms per
/// dispatch, so no GPU watchdog fires); a device lost during a run hands its chunk back and the
/// chunk runs elsewhere (on a CPU thread, another device, or the calling thread).
///
/// Before a kernel's first run over a space on a device, the device's values are compared with
/// the CPU closure's at both ends of the space and [`AcceleratorContext::check_samples`] seeded
/// indices ([`crate::Kernel::check`]), in every build: a kernel whose two forms disagree fails
/// the run with an error naming the index and both values.
///
/// ```no_run
/// use haydi_core::prelude::*;
/// use haydi_gpu::{AcceleratorContext, Kernel, KernelSpace};
/// session::set_parallel_context(AcceleratorContext::all()?.with_cpu_threads(4));
/// let k = Kernel::new("k", "fn kernel(i: U64) -> u32 { return i.lo & 1u; }", |i| (i & 1) as u32);
/// let job = k.over(KernelSpace::range(1 << 24)).count();
/// assert_eq!(job.run(true)?, job.run(false)?);
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Clone)]
pub struct AcceleratorContext {
    devices: Vec<Accelerator>,
    threads: usize,
    config: ScheduleConfig,
    check_samples: usize,
    on_devices: Arc<AtomicU64>,
}

impl fmt::Debug for AcceleratorContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AcceleratorContext({:?}, {} CPU threads)",
            self.devices, self.threads
        )
    }
}

impl AcceleratorContext {
    /// Every accelerator of this machine ([`iter_accelerators`]); software devices (kind
    /// [`DeviceKind::Cpu`], such as lavapipe) only when there is no other. No device at all is
    /// an [`Error::Context`] that says why, never a panic.
    ///
    /// ```
    /// match haydi_gpu::AcceleratorContext::all() {
    ///     Ok(ctx) => println!("{ctx:?}"),
    ///     Err(e) => assert!(e.to_string().contains("no accelerator")),
    /// }
    /// ```
    pub fn all() -> Result<Self> {
        let all: Vec<Accelerator> = iter_accelerators().collect();
        let real: Vec<Accelerator> = all
            .iter()
            .filter(|a| a.info().kind != DeviceKind::Cpu)
            .cloned()
            .collect();
        Self::new(if real.is_empty() { all } else { real })
    }

    /// A context over these devices (at least one; none is an [`Error::Context`]).
    ///
    /// ```
    /// assert!(haydi_gpu::AcceleratorContext::new(Vec::new()).is_err());
    /// ```
    pub fn new(devices: Vec<Accelerator>) -> Result<Self> {
        if devices.is_empty() {
            let why = if cfg!(feature = "wgpu") {
                "no accelerator found: wgpu lists no adapter (is a Vulkan driver installed? \
                 mesa-vulkan-drivers gives a software one; check VK_ICD_FILENAMES and WGPU_BACKEND)"
            } else {
                "no accelerator found: haydi-gpu was built without its `wgpu` feature \
                 (enable haydi's `gpu` feature)"
            };
            return Err(Error::Context(why.into()));
        }
        Ok(AcceleratorContext {
            devices,
            threads: 0,
            config: ScheduleConfig::default(),
            check_samples: CONTEXT_CHECK_SAMPLES,
            on_devices: Arc::new(AtomicU64::new(0)),
        })
    }

    /// The same devices with `n` CPU threads beside them (hybrid runs; 0: devices only).
    ///
    /// ```no_run
    /// let ctx = haydi_gpu::AcceleratorContext::all()?.with_cpu_threads(8);
    /// assert_eq!(ctx.cpu_threads(), 8);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn with_cpu_threads(mut self, n: usize) -> Self {
        self.threads = n;
        self
    }

    /// The same context with other chunk-size tuning for the CPU threads (results do not
    /// depend on it).
    ///
    /// ```no_run
    /// use haydi_core::plumbing::ScheduleConfig;
    /// let ctx = haydi_gpu::AcceleratorContext::all()?.with_config(ScheduleConfig::default());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn with_config(mut self, config: ScheduleConfig) -> Self {
        self.config = config;
        self
    }

    /// The same context checking `n` seeded indices (and both ends of the space) of a kernel
    /// against its CPU closure before the kernel's first run over a space on each device
    /// (default [`CONTEXT_CHECK_SAMPLES`]; at least [`DEBUG_CHECK_SAMPLES`] in debug builds).
    /// The ends are always checked, even with `n = 0`. See [`crate::Kernel::check`].
    ///
    /// ```no_run
    /// let ctx = haydi_gpu::AcceleratorContext::all()?.with_check_samples(4096);
    /// assert_eq!(ctx.check_samples(), 4096);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn with_check_samples(mut self, n: usize) -> Self {
        self.check_samples = n;
        self
    }

    /// How many seeded indices a kernel is checked on before its first run on a device (see
    /// [`AcceleratorContext::with_check_samples`]).
    ///
    /// ```no_run
    /// let ctx = haydi_gpu::AcceleratorContext::all()?;
    /// assert_eq!(ctx.check_samples(), haydi_gpu::CONTEXT_CHECK_SAMPLES);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn check_samples(&self) -> usize {
        self.check_samples
    }

    /// The devices.
    ///
    /// ```no_run
    /// assert!(!haydi_gpu::AcceleratorContext::all()?.devices().is_empty());
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn devices(&self) -> &[Accelerator] {
        &self.devices
    }

    /// How many CPU threads run beside the devices.
    ///
    /// ```no_run
    /// assert_eq!(haydi_gpu::AcceleratorContext::all()?.cpu_threads(), 0);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn cpu_threads(&self) -> usize {
        self.threads
    }

    /// How many indices the devices ran in this context's runs so far (clones share the
    /// count): how much of a hybrid run the devices took.
    ///
    /// ```no_run
    /// let ctx = haydi_gpu::AcceleratorContext::all()?;
    /// assert_eq!(ctx.device_indices(), 0);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn device_indices(&self) -> u64 {
        self.on_devices.load(Ordering::Relaxed)
    }
}

/// The loop of a device worker: chunks sized for about 20 ms at the device's rate, until
/// there are none or the device is lost (its chunk goes back to the scheduler).
fn device_loop(
    sched: &Scheduler<'_>,
    dev: &Accelerator,
    run: &KernelRun,
    worker: WorkerId,
    done: &AtomicU64,
) {
    let _guard = nested::ParallelRunGuard::enter();
    let mut size: u64 = 1 << 16;
    loop {
        if dev.is_lost() {
            return;
        }
        let Some(spec) = sched.next_chunk(Request::sized(u128::from(size))) else {
            return;
        };
        let t = Instant::now();
        let mut lost = None;
        let out = run
            .chunk(spec.start, spec.end, &spec.budgets, |s, e, b| {
                match dev.run_part(run, s, e, b) {
                    Ok(p) => Ok(p),
                    Err(DeviceFailure::Job(e)) => Err(e),
                    Err(DeviceFailure::Lost(m)) => {
                        let e = Error::Worker(m.clone());
                        lost = Some(m);
                        Err(e)
                    }
                }
            })
            .map(ChunkOutput::erase);
        if let Some(m) = lost {
            haydi_core::warning!(device = %dev.info().name, "accelerator lost, its chunk [{}, {}) runs elsewhere: {m}", spec.start, spec.end);
            sched.requeue(spec);
            return;
        }
        let took = t.elapsed();
        let len = (spec.end - spec.start) as u64;
        if out.is_ok() {
            done.fetch_add(len, Ordering::Relaxed);
        }
        sched.complete(&spec, out, Completion::by(worker, took).unmeasured());
        size = next_size(size, len, took, dev.max_chunk());
    }
}

impl ParallelContext for AcceleratorContext {
    fn execute(&self, job: &dyn ErasedJob, opts: &RunOptions) -> Result<RunReport> {
        let run = job.extension_of::<KernelRun>();
        let mut devices: Vec<&Accelerator> = Vec::new();
        if let Some(run) = run {
            // `prepare` opens the device (or leaves it out) and compiles the kernel; the check
            // then runs the kernel's probe there.
            let samples = if cfg!(debug_assertions) {
                self.check_samples.max(DEBUG_CHECK_SAMPLES)
            } else {
                self.check_samples
            };
            for dev in &self.devices {
                let ready = dev
                    .prepare(run)
                    .and_then(|()| ensure_checked(&run.kernel, dev, &run.space, samples));
                match ready {
                    Ok(()) => devices.push(dev),
                    Err(DeviceFailure::Job(e)) => return Err(e),
                    Err(DeviceFailure::Lost(m)) => {
                        haydi_core::warning!(device = %dev.info().name, "accelerator not used: {m}");
                    }
                }
            }
        }
        let devices = &devices;
        let done = &*self.on_devices;
        let workers = (devices.len() + self.threads).max(1);
        let threads = self.threads;
        let owned = match drive(job, opts, workers, self.config.clone())? {
            Drive::Finished(report) => return Ok(report),
            Drive::Dispatch(sched) => sched,
        };
        let sched = &owned;
        std::thread::scope(|s| {
            if let Some(run) = run {
                for (d, &dev) in devices.iter().enumerate() {
                    let worker = WorkerId {
                        process: 0,
                        thread: DEVICE_WORKER_BASE + d as u32,
                    };
                    std::thread::Builder::new()
                        .name(format!("haydi-device-{d}"))
                        .spawn_scoped(s, move || device_loop(sched, dev, run, worker, done))
                        .map_err(|e| {
                            Error::Context(format!("cannot start a device worker: {e}"))
                        })?;
                }
            }
            for t in 0..threads {
                std::thread::Builder::new()
                    .name(format!("haydi-worker-{t}"))
                    .spawn_scoped(s, move || sched.worker_loop(t + 1))
                    .map_err(|e| Error::Context(format!("cannot start a CPU worker: {e}")))?;
            }
            Ok::<(), Error>(())
        })?;
        // Chunks handed back by a lost device after every other worker stopped.
        while sched.run_one(WorkerId::CALLER) {}
        owned.finish()
    }

    fn workers(&self) -> usize {
        (self.devices.len() + self.threads).max(1)
    }

    fn name(&self) -> String {
        format!(
            "accelerators({} device(s) + {} thread(s))",
            self.devices.len(),
            self.threads
        )
    }
}
