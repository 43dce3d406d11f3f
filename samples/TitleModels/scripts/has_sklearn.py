"""Says whether this Python has scikit-learn, for the Score step's default (--score auto)."""
from flow_script import output

try:
    import sklearn  # noqa: F401
    output(True)
except ImportError:
    output(False)
