from . import console, main
