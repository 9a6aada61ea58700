"""TCM plugin for the Telmex backend: it only logs, proving that plugins are independent of each other."""
from . import backend  # noqa: F401
