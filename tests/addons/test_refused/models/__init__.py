from . import tracked
