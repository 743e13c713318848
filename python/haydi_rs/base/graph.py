"""``haydi.base.graph``: see ``haydi_rs.graph``."""
from ..graph import Graph, Node, Arc  # noqa: F401
