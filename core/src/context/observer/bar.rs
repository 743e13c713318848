//! The progress bar of a run (indicatif): its look, its rate and its last state.

use super::RunEnd;

/// A rate (per second) with three significant digits and an SI suffix: `850/s`, `12.3k/s`,
/// `4.56M/s`.
pub(super) fn format_rate(per_sec: f64) -> String {
    if !per_sec.is_finite() || per_sec <= 0.0 {
        return "0/s".into();
    }
    const UNITS: [&str; 7] = ["", "k", "M", "G", "T", "P", "E"];
    let mut v = per_sec;
    let mut unit = 0;
    while v >= 999.5 && unit + 1 < UNITS.len() {
        v /= 1000.0;
        unit += 1;
    }
    let digits = if v >= 99.5 {
        0
    } else if v >= 9.995 {
        1
    } else {
        2
    };
    format!("{v:.digits$}{}/s", UNITS[unit])
}

/// The progress bar of a run over `total` indices (a spinner for endless sources).
pub(super) fn new_bar(total: Option<u128>) -> indicatif::ProgressBar {
    let bar = match total {
        Some(t) => indicatif::ProgressBar::new(t.min(u64::MAX as u128) as u64),
        None => indicatif::ProgressBar::new_spinner(),
    };
    #[cfg(test)]
    test_bars::record(&bar);
    let rate = |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
        let _ = w.write_str(&format_rate(s.per_sec()));
    };
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} ({rate}, ETA {eta}) {msg}",
    )
    .map(|s| s.with_key("rate", rate))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// Leaves `bar` in the final state of a run that ended as `end` after `processed` indices.
pub(super) fn end_bar(
    bar: &indicatif::ProgressBar,
    processed: u128,
    total: Option<u128>,
    end: RunEnd,
) {
    let of = match total {
        Some(t) => format!("{processed} of {t}"),
        None => format!("{processed} indices"),
    };
    match end {
        RunEnd::Complete if total.is_none_or(|t| processed >= t) => bar.finish(),
        RunEnd::Complete => {
            bar.abandon_with_message(format!("done: a take was satisfied after {of}"))
        }
        RunEnd::TimedOut => bar.abandon_with_message(format!("timed out after {of}")),
        RunEnd::Failed => bar.abandon_with_message(format!("failed after {of}")),
    }
}

/// Test hook: the bars created on this thread, drawn nowhere.
#[cfg(test)]
pub(super) mod test_bars {
    use std::cell::RefCell;

    thread_local! {
        static BARS: RefCell<Vec<indicatif::ProgressBar>> = const { RefCell::new(Vec::new()) };
    }

    pub(super) fn record(bar: &indicatif::ProgressBar) {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
        BARS.with(|b| b.borrow_mut().push(bar.clone()));
    }

    /// The bars created on this thread since the last call.
    pub(in crate::context) fn take() -> Vec<indicatif::ProgressBar> {
        BARS.with(|b| std::mem::take(&mut *b.borrow_mut()))
    }
}
