import os
import sys

# The oracle cases (cases.py) and the scripts are imported from this folder.
sys.path.insert(0, os.path.dirname(__file__))
