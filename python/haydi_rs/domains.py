"""Domains: lazy, indexed sets of items (the Python haydi's domain classes).

Every domain numbers its items ``0 .. size-1`` in a documented order and is held by the
engine as a native domain, built once; a filtered domain keeps its parent's index space
(its ``size`` is then an upper bound). Items are plain Python objects: ints, strings,
tuples, atoms, haydi ``Set``/``Map`` (or ``frozenset``/``dict``/``tuple`` through
``set_class``/``map_class``), and whatever a ``map`` returns.
"""

import copy
import random

from . import _native
from .basictypes import Set, Map
from .utils import limit_string_length

__all__ = ["Domain", "TransformedDomain", "StepSkip", "Range", "Values", "CnfValues",
           "Boolean", "NoneDomain", "USet", "Product", "NamedProduct", "Sequences",
           "Subsets", "Mappings", "Join", "Permutations"]

_INDEX_END = 2 ** 128 - 1


class StepSkip(object):
    """A marker of ``create_skip_iter``: ``value`` indices whose items were filtered out.

    >>> import haydi_rs as hd
    >>> list(hd.Range(3).filter(lambda x: x != 1).create_skip_iter())
    [0, StepSkip(1), 2]
    """

    def __init__(self, value=1):
        self.value = value

    def __repr__(self):
        return "StepSkip({})".format(self.value)

    def __eq__(self, other):
        return isinstance(other, StepSkip) and other.value == self.value

    def __ne__(self, other):
        return not self == other


class Domain(object):
    """The base class of domains.

    Flags: ``filtered`` (a filter somewhere inside, so ``size`` is an upper bound),
    ``step_jumps`` (iteration can start at any index: true for every domain here),
    ``strict`` (only plain values, closed under renaming atoms: ``cnfs()`` works).

    >>> import haydi_rs as hd
    >>> d = hd.Range(3) * hd.Boolean()
    >>> d.size, d.name, list(d)[:3]
    (6, 'Product', [(0, False), (0, True), (1, False)])
    >>> (d.filtered, d.step_jumps, d.strict)
    (False, True, True)
    """

    filtered = False
    step_jumps = True
    strict = False

    def __init__(self, name=None):
        self._name = name
        self._native_domain = None

    # --- identity and size ---

    @property
    def name(self):
        """The domain's name (its class name unless one was given)."""
        return self._name if self._name else self.__class__.__name__

    def set_name(self, name):
        """A copy of the domain with another name.

        >>> import haydi_rs as hd
        >>> hd.Range(3).set_name("digits").name
        'digits'
        """
        d = copy.copy(self)
        d._name = name
        return d

    @property
    def _native(self):
        if self._native_domain is None:
            self._native_domain = self._build()
        return self._native_domain

    def _build(self):
        raise NotImplementedError()

    @property
    def size(self):
        """The number of items: exact for an unfiltered domain, an upper bound for a
        filtered one, ``None`` when it does not fit in 128 bits.

        >>> import haydi_rs as hd
        >>> hd.Range(10).size, hd.Range(10).filter(lambda x: x < 3).size
        (10, 10)
        """
        return self._native.size()

    # --- operators ---

    def __mul__(self, other):
        return Product((self, other))

    def __add__(self, other):
        return Join((self, other))

    def __pow__(self, exponent):
        return Sequences(self, exponent)

    # --- iteration ---

    def _iter_from(self, start):
        nd = self._native
        end = nd.size()
        if end is None:
            end = _INDEX_END
        i = start
        batch = 64
        while i < end:
            items, i = nd.chunk(i, min(end, i + batch))
            for x in items:
                yield x
            batch = min(batch * 2, 1 << 16)

    def __iter__(self):
        return self._iter_from(0)

    def create_iter(self, step=0):
        """An iterator over the items with index ``step`` or more.

        >>> import haydi_rs as hd
        >>> list(hd.Values(["a", "b", "c", "d"]).create_iter(2))
        ['c', 'd']
        """
        return self._iter_from(step)

    def create_skip_iter(self, step=0):
        """Like ``create_iter``, with a ``StepSkip(1)`` for each filtered-out index.

        >>> import haydi_rs as hd
        >>> list(hd.Range(4).filter(lambda x: x % 2).create_skip_iter(1))
        [1, StepSkip(1), 3]
        """
        if not self.filtered:
            return self._iter_from(step)
        return self._skip_iter(step)

    def _skip_iter(self, step):
        nd = self._native
        end = nd.size()
        if end is None:
            end = _INDEX_END
        for i in range(step, end):
            found, x = nd.item_at(i)
            yield x if found else StepSkip(1)

    def iterate_steps(self, start, end):
        """The surviving items whose index lies in ``[start, end)``.

        >>> import haydi_rs as hd
        >>> list(hd.Range(10).filter(lambda x: x % 3 == 0).iterate_steps(1, 7))
        [3, 6]
        """
        items, _ = self._native.chunk(start, end)
        return iter(items)

    def generate_one(self):
        """One random item.

        >>> import haydi_rs as hd
        >>> hd.Range(5).generate_one() in range(5)
        True
        """
        return self._native.generate_one()

    # --- pipelines ---

    def _make_pipeline(self, method):
        from .pipeline import Pipeline
        return Pipeline(self, method)

    def iterate(self):
        """A pipeline over all items.

        >>> import haydi_rs as hd
        >>> hd.Range(4).iterate().map(lambda x: x * x).run()
        [0, 1, 4, 9]
        """
        return self._make_pipeline("iterate")

    def generate(self, count=None):
        """A pipeline of random items: endless, or ``count`` of them.

        >>> import haydi_rs as hd
        >>> len(hd.Range(5).generate(3).run())
        3
        """
        p = self._make_pipeline("generate")
        return p if count is None else p.take(count)

    def cnfs(self):
        """A pipeline over one canonical representative of every isomorphism class (a
        strict domain only; outer maps and filters run on the representatives).

        >>> import haydi_rs as hd
        >>> n = hd.USet(3, "n")
        >>> hd.Subsets(hd.Subsets(n, 2)).cnfs().run()
        [{}, {{n0, n1}}, {{n0, n1}, {n0, n2}}, {{n0, n1}, {n0, n2}, {n1, n2}}]
        """
        return self._make_pipeline("cnfs")

    def create_cn_iter(self):
        """The canonical forms, as an iterator (``iter(self.cnfs().run())``).

        >>> import haydi_rs as hd
        >>> a = hd.USet(3, "a")
        >>> list((a * a).create_cn_iter())
        [(a0, a0), (a0, a1)]
        """
        return iter(self.cnfs().run())

    def map(self, fn):
        """The domain of ``fn(x)`` (same indices and size).

        >>> import haydi_rs as hd
        >>> list(hd.Range(3).map(lambda x: x * 10))
        [0, 10, 20]
        """
        return TransformedDomain(self, "map", fn)

    def filter(self, fn, strict=False):
        """The items where ``fn(x)`` is true, in the parent's index space; ``strict=True``
        declares ``fn`` invariant under renaming atoms, so the domain stays strict.

        >>> import haydi_rs as hd
        >>> list(hd.Range(6).filter(lambda x: 2 < x < 5))
        [3, 4]
        """
        return TransformedDomain(self, "filter", fn, strict)

    # --- actions (shortcuts for iterate()) ---

    def collect(self):
        """``iterate().collect()``.

        >>> import haydi_rs as hd
        >>> hd.Range(3).collect().run()
        [0, 1, 2]
        """
        return self.iterate().collect()

    def count(self):
        """``iterate().count()``: the number of items (no items are kept).

        >>> import haydi_rs as hd
        >>> hd.Range(10).filter(lambda x: x % 3 == 0).count().run()
        4
        """
        return self.iterate().count()

    def reduce(self, reduce_fn, init_value=0, associative=True):
        """``iterate().reduce(...)``.

        >>> import haydi_rs as hd
        >>> hd.Range(100).reduce(lambda x, y: x + y, 100).run()
        5050
        """
        return self.iterate().reduce(reduce_fn, init_value, associative)

    def max(self, value_fn=None, size=None):
        """``iterate().max(...)``.

        >>> import haydi_rs as hd
        >>> (hd.Range(5) * hd.Range(5)).max(lambda x: x[0], 2).run()
        [(4, 0), (4, 1)]
        """
        return self.iterate().max(value_fn, size)

    def groups(self, key_fn, max_items_per_group=None):
        """``iterate().groups(...)``.

        >>> import haydi_rs as hd
        >>> hd.Range(10).groups(lambda x: x % 3, 2).run()
        {0: [0, 3], 1: [1, 4], 2: [2, 5]}
        """
        return self.iterate().groups(key_fn, max_items_per_group)

    def groups_counts(self, key_fn, max_items_per_group=None):
        """``iterate().groups_counts(...)``.

        >>> import haydi_rs as hd
        >>> hd.Range(10).groups_counts(lambda x: x % 3, 2).run()
        {0: [4, 0, 3], 1: [3, 1, 4], 2: [3, 2, 5]}
        """
        return self.iterate().groups_counts(key_fn, max_items_per_group)

    def take(self, count):
        """``iterate().take(count)``.

        >>> import haydi_rs as hd
        >>> hd.Range(10).take(3).run()
        [0, 1, 2]
        """
        return self.iterate().take(count)

    def first(self, default=None):
        """``iterate().first(default)``.

        >>> import haydi_rs as hd
        >>> hd.Range(10).filter(lambda x: x > 6).first().run()
        7
        """
        return self.iterate().first(default)

    def run(self, ctx=None, timeout=None, **kw):
        """``collect().run(ctx, timeout)``.

        >>> import haydi_rs as hd
        >>> hd.Range(3).run()
        [0, 1, 2]
        """
        return self.collect().run(ctx, timeout, **kw)

    # --- materializing ---

    def to_values(self, max_size=None):
        """The domain as ``Values`` (when its size is at most ``max_size``, or always when
        ``max_size`` is ``None``), else the same domain with its parts materialized.

        >>> import haydi_rs as hd
        >>> p = (hd.Range(3) * hd.Range(5) * hd.Range(6)).to_values(5)
        >>> [type(d).__name__ for d in p.domains]
        ['Values', 'Values', 'Range']
        """
        if max_size is None or (self.size is not None and self.size <= max_size):
            return Values(tuple(self), name=self._name)
        return self._remap_domains(lambda d: d.to_values(max_size))

    def to_cnf_values(self, max_size=None):
        """Like ``to_values`` with ``CnfValues`` (canonical representatives, iterated as
        all their copies).

        >>> import haydi_rs as hd
        >>> a = hd.USet(3, "a")
        >>> list((a * a).to_cnf_values().create_iter())[:3]
        [(a0, a0), (a1, a1), (a2, a2)]
        """
        if max_size is None or (self.size is not None and self.size <= max_size):
            return CnfValues(tuple(self.cnfs()), name=self._name, _check=False)
        return self._remap_domains(lambda d: d.to_cnf_values(max_size))

    def _remap_domains(self, fn):
        return self

    def __repr__(self):
        size = self.size
        if size == 0:
            extra = " {}"
        elif self.filtered:
            extra = " filtered"
        elif size is None:
            extra = ""
        else:
            extra = _describe_items(self._iter_from(0), size)
        return "<{} size={}{}>".format(self.name, size, extra)


def _describe_items(items, size, shown=5, per_item=24, total=48):
    parts = [" {"]
    room = total
    for i, x in enumerate(items):
        r = limit_string_length(repr(x), max(min(room, per_item), 6))
        room -= len(r)
        parts.append(r)
        if i == size - 1:
            parts.append("}")
            return "".join(parts)
        parts.append(", ")
        room -= 2
        if room <= 6 or i == shown - 1:
            parts.append("...}")
            return "".join(parts)
    parts.append("}")
    return "".join(parts)


class TransformedDomain(Domain):
    """A domain with a ``map`` or ``filter`` on top (made by ``Domain.map`` and
    ``Domain.filter``); in a pipeline, outer transformations run as pipeline steps.

    >>> import haydi_rs as hd
    >>> d = hd.Range(10).filter(lambda x: x % 2 == 0).map(lambda x: x * 10)
    >>> list(d), list(d.iterate_steps(2, 5))
    ([0, 20, 40, 60, 80], [20, 40])
    """

    def __init__(self, parent, kind, fn, strict=False):
        Domain.__init__(self, None)
        self.parent = parent
        self.kind = kind
        self.fn = fn
        self.step_jumps = parent.step_jumps
        if kind == "map":
            self.filtered = parent.filtered
            self.strict = False
        else:
            self.filtered = True
            self.strict = bool(strict) and parent.strict
        self.strict_filter = bool(strict)

    @property
    def name(self):
        if self._name:
            return self._name
        return "MapTransformation" if self.kind == "map" else "FilterTransformation"

    def _build(self):
        if self.kind == "map":
            return _native.map(self.parent._native, self.fn)
        return _native.filter(self.parent._native, self.fn, self.strict_filter)

    def _make_pipeline(self, method):
        return self.parent._make_pipeline(method)._add_step(self.kind, self.fn)

    def _remap_domains(self, fn):
        return TransformedDomain(fn(self.parent), self.kind, self.fn, self.strict_filter)


class Range(Domain):
    """Integers ``start, start+step, ...`` below ``end`` (above it for a negative step),
    like Python's ``range``: ``Range(end)`` or ``Range(start, end, step=1)``. The size is
    exact for every span (the Python haydi's ``Range(4, 15, 3).size`` was 3).

    >>> import haydi_rs as hd
    >>> list(hd.Range(-5, 11, 2)) == list(range(-5, 11, 2)), hd.Range(4, 15, 3).size
    (True, 4)
    """

    strict = True

    def __init__(self, start, end=None, step=1, name=None):
        Domain.__init__(self, name)
        if end is None:
            start, end = 0, start
        if step == 0:
            raise ValueError("Range step must not be 0")
        self.start, self.end, self.step = start, end, step

    def _build(self):
        return _native.range(self.start, self.end, self.step)


class Values(Domain):
    """Explicit items, in the given order; a ``set`` or ``frozenset`` (which has none) in the
    item order, so that every process of a distributed program (each with its own string
    hashing) takes them in the same order.

    >>> import haydi_rs as hd
    >>> v = hd.Values(["a", "b", "c"])
    >>> list(v), v.size, v.strict
    (['a', 'b', 'c'], 3, False)
    >>> list(hd.Values({"b", "c", "a"}))
    ['a', 'b', 'c']
    """

    def __init__(self, values, name=None):
        Domain.__init__(self, name)
        if isinstance(values, (set, frozenset)):
            self.values = tuple(_native.sort(values))
        else:
            self.values = tuple(values)

    def _build(self):
        return _native.values(self.values)

    def to_values(self, max_size=None):
        return self


class CnfValues(Domain):
    """A strict domain given by canonical representatives, iterated as all their
    isomorphic copies (a value that is not canonical is refused).

    >>> import haydi_rs as hd
    >>> a0, a1, a2 = hd.USet(3, "a")
    >>> list(hd.CnfValues((a0, "x")))
    [a0, a1, a2, 'x']
    """

    strict = True

    def __init__(self, values, name=None, _check=True):
        Domain.__init__(self, name)
        self.values = tuple(values)
        self._native_domain = _native.cnf_values(self.values)

    def _build(self):
        return _native.cnf_values(self.values)

    def _make_pipeline(self, method):
        if method == "cnfs":
            return Values(self.values)._make_pipeline("iterate")
        return Domain._make_pipeline(self, method)

    def create_cn_iter(self):
        """The representatives."""
        return iter(self.values)

    def to_cnf_values(self, max_size=None):
        return self


class Boolean(Domain):
    """``False, True``.

    >>> import haydi_rs as hd
    >>> list(hd.Boolean())
    [False, True]
    """

    strict = True

    def _build(self):
        return _native.boolean()


class NoneDomain(Domain):
    """The one item ``None``.

    >>> import haydi_rs as hd
    >>> list(hd.NoneDomain())
    [None]
    """

    strict = True

    def _build(self):
        return _native.none_domain()


_USETS = {}


def _uset_by_key(key):
    return _USETS.get(key)


class USet(Domain):
    """``size`` unlabelled atoms named ``name``: ``name0, name1, ...``.

    A USet's identity is its name and size: atoms are equal across processes and after
    pickling. Declare each USet once (two ``USet(3, "a")`` in one domain are refused by
    ``cnfs()``, since they would act as one set; give different sets different names).

    >>> import haydi_rs as hd
    >>> a = hd.USet(3, "a")
    >>> list(a), a.get(1), a.get(1).parent is a
    ([a0, a1, a2], a1, True)
    """

    strict = True

    def __init__(self, size, name=None):
        Domain.__init__(self, name)
        self._uset = _native.NativeUSet(size, name if name is not None else "a")
        self.uset_size = size
        self._key = bytes(self._uset.key())
        _USETS[self._key] = self

    def _build(self):
        return _native.uset(self._uset)

    def __eq__(self, other):
        return isinstance(other, USet) and other._key == self._key

    def __ne__(self, other):
        return not self == other

    def get(self, index):
        """The atom of ``index``."""
        return self._uset.atom(index)

    def all(self):
        """All atoms, as a list."""
        return [self._uset.atom(i) for i in range(self.uset_size)]

    def __hash__(self):
        return hash(self._key)


class Product(Domain):
    """Tuples of one item of each domain, in lexicographic order (last coordinate
    fastest); ``a * b`` is ``Product((a, b))``. ``unordered=True`` (identical domains):
    combinations without repetition, each tuple in decreasing index order.

    >>> import haydi_rs as hd
    >>> r = hd.Range(4)
    >>> list(hd.Product((r, r), unordered=True))
    [(1, 0), (2, 0), (3, 0), (2, 1), (3, 1), (3, 2)]
    """

    def __init__(self, domains, name=None, unordered=False, cache_size=0):
        Domain.__init__(self, name)
        self.domains = tuple(domains)
        self.unordered = unordered
        self.cache_size = cache_size
        if unordered and any(d is not self.domains[0] for d in self.domains):
            raise ValueError("an unordered Product needs the same domain in every position")
        self.filtered = any(d.filtered for d in self.domains)
        self.step_jumps = all(d.step_jumps for d in self.domains)
        self.strict = all(d.strict for d in self.domains) and not unordered

    def __mul__(self, other):
        if self.unordered or self._name is not None:
            return Product((self, other))
        return Product(self.domains + (other,))

    def _build(self):
        if self.unordered:
            if not self.domains:
                return _native.product([])
            return _native.product_unordered(self.domains[0]._native, len(self.domains))
        return _native.product([d._native for d in self.domains])

    def _remap_domains(self, fn):
        if self.unordered and self.domains:
            d = fn(self.domains[0])
            return Product((d,) * len(self.domains), self._name, True, self.cache_size)
        return Product(tuple(fn(d) for d in self.domains), self._name, self.unordered,
                       self.cache_size)

    def _make_pipeline(self, method):
        if method == "generate" and self.cache_size and self.domains:
            # Random items drawn from a small sub-product, drawn anew every time all of
            # its items could have come out (the Python haydi's cache_size).
            sampler = _CachedSampler(self)
            return Range(1)._make_pipeline("generate")._add_step("map", sampler)
        return Domain._make_pipeline(self, method)


class NamedProduct(Domain):
    """A ``Product`` whose items are named tuples: ``NamedProduct([("a", d1), ("b",
    d2)])``.

    >>> import haydi_rs as hd
    >>> x = list(hd.NamedProduct([("a", hd.Range(2)), ("b", hd.Range(2))]))[1]
    >>> x.a, x.b
    (0, 1)
    """

    def __init__(self, named_domains, type_name=None, name=None, unordered=False):
        import collections
        Domain.__init__(self, name)
        self.named_domains = tuple(named_domains)
        names = [n for n, _ in self.named_domains]
        self.type = collections.namedtuple(type_name or "NamedProductItem", names)
        self.product = Product([d for _, d in self.named_domains], unordered=unordered)
        self.filtered = self.product.filtered
        self.strict = False

    def _build(self):
        t = self.type
        return _native.map(self.product._native, lambda x: t(*x))


class Sequences(Domain):
    """Tuples of ``min_length .. max_length`` items of ``domain`` (all of one length
    first, shorter lengths first); ``d ** n`` is ``Sequences(d, n)``.

    >>> import haydi_rs as hd
    >>> s = hd.Sequences(hd.Range(3), 0, 2)
    >>> s.size, list(s)[:5]
    (13, [(), (0,), (1,), (2,), (0, 0)])
    """

    def __init__(self, domain, min_length, max_length=None, name=None):
        Domain.__init__(self, name)
        if max_length is None:
            max_length = min_length
        self.domain = domain
        self.min_length, self.max_length = min_length, max_length
        self.filtered = domain.filtered
        self.step_jumps = domain.step_jumps
        self.strict = domain.strict

    def _build(self):
        return _native.sequences(self.domain._native, self.min_length, self.max_length)

    def _remap_domains(self, fn):
        return Sequences(fn(self.domain), self.min_length, self.max_length, self._name)


class Subsets(Domain):
    """Subsets of ``domain``'s items (``Subsets(d)``: all; ``Subsets(d, k)``: of size
    ``k``; ``Subsets(d, lo, hi)``), depth-first in lexicographic order of their indices,
    as ``Set``s (or ``set_class``: ``frozenset``, ``tuple``).

    >>> import haydi_rs as hd
    >>> list(hd.Subsets(hd.Range(3), 0, 2))
    [{}, {0}, {0, 1}, {0, 2}, {1}, {1, 2}, {2}]
    """

    def __init__(self, domain, min_size=None, max_size=None, set_class=Set, name=None):
        Domain.__init__(self, name)
        self.domain = domain
        self._args = (min_size, max_size)
        if min_size is None:
            lo, hi = 0, None
        elif max_size is None:
            lo, hi = min_size, min_size
        else:
            lo, hi = min_size, max_size
        self.min_size, self.max_size = lo, hi
        self.set_class = set_class
        if set_class is Set:
            self._class = "set"
        elif set_class is frozenset:
            self._class = "frozenset"
        elif set_class is tuple:
            self._class = "tuple"
        else:
            raise ValueError("set_class must be haydi's Set, frozenset or tuple")
        self.filtered = domain.filtered
        self.strict = domain.strict and set_class in (Set, tuple)

    def _build(self):
        n = self.domain.size
        if n is None:
            raise ValueError("Subsets needs a domain of known size")
        hi = n if self.max_size is None else self.max_size
        return _native.subsets(self.domain._native, self.min_size, hi, self._class)

    def _remap_domains(self, fn):
        return Subsets(fn(self.domain), self._args[0], self._args[1], self.set_class,
                       self._name)


class Mappings(Domain):
    """All total functions from ``key_domain``'s items to ``value_domain``'s, as ``Map``s
    (or ``map_class``: ``dict``, ``tuple`` of pairs), in lexicographic order of the values
    (keys in key-domain order, the first key slowest).

    >>> import haydi_rs as hd
    >>> list(hd.Mappings(hd.Range(2), hd.Range(2)))
    [{0: 0; 1: 0}, {0: 0; 1: 1}, {0: 1; 1: 0}, {0: 1; 1: 1}]
    """

    def __init__(self, key_domain, value_domain, map_class=Map, name=None):
        Domain.__init__(self, name)
        self.key_domain, self.value_domain = key_domain, value_domain
        self.map_class = map_class
        if map_class is Map:
            self._class = "map"
        elif map_class is dict:
            self._class = "dict"
        elif map_class is tuple:
            self._class = "tuple"
        else:
            raise ValueError("map_class must be haydi's Map, dict or tuple")
        self.filtered = value_domain.filtered
        self.step_jumps = value_domain.step_jumps
        self.strict = key_domain.strict and value_domain.strict and map_class is not dict

    def _build(self):
        return _native.mappings(self.key_domain._native, self.value_domain._native,
                                self._class)

    def _remap_domains(self, fn):
        return Mappings(fn(self.key_domain), fn(self.value_domain), self.map_class,
                        self._name)


class Join(Domain):
    """The items of each domain, one domain after the other (no deduplication);
    ``a + b`` is ``Join((a, b))``. ``ratios`` weight the parts in ``generate``.

    >>> import haydi_rs as hd
    >>> list(hd.Range(3) + hd.Range(0) + hd.Range(2))
    [0, 1, 2, 0, 1]
    """

    def __init__(self, domains, ratios=None, name=None):
        Domain.__init__(self, name)
        self.domains = tuple(domains)
        self.ratios = tuple(ratios) if ratios is not None else None
        self.filtered = any(d.filtered for d in self.domains)
        self.step_jumps = all(d.step_jumps for d in self.domains)
        self.strict = all(d.strict for d in self.domains)

    def __add__(self, other):
        if self.ratios is not None or self._name is not None:
            return Join((self, other))
        return Join(self.domains + (other,))

    def _build(self):
        ratios = None if self.ratios is None else [float(r) for r in self.ratios]
        return _native.join([d._native for d in self.domains], ratios)

    def _remap_domains(self, fn):
        return Join(tuple(fn(d) for d in self.domains), self.ratios, self._name)


class Permutations(Domain):
    """All orderings of ``domain``'s items, as tuples, in lexicographic order of their
    indices.

    >>> import haydi_rs as hd
    >>> list(hd.Permutations(hd.Values("AB")))
    [('A', 'B'), ('B', 'A')]
    """

    def __init__(self, domain, name=None):
        Domain.__init__(self, name)
        self.domain = domain
        self.filtered = False
        self.strict = False

    def _build(self):
        return _native.permutations(self.domain._native)

    def _remap_domains(self, fn):
        return Permutations(fn(self.domain), self._name)


class _CachedSampler(object):
    """``Product(..., cache_size=k)``'s random items: ``k`` random indices per coordinate
    (``k`` distinct ones for an unordered product), then random tuples of those, drawn anew
    after as many tuples as the cache has."""

    def __init__(self, product):
        self.product = product
        self.left = 0
        self.cache = None

    def _refill(self):
        p, k = self.product, self.product.cache_size
        if p.unordered:
            d = p.domains[0]
            n = d.size
            idx = sorted(random.sample(range(n), min(k, n)))
            self.cache = [[x for i in idx for x in [d._native.item_at(i)] if x[0]]]
            from .utils import ncr
            self.left = max(ncr(len(self.cache[0]), len(p.domains)), 1)
        else:
            self.cache = []
            for d in p.domains:
                got = []
                for _ in range(k):
                    got.append(d.generate_one())
                self.cache.append(got)
            self.left = k ** len(p.domains)

    def __call__(self, _):
        if self.left <= 0:
            self._refill()
        self.left -= 1
        p = self.product
        if p.unordered:
            chosen = sorted(random.sample(range(len(self.cache[0])), len(p.domains)),
                            reverse=True)
            return tuple(self.cache[0][i][1] for i in chosen)
        return tuple(random.choice(c) for c in self.cache)


# Seed of random pipelines when the caller gives none: Python's ``random`` module, so that
# ``random.seed(...)`` makes ``generate()`` repeatable.
def _random_seed():
    return random.getrandbits(64)
