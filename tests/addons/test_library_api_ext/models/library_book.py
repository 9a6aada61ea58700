from odoo import fields, models


class LibraryBook(models.Model):
    _inherit = "test_library_api.book"

    state = fields.Selection(selection_add=[("lost", "Lost"), ("hidden",), ("burnt", "Burnt")],
                             ondelete={"lost": "set default", "burnt": "cascade"})
