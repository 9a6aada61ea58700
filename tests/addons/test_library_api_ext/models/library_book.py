from odoo import fields, models


class LibraryBook(models.Model):
    _inherit = "test_library_api.book"

    state = fields.Selection(selection_add=[("lost", "Lost"), ("hidden",), ("burnt", "Burnt")],
                             ondelete={"lost": "set default", "burnt": "cascade"})
    # Redefinitions keep what the first definition gave and they do not (as in Odoo).
    isbn = fields.Char(string="ISBN-13", size=17)
    loan_ids = fields.One2many(string="All loans")
