"""Every domain and action of haydi_rs, each with a plain-Python oracle.

A case is ``name -> (run(ctx), expected)``: ``run`` computes with haydi_rs on the context
``ctx`` (``None``: serial), ``expected`` is computed with plain Python (itertools, loops),
never with haydi_rs. The same cases run on serial, threads (test_contexts.py) and spawned
worker processes (scripts/spawn_suite.py).
"""

import functools
import itertools

import haydi_rs as hd


def _subsets_dfs(n, lo=0, hi=None):
    """Subsets of range(n) in depth-first lexicographic order of their index lists."""
    hi = n if hi is None else hi
    out = []
    for k in range(lo, hi + 1):
        out.extend(itertools.combinations(range(n), k))
    return sorted(out, key=list)


def _square_if_odd(x):
    return x * x


def _odd(x):
    return x % 2 == 1


def _slowish(x):
    # A few microseconds of Python work, so that runs have several chunks.
    return sum(i * x % 7 for i in range(20))


def _tag(word):
    return (word, _slowish(int(word[1:])))


def cases():
    """name -> (callable taking a context, expected value)."""
    c = {}
    u = hd.USet(3, "u")

    def add(name, run, expected):
        c[name] = (run, expected)

    # --- domains (collected) ---
    add("range", lambda ctx: hd.Range(-5, 11, 2).run(ctx), list(range(-5, 11, 2)))
    add("range_negative_step", lambda ctx: hd.Range(10, 0, -3).run(ctx),
        list(range(10, 0, -3)))
    add("values", lambda ctx: hd.Values(["a", 3, (1, 2), None, 2.5]).run(ctx),
        ["a", 3, (1, 2), None, 2.5])
    # A set has no order, and each process hashes strings with its own salt: Values takes
    # a set's items sorted, so every process (and the oracle) agrees.
    tags = {"w%03d" % i for i in range(300)}
    add("values_of_a_set", lambda ctx, s=tags: hd.Values(s).map(_tag).collect().run(ctx),
        [_tag(w) for w in sorted(tags)])
    add("boolean", lambda ctx: hd.Boolean().run(ctx), [False, True])
    add("none", lambda ctx: hd.NoneDomain().run(ctx), [None])
    add("uset", lambda ctx: [a.index for a in u.run(ctx)], [0, 1, 2])
    add("product", lambda ctx: (hd.Range(3) * hd.Values("ab") * hd.Boolean()).run(ctx),
        list(itertools.product(range(3), "ab", [False, True])))
    add("product_empty", lambda ctx: hd.Product(()).run(ctx), [()])
    r5 = hd.Range(5)
    add("product_unordered",
        lambda ctx: hd.Product((r5, r5, r5), unordered=True).run(ctx),
        [tuple(reversed(t)) for t in itertools.combinations(range(5), 3)])
    add("sequences", lambda ctx: hd.Sequences(hd.Range(3), 0, 2).run(ctx),
        [t for n in range(3) for t in itertools.product(range(3), repeat=n)])
    add("sequences_pow", lambda ctx: (hd.Range(2) ** 3).run(ctx),
        list(itertools.product(range(2), repeat=3)))
    add("subsets", lambda ctx: hd.Subsets(hd.Range(4)).run(ctx),
        [hd.Set(s) for s in _subsets_dfs(4)])
    add("subsets_sized_frozenset",
        lambda ctx: hd.Subsets(hd.Range(5), 2, 3, set_class=frozenset).run(ctx),
        [frozenset(s) for s in _subsets_dfs(5, 2, 3)])
    add("mappings", lambda ctx: hd.Mappings(hd.Range(3), hd.Values("xy")).run(ctx),
        [hd.Map(zip(range(3), vals)) for vals in itertools.product("xy", repeat=3)])
    add("mappings_dict",
        lambda ctx: hd.Mappings(hd.Range(2), hd.Range(2), map_class=dict).run(ctx),
        [dict(zip(range(2), v)) for v in itertools.product(range(2), repeat=2)])
    add("join", lambda ctx: (hd.Range(3) + hd.Values(["a"]) + hd.Range(2)).run(ctx),
        [0, 1, 2, "a", 0, 1])
    add("permutations", lambda ctx: hd.Permutations(hd.Range(4)).run(ctx),
        list(itertools.permutations(range(4))))
    add("domain_map_filter",
        lambda ctx: hd.Range(20).filter(_odd).map(_square_if_odd).run(ctx),
        [x * x for x in range(20) if x % 2 == 1])
    add("filtered_product",
        lambda ctx: (hd.Range(6).filter(_odd) * hd.Range(3)).run(ctx),
        [(a, b) for a in range(6) if a % 2 == 1 for b in range(3)])

    # --- actions ---
    big = hd.Range(3000)
    add("collect_chain",
        lambda ctx: big.iterate().map(_slowish).filter(lambda x: x % 3 == 0).run(ctx),
        [y for y in (_slowish(x) for x in range(3000)) if y % 3 == 0])
    add("take_after_filter",
        lambda ctx: big.iterate().filter(lambda x: x % 7 == 3).take(17).run(ctx),
        [x for x in range(3000) if x % 7 == 3][:17])
    add("take_then_map",
        lambda ctx: big.iterate().take(5).map(lambda x: -x).run(ctx),
        [0, -1, -2, -3, -4])
    add("count", lambda ctx: big.filter(lambda x: x % 7 == 3).count().run(ctx),
        sum(1 for x in range(3000) if x % 7 == 3))
    add("first_found", lambda ctx: big.filter(lambda x: x * x > 5000).first().run(ctx),
        71)
    add("first_default",
        lambda ctx: big.filter(lambda x: x < 0).first("none").run(ctx), "none")
    add("reduce_associative",
        lambda ctx: hd.Range(1000).reduce(lambda x, y: x + y, 100).run(ctx),
        100 + sum(range(1000)))
    add("reduce_sum",
        lambda ctx: big.map(_slowish).reduce(lambda x, y: x + y).run(ctx),
        sum(_slowish(x) for x in range(3000)))
    add("reduce_not_associative",
        lambda ctx: hd.Range(10).reduce(lambda x, y: x - y, 100, associative=False)
        .run(ctx), functools.reduce(lambda x, y: x - y, range(10), 100))
    add("reduce_empty", lambda ctx: hd.Range(0).reduce(lambda x, y: x + y, 7).run(ctx), 7)
    add("max_key",
        lambda ctx: (hd.Range(40) * hd.Range(40)).max(lambda p: (p[0] * p[1]) % 37)
        .run(ctx),
        [p for p in itertools.product(range(40), range(40)) if (p[0] * p[1]) % 37 == 36])
    add("max_size",
        lambda ctx: (hd.Range(5) * hd.Range(5)).max(lambda x: x[0], 2).run(ctx),
        [(4, 0), (4, 1)])
    add("max_empty", lambda ctx: hd.Range(0).max().run(ctx), None)
    words = ["A"] * 200 + ["B"] * 100 + ["C"] * 3 + ["D"] * 10
    add("groups",
        lambda ctx: hd.Values(words).groups(lambda x: x, 10).run(ctx),
        {"A": ["A"] * 10, "B": ["B"] * 10, "C": ["C"] * 3, "D": ["D"] * 10})
    add("groups_none_dropped",
        lambda ctx: hd.Range(30).groups(lambda x: None if x % 5 == 0 else x % 3).run(ctx),
        {k: [x for x in range(30) if x % 5 and x % 3 == k] for k in range(3)})
    add("groups_counts",
        lambda ctx: hd.Values(words).groups_counts(lambda x: x, 2).run(ctx),
        {"A": [200, "A", "A"], "B": [100, "B", "B"], "C": [3, "C", "C"],
         "D": [10, "D", "D"]})

    # --- canonical forms (OEIS counts; the lists are checked against brute force in
    # test_cnfs.py) ---
    def graphs(n):
        v = hd.USet(n, "v")
        return hd.Subsets(hd.Subsets(v, 2))
    add("cnfs_graphs_6_count", lambda ctx: graphs(6).cnfs().count().run(ctx), 156)
    add("cnfs_graphs_5_collect", lambda ctx: len(graphs(5).cnfs().run(ctx)), 34)
    add("cnfs_graphs_edges",
        lambda ctx: graphs(5).cnfs().groups_counts(len, 0).run(ctx),
        {k: [n] for k, n in enumerate([1, 1, 2, 4, 6, 6, 6, 4, 2, 1, 1])})
    fq = hd.USet(5, "f")
    add("cnfs_functional_graphs",
        lambda ctx: hd.Mappings(fq, fq).cnfs().count().run(ctx), 47)
    q, a = hd.USet(3, "q"), hd.USet(2, "a")
    add("cnfs_automata_map",
        lambda ctx: len(hd.Mappings(q * a, q).cnfs().map(lambda m: m.to_dict()).run(ctx)),
        automata_oracle(3, 2))
    add("cnfs_strict_filter",
        lambda ctx: (u * hd.Range(4)).filter(lambda x: x[1] != 2, strict=True).cnfs()
        .run(ctx), [(u.get(0), 0), (u.get(0), 1), (u.get(0), 3)])
    return c


def automata_oracle(n_states, n_letters):
    """The number of automata with ``n_states`` states over ``n_letters`` letters up to
    renaming states and letters, by brute force: the orbits of all transition tables."""
    states, letters = range(n_states), range(n_letters)
    keys = [(s, l) for s in states for l in letters]
    seen = set()
    classes = 0
    for vals in itertools.product(states, repeat=len(keys)):
        if vals in seen:
            continue
        classes += 1
        table = dict(zip(keys, vals))
        for ps in itertools.permutations(states):
            for pl in itertools.permutations(letters):
                image = {(ps[s], pl[l]): ps[t] for (s, l), t in table.items()}
                seen.add(tuple(image[k] for k in keys))
    return classes
