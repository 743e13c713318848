# The Python haydi's tests/conftest.py, ported to Python 3 and current pytest: slow tests run
# only with --runslow (pytest no longer sets a `slow` attribute on marked functions, so the
# marker is looked up instead).
import pytest


# port: the --runslow option is declared in python/tests/conftest.py (pytest reads options
# only from the conftest files it starts from).


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a slow test (run with --runslow)")


def pytest_runtest_setup(item):
    """Skip tests if they are marked as slow and --runslow is not given"""
    if item.get_closest_marker("slow") and not item.config.getoption("runslow", False):
        pytest.skip('slow tests not requested')
