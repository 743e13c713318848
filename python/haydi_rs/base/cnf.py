"""``haydi.base.cnf``: see ``haydi_rs.cnf``."""
from ..cnf import *  # noqa: F401,F403
from ..cnf import canonize, is_canonical, is_isomorphic, expand, is_canonical_naive, sort  # noqa: F401
