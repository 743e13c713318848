import os
import sys

# The oracle cases (cases.py) and the scripts are imported from this folder.
sys.path.insert(0, os.path.dirname(__file__))


def pytest_addoption(parser):
    # Used by ported/ (the Python haydi's suite): its slow tests run only with --runslow.
    parser.addoption("--runslow", action="store_true", help="run slow tests")
