from . import console
