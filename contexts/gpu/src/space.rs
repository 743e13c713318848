//! Kernel-friendly index spaces: a range, or a mixed-radix product of small ranges.

use haydi_core::{Error, Result};

/// The largest radix of a mixed-radix space: the WGSL prelude divides a 64-bit index by a
/// digit's radix in 16-bit steps, so radices must stay below 2^16.
pub const MAX_RADIX: u32 = 65_535;

/// The index space a kernel runs over: indices `0..len`, optionally read as mixed-radix
/// digits (a product of ranges `0..r0 × 0..r1 × ...`, the **last** coordinate fastest, as
/// haydi's `Product`, `Sequences` and `Mappings` number their items).
///
/// The device gets each index as a 64-bit number (WGSL has no `u64`: the prelude's `U64` is two
/// `u32`s), and the prelude's `space_digits(i)` decodes its digits, first coordinate first.
/// On the CPU, [`KernelSpace::digits`] does the same.
///
/// ```
/// use haydi_gpu::KernelSpace;
/// let s = KernelSpace::product(&[3, 4])?; // pairs (a, b), a < 3, b < 4
/// assert_eq!(s.len(), 12);
/// assert_eq!(s.digits(7), vec![1, 3]);
/// assert_eq!(KernelSpace::range(10).len(), 10);
/// assert!(KernelSpace::product(&[0, 4])?.is_empty());
/// # Ok::<(), haydi_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KernelSpace {
    start: u64,
    len: u64,
    radices: Vec<u32>,
}

impl KernelSpace {
    /// Indices `0..len` (for a range `a..b`, use `range(b - a)` and add `a` in the kernel).
    ///
    /// ```
    /// use haydi_gpu::KernelSpace;
    /// assert_eq!(KernelSpace::range(5).len(), 5);
    /// assert!(KernelSpace::range(5).radices().is_empty());
    /// ```
    pub fn range(len: u64) -> Self {
        KernelSpace {
            start: 0,
            len,
            radices: Vec::new(),
        }
    }

    /// The indices `start..end` themselves (empty when `end <= start`): the kernel, the CPU
    /// closure and the results (`take`, `min`, ...) see `start + k` for position `k`, so the
    /// upper 32 bits of the device's `U64` are in use past `2^32`.
    ///
    /// ```
    /// use haydi_gpu::{Kernel, KernelSpace};
    /// let s = KernelSpace::span(1 << 32, (1 << 32) + 10);
    /// assert_eq!((s.start(), s.len()), (1 << 32, 10));
    /// let k = Kernel::new("hi", "fn kernel(i: U64) -> u32 { return i.hi; }", |i| (i >> 32) as u32);
    /// assert_eq!(k.over(s).first().run(false)?, Some(1 << 32));
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn span(start: u64, end: u64) -> Self {
        KernelSpace {
            start,
            len: end.saturating_sub(start),
            radices: Vec::new(),
        }
    }

    /// The first index (0 except for [`KernelSpace::span`]).
    ///
    /// ```
    /// assert_eq!(haydi_gpu::KernelSpace::span(5, 9).start(), 5);
    /// ```
    pub fn start(&self) -> u64 {
        self.start
    }

    /// The product `0..r0 × 0..r1 × ...`, last coordinate fastest. Every radix must be at most
    /// [`MAX_RADIX`] and the product must fit in `u64` ([`Error::InvalidArgument`] otherwise);
    /// a zero radix gives the empty space; no radix at all gives one (empty) tuple.
    ///
    /// ```
    /// use haydi_gpu::KernelSpace;
    /// assert_eq!(KernelSpace::product(&[2, 3, 4])?.len(), 24);
    /// assert!(KernelSpace::product(&[70_000]).is_err());
    /// assert!(KernelSpace::product(&[65_535; 5]).is_err()); // more than u64
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn product(radices: &[u32]) -> Result<Self> {
        let mut len: u64 = 1;
        for &r in radices {
            if r > MAX_RADIX {
                return Err(Error::InvalidArgument(format!(
                    "KernelSpace: radix {r} is larger than {MAX_RADIX} (the device decodes digits in 16-bit steps)"
                )));
            }
            len = len.checked_mul(u64::from(r)).ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "KernelSpace: the product of the radices {radices:?} does not fit in u64"
                ))
            })?;
        }
        if radices.contains(&0) {
            len = 0;
        }
        Ok(KernelSpace {
            start: 0,
            len,
            radices: radices.to_vec(),
        })
    }

    /// Sequences of `length` values in `0..radix` (haydi's `Sequences` over `Range::new(radix)`).
    ///
    /// ```
    /// use haydi_gpu::KernelSpace;
    /// let s = KernelSpace::sequences(2, 3)?;
    /// assert_eq!(s.len(), 8);
    /// assert_eq!(s.digits(6), vec![1, 1, 0]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn sequences(radix: u32, length: usize) -> Result<Self> {
        Self::product(&vec![radix; length])
    }

    /// Mappings from `keys` keys (in their order) to values in `0..values` (haydi's `Mappings`
    /// over a key domain of `keys` items and `Range::new(values)`): digit `k` is the value of
    /// key `k`.
    ///
    /// ```
    /// use haydi_gpu::KernelSpace;
    /// let s = KernelSpace::mappings(4, 3)?; // 3^4 maps
    /// assert_eq!(s.len(), 81);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn mappings(keys: usize, values: u32) -> Result<Self> {
        Self::sequences(values, keys)
    }

    /// The number of indices.
    ///
    /// ```
    /// assert_eq!(haydi_gpu::KernelSpace::range(3).len(), 3);
    /// ```
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether there are no indices.
    ///
    /// ```
    /// assert!(haydi_gpu::KernelSpace::range(0).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The radices, first coordinate first (empty for a plain range).
    ///
    /// ```
    /// assert_eq!(haydi_gpu::KernelSpace::product(&[2, 5])?.radices(), &[2, 5]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn radices(&self) -> &[u32] {
        &self.radices
    }

    /// The mixed-radix digits of `index`, first coordinate first (empty for a plain range).
    ///
    /// ```
    /// let s = haydi_gpu::KernelSpace::product(&[10, 10, 10])?;
    /// assert_eq!(s.digits(472), vec![4, 7, 2]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn digits(&self, index: u64) -> Vec<u32> {
        let mut out = vec![0; self.radices.len()];
        self.digits_into(index, &mut out);
        out
    }

    /// [`KernelSpace::digits`] into a buffer of `radices().len()` digits (no allocation, for
    /// CPU closures that run once per index).
    ///
    /// ```
    /// let s = haydi_gpu::KernelSpace::product(&[3, 3])?;
    /// let mut d = [0; 2];
    /// s.digits_into(5, &mut d);
    /// assert_eq!(d, [1, 2]);
    /// # Ok::<(), haydi_core::Error>(())
    /// ```
    pub fn digits_into(&self, index: u64, out: &mut [u32]) {
        let mut x = index;
        for (d, &r) in out.iter_mut().zip(&self.radices).rev() {
            let r = u64::from(r.max(1));
            *d = (x % r) as u32;
            x /= r;
        }
    }
}
