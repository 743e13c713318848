"""Worker pools (pyMOR's ``WorkerPool``, Glimpse's pools) over any context.

A pool turns each operation into runs of its context, so the context's workers, transport
and fault handling are the pool's. On a distributed context every process makes the same
pool calls (SPMD); submitted tasks run when a handle is first looked at.

>>> import haydi_rs as hd
>>> pool = hd.Pool.by_name("threads:2")
>>> pool.map(lambda x: x * x, [1, 2, 3])
[1, 4, 9]
>>> table = pool.push(list(range(10)))
>>> pool.submit(lambda k, t: t[k] * 2, 4, table).wait()
8
>>> pool.apply(lambda t: sum(t), table)
[45, 45]
"""

from . import _native
from .context import Context, context_by_name, _LIVE

__all__ = ["Pool", "TaskHandle", "RemoteObject"]


class RemoteObject(object):
    """An object stored in a pool by ``Pool.push``; passed to ``map``, ``submit`` or
    ``apply`` it arrives as the object itself. ``remove()`` frees the pool's copy.

    >>> import haydi_rs as hd
    >>> r = hd.Pool.by_name("serial").push({"a": 1})
    >>> r.get()
    {'a': 1}
    """

    def __init__(self, native):
        self._native = native

    def get(self):
        """The stored object."""
        return self._native.get()

    def remove(self):
        """Removes the pool's copy (idempotent)."""
        self._native.remove()


def _resolve(x):
    return x.get() if isinstance(x, RemoteObject) else x


def _bind(f, args, kwargs):
    def call(_):
        return f(*[_resolve(a) for a in args],
                 **{k: _resolve(v) for k, v in kwargs.items()})
    return call


class TaskHandle(object):
    """A submitted task: ``wait(timeout=None)`` (its result, or its exception),
    ``is_finished()``, ``cancel()``.

    >>> import haydi_rs as hd
    >>> hd.Pool.by_name("threads:2").submit(max, 3, 9).wait()
    9
    """

    def __init__(self, native):
        self._native = native

    def wait(self, timeout=None):
        """The task's result, waiting at most ``timeout`` seconds."""
        return self._native.wait(timeout)

    result = wait

    def is_finished(self):
        """Whether the task finished."""
        return self._native.is_finished()

    def cancel(self):
        """Cancels the task if it has not started; whether it was."""
        return self._native.cancel()


class Pool(object):
    """A worker pool over a context (the session's when ``ctx`` is ``None``).

    >>> import haydi_rs as hd
    >>> pool = hd.Pool(hd.ThreadContext(2))
    >>> len(pool), pool.map(max, [1, 5], [4, 2])
    (2, [4, 5])
    """

    def __init__(self, ctx=None):
        if ctx is None:
            ctx = Context(_native.NativeContext.session())
        self.context = ctx
        self._native = _native.NativePool(ctx._native)

    @classmethod
    def by_name(cls, name):
        """The pool of a context name: ``serial``, ``threads``, ``threads:N``,
        ``spawn:N``, ``cluster``."""
        return cls(context_by_name(name))

    def __len__(self):
        return len(self._native)

    def map(self, fn, *iterables):
        """``[fn(*args) for args in zip(*iterables)]``, run on the workers, in input order.
        An exception in ``fn`` raises ``CallableError`` naming the task."""
        if len(iterables) == 1:
            return self._native.map(lambda x: fn(_resolve(x)), list(iterables[0]))
        rows = list(zip(*iterables))
        return self._native.map(lambda t: fn(*[_resolve(a) for a in t]), rows)

    def submit(self, fn, *args, **kwargs):
        """A task computing ``fn(*args, **kwargs)`` on the least-loaded worker."""
        return TaskHandle(self._native.submit(_bind(fn, args, kwargs)))

    def apply(self, fn, *args, **kwargs):
        """``fn(*args, **kwargs)`` once on every worker; the results in worker order."""
        return self._native.apply(_bind(fn, args, kwargs))

    def apply_indexed(self, fn):
        """``fn(w)`` once for every worker number ``w``; the results in worker order."""
        return self._native.apply(fn)

    def push(self, obj):
        """Stores ``obj`` once in the pool; equal objects share one copy."""
        return RemoteObject(self._native.push(obj))

    def scatter_list(self, items):
        """One contiguous part of ``items`` per worker: a list of ``len(self)``
        ``RemoteObject``s (``ceil(n / workers)`` items each).

        >>> import haydi_rs as hd
        >>> pool = hd.Pool.by_name("threads:2")
        >>> parts = pool.scatter_list([1, 2, 3, 4, 5])
        >>> pool.apply_indexed(lambda w: sum(parts[w].get()))
        [6, 9]
        """
        items = list(items)
        n = len(self)
        step = -(-len(items) // n) if items else 0
        return [self.push(items[w * step:(w + 1) * step]) for w in range(n)]

    def flush(self):
        """Runs submitted tasks now (on collective contexts they run when looked at)."""
        self._native.flush()
