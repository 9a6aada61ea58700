"""TCM plugin for the SMT backend: handlers (``backend``), subscriptions (``models``), HTTP sync (``sync``)."""
from . import backend, models  # noqa: F401
