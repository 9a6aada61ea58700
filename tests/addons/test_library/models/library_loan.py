from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class LibraryLoan(models.Model):
    _name = "test_library.loan"
    _description = "Loan"
    _order = "date_start desc, id"

    book_id = fields.Many2one("test_library.book", required=True, ondelete="restrict")
    member_id = fields.Many2one("test_library.member", required=True, ondelete="cascade")
    state = fields.Selection([("ongoing", "Ongoing"), ("returned", "Returned")], default="ongoing")
    date_start = fields.Date(default=fields.Date.today)
    duration_days = fields.Integer(default=14)
    date_due = fields.Date(compute="_compute_date_due", store=True, readonly=False, precompute=True)
    book_name = fields.Char(related="book_id.name", store=True)
    member_name = fields.Char(related="member_id.name", store=True)
    book_author_countries = fields.Char(compute="_compute_book_author_countries", store=True)
    reference = fields.Char(compute="_compute_reference", store=True, compute_sudo=True)

    @api.depends("date_start", "duration_days")
    def _compute_date_due(self):
        for loan in self:
            loan.date_due = loan.date_start + timedelta(days=loan.duration_days) if loan.date_start else False

    @api.depends("book_id.author_countries")
    def _compute_book_author_countries(self):
        for loan in self:
            loan.book_author_countries = loan.book_id.author_countries

    @api.depends("book_id.name", "member_id.member_number")
    def _compute_reference(self):
        for loan in self:
            loan.reference = f"{loan.member_id.member_number or '-'}/{loan.book_id.name}"

    @api.constrains("book_id.pages")
    def _check_book_has_pages(self):
        for loan in self:
            if loan.book_id.pages == 0:
                raise ValidationError("A book without pages cannot be lent.")
