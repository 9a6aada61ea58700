from odoo import fields, models


class LibraryMember(models.Model):
    _name = "test_library_api.member"
    _description = "Library Member"

    name = fields.Char(required=True)
    user_id = fields.Many2one("res.users", "User")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    loan_ids = fields.One2many("test_library_api.loan", "member_id", "Loans")
