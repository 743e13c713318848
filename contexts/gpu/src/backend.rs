//! The wgpu backend: adapters, devices, compiled kernels and bounded dispatches.

use crate::action::{Op, Part};
use crate::device::{AcceleratorInfo, DeviceFailure, DeviceKind};
use crate::job::KernelRun;
use crate::kernel::Kernel;
use crate::space::KernelSpace;
use crate::wgsl::{self, WORKGROUP};
use haydi_core::plumbing::Unpoisoned;
use haydi_core::{Error, Result};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Every adapter wgpu sees (the backends of `WGPU_BACKEND`, else all compiled in); an instance
/// that cannot be created or a panicking driver gives an empty list.
pub(crate) fn adapters() -> Vec<(AcceleratorInfo, wgpu::Adapter)> {
    let listed = std::panic::catch_unwind(|| {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let backends = wgpu::Backends::from_env().unwrap_or(wgpu::Backends::all());
        pollster::block_on(instance.enumerate_adapters(backends))
    });
    let adapters = match listed {
        Ok(a) => a,
        Err(p) => {
            haydi_core::warning!(
                "listing wgpu adapters panicked: {}",
                haydi_core::plumbing::panic_message(p)
            );
            return Vec::new();
        }
    };
    adapters
        .into_iter()
        .map(|a| {
            let i = a.get_info();
            let limits = a.limits();
            let info = AcceleratorInfo {
                name: i.name.clone(),
                vendor: i.vendor,
                device: i.device,
                backend: i.backend.to_str().to_ascii_lowercase(),
                kind: match i.device_type {
                    wgpu::DeviceType::DiscreteGpu => DeviceKind::DiscreteGpu,
                    wgpu::DeviceType::IntegratedGpu => DeviceKind::IntegratedGpu,
                    wgpu::DeviceType::VirtualGpu => DeviceKind::VirtualGpu,
                    wgpu::DeviceType::Cpu => DeviceKind::Cpu,
                    wgpu::DeviceType::Other => DeviceKind::Other,
                },
                driver: format!("{} {}", i.driver, i.driver_info).trim().to_string(),
                memory: None,
                max_buffer_bytes: limits.max_buffer_size,
                pci_bus: i.device_pci_bus_id.clone(),
            };
            (info, a)
        })
        .collect()
}

/// Compiles `src` with naga (parse and validate): the error names the kernel and holds naga's
/// message with the line and column.
pub(crate) fn validate(name: &str, src: &str) -> Result<()> {
    let module = naga::front::wgsl::parse_str(src).map_err(|e| {
        Error::InvalidArgument(format!(
            "kernel `{name}` does not compile (WGSL):\n{}",
            e.emit_to_string(src)
        ))
    })?;
    let mut v = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::empty(),
    );
    v.validate(&module).map_err(|e| {
        Error::InvalidArgument(format!(
            "kernel `{name}` does not validate (WGSL):\n{}",
            e.emit_to_string(src)
        ))
    })?;
    Ok(())
}

/// An opened device, its queue and its compiled kernels.
pub(crate) struct Gpu {
    device: wgpu::Device,
    queue: wgpu::Queue,
    name: String,
    lost: Arc<AtomicBool>,
    /// Errors no scope captured (reported instead of wgpu's default panic).
    stray: Arc<Mutex<Vec<String>>>,
    pipelines: Mutex<HashMap<String, Arc<wgpu::ComputePipeline>>>,
    max_words: u64,
}

type Fail<T> = std::result::Result<T, DeviceFailure>;

impl Gpu {
    pub(crate) fn open(adapter: &wgpu::Adapter, info: &AcceleratorInfo) -> Result<Gpu> {
        let limits = adapter.limits();
        let desc = wgpu::DeviceDescriptor {
            label: Some("haydi"),
            required_limits: limits.clone(),
            ..Default::default()
        };
        let (device, queue) = pollster::block_on(adapter.request_device(&desc))
            .map_err(|e| Error::Context(format!("cannot open accelerator {}: {e}", info.name)))?;
        let lost = Arc::new(AtomicBool::new(false));
        let l = lost.clone();
        device.set_device_lost_callback(move |_reason, _msg| l.store(true, Ordering::Release));
        let stray = Arc::new(Mutex::new(Vec::new()));
        let s = stray.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            s.lock_unpoisoned().push(e.to_string());
        }));
        let binding = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size);
        Ok(Gpu {
            device,
            queue,
            name: info.name.clone(),
            lost,
            stray,
            pipelines: Mutex::new(HashMap::new()),
            max_words: (binding / 4).saturating_sub(1).max(1),
        })
    }

    fn lost_error(&self, what: &str) -> DeviceFailure {
        DeviceFailure::Lost(format!("{}: {what}", self.name))
    }

    /// The compiled pipeline of `run` (compiled once per device).
    fn pipeline(&self, run: &KernelRun) -> Fail<Arc<wgpu::ComputePipeline>> {
        let src = wgsl::module(&run.kernel.inner.wgsl, &run.space, &run.op);
        self.compiled(&run.kernel.inner.name, &run.op.label(), src)
    }

    /// The compiled pipeline of the generated module `src` of kernel `name` (compiled once per
    /// device: the cache is keyed by the whole source).
    fn compiled(&self, name: &str, what: &str, src: String) -> Fail<Arc<wgpu::ComputePipeline>> {
        if let Some(p) = self.pipelines.lock_unpoisoned().get(&src) {
            return Ok(p.clone());
        }
        validate(name, &src).map_err(DeviceFailure::Job)?;
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let label = format!("haydi {name} {what}");
        let module = self
            .device
            .create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(&label),
                source: wgpu::ShaderSource::Wgsl(src.as_str().into()),
            });
        let pipeline = self
            .device
            .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(&label),
                layout: None,
                module: &module,
                entry_point: Some("haydi_main"),
                compilation_options: Default::default(),
                cache: None,
            });
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(DeviceFailure::Job(Error::InvalidArgument(format!(
                "kernel `{name}` does not compile on {}: {e}",
                self.name
            ))));
        }
        let p = Arc::new(pipeline);
        self.pipelines.lock_unpoisoned().insert(src, p.clone());
        Ok(p)
    }

    /// Compiles `run`'s kernel (once).
    pub(crate) fn prepare(&self, run: &KernelRun) -> Fail<()> {
        self.pipeline(run).map(|_| ())
    }

    /// The kernel's values at `indices` (any indices of `space`, any order), computed by its
    /// probe module (compiled once per device), in dispatches of at most 2^20 indices.
    pub(crate) fn probe(
        &self,
        kernel: &Kernel,
        space: &KernelSpace,
        indices: &[u64],
    ) -> Fail<Vec<u32>> {
        let src = wgsl::probe_module(&kernel.inner.wgsl, space);
        let pipeline = self.compiled(&kernel.inner.name, "check", src)?;
        let per = (self.max_words / 2).clamp(1, 1 << 20) as usize;
        let mut values = Vec::with_capacity(indices.len());
        for batch in indices.chunks(per) {
            let words: Vec<u32> = batch
                .iter()
                .flat_map(|&i| [i as u32, (i >> 32) as u32])
                .collect();
            let out = self.dispatch(
                &pipeline,
                0,
                batch.len() as u32,
                0,
                Some(&words),
                words.len(),
            )?;
            values.extend(out.iter().step_by(2));
        }
        Ok(values)
    }

    /// One dispatch over `count` indices from `base`, with the output buffer zeroed or, given
    /// `init`, holding `init`; the output's first `words` words.
    fn dispatch(
        &self,
        pipeline: &wgpu::ComputePipeline,
        base: u64,
        count: u32,
        aux: u32,
        init: Option<&[u32]>,
        words: usize,
    ) -> Fail<Vec<u32>> {
        if self.lost.load(Ordering::Acquire) {
            return Err(self.lost_error("the device was lost"));
        }
        if words as u64 > self.max_words + 1 {
            return Err(DeviceFailure::Job(Error::InvalidArgument(format!(
                "a dispatch needs {words} output words, more than {} allows",
                self.name
            ))));
        }
        use wgpu::util::DeviceExt;
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let inner = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let params = [base as u32, (base >> 32) as u32, count, aux];
        let uniform = self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("haydi params"),
                contents: bytemuck::cast_slice(&params),
                usage: wgpu::BufferUsages::UNIFORM,
            });
        let bytes = (words.max(1) * 4) as u64;
        let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC;
        let out = match init {
            Some(words) => self
                .device
                .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some("haydi out"),
                    contents: bytemuck::cast_slice(words),
                    usage,
                }),
            None => self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("haydi out"),
                size: bytes,
                usage,
                mapped_at_creation: false,
            }),
        };
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("haydi staging"),
            size: bytes,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("haydi bind"),
            layout: &pipeline.get_bind_group_layout(0),
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: uniform.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: out.as_entire_binding(),
                },
            ],
        });
        let groups = count.div_ceil(WORKGROUP).max(1);
        let x = groups.min(65_535);
        let y = groups.div_ceil(x);
        let mut enc = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("haydi"),
            });
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("haydi pass"),
                timestamp_writes: None,
            });
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, &bind, &[]);
            pass.dispatch_workgroups(x, y, 1);
        }
        enc.copy_buffer_to_buffer(&out, 0, &staging, 0, bytes);
        self.queue.submit([enc.finish()]);
        let validation = pollster::block_on(inner.pop());
        let oom = pollster::block_on(scope.pop());
        if let Some(e) = oom.or(validation) {
            return Err(DeviceFailure::Job(Error::Worker(format!(
                "{}: a dispatch of {count} indices failed: {e}",
                self.name
            ))));
        }
        let slice = staging.slice(..);
        let (tx, rx) = std::sync::mpsc::channel();
        slice.map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        if let Err(e) = self.device.poll(wgpu::PollType::wait_indefinitely()) {
            return Err(self.lost_error(&format!("poll failed: {e}")));
        }
        match rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(self.lost_error(&format!("reading results failed: {e}"))),
            Err(_) => return Err(self.lost_error("the result mapping was dropped")),
        }
        let data = {
            let view = slice
                .get_mapped_range()
                .map_err(|e| self.lost_error(&format!("reading results failed: {e}")))?;
            bytemuck::cast_slice::<u8, u32>(&view)[..words].to_vec()
        };
        staging.unmap();
        if self.lost.load(Ordering::Acquire) {
            return Err(self.lost_error("the device was lost"));
        }
        let stray = std::mem::take(&mut *self.stray.lock_unpoisoned());
        if !stray.is_empty() {
            return Err(DeviceFailure::Job(Error::Worker(format!(
                "{}: {}",
                self.name,
                stray.join("; ")
            ))));
        }
        Ok(data)
    }

    /// The most indices one dispatch of `op` holds.
    fn max_dispatch(&self, op: &Op) -> u64 {
        let cap: u64 = 1 << 30;
        match op {
            Op::Min | Op::Max => cap.min(self.max_words / 2 * u64::from(WORKGROUP)),
            _ => cap,
        }
    }

    /// Runs `[start, end)` of `run`, in bounded dispatches, at most `budget` matches.
    pub(crate) fn run_part(
        &self,
        run: &KernelRun,
        start: u64,
        end: u64,
        budget: u64,
    ) -> Fail<Part> {
        let pipeline = self.pipeline(run)?;
        let op = &run.op;
        let mut acc = op.empty();
        let mut at = start;
        let mut budget = budget;
        while at < end {
            let n = (end - at).min(self.max_dispatch(op)) as u32;
            let part = match op {
                Op::Matches(_) => {
                    if budget == 0 {
                        break;
                    }
                    let v = self.matches(&pipeline, at, n, budget)?;
                    budget -= v.len() as u64;
                    Part::Found(v)
                }
                _ => self.reduce(op, &pipeline, at, n)?,
            };
            op.merge(&mut acc, part).map_err(DeviceFailure::Job)?;
            at += u64::from(n);
        }
        Ok(acc)
    }

    fn reduce(&self, op: &Op, pipeline: &wgpu::ComputePipeline, base: u64, n: u32) -> Fail<Part> {
        let w = self.dispatch(pipeline, base, n, 0, None, wgsl::out_words(op, n, 0))?;
        Ok(match op {
            Op::Count => Part::Count(u64::from(w[0])),
            Op::Sum => Part::Sum(u128::from(w[0]) | u128::from(w[1]) << 32),
            Op::Min | Op::Max => {
                let mut best = None;
                for pair in w.chunks_exact(2) {
                    let (v, i) = (pair[0], pair[1]);
                    if i != u32::MAX && op.better(v, best) {
                        best = Some((v, base + u64::from(i)));
                    }
                }
                Part::Best(best)
            }
            Op::CountsBy(_) => Part::Hist(w.iter().map(|&c| u64::from(c)).collect()),
            Op::Matches(_) => unreachable!("matches are not reduced"),
        })
    }

    /// The first `budget` matching indices of `[base, base + n)`, in order: one dispatch into a
    /// list with an atomic cursor; if more matched than the list holds, once more with room for
    /// all of them when that fits, else piece by piece in order until `budget` are found.
    fn matches(
        &self,
        pipeline: &wgpu::ComputePipeline,
        base: u64,
        n: u32,
        budget: u64,
    ) -> Fail<Vec<u64>> {
        let max_cap = self.max_words.min(1 << 24);
        let cap = budget
            .min(u64::from(n))
            .max(u64::from(n).min(4096))
            .min(max_cap) as u32;
        let w = self.dispatch(pipeline, base, n, cap, None, cap as usize + 1)?;
        let found = u64::from(w[0]);
        let collect = |w: &[u32], k: u64| {
            let mut v: Vec<u64> = w[1..=k as usize]
                .iter()
                .map(|&i| base + u64::from(i))
                .collect();
            v.sort_unstable();
            v.truncate(usize::try_from(budget).unwrap_or(usize::MAX));
            v
        };
        if found <= u64::from(cap) {
            return Ok(collect(&w, found));
        }
        if budget >= found && found <= max_cap {
            let all = found as u32;
            let w = self.dispatch(pipeline, base, n, all, None, all as usize + 1)?;
            return Ok(collect(&w, u64::from(w[0]).min(found)));
        }
        let pieces = 16u32.min(n);
        let step = n.div_ceil(pieces);
        let mut out = Vec::new();
        let mut at = 0u32;
        while at < n && (out.len() as u64) < budget {
            let len = step.min(n - at);
            let more = self.matches(
                pipeline,
                base + u64::from(at),
                len,
                budget - out.len() as u64,
            )?;
            out.extend(more);
            at += len;
        }
        Ok(out)
    }
}
