"""``haydi.base.runtime.distributedcontext``: see ``haydi_rs.context``."""
from ...context import DistributedContext  # noqa: F401
