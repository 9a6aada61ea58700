# Controllers are written against odoo.http and are imported once the HTTP layer exists.
from . import models
