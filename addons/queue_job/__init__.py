from . import controllers, models
from .worker import service  # noqa: F401  (starts workers with the HTTP server)
