"""Canonical forms against brute force: cnfs() gives exactly one member of each
isomorphism class (checked by enumerating every item and its orbit in plain Python), and
the counts of OEIS A000088 (graphs), A001372 (functional graphs), A000595 (relations)."""

import itertools

import pytest

import haydi_rs as hd
from haydi_rs.basictypes import replace_atoms
from cases import automata_oracle


def orbit_classes(domain, usets):
    """The isomorphism classes of the domain's items by brute force: an item's orbit is
    its images under every permutation of each USet's atoms."""
    items = list(domain)
    seen = set()
    reps = []
    for x in items:
        if x in seen:
            continue
        reps.append(x)
        perms = [list(itertools.permutations(u.all())) for u in usets]
        for choice in itertools.product(*perms):
            table = {}
            for u, p in zip(usets, choice):
                table.update(zip(u.all(), p))
            seen.add(replace_atoms(x, lambda a: table[a]) if not isinstance(x, hd.Set)
                     else replace_atoms(x, lambda a: table[a]))
    return reps


def check(domain, usets):
    cnfs = domain.cnfs().run()
    classes = orbit_classes(domain, usets)
    assert len(cnfs) == len(classes)
    # one representative per class, each canonical and a member of the domain
    assert len({hd.canonize(x) for x in cnfs}) == len(cnfs)
    members = set(domain)
    assert all(x in members for x in cnfs)
    assert all(hd.is_canonical(x) for x in cnfs)


def test_products_and_sequences_brute_force():
    a, b = hd.USet(3, "a"), hd.USet(2, "b")
    check(a * a * b, [a, b])
    check(hd.Sequences(a, 0, 3), [a])


def test_subsets_and_mappings_brute_force():
    a, b = hd.USet(3, "a"), hd.USet(2, "b")
    check(hd.Subsets(a * b), [a, b])
    check(hd.Mappings(a, b), [a, b])
    check(hd.Mappings(b * b, a), [a, b])


@pytest.mark.parametrize("n,count", [(1, 1), (2, 2), (3, 4), (4, 11), (5, 34), (6, 156),
                                     (7, 1044), (8, 12346)])
def test_graphs_a000088(n, count):
    v = hd.USet(n, "v")
    assert hd.Subsets(hd.Subsets(v, 2)).cnfs().count().run() == count


@pytest.mark.parametrize("n,count", [(1, 1), (2, 3), (3, 7), (4, 19), (5, 47), (6, 130)])
def test_functional_graphs_a001372(n, count):
    v = hd.USet(n, "v")
    assert len(hd.Mappings(v, v).cnfs().run()) == count


@pytest.mark.parametrize("n,count", [(1, 2), (2, 10), (3, 104)])
def test_relations_a000595(n, count):
    v = hd.USet(n, "v")
    assert hd.Subsets(v * v).cnfs().count().run(hd.ThreadContext(2)) == count


def test_automata_against_orbits():
    q, a = hd.USet(3, "q"), hd.USet(2, "a")
    assert len(hd.Mappings(q * a, q).cnfs().run()) == automata_oracle(3, 2)


def test_canonize_expand_isomorphic():
    a = hd.USet(4, "a")
    a0, a1, a2, a3 = a
    assert hd.canonize((a3, a1, a1)) == (a0, a1, a1)
    assert hd.expand((a0, a0)) == [(x, x) for x in a]
    assert len(hd.expand((a0, a1))) == 12
    assert hd.is_isomorphic(hd.Set([a0, a2]), hd.Set([a1, a3]))
    assert not hd.is_isomorphic((a0, a1), (a0, a0))


def test_two_usets_with_one_identity_are_refused():
    a, again = hd.USet(2, "same"), hd.USet(2, "same")
    with pytest.raises(hd.HaydiError, match="declar"):
        (a * again).cnfs().run()


def test_not_strict_is_refused():
    with pytest.raises(hd.HaydiError):
        hd.Values([1, 2]).cnfs()
    with pytest.raises(hd.HaydiError):
        r = hd.Range(3)
        hd.Product((r, r), unordered=True).cnfs()
