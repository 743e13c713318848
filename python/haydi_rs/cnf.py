"""Canonical forms of single values.

Two values are isomorphic when a renaming of atoms, each kept in its USet, maps one to the
other; the canonical form is the smallest member of the class in the item order
(``basictypes.compare``).

>>> import haydi_rs as hd
>>> a = hd.USet(1000, "a")
>>> hd.canonize((a.get(900), a.get(0), a.get(1), a.get(1), 100))
(a0, a1, a2, a2, 100)
"""

import itertools

from . import _native
from .basictypes import sort, replace_atoms, collect_atoms, compare  # noqa: F401

__all__ = ["canonize", "is_canonical", "is_isomorphic", "expand", "is_canonical_naive",
           "sort"]


def canonize(item):
    """The canonical form of ``item``.

    >>> import haydi_rs as hd
    >>> b = hd.USet(2, "b")
    >>> hd.canonize((b.get(1), b.get(1), b.get(0)))
    (b0, b0, b1)
    """
    return _native.canonize(item)


def is_canonical(item):
    """Whether ``item`` is its own canonical form.

    >>> import haydi_rs as hd
    >>> a0, a1 = hd.USet(2, "a")
    >>> hd.is_canonical((a0, a1)), hd.is_canonical((a1, a0))
    (True, False)
    """
    return _native.is_canonical(item)


def is_isomorphic(item1, item2):
    """Whether some renaming of atoms maps ``item1`` to ``item2``.

    >>> import haydi_rs as hd
    >>> a0, a1 = hd.USet(2, "a")
    >>> hd.is_isomorphic((a0, a1), (a1, a0)), hd.is_isomorphic((a0, a1), (a0, a0))
    (True, False)
    """
    return _native.is_isomorphic(item1, item2)


def expand(item):
    """Every value isomorphic to ``item``, sorted.

    >>> import haydi_rs as hd
    >>> a0, a1, a2 = hd.USet(3, "a")
    >>> hd.expand((a0, a0))
    [(a0, a0), (a1, a1), (a2, a2)]
    """
    return _native.expand(item)


def is_canonical_naive(item):
    """``is_canonical`` by brute force (a test oracle): no permutation of the atoms of
    each USet, over as many atoms as the item uses from it, gives a smaller value.

    >>> import haydi_rs as hd
    >>> a0, a1 = hd.USet(2, "a")
    >>> is_canonical_naive((a0, a1)), is_canonical_naive((a1, a0))
    (True, False)
    """
    atoms = collect_atoms(item)
    by_set = {}
    for a in atoms:
        by_set.setdefault(a.parent, set()).add(a.index)
    groups = []
    for uset, used in by_set.items():
        bound = max(used) + 1
        groups.append((uset, bound))
    for perms in itertools.product(*[itertools.permutations(range(b)) for _, b in groups]):
        table = {}
        for (uset, _), p in zip(groups, perms):
            for i, j in enumerate(p):
                table[uset.get(i)] = uset.get(j)
        image = replace_atoms(item, lambda a: table.get(a, a))
        if compare(image, item) < 0:
            return False
    return True
