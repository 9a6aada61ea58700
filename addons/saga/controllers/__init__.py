from . import message
