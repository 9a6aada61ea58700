from . import script
