//! User code runs outside the scheduler's lock: a progress callback that blocks, or the exact
//! re-run of a chunk that straddles the end of a `take`, does not stop other workers from taking
//! and completing chunks; a panicking progress callback fails the run with an error.
//!
//! No timing asserts: waits are handshakes with bounded timeouts (generous, so only a deadlock
//! reaches them), and reaching a timeout fails the test instead of hanging it.
use haydi_core::context::RunReport;
use haydi_core::domain::tests_support::Digits;

use crate::common::tiny_chunks;
use haydi_core::plumbing::{Completion, ErasedJob, Request, ScheduleConfig, Scheduler};
use haydi_core::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Long enough that only a deadlock (user code waiting for a worker that waits for the lock)
/// runs into it.
const HANDSHAKE: Duration = Duration::from_secs(10);

#[test]
fn a_blocking_progress_callback_does_not_stop_other_workers() {
    // One-index chunks: every item a closure sees belongs to a chunk handed out (under the
    // scheduler's lock) after the one before it.
    let ctx = tiny_chunks(2);
    let started = Instant::now();
    let blocking = Arc::new(AtomicBool::new(false));
    let released = Arc::new(AtomicBool::new(false));
    let first_call = Arc::new(AtomicBool::new(true));
    let stalled = Arc::new(AtomicBool::new(false));
    let called = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel::<()>();
    let rx = Mutex::new(rx);
    let opts = {
        let (blocking, released, stalled, called) = (
            blocking.clone(),
            released.clone(),
            stalled.clone(),
            called.clone(),
        );
        RunOptions::new().on_progress(move |_| {
            if !first_call.swap(false, Ordering::SeqCst) {
                return;
            }
            called.store(true, Ordering::SeqCst);
            // Block here until the other worker has run three more chunks.
            blocking.store(true, Ordering::SeqCst);
            let rx = rx.lock().unwrap();
            for _ in 0..3 {
                if rx.recv_timeout(HANDSHAKE).is_err() {
                    stalled.store(true, Ordering::SeqCst);
                    break;
                }
            }
            released.store(true, Ordering::SeqCst);
        })
    };
    let tx = Mutex::new(tx);
    let job = Digits(1_000_000_000)
        .iterate()
        .map(move |x| {
            if blocking.load(Ordering::SeqCst) {
                let _ = tx.lock().unwrap().send(());
            }
            x
        })
        // Nothing passes until the callback returns; then the take ends the run. (After a
        // minute without a callback, everything passes, and the test fails below.)
        .filter(move |_| {
            released.load(Ordering::SeqCst) || started.elapsed() > Duration::from_secs(60)
        })
        .take(5)
        .collect();
    let out = job.run_in_with(&ctx, &opts).unwrap();
    assert!(
        called.load(Ordering::SeqCst),
        "the callback was never called"
    );
    assert!(
        !stalled.load(Ordering::SeqCst),
        "no worker took a chunk while the progress callback ran"
    );
    assert!(out.complete);
    assert_eq!(out.value.len(), 5);
    assert!(out.value.windows(2).all(|w| w[0] < w[1]), "{:?}", out.value);
}

#[test]
fn a_panicking_progress_callback_fails_the_run() {
    let ctx = ThreadContext::new(2).unwrap();
    let started = Instant::now();
    // A panic in a report during the run (not the final one).
    let opts = RunOptions::new().on_progress(|p| {
        if !p.finished {
            panic!("callback boom");
        }
    });
    let r = Digits(1_000_000_000_000)
        .iterate()
        .filter(move |_| {
            // Bounded: a callback that is never called ends the run with another error.
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no progress report"
            );
            false
        })
        .count()
        .run_in_with(&ctx, &opts);
    match r {
        Err(Error::Panicked { message, .. }) => {
            assert!(message.contains("progress callback"), "{message}");
            assert!(message.contains("callback boom"), "{message}");
        }
        other => panic!("expected Error::Panicked, got {other:?}"),
    }
    // A panic in the final report, on threads and serially.
    let opts = RunOptions::new().on_progress(|_| panic!("final boom"));
    for r in [
        Digits(10).count().run_in_with(&ctx, &opts),
        Digits(10).count().run_with(false, &opts),
    ] {
        match r {
            Err(Error::Panicked { message, .. }) => assert!(message.contains("final boom")),
            other => panic!("expected Error::Panicked, got {other:?}"),
        }
    }
    // The context is unharmed.
    assert_eq!(Digits(1000).sum().run_in(&ctx).unwrap(), 499_500);
    let reports = Arc::new(AtomicUsize::new(0));
    let seen = reports.clone();
    let opts = RunOptions::new().on_progress(move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
    });
    let out = Digits(1000).count().run_in_with(&ctx, &opts).unwrap();
    assert_eq!(out.value, 1000);
    assert!(reports.load(Ordering::SeqCst) >= 1);
}

/// Hands out three chunks of a `generate` source (1024 positions each), runs them, completes
/// chunk 1 (it waits for chunk 0), then completes chunk 0 on a second thread: chunk 1 let more
/// through the `take` than chunk 0 leaves room for, so that thread re-runs it, and its closure
/// (`Gate::wait`) blocks until this thread has taken a new chunk and completed chunk 2, which
/// needs the scheduler's lock.
#[derive(Debug)]
struct RerunMeanwhile {
    gate: Arc<Gate>,
}

#[derive(Debug, Default)]
struct Gate {
    /// Set once the first runs are done: a closure call after it is the re-run.
    armed: AtomicBool,
    rerun_started: Mutex<Option<mpsc::Sender<()>>>,
    go_on: Mutex<Option<mpsc::Receiver<()>>>,
    /// The re-run waited in vain for the other thread.
    stalled: AtomicBool,
    reruns: AtomicUsize,
}

impl Gate {
    /// Called by the pipeline's closure on every item.
    fn wait(&self) {
        if !self.armed.load(Ordering::SeqCst) {
            return;
        }
        // Only the first item of the re-run waits.
        if self.reruns.fetch_add(1, Ordering::SeqCst) > 0 {
            return;
        }
        if let Some(tx) = self.rerun_started.lock().unwrap().take() {
            let _ = tx.send(());
        }
        let rx = self.go_on.lock().unwrap().take().expect("one re-run");
        if rx.recv_timeout(HANDSHAKE).is_err() {
            self.stalled.store(true, Ordering::SeqCst);
        }
    }
}

impl ParallelContext for RerunMeanwhile {
    fn execute(&self, job: &dyn ErasedJob, opts: &RunOptions) -> Result<RunReport> {
        let config = ScheduleConfig {
            target_chunk: Duration::ZERO,
            probe_budget: Duration::ZERO,
            inline_threshold: Duration::ZERO,
            max_growth: 1,
        };
        let sched = Scheduler::new(job, opts, 2, config)?;
        let specs: Vec<_> = (0..3)
            .map(|_| sched.next_chunk(Request::any()).expect("chunk"))
            .collect();
        let outs: Vec<_> = specs
            .iter()
            .map(|s| job.run_chunk(s.start, s.end, &s.budgets))
            .collect();
        let mut outs = outs.into_iter();
        let (r0, r1, r2) = (
            outs.next().unwrap(),
            outs.next().unwrap(),
            outs.next().unwrap(),
        );
        sched.complete(&specs[1], r1, Completion::by(1, Duration::from_micros(10)));
        let (started_tx, started_rx) = mpsc::channel();
        let (go_tx, go_rx) = mpsc::channel();
        *self.gate.rerun_started.lock().unwrap() = Some(started_tx);
        *self.gate.go_on.lock().unwrap() = Some(go_rx);
        self.gate.armed.store(true, Ordering::SeqCst);
        std::thread::scope(|s| {
            let sched = &sched;
            let spec0 = &specs[0];
            s.spawn(move || {
                sched.complete(spec0, r0, Completion::by(0, Duration::from_micros(10)))
            });
            started_rx
                .recv_timeout(HANDSHAKE)
                .expect("chunk 1 was not re-run");
            // While the other thread re-runs chunk 1: take a chunk and complete one.
            let more = sched.next_chunk(Request::any());
            sched.complete(&specs[2], r2, Completion::by(1, Duration::from_micros(10)));
            let _ = go_tx.send(());
            if let Some(spec) = more {
                let r = job.run_chunk(spec.start, spec.end, &spec.budgets);
                sched.complete(&spec, r, Completion::by(1, Duration::from_micros(10)));
            }
        });
        sched.finish()
    }
    fn workers(&self) -> usize {
        2
    }
    fn name(&self) -> String {
        "rerun-meanwhile".into()
    }
}

#[test]
fn a_take_rerun_does_not_stop_other_workers_and_equals_serial() {
    let gate = Arc::new(Gate::default());
    let g = gate.clone();
    let job = Digits(1000)
        .generate(7)
        .map(move |x| {
            g.wait();
            x * 2
        })
        .take(1500)
        .collect();
    let ctx = RerunMeanwhile { gate: gate.clone() };
    let par = job.run_in(&ctx).unwrap();
    assert!(gate.reruns.load(Ordering::SeqCst) > 0, "nothing was re-run");
    assert!(
        !gate.stalled.load(Ordering::SeqCst),
        "no other chunk was taken or completed during the re-run"
    );
    gate.armed.store(false, Ordering::SeqCst);
    let serial = job.run(false).unwrap();
    assert_eq!(par.len(), 1500);
    assert_eq!(par, serial);
    // And on real threads with tiny chunks.
    assert_eq!(job.run_in(&tiny_chunks(2)).unwrap(), serial);
}
