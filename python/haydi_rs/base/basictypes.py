"""``haydi.base.basictypes``: see ``haydi_rs.basictypes``."""
from ..basictypes import *  # noqa: F401,F403
from ..basictypes import Set, Map, Atom, compare, compare_sequence, sort  # noqa: F401
