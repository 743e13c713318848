"""Algorithms on top of domains: ``search.bfs``.

>>> from haydi_rs.algorithms import search
>>> search.bfs(1, lambda s, d: (s * 2,), lambda s, d: d if s > 100 else None)
7
"""
from . import search  # noqa: F401
