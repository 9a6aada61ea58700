from . import paid
