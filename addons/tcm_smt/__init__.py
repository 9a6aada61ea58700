"""TCM plugin for the SMT backend: handlers (``backend``), subscriptions (``models``), HTTP sync (``sync``)."""
from . import backend, controllers, models  # noqa: F401
