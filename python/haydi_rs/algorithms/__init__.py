"""Algorithms on top of domains: ``search.bfs``."""
from . import search  # noqa: F401
