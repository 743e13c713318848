"""The Python haydi's module layout (``haydi.base.*``), so that programs and tests that
import its internals need only ``haydi`` changed to ``haydi_rs``."""
from . import basictypes, cnf, graph, utils, runtime  # noqa: F401
