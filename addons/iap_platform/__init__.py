from . import models, tools
from .hooks import install_guards, remove_guards

# The routes (controllers/) are imported once the HTTP layer (odoo.http) exists.
