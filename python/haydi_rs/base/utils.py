"""``haydi.base.utils``: see ``haydi_rs.utils``."""
from ..utils import limit_string_length, ncr, identity  # noqa: F401
