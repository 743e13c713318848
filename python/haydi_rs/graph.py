"""Small labelled graphs (what ``DLTS.make_graph`` returns), with Graphviz output.

>>> g = Graph()
>>> a, b = g.node("A"), g.node("B")
>>> a.add_arc(b, "x"); a.add_arc(b, "y"); g.merge_arcs(lambda p, q: p + ";" + q)
>>> g.size, [arc.data for arc in g.node("A").arcs]
(2, ['x;y'])
"""

import functools

__all__ = ["Graph", "Node", "Arc"]


class Arc(object):
    """An arc to ``node`` carrying ``data``."""

    def __init__(self, node, data):
        self.node = node
        self.data = data

    def __repr__(self):
        return "<Arc to {!r} {!r}>".format(self.node.key, self.data)


class Node(object):
    """A node keyed by ``key``, with its outgoing ``arcs`` in the order added."""

    def __init__(self, key):
        self.key = key
        self.arcs = []
        self.label = None
        self.color = None

    def add_arc(self, node, data=None):
        """Adds an arc to ``node``."""
        self.arcs.append(Arc(node, data))

    def arc_by_data(self, data):
        """The first arc carrying ``data``, or ``None``."""
        for arc in self.arcs:
            if arc.data == data:
                return arc
        return None

    def merge_arcs(self, merge_fn):
        """Merges the arcs to each target into one (in order of first appearance), their
        data combined by ``merge_fn``."""
        by_target = {}
        order = []
        for arc in self.arcs:
            k = id(arc.node)
            if k not in by_target:
                by_target[k] = []
                order.append(k)
            by_target[k].append(arc)
        self.arcs = [Arc(by_target[k][0].node,
                         functools.reduce(merge_fn, [a.data for a in by_target[k]]))
                     for k in order]

    def __repr__(self):
        return "<Node {!r}>".format(self.key)


class Graph(object):
    """Nodes by key."""

    def __init__(self):
        self.nodes = {}

    @property
    def size(self):
        """The number of nodes."""
        return len(self.nodes)

    def has_node(self, key):
        """Whether a node has ``key``."""
        return key in self.nodes

    def node(self, key):
        """The node of ``key`` (created when new)."""
        n = self.nodes.get(key)
        if n is None:
            n = Node(key)
            self.nodes[key] = n
        return n

    def node_check(self, key):
        """``(node, created)``: the node of ``key`` and whether it was new."""
        created = key not in self.nodes
        return self.node(key), created

    def merge_arcs(self, merge_fn):
        """``Node.merge_arcs`` on every node."""
        for n in self.nodes.values():
            n.merge_arcs(merge_fn)

    def make_dot(self, name="G"):
        """The graph in Graphviz's dot language."""
        ids = {id(n): i for i, n in enumerate(self.nodes.values())}
        out = ["digraph {} {{".format(name)]
        for n in self.nodes.values():
            label = n.label if n.label is not None else str(n.key)
            out.append('  n{} [label="{}"];'.format(ids[id(n)], label.replace('"', '\\"')))
            for a in n.arcs:
                data = "" if a.data is None else str(a.data)
                out.append('  n{} -> n{} [label="{}"];'.format(
                    ids[id(n)], ids[id(a.node)], data.replace('"', '\\"')))
        out.append("}")
        return "\n".join(out) + "\n"

    def write(self, filename):
        """Writes the dot text to ``filename``."""
        with open(filename, "w") as f:
            f.write(self.make_dot())
