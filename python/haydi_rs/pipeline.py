"""Pipelines: a source (``iterate``, ``generate``, ``cnfs``), maps, filters and takes,
and an action, run by the engine.

A pipeline is immutable: every method returns a new one. ``take(n)`` acts where it stands
in the chain (the Python haydi applied every ``take`` after all transformations), and
parallel runs return what a serial run returns, in the same order.
"""

import datetime
import functools

from . import _native
from .context import Context, _resolve_context
from .domains import Values, _random_seed

__all__ = ["Pipeline", "Outcome"]

_ACTION_NAMES = {
    "collect": "Collect", "count": "Count", "first": "First", "reduce": "Reduce",
    "max": "Max", "groups": "Groups", "groups_counts": "GroupsCounts",
}


class Outcome(object):
    """What a run with a timeout returns from ``run_outcome``: the ``value`` (the serial
    result over the indices in ``covered``), whether it is ``complete``, and how many of
    the ``total`` indices were ``processed``.

    >>> import haydi_rs as hd
    >>> o = hd.Range(10).collect().run_outcome(timeout=60)
    >>> o.value[:3], o.complete, o.processed, o.total
    ([0, 1, 2], True, 10, 10)
    """

    def __init__(self, value, complete, processed, total, covered):
        self.value = value
        self.complete = complete
        self.processed = processed
        self.total = total
        self.covered = covered

    def __repr__(self):
        return "<Outcome complete={} processed={} total={}>".format(
            self.complete, self.processed, self.total)


def _seconds(timeout):
    if timeout is None:
        return None
    if isinstance(timeout, datetime.timedelta):
        return timeout.total_seconds()
    return float(timeout)


class Pipeline(object):
    """A lazy chain over a domain's items, ended by an action; ``run()`` executes it.

    >>> import haydi_rs as hd
    >>> p = hd.Range(7).iterate().map(lambda x: x * 10).filter(lambda y: y != 20)
    >>> p.run()
    [0, 10, 30, 40, 50, 60]
    >>> hd.Range(100).filter(lambda x: x >= 100).first(-1).run()
    -1
    """

    def __init__(self, domain, method, steps=(), action=("collect",)):
        if method == "cnfs" and not domain.strict:
            raise _native.HaydiError(
                "canonical forms are not available: {} is not strict".format(domain.name))
        if method == "cnfs":
            domain._native.check_strict()
        self.domain = domain
        self.method = method
        self.steps = tuple(steps)
        self.action = action

    def _copy(self, steps=None, action=None):
        return Pipeline(self.domain, self.method,
                        self.steps if steps is None else steps,
                        self.action if action is None else action)

    def _add_step(self, kind, value):
        return self._copy(steps=self.steps + ((kind, value),))

    # --- chain ---

    def map(self, fn):
        """Items ``fn(x)``.

        >>> import haydi_rs as hd
        >>> hd.Range(3).iterate().map(str).run()
        ['0', '1', '2']
        """
        return self._add_step("map", fn)

    def filter(self, fn, strict=False):
        """The items where ``fn(x)`` is true (``strict`` is accepted for the Python haydi's
        signature; in a pipeline a filter is always allowed after ``cnfs``).

        >>> import haydi_rs as hd
        >>> hd.Range(6).iterate().filter(lambda x: x % 2).run()
        [1, 3, 5]
        """
        return self._add_step("filter", fn)

    def take(self, count):
        """At most the first ``count`` items reaching this point (serial order).

        >>> import haydi_rs as hd
        >>> hd.Range(10).iterate().filter(lambda x: x > 5).take(3).run()
        [6, 7, 8]
        """
        if count < 0:
            raise ValueError("take needs a non-negative count")
        return self._add_step("take", int(count))

    # --- actions ---

    def collect(self):
        """Every item, in order (the default action).

        >>> import haydi_rs as hd
        >>> hd.Range(3).iterate().collect().run()
        [0, 1, 2]
        """
        return self._copy(action=("collect",))

    def count(self):
        """The number of items (canonical forms are counted without making them).

        >>> import haydi_rs as hd
        >>> n = hd.USet(5, "n")
        >>> hd.Subsets(hd.Subsets(n, 2)).cnfs().count().run()
        34
        """
        return self._copy(action=("count",))

    def first(self, default=None):
        """The first item, or ``default``.

        >>> import haydi_rs as hd
        >>> hd.Range(100).iterate().filter(lambda x: x == 50).first().run()
        50
        """
        return self.take(1)._copy(action=("first", default))

    def reduce(self, reduce_fn, init_value=0, associative=True):
        """Folds the items with ``reduce_fn``. With ``associative=True`` chunks fold on
        their own and their results are folded in order, then ``reduce_fn(init_value,
        result)`` (the Python haydi's semantics: ``Range(10).reduce(sub, 100)`` is 145);
        ``associative=False`` folds ``init_value`` and every item left to right (55).
        ``init_value=None`` means no initial value. An empty stream gives ``init_value``.

        >>> import haydi_rs as hd
        >>> hd.Range(10).reduce(lambda x, y: x - y, 100, associative=False).run()
        55
        """
        return self._copy(action=("reduce", reduce_fn, init_value, associative))

    def max(self, value_fn=None, size=None):
        """All items with the largest ``value_fn(x)`` (or ``x``), at most ``size`` of them,
        in order; ``None`` for no items.

        >>> import haydi_rs as hd
        >>> hd.Values([("A", 10), ("B", 20), ("D", 20)]).max(lambda x: x[1]).run()
        [('B', 20), ('D', 20)]
        """
        return self._copy(action=("max", value_fn, size))

    def groups(self, key_fn, max_items_per_group=None):
        """A dict from ``key_fn(x)`` to the items with that key (at most
        ``max_items_per_group`` each, in order); items with key ``None`` are dropped.

        >>> import haydi_rs as hd
        >>> hd.Range(10).iterate().groups(lambda x: x % 3).run()
        {0: [0, 3, 6, 9], 1: [1, 4, 7], 2: [2, 5, 8]}
        """
        return self._copy(action=("groups", key_fn, max_items_per_group))

    def groups_counts(self, key_fn, max_items_per_group=None):
        """Like ``groups``, each list starting with the group's full count.

        >>> import haydi_rs as hd
        >>> hd.Range(10).iterate().groups_counts(lambda x: x % 3, 2).run()
        {0: [4, 0, 3], 1: [3, 1, 4], 2: [3, 2, 5]}
        """
        return self._copy(action=("groups_counts", key_fn, max_items_per_group))

    # --- running ---

    def run(self, ctx=None, timeout=None, parallel=None, progress=False, otf_trace=False):
        """Runs the pipeline and returns its result.

        ``ctx``: ``None`` (serial, as in the Python haydi), a context (``SerialContext``,
        ``ThreadContext``, ``DistributedContext``), or ``True``/``False`` (``run(True)``:
        the session's context, see ``haydi_rs.session``); ``parallel=True`` is the same as
        ``ctx=True``. ``timeout`` (seconds or a ``timedelta``): stop then and return the
        partial result (``run_outcome`` says how partial). ``progress=True`` shows a
        progress bar.

        >>> import haydi_rs as hd
        >>> hd.Range(1000).iterate().map(lambda x: x % 7).max().run(hd.ThreadContext(2))[:2]
        [6, 6]
        """
        return self.run_outcome(ctx, timeout, parallel, progress, otf_trace).value

    def run_outcome(self, ctx=None, timeout=None, parallel=None, progress=False,
                    otf_trace=False):
        """Like ``run``, returning an ``Outcome`` (value, complete, processed, total).

        >>> import haydi_rs as hd
        >>> hd.Range(5).iterate().run_outcome().complete
        True
        """
        if otf_trace:
            raise _native.HaydiError("OTF traces are not supported; see RunOptions.chunk_trace")
        native_ctx, par = _resolve_context(ctx, parallel)
        return self._execute(native_ctx, par, _seconds(timeout), bool(progress))

    def _split(self):
        """(prefix ending in a take that later steps follow, rest) or (None, steps)."""
        last_map = max([i for i, (k, _) in enumerate(self.steps) if k != "take"] or [-1])
        for i, (k, _) in enumerate(self.steps):
            if k == "take" and i < last_map:
                return self.steps[:i + 1], self.steps[i + 1:]
        return None, self.steps

    def _execute(self, native_ctx, parallel, timeout, progress):
        prefix, rest = self._split()
        if prefix is not None:
            # A take with maps or filters after it: run up to the take, then the rest over
            # what it gave.
            head = Pipeline(self.domain, self.method, prefix, ("collect",))
            out = head._execute(native_ctx, parallel, timeout, progress)
            tail = Pipeline(Values(out.value), "iterate", rest, self.action)
            return tail._execute(native_ctx, parallel, timeout, progress)
        chain = [(k, f) for k, f in rest if k != "take"]
        takes = [n for k, n in rest if k == "take"]
        take = min(takes) if takes else None
        name = self.action[0]
        if name in ("collect", "first"):
            spec = ("collect",)
        elif name == "count":
            spec = ("count",)
        elif name == "reduce":
            spec = ("reduce", self.action[1]) if self.action[3] else ("collect",)
        elif name == "max":
            spec = ("max", self.action[1], self.action[2])
        else:
            spec = ("groups", self.action[1], self.action[2])
        seed = _random_seed() if self.method == "generate" else 0
        r = _native.run(self.domain._native, self.method, seed, chain, take, spec,
                        native_ctx, parallel, timeout, progress)
        return Outcome(self._finish(r["value"]), r["complete"], r["processed"], r["total"],
                       r["covered"])

    def _finish(self, value):
        name = self.action[0]
        if name == "first":
            return value[0] if value else self.action[1]
        if name == "reduce":
            fn, init, associative = self.action[1], self.action[2], self.action[3]
            if not associative:
                if init is None:
                    return functools.reduce(fn, value) if value else None
                return functools.reduce(fn, value, init)
            if value is None:
                return init
            return value if init is None else fn(init, value)
        if name == "max":
            return None if value is None else value[1]
        if name == "groups":
            return {k: items for k, _, items in value}
        if name == "groups_counts":
            return {k: [n] + items for k, n, items in value}
        return value

    def __iter__(self):
        return iter(self.run())

    def __repr__(self):
        ts = [("MapTransformation" if k == "map" else
               "FilterTransformation" if k == "filter" else "Take")
              for k, _ in self.steps]
        extra = " ts=[{}]".format(", ".join(ts)) if ts else ""
        return "<Pipeline for {}: method={}{} action={}>".format(
            self.domain.name, self.method, extra, _ACTION_NAMES[self.action[0]])


def _is_context(x):
    return isinstance(x, Context)
