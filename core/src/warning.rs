//! haydi's warnings: through `tracing` when the program installed a subscriber, else on
//! stderr, one line each.
//!
//! haydi reports what a user must know but what is not an error (a lost worker whose chunks
//! ran elsewhere, a start-up that goes on with fewer workers, a kept log folder, a crop lease
//! taken over) as `tracing` events of level WARN and target `haydi`. A program that installed a
//! subscriber (`tracing_subscriber::fmt().init()`, or any other) routes and filters them as it
//! routes its own events. A program that installed none would never see them, so then each
//! warning is written to stderr as one line (`WARN haydi: worker lost rank=2 ...`), at most
//! [`BURST`] lines per [`WINDOW`]; the lines dropped beyond that are counted and the next line
//! says how many. `HAYDI_WARNINGS=off` silences that fallback (a subscriber's own filter
//! silences them where one is installed: `haydi=error`).
//!
//! ```
//! // With no subscriber, this line goes to stderr; with one, to the subscriber.
//! haydi_core::warning!(rank = 3, "worker lost: {}", "connection reset");
//! ```

use crate::plumbing::Unpoisoned;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};
use tracing::Dispatch;

/// The variable that turns the stderr fallback off (`off`, `0`, `false` or `no`).
pub const ENV_WARNINGS: &str = "HAYDI_WARNINGS";

/// At most this many warnings are written to stderr per [`WINDOW`].
pub const BURST: u32 = 10;

/// The period of the stderr fallback's rate limit.
pub const WINDOW: Duration = Duration::from_secs(10);

/// Emits a warning of haydi (level WARN, target `haydi`) with `tracing`'s syntax: fields, then a
/// format string and its arguments. Without a subscriber it goes to stderr (see the
/// [module docs](mod@crate::warning)).
///
/// ```
/// let path = std::path::Path::new("/tmp/x");
/// haydi_core::warning!(path = %path.display(), "a worker failed; its log is kept");
/// ```
#[macro_export]
macro_rules! warning {
    ($($arg:tt)+) => {
        if $crate::warning::has_subscriber() {
            $crate::warning::__tracing::warn!(target: "haydi", $($arg)+);
        } else {
            $crate::warning::to_stderr(|| {
                $crate::warning::__tracing::warn!(target: "haydi", $($arg)+)
            });
        }
    };
}

#[doc(hidden)]
pub use tracing as __tracing;

/// Whether the current thread has a `tracing` subscriber (its own or the global one).
///
/// ```
/// // Tests and programs without a subscriber get the stderr fallback.
/// let _ = haydi_core::warning::has_subscriber();
/// ```
pub fn has_subscriber() -> bool {
    tracing::dispatcher::get_default(|d| !d.is::<tracing::subscriber::NoSubscriber>())
}

/// Whether `HAYDI_WARNINGS` turns the stderr fallback off.
fn silenced() -> bool {
    static OFF: OnceLock<bool> = OnceLock::new();
    *OFF.get_or_init(|| {
        std::env::var(ENV_WARNINGS).is_ok_and(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "off" | "0" | "false" | "no"
            )
        })
    })
}

/// The rate limit of the fallback: the window's start and how many lines it has written.
struct Window {
    start: Instant,
    written: u32,
}

static WINDOW_STATE: Mutex<Option<Window>> = Mutex::new(None);
static DROPPED: AtomicU64 = AtomicU64::new(0);

/// Whether one more line may be written now; counts it.
fn admit(now: Instant) -> bool {
    let mut w = WINDOW_STATE.lock_unpoisoned();
    let w = w.get_or_insert(Window {
        start: now,
        written: 0,
    });
    if now.duration_since(w.start) >= WINDOW {
        w.start = now;
        w.written = 0;
    }
    if w.written < BURST {
        w.written += 1;
        true
    } else {
        false
    }
}

/// The subscriber of the fallback: one line per event on stderr, no time, no colours.
fn stderr_dispatch() -> &'static Dispatch {
    static D: OnceLock<Dispatch> = OnceLock::new();
    D.get_or_init(|| {
        Dispatch::new(
            tracing_subscriber::fmt()
                .with_writer(std::io::stderr)
                .with_ansi(false)
                .without_time()
                .with_target(true)
                .with_max_level(tracing::Level::WARN)
                .finish(),
        )
    })
}

/// Writes the event `emit` makes to stderr, within the rate limit (used by [`warning!`]).
///
/// ```
/// haydi_core::warning::to_stderr(|| tracing::warn!(target: "haydi", "one line"));
/// ```
pub fn to_stderr(emit: impl FnOnce()) {
    if silenced() {
        return;
    }
    if !admit(Instant::now()) {
        DROPPED.fetch_add(1, Ordering::Relaxed);
        return;
    }
    let dropped = DROPPED.swap(0, Ordering::Relaxed);
    tracing::dispatcher::with_default(stderr_dispatch(), || {
        if dropped > 0 {
            tracing::warn!(
                target: "haydi",
                "{dropped} more haydi warnings were not shown (at most {BURST} per {WINDOW:?}; install a tracing subscriber to see them all)"
            );
        }
        emit()
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_limit_admits_a_burst_per_window() {
        let t = Instant::now() + Duration::from_secs(3600);
        // Other tests may have written lines: start a fresh window far in the future.
        *WINDOW_STATE.lock().unwrap() = None;
        let admitted = (0..25).filter(|_| admit(t)).count();
        assert_eq!(admitted, BURST as usize);
        assert!(!admit(t + WINDOW / 2));
        assert!(admit(t + WINDOW));
    }

    #[test]
    fn no_subscriber_is_seen_as_none() {
        assert!(!has_subscriber());
        let d = Dispatch::new(
            tracing_subscriber::fmt()
                .with_writer(std::io::sink)
                .finish(),
        );
        tracing::dispatcher::with_default(&d, || assert!(has_subscriber()));
    }
}
