"""Transition systems: ``System`` (a successor function) and deterministic labelled
ones (``DLTS``), explored breadth first.

>>> import haydi_rs as hd
>>> d = hd.dlts_from_dict({(0, "a"): 1, (0, "b"): 0, (1, "a"): 0}, ("a", "b"))
>>> list(d.bfs(0)), d.make_path(0, ["a", "a", "b"])
([0, 1], [0, 1, 0, 0])
"""

import collections

from .domains import Domain, Values
from .graph import Graph

__all__ = ["System", "DLTS", "DLTSProduct", "dlts_from_dict"]


class _Explored(Domain):
    """The states a breadth-first search reaches, computed when first used."""

    def __init__(self, explore):
        Domain.__init__(self, "BreadthFirstSearch")
        self._explore = explore

    def _build(self):
        return Values(self._explore())._native


def _bfs(inits, successors, max_depth, max_states, return_depth):
    """States (or ``(state, depth)``) in breadth-first order, each once."""
    seen = set()
    out = []
    queue = collections.deque()
    for s in inits:
        if s not in seen:
            seen.add(s)
            queue.append((s, 0))
    while queue:
        s, d = queue.popleft()
        if max_states is not None and len(out) >= max_states:
            break
        out.append((s, d) if return_depth else s)
        if max_depth is not None and d >= max_depth:
            continue
        for n in successors(s):
            if n not in seen:
                seen.add(n)
                queue.append((n, d + 1))
    return out


class DLTS(object):
    """A deterministic labelled transition system: subclass it and define
    ``step(state, action)`` (the next state, or ``None``: no transition) and, unless
    ``actions`` (an iterable or domain of actions enabled everywhere) is given,
    ``get_enabled_actions(state)``. ``a * b`` is the synchronous product.

    >>> import haydi_rs as hd
    >>> class Counter(hd.DLTS):
    ...     def step(self, state, action):
    ...         return state + action if state + action <= 3 else None
    >>> list(Counter(hd.Range(1, 3)).bfs(0))
    [0, 1, 2, 3]
    """

    def __init__(self, actions=None):
        self.actions = actions

    def get_enabled_actions(self, state):
        """The actions enabled in ``state`` (by default ``actions``)."""
        return self.actions

    def step(self, state, action):
        """The state after ``action`` in ``state``, or ``None``."""
        raise NotImplementedError()

    def make_label(self, state):
        """The label of a state in graphs."""
        return str(state)

    def _successors(self, state):
        for a in self.get_enabled_actions(state) or ():
            n = self.step(state, a)
            if n is not None:
                yield n

    def bfs(self, init_state, max_depth=None, return_depth=False, max_states=None):
        """The states reachable from ``init_state``, breadth first, each once, as a
        domain (``(state, depth)`` pairs with ``return_depth``); ``max_depth`` and
        ``max_states`` bound the search."""
        return _Explored(lambda: _bfs([init_state], self._successors, max_depth,
                                      max_states, return_depth))

    def make_graph(self, init_state, max_depth=None):
        """A ``Graph`` of the states within ``max_depth`` steps, arcs labelled by
        actions."""
        g = Graph()
        for s, d in _bfs([init_state], self._successors, max_depth, None, True):
            node = g.node(s)
            node.label = self.make_label(s)
            if max_depth is not None and d >= max_depth:
                continue
            for a in self.get_enabled_actions(s) or ():
                n = self.step(s, a)
                if n is not None:
                    node.add_arc(g.node(n), a)
        return g

    def make_path(self, state, actions):
        """The states visited from ``state`` by ``actions`` (``None`` once stuck)."""
        path = [state]
        for a in actions:
            state = self.step(state, a)
            path.append(state)
            if state is None:
                break
        return path

    def __mul__(self, other):
        return DLTSProduct((self, other))


class DLTSProduct(DLTS):
    """The synchronous product of DLTSs: states and actions are tuples, one component per
    system; a step needs every component to move. ``a * b * c`` flattens on the left.

    >>> import haydi_rs as hd
    >>> inc = hd.dlts_from_dict({(0, "x"): 1, (1, "x"): 2}, ["x"])
    >>> list((inc * inc).bfs((0, 1)))
    [(0, 1), (1, 2)]
    """

    def __init__(self, systems):
        self.systems = tuple(systems)
        if all(s.actions is not None for s in self.systems):
            from .domains import Product
            actions = Product([s.actions if isinstance(s.actions, Domain)
                               else Values(tuple(s.actions)) for s in self.systems])
        else:
            actions = None
        DLTS.__init__(self, actions)

    def get_enabled_actions(self, state):
        parts = [list(s.get_enabled_actions(x) or ()) for s, x in zip(self.systems, state)]
        return list(_product(parts))

    def step(self, state, action):
        out = []
        for s, x, a in zip(self.systems, state, action):
            n = s.step(x, a)
            if n is None:
                return None
            out.append(n)
        return tuple(out)

    def make_label(self, state):
        return ", ".join(s.make_label(x) for s, x in zip(self.systems, state))

    def __mul__(self, other):
        return DLTSProduct(self.systems + (other,))


def _product(parts):
    import itertools
    return itertools.product(*parts)


class _DictDLTS(DLTS):
    def __init__(self, delta, actions):
        DLTS.__init__(self, actions)
        self.delta = delta

    def get_enabled_actions(self, state):
        if self.actions is not None:
            return self.actions
        return [a for (s, a) in self.delta if s == state]

    def step(self, state, action):
        return self.delta.get((state, action))


def dlts_from_dict(delta, actions=None):
    """The DLTS of a dict ``{(state, action): next_state}`` (``actions``: the actions
    enabled everywhere; by default those the dict has for each state).

    >>> import haydi_rs as hd
    >>> flip = hd.dlts_from_dict({(0, "a"): 1, (1, "a"): 0})
    >>> flip.make_path(0, ["a", "a", "a"])
    [0, 1, 0, 1]
    """
    return _DictDLTS(dict(delta), actions)


class System(object):
    """A transition system given by ``compute_next(state)`` (subclass it), explored from
    ``init_states``.

    >>> import haydi_rs as hd
    >>> class Halve(hd.System):
    ...     def compute_next(self, s):
    ...         return [s // 2] if s else []
    >>> sorted(Halve([12]).iterate_states(10))
    [0, 1, 3, 6, 12]
    """

    def __init__(self, init_states):
        self.init_states = tuple(init_states)

    def compute_next(self, state):
        """The successors of ``state``."""
        return ()

    def iterate_states(self, depth, return_depth=False):
        """The states within ``depth`` steps, breadth first, each once (``(state,
        depth)`` pairs with ``return_depth``), as a domain."""
        return _Explored(lambda: _bfs(self.init_states, self.compute_next, depth, None,
                                      return_depth))
