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
