from odoo import fields, models


class LibraryLoan(models.Model):
    _name = "test_library_api.loan"
    _description = "Library Loan"
    _order = "date_start desc, id"
    _check_company_auto = True

    book_id = fields.Many2one("test_library_api.book", "Book", required=True, ondelete="cascade",
                              check_company=True)
    member_id = fields.Many2one("test_library_api.member", "Member", required=True)
    date_start = fields.Date(required=True, default=fields.Date.today)
    date_end = fields.Date()
    fee = fields.Float()
    returned_at = fields.Datetime()
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
