//! Which task of a chunk a thread is running, so that a panic names it.
//!
//! A chunk runs under one `catch_unwind` (per item would cost several times a tiny item's
//! work). Code that numbers its items, such as a worker pool's tasks, notes the number of the
//! item it is about to run; when the chunk panics, [`Error::Panicked`](crate::Error::Panicked)
//! says `task i panicked: ...`.

use std::cell::Cell;

thread_local! {
    static NOTE: Cell<Option<u64>> = const { Cell::new(None) };
}

/// Notes that this thread now runs task `i` of its chunk (a panic until the chunk ends, or the
/// next note, names task `i`).
///
/// ```
/// use haydi_core::plumbing::note_task;
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let r = Range::new(10)
///     .iterate()
///     .map(|i| { note_task(i as u64); if i == 7 { panic!("seven") } else { i } })
///     .collect()
///     .run(false);
/// assert!(r.unwrap_err().to_string().contains("task 7 panicked: seven"));
/// ```
#[inline]
pub fn note_task(i: u64) {
    NOTE.with(|n| n.set(Some(i)));
}

/// Forgets the note (at the start of every chunk).
#[inline]
pub(crate) fn clear() {
    NOTE.with(|n| n.set(None));
}

/// The task noted last on this thread, if any.
pub(crate) fn noted() -> Option<u64> {
    NOTE.with(|n| n.get())
}

/// Runs `f`, turning a panic into [`Error::Panicked`](crate::Error::Panicked) of `chunk`:
/// the panic's message after `prefix` (`"in the counting pass of enumerate: "`), or, when the
/// code numbers its items ([`note_task`]), `task i panicked: ...`. The one way every part of
/// haydi reports a panic of user code.
///
/// ```
/// use haydi_core::{plumbing::catch_panic, Error};
/// let e = catch_panic(5..9, "in my step: ", || -> u32 { panic!("boom") }).unwrap_err();
/// assert!(matches!(&e, Error::Panicked { chunk, .. } if *chunk == (5..9)));
/// assert!(e.to_string().contains("in my step: boom"), "{e}");
/// assert_eq!(catch_panic(0..1, "", || 7).unwrap(), 7);
/// ```
pub fn catch_panic<T>(
    chunk: std::ops::Range<u128>,
    prefix: &str,
    f: impl FnOnce() -> T,
) -> crate::Result<T> {
    clear();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        let payload = crate::error::panic_message(p);
        let message = match noted() {
            Some(i) => format!("{prefix}task {i} panicked: {payload}"),
            None => format!("{prefix}{payload}"),
        };
        crate::Error::Panicked {
            chunk,
            message,
            worker: None,
        }
    })
}
