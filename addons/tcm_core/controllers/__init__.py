from . import console, main  # noqa: F401
