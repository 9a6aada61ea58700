"""``odoo.osv``: domain manipulation helpers (``odoo.osv.expression``)."""
from . import expression
