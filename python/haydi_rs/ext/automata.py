"""Helpers for automata."""

from ..graph import Graph


def transition_fn_to_graph(transition_fn, rule_to_arc):
    """A ``Graph`` of a transition function ``{rule: value}``: ``rule_to_arc(rule, value)``
    gives ``(source, label, target)``; arcs between the same nodes are merged, their labels
    joined by newlines.

    >>> g = transition_fn_to_graph({(0, "a"): 1, (0, "b"): 1},
    ...                            lambda r, v: (r[0], r[1], v))
    >>> g.size, g.node(0).arcs[0].data
    (2, 'a\\nb')
    """
    g = Graph()
    for rule, value in transition_fn.items():
        source, label, target = rule_to_arc(rule, value)
        g.node(source).add_arc(g.node(target), label)
    g.merge_arcs(lambda a, b: "{}\n{}".format(a, b))
    return g
