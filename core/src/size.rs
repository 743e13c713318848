//! Sizes of domains: exact, an upper bound, or unknown.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, Mul};

/// The number of elements of a domain.
///
/// Sizes are `u128` because products overflow `u64` quickly. An arithmetic overflow gives
/// [`Size::Unknown`], never a wrapped number. A filtered domain keeps its parent's index space, so
/// its size is [`Size::AtMost`] that many.
///
/// ```
/// use haydi_core::Size;
/// assert_eq!(Size::Exact(3) * Size::Exact(4), Size::Exact(12));
/// assert_eq!(Size::Exact(3) * Size::AtMost(4), Size::AtMost(12));
/// assert_eq!(Size::Exact(u128::MAX) * Size::Exact(2), Size::Unknown);
/// assert_eq!(Size::Exact(0) * Size::Unknown, Size::Exact(0));
/// assert_eq!(Size::Exact(3) + Size::Exact(4), Size::Exact(7));
/// assert_eq!(Size::AtMost(7).to_string(), "at most 7");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Size {
    /// Exactly this many elements.
    Exact(u128),
    /// At most this many elements (a filter is involved).
    AtMost(u128),
    /// Not known: the count overflows `u128`.
    Unknown,
}

impl Size {
    /// The length of the index space of a pipeline over a domain whose size overflows `u128`
    /// ([`Size::Unknown`]): its first `OVERFLOW_EXTENT - 1` items have an index each, and the
    /// last index stands for all the items after them (see [`crate::pipeline::Iterate`]).
    ///
    /// ```
    /// use haydi_core::Size;
    /// assert_eq!(Size::OVERFLOW_EXTENT, u128::MAX - 1);
    /// ```
    pub const OVERFLOW_EXTENT: u128 = u128::MAX - 1;

    /// The exact size, if known.
    ///
    /// ```
    /// use haydi_core::Size;
    /// assert_eq!(Size::Exact(3).exact(), Some(3));
    /// assert_eq!(Size::AtMost(3).exact(), None);
    /// ```
    pub fn exact(self) -> Option<u128> {
        match self {
            Size::Exact(n) => Some(n),
            _ => None,
        }
    }

    /// The exact size or the upper bound: the length of the index space.
    ///
    /// ```
    /// use haydi_core::Size;
    /// assert_eq!(Size::AtMost(3).bound(), Some(3));
    /// assert_eq!(Size::Unknown.bound(), None);
    /// ```
    pub fn bound(self) -> Option<u128> {
        match self {
            Size::Exact(n) | Size::AtMost(n) => Some(n),
            Size::Unknown => None,
        }
    }

    /// Whether the size is exact.
    ///
    /// ```
    /// use haydi_core::Size;
    /// assert!(Size::Exact(0).is_exact());
    /// assert!(!Size::AtMost(5).is_exact() && !Size::Unknown.is_exact());
    /// ```
    pub fn is_exact(self) -> bool {
        matches!(self, Size::Exact(_))
    }

    /// The same bound, no longer claimed to be exact.
    ///
    /// ```
    /// use haydi_core::Size;
    /// assert_eq!(Size::Exact(4).loosen(), Size::AtMost(4));
    /// assert_eq!(Size::Unknown.loosen(), Size::Unknown);
    /// ```
    pub fn loosen(self) -> Size {
        match self {
            Size::Exact(n) => Size::AtMost(n),
            s => s,
        }
    }

    fn combine(self, other: Size, op: impl Fn(u128, u128) -> Option<u128>) -> Size {
        match (self, other) {
            (Size::Unknown, _) | (_, Size::Unknown) => Size::Unknown,
            (a, b) => {
                let n = match op(a.bound().unwrap_or(0), b.bound().unwrap_or(0)) {
                    Some(n) => n,
                    None => return Size::Unknown,
                };
                if a.is_exact() && b.is_exact() {
                    Size::Exact(n)
                } else {
                    Size::AtMost(n)
                }
            }
        }
    }

    /// `self` to the power `k` (checked).
    ///
    /// ```
    /// use haydi_core::Size;
    /// assert_eq!(Size::Exact(3).pow(4), Size::Exact(81));
    /// assert_eq!(Size::Exact(3).pow(0), Size::Exact(1));
    /// assert_eq!(Size::Exact(2).pow(128), Size::Unknown); // overflows u128
    /// ```
    pub fn pow(self, k: u32) -> Size {
        let mut acc = Size::Exact(1);
        for _ in 0..k {
            acc = acc * self;
            if acc == Size::Unknown {
                break;
            }
        }
        acc
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Size::Exact(n) => write!(f, "{n}"),
            Size::AtMost(n) => write!(f, "at most {n}"),
            Size::Unknown => write!(f, "unknown"),
        }
    }
}

/// Size of a product (checked: overflow gives [`Size::Unknown`]). A product with an empty
/// factor is empty, however large the other one: `Exact(0) * Unknown == Exact(0)`.
impl Mul for Size {
    type Output = Size;
    fn mul(self, other: Size) -> Size {
        match (self, other) {
            (Size::Exact(0), _) | (_, Size::Exact(0)) => Size::Exact(0),
            (Size::AtMost(0), _) | (_, Size::AtMost(0)) => Size::AtMost(0),
            _ => self.combine(other, u128::checked_mul),
        }
    }
}

/// Size of a disjoint union (checked: overflow gives [`Size::Unknown`]).
impl Add for Size {
    type Output = Size;
    fn add(self, other: Size) -> Size {
        self.combine(other, u128::checked_add)
    }
}
