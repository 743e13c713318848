//! The runs a driver has finished, so that a worker that joins late (a restarted process, a
//! replacement node) can catch up with the program: it reaches the same `run(true)` calls from
//! the start, and gets for each one the result the driver kept, or is told to compute it itself.

use crate::distributed::protocol::RunId;
use std::collections::BTreeMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// What a late worker gets for a run that ended before it joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Past {
    /// The encoded `ToWorker::Result` of the run.
    Kept(Arc<Vec<u8>>),
    /// The result was not kept: the worker computes it itself.
    Recompute,
    /// The worker announced another run than the driver ran at that point.
    Diverged,
}

/// Fingerprints of every finished run, and the encoded results that fit the budget.
pub(crate) struct RunHistory {
    ids: Vec<u64>,
    kept: BTreeMap<u64, Arc<Vec<u8>>>,
    kept_bytes: usize,
    budget: usize,
}

fn fingerprint(id: &RunId) -> u64 {
    // The driver hashes both sides itself, so the hash need not be stable across builds.
    let mut h = DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

impl RunHistory {
    /// An empty history keeping at most `budget` bytes of results.
    pub fn new(budget: usize) -> Self {
        RunHistory {
            ids: Vec::new(),
            kept: BTreeMap::new(),
            kept_bytes: 0,
            budget,
        }
    }

    /// Number of finished runs (the sequence number of the next one).
    pub fn len(&self) -> u64 {
        self.ids.len() as u64
    }

    /// Records run `id` (the next in sequence) and its encoded result message. Results are kept
    /// from the first run on while they fit the budget: a late worker needs them in order.
    /// The driver's objects pushed to a pool (`crate::pool::BROADCAST_RUN`) are kept whatever
    /// their size: a late worker cannot compute the driver's copy itself.
    pub fn record(&mut self, id: &RunId, result: Arc<Vec<u8>>) {
        debug_assert_eq!(id.seq, self.len());
        self.ids.push(fingerprint(id));
        let must = id.type_name == crate::pool::BROADCAST_RUN;
        if must || self.kept_bytes + result.len() <= self.budget {
            self.kept_bytes += result.len();
            self.kept.insert(id.seq, result);
        }
    }

    /// What a late worker that announced `id` gets (`None`: not a finished run).
    pub fn lookup(&self, id: &RunId) -> Option<Past> {
        let f = *self.ids.get(usize::try_from(id.seq).ok()?)?;
        Some(if f != fingerprint(id) {
            Past::Diverged
        } else {
            match self.kept.get(&id.seq) {
                Some(b) => Past::Kept(b.clone()),
                None => Past::Recompute,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(seq: u64, site: &str) -> RunId {
        RunId {
            seq,
            call_site: site.into(),
            type_name: "T".into(),
            source: "S".into(),
        }
    }

    #[test]
    fn kept_results_within_budget_and_divergence() {
        let mut h = RunHistory::new(10);
        h.record(&id(0, "a"), Arc::new(vec![1; 6]));
        h.record(&id(1, "b"), Arc::new(vec![2; 6]));
        h.record(&id(2, "c"), Arc::new(vec![3; 4]));
        assert_eq!(h.len(), 3);
        assert_eq!(
            h.lookup(&id(0, "a")),
            Some(Past::Kept(Arc::new(vec![1; 6])))
        );
        // Over the budget: not kept, recomputed.
        assert_eq!(h.lookup(&id(1, "b")), Some(Past::Recompute));
        assert_eq!(
            h.lookup(&id(2, "c")),
            Some(Past::Kept(Arc::new(vec![3; 4])))
        );
        assert_eq!(h.lookup(&id(1, "x")), Some(Past::Diverged));
        assert_eq!(h.lookup(&id(3, "d")), None);
    }
}
