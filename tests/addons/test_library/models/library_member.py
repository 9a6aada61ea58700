from odoo import api, fields, models


class LibraryMember(models.Model):
    _name = "test_library.member"
    _description = "Library member"
    _inherits = {"res.partner": "partner_id"}

    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade")
    member_number = fields.Char()
    loan_ids = fields.One2many("test_library.loan", "member_id", "Loans")
    ongoing_loan_count = fields.Integer(compute="_compute_ongoing_loan_count", store=True)
    label = fields.Char(compute="_compute_label", store=True)

    @api.depends("loan_ids.state")
    def _compute_ongoing_loan_count(self):
        for member in self:
            member.ongoing_loan_count = len(member.loan_ids.filtered(lambda loan: loan.state == "ongoing"))

    @api.depends("name", "member_number")
    def _compute_label(self):
        for member in self:
            member.label = f"{member.member_number or '?'} {member.name}"
