//! Stragglers: copies of overdue chunks on other workers, and the bound past which a chunk
//! that hangs everywhere fails the run instead of holding it forever.

use super::peer::Held;
use super::run::{RunCtx, chunk_message};
use super::state::DriverState;
use haydi_core::Error;
use haydi_core::plumbing::ChunkSpec;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// At most this many copies of a chunk run at once.
const MAX_COPIES: usize = 3;

/// Hands a copy of every overdue chunk (see `DistributedOptions::straggler_factor`) to a worker
/// that has room and does not run it yet. A chunk that has no worker left to try it on, and
/// whose newest copy has been running for longer than the hang bound
/// (`DistributedOptions::hang_factor` and `hang_floor`), fails the run with `Error::Worker`.
pub(crate) fn speculate(st: &mut DriverState, run: &mut RunCtx<'_, '_>) {
    let (factor, target) = run.straggler;
    let Some(me) = run.me() else { return };
    if factor == 0 {
        return;
    }
    let now = Instant::now();
    if run.next_check.is_some_and(|t| now < t) {
        return;
    }
    let base = target.max(run.slowest);
    let limit = base.checked_mul(factor).unwrap_or(Duration::MAX);
    let (hang_factor, hang_floor) = run.hang;
    let hang = (hang_factor > 0).then(|| {
        base.checked_mul(hang_factor)
            .unwrap_or(Duration::MAX)
            .max(hang_floor)
    });
    run.next_check =
        Some(now + (limit / 4).clamp(Duration::from_millis(5), Duration::from_millis(100)));
    // Chunk id -> (spec, ranks running it, when the newest copy was sent).
    let mut copies: BTreeMap<u64, (ChunkSpec, Vec<u32>, Instant)> = BTreeMap::new();
    for (rank, p) in &st.peers {
        if !p.alive {
            continue;
        }
        let overdue = |h: &Held| now.duration_since(h.since) >= limit;
        // Chunks queued behind threads that are all overdue will not start either.
        let stuck = p
            .in_flight
            .values()
            .filter(|h| h.started && overdue(h))
            .count()
            >= p.threads as usize;
        for (id, h) in &p.in_flight {
            if !(if h.started { overdue(h) } else { stuck }) {
                continue;
            }
            let e = copies
                .entry(*id)
                .or_insert_with(|| (h.spec.clone(), Vec::new(), h.since));
            e.1.push(*rank);
            e.2 = e.2.max(h.since);
        }
    }
    for (id, (spec, holders, newest)) in copies {
        // Every copy must be overdue (a fresh copy is not counted above).
        let running = st
            .peers
            .values()
            .filter(|p| p.alive && p.in_flight.contains_key(&id))
            .count();
        if running != holders.len() {
            continue;
        }
        let candidates = || {
            st.peers
                .iter()
                .filter(|(r, p)| p.alive && p.at == Some(me.seq) && !holders.contains(r))
        };
        if running >= MAX_COPIES || candidates().next().is_none() {
            // Nowhere left to try it: past the hang bound the run fails, naming the chunk.
            if let Some(hang) = hang.filter(|h| now.duration_since(newest) >= *h) {
                run.fail(Error::Worker(format!(
                    "chunk [{}, {}) did not finish on any of the {running} workers running it \
                     (ranks {holders:?}; the newest copy has run for {:?}, more than the hang bound of {hang:?} \
                     = max(hang_floor, hang_factor x max(target chunk, slowest chunk))); a closure seems to hang on it",
                    spec.start,
                    spec.end,
                    now.duration_since(newest),
                )));
                return;
            }
            continue;
        }
        // The worker with room that holds the fewest chunks (an idle one if any).
        let Some((&rank, p)) = st
            .peers
            .iter_mut()
            .filter(|(r, p)| {
                p.alive && p.at == Some(me.seq) && p.credits > 0 && !holders.contains(r)
            })
            .min_by_key(|(_, p)| p.in_flight.len())
        else {
            break;
        };
        if chunk_message(me.seq, &spec).map(|b| p.send(b)) != Ok(true) {
            continue;
        }
        haydi_core::warning!(start = %spec.start, end = %spec.end, ?holders, copy_on = rank,
            "chunk outstanding for more than {limit:?} (straggler_factor x max(target chunk, slowest chunk)); running a copy elsewhere, the first result wins"
        );
        p.credits -= 1;
        p.hold(spec, now);
        run.speculated.insert(id, now);
    }
}
