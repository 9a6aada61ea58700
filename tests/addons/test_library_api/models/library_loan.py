from odoo import fields, models


class LibraryLoan(models.Model):
    _name = "test_library_api.loan"
    _description = "Library Loan"
    _order = "date_start desc, id"

    book_id = fields.Many2one("test_library_api.book", "Book", required=True, ondelete="cascade")
    member_id = fields.Many2one("test_library_api.member", "Member", required=True)
    date_start = fields.Date(required=True, default=fields.Date.today)
    date_end = fields.Date()
    fee = fields.Float()
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
