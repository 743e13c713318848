"""``haydi.base.runtime``: contexts."""
from . import distributedcontext  # noqa: F401
