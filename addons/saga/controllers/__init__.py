from . import console, message
