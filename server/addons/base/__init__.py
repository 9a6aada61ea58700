from . import controllers, models
from .hooks import init_admin_password  # noqa: F401
