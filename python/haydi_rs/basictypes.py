"""Basic values: haydi's ``Set`` and ``Map``, atoms, and the item order.

The order (``compare``) is the one canonical forms use: ``bool < numbers < str < atoms <
None < tuples < sets < maps < other objects``; numbers by value, strings as Python compares
them, tuples lexicographically (a proper prefix first), sets by their sorted elements, maps
by their sorted ``(key, value)`` pairs. Unlike the Python haydi, the length of a tuple, set
or map does not come first, and atoms come after numbers and strings.
"""

from . import _native
from ._native import Atom  # noqa: F401  (re-exported)

__all__ = ["Set", "Map", "Atom", "compare", "compare_sequence", "sort", "is_equal",
           "foreach_atom", "replace_atoms", "collect_atoms", "compare2"]


class Set(object):
    """An immutable set stored as its sorted elements (what ``Subsets`` yields).

    It iterates in the item order, is hashable and compares equal to a ``Set`` of the
    same elements.

    >>> from haydi_rs import Set
    >>> s = Set((3, 1, 3))
    >>> s, len(s), s.contains(1), 2 in s
    ({1, 3}, 2, True, False)
    >>> s.to_frozenset() == frozenset({1, 3})
    True
    """

    __slots__ = ("_items",)

    def __init__(self, items=()):
        self._items = _native.sorted_unique(items)

    @classmethod
    def _from_sorted(cls, items):
        s = cls.__new__(cls)
        s._items = items
        return s

    @property
    def items(self):
        """The elements, sorted, as a tuple."""
        return self._items

    def to_set(self):
        """The elements as a Python ``set``."""
        return set(self._items)

    def to_frozenset(self):
        """The elements as a ``frozenset``."""
        return frozenset(self._items)

    def contains(self, value):
        """Whether ``value`` is an element."""
        return value in self._items

    def __contains__(self, value):
        return value in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)

    def __eq__(self, other):
        return isinstance(other, Set) and self._items == other._items

    def __ne__(self, other):
        return not self == other

    def __lt__(self, other):
        return compare(self, other) < 0

    def __hash__(self):
        return hash(("haydi.Set", self._items))

    def __repr__(self):
        return "{" + ", ".join(repr(x) for x in self._items) + "}"

    def __reduce__(self):
        return (Set._from_sorted, (self._items,))


class Map(object):
    """An immutable map stored as its ``(key, value)`` pairs sorted by key (what
    ``Mappings`` yields).

    >>> from haydi_rs import Map
    >>> m = Map(((1, "b"), (0, "a")))
    >>> m, m.get(1), m[0], m.to_dict() == {0: "a", 1: "b"}
    ({0: 'a'; 1: 'b'}, 'b', 'a', True)
    """

    __slots__ = ("_items",)

    def __init__(self, items=()):
        if isinstance(items, dict):
            items = items.items()
        self._items = _native.sorted_pairs(items)

    @classmethod
    def _from_sorted(cls, items):
        m = cls.__new__(cls)
        m._items = items
        return m

    @property
    def items_tuple(self):
        """The pairs, sorted by key, as a tuple."""
        return self._items

    def get(self, key, default=None):
        """The value of ``key`` (``default`` when absent)."""
        for k, v in self._items:
            if k == key:
                return v
        return default

    def __getitem__(self, key):
        for k, v in self._items:
            if k == key:
                return v
        raise KeyError(key)

    def __contains__(self, key):
        return any(k == key for k, _ in self._items)

    def keys(self):
        """The keys, sorted."""
        return [k for k, _ in self._items]

    def values(self):
        """The values, in key order."""
        return [v for _, v in self._items]

    def items(self):
        """The ``(key, value)`` pairs, in key order."""
        return list(self._items)

    def to_dict(self):
        """The map as a ``dict``."""
        return dict(self._items)

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return len(self._items)

    def __eq__(self, other):
        return isinstance(other, Map) and self._items == other._items

    def __ne__(self, other):
        return not self == other

    def __lt__(self, other):
        return compare(self, other) < 0

    def __hash__(self):
        return hash(("haydi.Map", self._items))

    def __repr__(self):
        return "{" + "; ".join("{!r}: {!r}".format(k, v) for k, v in self._items) + "}"

    def __reduce__(self):
        return (Map._from_sorted, (self._items,))


def compare(item1, item2):
    """-1, 0 or 1: ``item1`` against ``item2`` in the item order.

    >>> compare(1, 2), compare("b", "a"), compare((1,), (1, 0))
    (-1, 1, -1)
    """
    return _native.compare(item1, item2)


def is_equal(item1, item2):
    """Whether the two items are equal in the item order.

    >>> is_equal((1, 2), (1, 2))
    True
    """
    return compare(item1, item2) == 0


def compare_sequence(seq1, seq2):
    """``compare`` of two sequences element by element (a shorter one first on a tie).

    >>> compare_sequence([1, 2], [1, 3])
    -1
    """
    for a, b in zip(seq1, seq2):
        c = compare(a, b)
        if c:
            return c
    return (len(seq1) > len(seq2)) - (len(seq1) < len(seq2))


def sort(items):
    """Sorts the list ``items`` in place in the item order.

    >>> x = [(0,), 3, "a", None]
    >>> sort(x); x
    [3, 'a', None, (0,)]
    """
    items[:] = _native.sort(items)


def foreach_atom(item, fn):
    """Calls ``fn`` on every atom of ``item`` (in tuples, sets, maps, lists).

    >>> import haydi_rs as hd
    >>> a = hd.USet(2, "a")
    >>> seen = []; foreach_atom((a.get(1), [a.get(0)]), seen.append); seen
    [a1, a0]
    """
    if isinstance(item, Atom):
        fn(item)
    elif isinstance(item, Map):
        for k, v in item._items:
            foreach_atom(k, fn)
            foreach_atom(v, fn)
    elif isinstance(item, dict):
        for k, v in item.items():
            foreach_atom(k, fn)
            foreach_atom(v, fn)
    elif isinstance(item, (tuple, list, Set, frozenset, set)):
        for x in item:
            foreach_atom(x, fn)


def replace_atoms(item, fn):
    """``item`` with every atom ``a`` replaced by ``fn(a)``; lists become tuples.

    >>> import haydi_rs as hd
    >>> a0, a1 = hd.USet(2, "a")
    >>> replace_atoms([a0, (a1,)], lambda x: a1 if x == a0 else a0)
    (a1, (a0,))
    """
    if isinstance(item, Atom):
        return fn(item)
    if isinstance(item, Set):
        return Set(replace_atoms(x, fn) for x in item)
    if isinstance(item, Map):
        return Map((replace_atoms(k, fn), replace_atoms(v, fn)) for k, v in item._items)
    if isinstance(item, frozenset):
        return frozenset(replace_atoms(x, fn) for x in item)
    if isinstance(item, dict):
        return {replace_atoms(k, fn): replace_atoms(v, fn) for k, v in item.items()}
    if isinstance(item, (tuple, list)):
        return tuple(replace_atoms(x, fn) for x in item)
    return item


def collect_atoms(item):
    """The atoms of ``item``, each once, in order of appearance.

    >>> import haydi_rs as hd
    >>> a0, a1 = hd.USet(2, "a")
    >>> collect_atoms(((a1,), (a1, a0)))
    [a1, a0]
    """
    out = []
    seen = set()

    def add(a):
        if a not in seen:
            seen.add(a)
            out.append(a)
    foreach_atom(item, add)
    return out


def compare2(item1, perm1, item2, perm2):
    """``compare`` of ``item1`` with its atoms renamed by the dict ``perm1`` against
    ``item2`` renamed by ``perm2`` (atoms missing from a dict stay).

    >>> import haydi_rs as hd
    >>> a0, a1 = hd.USet(2, "a")
    >>> compare2(a0, {}, a1, {a1: a0})
    0
    """
    return compare(replace_atoms(item1, lambda a: perm1.get(a, a)),
                   replace_atoms(item2, lambda a: perm2.get(a, a)))
