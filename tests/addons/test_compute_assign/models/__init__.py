from . import folder
