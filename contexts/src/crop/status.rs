//! What a crop reports: its status, what growing a batch did, what a check found.

use super::lease::Holder;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a crop stands ([`super::Crop::status`]).
///
/// ```
/// use haydi_contexts::crop::CropStatus;
/// let s = CropStatus { batches: Some(20), done: 5, missing: (6..=20).collect(), growing: 1 };
/// assert_eq!(s.to_string(), "5 / 20 batches completed [#####...............]");
/// assert_eq!(CropStatus { batches: None, done: 0, missing: vec![], growing: 0 }.to_string(), "not sown");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CropStatus {
    /// How many batches were sown (`None`: the crop is not sown).
    pub batches: Option<usize>,
    /// How many batches have a verified result.
    pub done: usize,
    /// The batches without a verified result (1-based ids, in order).
    pub missing: Vec<usize>,
    /// How many batches hold a lease (someone is growing them, or a stale lease was left).
    pub growing: usize,
}

impl CropStatus {
    /// Whether every batch has a verified result (false when not sown).
    ///
    /// ```
    /// use haydi_contexts::crop::CropStatus;
    /// assert!(CropStatus { batches: Some(2), done: 2, missing: vec![], growing: 0 }.is_complete());
    /// ```
    pub fn is_complete(&self) -> bool {
        self.batches.is_some() && self.missing.is_empty()
    }
}

impl fmt::Display for CropStatus {
    /// `5 / 20 batches completed` and a bar of 20 characters; `not sown` before sowing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(n) = self.batches else {
            return write!(f, "not sown");
        };
        const WIDTH: usize = 20;
        let full = (self.done * WIDTH).checked_div(n).unwrap_or(WIDTH);
        write!(
            f,
            "{} / {n} batches completed [{}{}]",
            self.done,
            "#".repeat(full),
            ".".repeat(WIDTH - full)
        )
    }
}

/// What [`super::Crop::grow`] did with a batch.
///
/// ```
/// use haydi_contexts::crop::Grow;
/// assert_eq!(Grow::Grown.to_string(), "grown");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Grow {
    /// This call grew the batch and stored its result.
    Grown,
    /// The batch already had a verified result: nothing ran.
    AlreadyDone,
    /// Another grower holds the batch's lease (who, when the lease says): nothing ran.
    Leased(Option<Holder>),
}

impl fmt::Display for Grow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grow::Grown => write!(f, "grown"),
            Grow::AlreadyDone => write!(f, "already done"),
            Grow::Leased(Some(h)) => write!(f, "being grown by {h}"),
            Grow::Leased(None) => write!(f, "being grown by another grower"),
        }
    }
}

/// What [`super::Crop::check`] found.
///
/// ```
/// use haydi_contexts::crop::CheckReport;
/// let r = CheckReport { checked: 3, bad: vec![(2, "it is truncated".into())] };
/// assert!(!r.is_clean());
/// assert_eq!(r.to_string(), "3 results checked, 1 bad: batch 2 (it is truncated)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckReport {
    /// How many result files were looked at.
    pub checked: usize,
    /// The batches whose result could not be trusted, with the reason; their files were
    /// removed, so they are missing again.
    pub bad: Vec<(usize, String)>,
}

impl CheckReport {
    /// Whether every result file was sound.
    ///
    /// ```
    /// assert!(haydi_contexts::crop::CheckReport::default().is_clean());
    /// ```
    pub fn is_clean(&self) -> bool {
        self.bad.is_empty()
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} results checked, {} bad",
            self.checked,
            self.bad.len()
        )?;
        for (i, (id, why)) in self.bad.iter().enumerate() {
            write!(f, "{} batch {id} ({why})", if i == 0 { ":" } else { ";" })?;
        }
        Ok(())
    }
}
