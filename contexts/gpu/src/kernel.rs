//! A kernel: device code (WGSL) and a CPU closure with the same meaning.

use crate::job::KernelStage;
use crate::space::KernelSpace;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

pub(crate) struct KernelInner {
    pub(crate) name: String,
    pub(crate) wgsl: String,
    pub(crate) cpu: Box<dyn Fn(u64) -> u32 + Send + Sync>,
    /// The checks it passed ([`crate::check`]): per device handle id and space, the most seeded
    /// samples checked, so a device checks a kernel before its first run over a space only.
    pub(crate) checked: Mutex<HashMap<(u64, KernelSpace), usize>>,
}

/// A kernel stage's code: a WGSL function `fn kernel(i: U64) -> u32` (with any helpers it needs
/// before it; the [`crate::WGSL_PRELUDE`] is prepended) and a CPU closure that computes the same
/// value from the same index.
///
/// A GPU cannot run a Rust closure, so both are given. The CPU closure is what `run(false)`,
/// CPU threads of an [`crate::AcceleratorContext`] and the chunks of a lost device run, and the
/// oracle the device is tested against. Their meaning must be the same; the value `0` means "no
/// match" for `count`, `take`, `first` and `collect`. [`Kernel::check`] compares the two at both
/// ends of a space and a seeded sample; an [`crate::AcceleratorContext`] does so before a
/// kernel's first run over a space on each device (and, in debug builds, so does every device
/// run), and refuses a kernel whose two forms disagree.
///
/// ```
/// use haydi_gpu::{Kernel, KernelSpace};
/// // Numbers below 1000 divisible by 7.
/// let k = Kernel::new(
///     "div7",
///     "fn kernel(i: U64) -> u32 { return select(0u, 1u, i.lo % 7u == 0u); }",
///     |i| u32::from(i % 7 == 0),
/// );
/// assert_eq!(k.over(KernelSpace::range(1000)).count().run(false)?, 143);
/// assert_eq!(k.cpu(14), 1);
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Kernel {
    pub(crate) inner: Arc<KernelInner>,
}

impl fmt::Debug for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kernel({})", self.inner.name)
    }
}

impl Kernel {
    /// A kernel named `name` (shown in errors and shader labels) with WGSL source `wgsl`, which
    /// must define `fn kernel(i: U64) -> u32`, and its CPU form `cpu`. The WGSL is compiled when
    /// a device first runs it (or by `Kernel::validate` with the `wgpu` feature); a kernel that
    /// does not compile fails that run with an error holding the compiler's message.
    ///
    /// ```
    /// use haydi_gpu::Kernel;
    /// let square = Kernel::new("square", "fn kernel(i: U64) -> u32 { return i.lo * i.lo; }", |i| (i * i) as u32);
    /// assert_eq!(square.name(), "square");
    /// assert_eq!(square.cpu(12), 144);
    /// ```
    pub fn new(
        name: impl Into<String>,
        wgsl: impl Into<String>,
        cpu: impl Fn(u64) -> u32 + Send + Sync + 'static,
    ) -> Kernel {
        Kernel {
            inner: Arc::new(KernelInner {
                name: name.into(),
                wgsl: wgsl.into(),
                cpu: Box::new(cpu),
                checked: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The kernel's name.
    ///
    /// ```
    /// let k = haydi_gpu::Kernel::new("k", "fn kernel(i: U64) -> u32 { return 0u; }", |_| 0);
    /// assert_eq!(k.name(), "k");
    /// ```
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The kernel's WGSL source, as given.
    ///
    /// ```
    /// let k = haydi_gpu::Kernel::new("k", "fn kernel(i: U64) -> u32 { return 0u; }", |_| 0);
    /// assert!(k.wgsl().contains("fn kernel"));
    /// ```
    pub fn wgsl(&self) -> &str {
        &self.inner.wgsl
    }

    /// The CPU closure's value at index `i`.
    ///
    /// ```
    /// let k = haydi_gpu::Kernel::new("id", "fn kernel(i: U64) -> u32 { return i.lo; }", |i| i as u32);
    /// assert_eq!(k.cpu(5), 5);
    /// ```
    pub fn cpu(&self, i: u64) -> u32 {
        (self.inner.cpu)(i)
    }

    /// The kernel stage over `space`: pick an action on it (`count`, `sum`, `min`, `max`,
    /// `counts_by`, `take`, `first`, `collect`).
    ///
    /// ```
    /// use haydi_gpu::{Kernel, KernelSpace};
    /// let k = Kernel::new("id", "fn kernel(i: U64) -> u32 { return i.lo; }", |i| i as u32);
    /// assert_eq!(k.over(KernelSpace::range(10)).sum().run(false)?, 45);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn over(&self, space: KernelSpace) -> KernelStage {
        KernelStage::new(self.clone(), space)
    }

    /// Compiles the kernel for `space` with the shader compiler (naga), without a device: `Ok`
    /// or an [`haydi_core::Error::InvalidArgument`] holding naga's message (line, column, what
    /// is wrong).
    ///
    /// ```
    /// use haydi_gpu::{Kernel, KernelSpace};
    /// let good = Kernel::new("good", "fn kernel(i: U64) -> u32 { return i.lo; }", |i| i as u32);
    /// assert!(good.validate(&KernelSpace::range(4)).is_ok());
    /// let bad = Kernel::new("bad", "fn kernel(i: U64) -> u32 { return i.nope; }", |_| 0);
    /// let e = bad.validate(&KernelSpace::range(4)).unwrap_err().to_string();
    /// assert!(e.contains("bad") && e.contains("nope"), "{e}");
    /// ```
    #[cfg(feature = "wgpu")]
    pub fn validate(&self, space: &KernelSpace) -> haydi_core::Result<()> {
        let src = crate::wgsl::module(&self.inner.wgsl, space, &crate::action::Op::Count);
        crate::backend::validate(&self.inner.name, &src)
    }
}
