from . import test_odoo_style
