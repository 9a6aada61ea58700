from . import controllers, hooks
