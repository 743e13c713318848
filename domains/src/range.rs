//! [`Range`]: an arithmetic progression of integers.

use haydi_core::domain::describe;
use haydi_core::{Domain, Error, Result, Size};
use rand::{Rng, RngCore};
use std::fmt;
use std::ops::ControlFlow;

/// The integers `start, start + step, ...` strictly before `end`, like Python's `range`.
///
/// The size is the exact number of items; a negative step counts down; an empty span gives the
/// empty domain.
///
/// ```
/// use haydi_core::{Domain, Size};
/// use haydi_domains::Range;
/// assert_eq!(Range::new(3).iter().collect::<Vec<_>>(), vec![0, 1, 2]);
/// let r = Range::span(4, 15, 3).unwrap();
/// assert_eq!(r.size(), Size::Exact(4));
/// assert_eq!(r.iter().collect::<Vec<_>>(), vec![4, 7, 10, 13]);
/// let down = Range::span(5, 0, -2).unwrap();
/// assert_eq!(down.iter().collect::<Vec<_>>(), vec![5, 3, 1]);
/// assert!(Range::span(0, 5, 0).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use = "domains are lazy and do nothing unless iterated"]
pub struct Range {
    start: i64,
    step: i64,
    len: u64,
}

impl Range {
    /// The integers `0..end`; a negative or zero `end` gives the empty domain.
    ///
    /// ```
    /// use haydi_core::{Domain, Size};
    /// use haydi_domains::Range;
    /// assert_eq!(Range::new(20).size(), Size::Exact(20));
    /// assert_eq!(Range::new(-1).size(), Size::Exact(0));
    /// ```
    pub fn new(end: i64) -> Range {
        Range {
            start: 0,
            step: 1,
            len: end.max(0) as u64,
        }
    }

    /// The integers `start, start + step, ...` strictly before `end` (strictly after `end` for a
    /// negative step). A zero step is an [`Error::InvalidDomain`].
    ///
    /// ```
    /// use haydi_core::Domain;
    /// use haydi_domains::Range;
    /// let r = Range::span(-5, 11, 2).unwrap();
    /// assert_eq!(r.iter().collect::<Vec<_>>(), (-5..11).step_by(2).collect::<Vec<i64>>());
    /// assert_eq!(Range::span(1, 1, 1).unwrap().iter().count(), 0);
    /// ```
    pub fn span(start: i64, end: i64, step: i64) -> Result<Range> {
        if step == 0 {
            return Err(Error::InvalidDomain("Range step must not be 0".into()));
        }
        let (s, e, st) = (start as i128, end as i128, step as i128);
        let len = if st > 0 {
            if e <= s { 0 } else { (e - s + st - 1) / st }
        } else if e >= s {
            0
        } else {
            (s - e + (-st) - 1) / (-st)
        };
        Ok(Range {
            start,
            step,
            len: len as u64,
        })
    }

    /// The first item (meaningful only when the range is not empty).
    ///
    /// ```
    /// use haydi_domains::Range;
    /// assert_eq!(Range::span(5, 9, 2).unwrap().start(), 5);
    /// ```
    pub fn start(&self) -> i64 {
        self.start
    }

    /// The step between consecutive items.
    ///
    /// ```
    /// use haydi_domains::Range;
    /// assert_eq!(Range::span(9, 0, -3).unwrap().step(), -3);
    /// ```
    pub fn step(&self) -> i64 {
        self.step
    }

    /// The number of items.
    ///
    /// ```
    /// use haydi_domains::Range;
    /// assert_eq!(Range::span(0, 10, 3).unwrap().len(), 4); // 0, 3, 6, 9
    /// ```
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the range has no items.
    ///
    /// ```
    /// use haydi_domains::Range;
    /// assert!(Range::new(0).is_empty());
    /// assert!(!Range::new(1).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline(always)]
    fn at(&self, i: u64) -> i64 {
        // Exact modulo 2^64, and the true value fits in i64.
        (self.start as u64).wrapping_add(i.wrapping_mul(self.step as u64)) as i64
    }
}

impl Domain for Range {
    type Item = i64;

    fn size(&self) -> Size {
        Size::Exact(self.len as u128)
    }

    fn item_at(&self, index: u128) -> Option<i64> {
        (index < self.len as u128).then(|| self.at(index as u64))
    }

    #[inline]
    fn visit_range<F>(&self, start: u128, end: u128, f: &mut F) -> ControlFlow<()>
    where
        F: FnMut(i64) -> ControlFlow<()>,
    {
        let e = end.min(self.len as u128) as u64;
        let s = start.min(e as u128) as u64;
        let base = self.start as u64;
        let step = self.step as u64;
        if step == 1 {
            // The common case, kept as simple as a hand-written loop over the values.
            let (lo, hi) = (base.wrapping_add(s) as i64, base.wrapping_add(e) as i64);
            if lo <= hi {
                return (lo..hi).try_for_each(f);
            }
        }
        (s..e).try_for_each(|i| f(base.wrapping_add(i.wrapping_mul(step)) as i64))
    }

    fn generate_one(&self, rng: &mut dyn RngCore) -> Result<i64> {
        if self.len == 0 {
            return Err(Error::EmptyDomain {
                domain: self.name(),
            });
        }
        Ok(self.at(rng.random_range(0..self.len)))
    }

    fn name(&self) -> String {
        "Range".into()
    }

    fn fingerprint(&self) -> String {
        format!(
            "Range(start {}, step {}, len {})",
            self.start, self.step, self.len
        )
    }

    fn is_strict(&self) -> bool {
        true
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(self))
    }
}
