"""The session: which context ``run(True)`` / ``run(parallel=True)`` uses.

>>> import haydi_rs as hd
>>> from haydi_rs import session
>>> session.set_parallel_context(hd.ThreadContext(2))
>>> hd.Range(5).collect().run(parallel=True)
[0, 1, 2, 3, 4]
>>> session.clear_parallel_context()
"""

from . import _native

__all__ = ["set_parallel_context", "get_parallel_context", "clear_parallel_context"]

_current = [None]


def set_parallel_context(ctx):
    """Makes ``ctx`` the context of parallel runs (until set again or cleared)."""
    ctx._native.install()
    _current[0] = ctx


def get_parallel_context():
    """The context set by ``set_parallel_context`` (``None``: the default, threads on all
    cores)."""
    return _current[0]


def clear_parallel_context():
    """Back to the default context (threads on all cores)."""
    _native.clear_session()
    _current[0] = None
