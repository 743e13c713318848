//! The session: which context `run(true)` uses.
//!
//! [`set_parallel_context`] may be called at any time, as often as wanted (there is no set-once
//! global). [`with_parallel_context`] overrides it for one thread and one closure. When nothing
//! was set, `run(true)` uses a [`ThreadContext`] with one thread per core of this machine,
//! created on first use.

use crate::context::{ParallelContext, SerialContext, ThreadContext, nested};
use crate::error::{Error, Result};
use crate::plumbing::UnpoisonedRw;
use std::cell::RefCell;
use std::sync::{Arc, OnceLock, RwLock};

static CONTEXT: RwLock<Option<Arc<dyn ParallelContext>>> = RwLock::new(None);
static DEFAULT: OnceLock<Arc<dyn ParallelContext>> = OnceLock::new();

thread_local! {
    static OVERRIDE: RefCell<Vec<Arc<dyn ParallelContext>>> = const { RefCell::new(Vec::new()) };
}

/// Makes `ctx` the context of every later `run(true)` (on every thread).
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// session::set_parallel_context(ThreadContext::new(2).unwrap());
/// assert_eq!(session::parallel_context().name(), "threads(2)");
/// assert_eq!(Range::new(10).count().run(true).unwrap(), 10);
/// session::clear_parallel_context();
/// ```
pub fn set_parallel_context<C: ParallelContext + 'static>(ctx: C) {
    set_parallel_context_shared(Arc::new(ctx));
}

/// Like [`set_parallel_context`], for a context already behind an `Arc`.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// use std::sync::Arc;
/// let ctx: Arc<dyn ParallelContext> = Arc::new(ThreadContext::new(2).unwrap());
/// session::set_parallel_context_shared(ctx.clone());
/// assert!(Arc::ptr_eq(&session::parallel_context(), &ctx));
/// assert_eq!(Range::new(10).count().run(true).unwrap(), 10);
/// session::clear_parallel_context();
/// ```
pub fn set_parallel_context_shared(ctx: Arc<dyn ParallelContext>) {
    *CONTEXT.write_unpoisoned() = Some(ctx);
}

/// Forgets the context set with [`set_parallel_context`]; `run(true)` goes back to the default.
///
/// ```
/// use haydi_core::prelude::*;
/// session::set_parallel_context(SerialContext);
/// assert_eq!(session::parallel_context().name(), SerialContext.name());
/// session::clear_parallel_context();
/// assert_ne!(session::parallel_context().name(), SerialContext.name()); // all cores again
/// ```
pub fn clear_parallel_context() {
    *CONTEXT.write_unpoisoned() = None;
}

/// The context `run(true)` uses now on this thread: the innermost
/// [`with_parallel_context`], else the one set with [`set_parallel_context`], else a
/// [`ThreadContext`] with one thread per core.
///
/// ```
/// use haydi_core::prelude::*;
/// let name = session::with_parallel_context(SerialContext, || session::parallel_context().name());
/// assert_eq!(name, SerialContext.name());
/// ```
pub fn parallel_context() -> Arc<dyn ParallelContext> {
    if let Some(c) = OVERRIDE.with(|o| o.borrow().last().cloned()) {
        return c;
    }
    if let Some(c) = CONTEXT.read_unpoisoned().clone() {
        return c;
    }
    DEFAULT
        .get_or_init(|| {
            let threads = ThreadContext::from_env().or_else(|e| {
                // A bad HAYDI_THREADS must not stop the program; say so and use every core.
                crate::warning!(error = %e, "ignored; using one thread per core");
                ThreadContext::all_cores()
            });
            match threads {
                Ok(t) => Arc::new(t),
                Err(e) => {
                    crate::warning!(error = %e, "no thread pool; run(true) is serial");
                    Arc::new(SerialContext)
                }
            }
        })
        .clone()
}

/// Runs `f` with `ctx` as this thread's parallel context, then restores the previous one.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// let n = session::with_parallel_context(SerialContext, || Range::new(4).count().run(true));
/// assert_eq!(n.unwrap(), 4);
/// ```
pub fn with_parallel_context<C: ParallelContext + 'static, R>(ctx: C, f: impl FnOnce() -> R) -> R {
    with_parallel_context_shared(Arc::new(ctx), f)
}

/// Like [`with_parallel_context`], for a context already behind an `Arc`.
///
/// ```
/// use haydi_core::prelude::*;
/// use haydi_domains::Range;
/// use std::sync::Arc;
/// let ctx: Arc<dyn ParallelContext> = Arc::new(ThreadContext::new(2).unwrap());
/// for _ in 0..2 {
///     let n = session::with_parallel_context_shared(ctx.clone(), || Range::new(8).count().run(true));
///     assert_eq!(n.unwrap(), 8);
/// }
/// ```
pub fn with_parallel_context_shared<R>(ctx: Arc<dyn ParallelContext>, f: impl FnOnce() -> R) -> R {
    struct Pop;
    impl Drop for Pop {
        fn drop(&mut self) {
            OVERRIDE.with(|o| o.borrow_mut().pop());
        }
    }
    OVERRIDE.with(|o| o.borrow_mut().push(ctx));
    let _pop = Pop;
    f()
}

/// Calls `f` with the context of a `run(parallel)`: the session's parallel context (refused with
/// [`Error::NestedParallelRun`] inside another parallel run), or [`SerialContext`] for
/// `run(false)`. The one place where `run`, `run_with` and `explore` of every crate pick their
/// context.
///
/// ```
/// use haydi_core::prelude::*;
/// let name = session::with_parallel_context(ThreadContext::new(2)?, || {
///     session::on_run_context(true, |ctx| Ok(ctx.name()))
/// })?;
/// assert_eq!(name, "threads(2)");
/// assert_eq!(session::on_run_context(false, |ctx| Ok(ctx.name()))?, SerialContext.name());
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub fn on_run_context<T>(
    parallel: bool,
    f: impl FnOnce(&dyn ParallelContext) -> Result<T>,
) -> Result<T> {
    if !parallel {
        return f(&SerialContext);
    }
    if nested::in_parallel_run() {
        return Err(Error::NestedParallelRun);
    }
    f(parallel_context().as_ref())
}
