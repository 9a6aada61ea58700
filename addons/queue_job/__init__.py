from . import controllers, models
from .worker import service  # noqa: F401  (starts workers with the HTTP server)


def post_init_hook(env):
    """Create the indexes the ORM cannot declare (the identity key's partial unique index)."""
    from .store import create_indexes

    create_indexes(env.cr)
