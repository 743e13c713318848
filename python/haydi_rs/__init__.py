"""haydi_rs: the Python haydi's API on haydi's Rust engine.

Describe a space as a domain (``Range``, ``Product``, ``Subsets``, ``Mappings``, ...),
chain ``map``/``filter``/``take``, end with an action (``collect``, ``max``, ``groups``,
``reduce``, ...) and ``run()``: serially, on threads, or on worker processes; canonical
forms (``cnfs()``) enumerate structures up to isomorphism. A script written for the Python
haydi runs with ``import haydi as hd`` changed to ``import haydi_rs as hd``.

>>> import haydi_rs as hd
>>> nodes = hd.USet(2, "n")
>>> graphs = hd.Subsets(nodes * nodes)
>>> graphs.size, len(graphs.cnfs().run())
(16, 10)
>>> graphs.map(len).reduce(lambda x, y: x + y).run()
32
"""

from . import _native
from ._native import HaydiError, CallableError
from .basictypes import Map, Set, Atom, compare
from .domains import (Domain, StepSkip, TransformedDomain, Range, Values, CnfValues,
                      Boolean, NoneDomain, USet, Product, NamedProduct, Sequences, Subsets,
                      Mappings, Join, Permutations)
from .pipeline import Pipeline, Outcome
from .context import (Context, SerialContext, ThreadContext, DistributedContext,
                      context_by_name)
from .lts import System, DLTS, DLTSProduct, dlts_from_dict
from .cnf import canonize, expand, is_isomorphic, is_canonical
from .basictypes import sort
from .pool import Pool, TaskHandle, RemoteObject
from . import session, algorithms, base, ext  # noqa: F401

__all__ = [
    "HaydiError", "CallableError", "Map", "Set", "Atom", "compare", "sort",
    "Domain", "StepSkip", "TransformedDomain", "Range", "Values", "CnfValues", "Boolean",
    "NoneDomain", "USet", "Product", "NamedProduct", "Sequences", "Subsets", "Mappings",
    "Join", "Permutations", "Pipeline", "Outcome", "Context", "SerialContext",
    "ThreadContext", "DistributedContext", "context_by_name", "System", "DLTS",
    "DLTSProduct", "dlts_from_dict", "canonize", "expand", "is_isomorphic", "is_canonical",
    "Pool", "TaskHandle", "RemoteObject", "session", "algorithms",
]

__version__ = "0.1.0"
