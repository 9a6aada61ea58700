from . import transfers
