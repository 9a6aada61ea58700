from odoo import fields, models


class LibraryMember(models.Model):
    _name = "test_library_api.member"
    _description = "Library Member"

    name = fields.Char(required=True)
    user_id = fields.Many2one("res.users", "User")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    loan_ids = fields.One2many("test_library_api.loan", "member_id", "Loans")

    def _register_hook(self):
        """Counted by the tests: Odoo calls it on every model when a process loads the registry."""
        REGISTER_HOOK_CALLS.append(self.env.registry.db_name)
        return super()._register_hook()


REGISTER_HOOK_CALLS: list[str] = []
