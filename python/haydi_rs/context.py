"""Contexts: where a run executes.

- ``SerialContext()``: the calling thread.
- ``ThreadContext(n)``: ``n`` threads. Python callables hold the GIL, so threads give no
  speed-up to pipelines that call Python (``map``, ``filter``, key functions); they do for
  work that is the engine's own (canonical forms, ``count()`` without callables), which runs
  with the GIL released.
- ``DistributedContext(spawn_workers=N)``: ``N`` worker processes. Every process runs the
  same script (SPMD, as ``mpi4py`` programs do): ``spawn`` re-executes this interpreter
  with the same script and arguments; in a worker the same call joins the driver, every
  ``run`` is a collective point where chunks run on the workers, and every process continues
  with the driver's result. Keep code outside runs deterministic. ``DistributedContext()``
  (no spawn) joins processes started by a launcher (``mpirun``, ``srun``) or by hand
  (``HAYDI_RANK``, ``HAYDI_SIZE``, ``HAYDI_COORDINATOR``, ``HAYDI_SECRET``).
"""

import atexit
import os
import sys
import weakref

from . import _native

__all__ = ["Context", "SerialContext", "ThreadContext", "DistributedContext",
           "context_by_name"]

_LIVE = weakref.WeakSet()


class Context(object):
    """The base class of contexts.

    >>> import haydi_rs as hd
    >>> hd.ThreadContext(2).name
    'threads(2)'
    """

    def __init__(self, native):
        self._native = native
        _LIVE.add(self)

    @property
    def name(self):
        """The context's name."""
        return self._native.name()

    @property
    def workers(self):
        """The number of workers."""
        return self._native.workers()

    @property
    def is_driver(self):
        """Whether this process is the driver (always true outside distributed contexts)."""
        return self._native.is_driver()

    def close(self):
        """Lets the context go: a driver's worker processes are shut down (once no pool or
        session holds it); runs on a closed context fail."""
        self._native.close()

    def __repr__(self):
        return "<{} {}>".format(type(self).__name__, self.name)


class SerialContext(Context):
    """Runs on the calling thread.

    >>> import haydi_rs as hd
    >>> hd.Range(3).run(hd.SerialContext())
    [0, 1, 2]
    """

    def __init__(self):
        Context.__init__(self, _native.NativeContext.serial())


class ThreadContext(Context):
    """``n`` worker threads (all cores when ``n`` is ``None``). No speed-up for Python
    callables (the GIL); the engine's own work runs without the GIL.

    >>> import haydi_rs as hd
    >>> n = hd.USet(6, "n")
    >>> hd.Subsets(hd.Subsets(n, 2)).cnfs().count().run(hd.ThreadContext(2))
    156
    """

    def __init__(self, n=None):
        Context.__init__(self, _native.NativeContext.threads(n))


def _export_python_path():
    """Worker processes are started from the interpreter's executable, not from a virtual
    environment's link to it: give them this process's import path."""
    entries = [p for p in sys.path[1:] if p]
    old = os.environ.get("PYTHONPATH")
    parts = ([old] if old else []) + [p for p in entries if p not in (old or "").split(os.pathsep)]
    os.environ["PYTHONPATH"] = os.pathsep.join(parts)


class DistributedContext(Context):
    """Worker processes.

    ``DistributedContext(spawn_workers=N)`` starts ``N`` workers on this machine by
    re-executing the interpreter with the same script and arguments (in a worker, the same
    call joins the driver). ``DistributedContext()`` joins processes started by a launcher
    or by hand (see ``haydi_rs.context``); ``ip`` and ``port`` are accepted for the Python
    haydi's signature and not used (the driver's address travels in ``HAYDI_COORDINATOR`` or
    a private rendezvous file). Items and partial results travel pickled inside
    authenticated, encrypted frames; a lost worker's chunks run elsewhere.

    A script using it::

        import haydi_rs as hd
        ctx = hd.DistributedContext(spawn_workers=2)
        print(hd.Range(10 ** 6).map(lambda x: x * x % 7).max().run(ctx))
    """

    def __init__(self, ip="127.0.0.1", port=8787, spawn_workers=0, threads_per_worker=1):
        if spawn_workers:
            _export_python_path()
            native = _native.NativeContext.spawn(spawn_workers, threads_per_worker)
        else:
            native = _native.NativeContext.from_env(threads_per_worker)
        Context.__init__(self, native)

    @property
    def rank(self):
        """This process's rank (0: the driver)."""
        return self._native.rank()

    @property
    def size(self):
        """The number of processes."""
        return self._native.size()

    def worker_pids(self):
        """The pids of the spawned workers."""
        return self._native.worker_pids()

    def live_workers(self):
        """The number of workers alive now."""
        return self._native.live_workers()

    def respawn_lost(self):
        """Starts lost spawned workers again; returns their pids."""
        return self._native.respawn_lost()

    @property
    def log_dir(self):
        """The folder of the spawned workers' output."""
        return self._native.log_dir()


class _Named(Context):
    pass


def context_by_name(name):
    """The context of a name: ``serial``, ``threads``, ``threads:N``, ``spawn:N``,
    ``cluster``.

    >>> import haydi_rs as hd
    >>> hd.context_by_name("threads:2").name
    'threads(2)'
    """
    if name.strip().startswith("spawn"):
        _export_python_path()
    return _Named(_native.NativeContext.by_name(name))


def _resolve_context(ctx, parallel):
    """(native context or None, parallel flag) for a run."""
    if isinstance(ctx, bool):
        return None, ctx
    if ctx is None:
        return None, bool(parallel)
    if isinstance(ctx, Context):
        return ctx._native, True
    raise TypeError("ctx must be None, a bool or a context, not {!r}".format(ctx))


@atexit.register
def _close_all():
    # The session and pools hold contexts too: let the session go first, then every
    # context, so that a driver's workers are shut down before the interpreter exits.
    try:
        _native.clear_session()
    except Exception:
        pass
    for c in list(_LIVE):
        try:
            c.close()
        except Exception:
            pass
