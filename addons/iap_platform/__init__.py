from . import controllers, models, tools
from .hooks import install_guards, remove_guards

