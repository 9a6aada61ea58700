"""The ``res.users`` fields Odoo clients read besides the login (``login_date``, ``state``,
``company_ids``, ``action_id``; ``lang``, ``tz`` and ``image_1920`` come from the partner through
delegation), and Odoo's API-key wizard (``res.users.apikeys.description`` then ``.show``, behind an
identity check)."""
from odoo import api, fields, models
from odoo.exceptions import UserError

from .res_users_identitycheck import check_identity


class ResPartner(models.Model):
    _inherit = "res.partner"

    image_1920 = fields.Binary("Image", attachment=True)


class ResUsers(models.Model):
    _inherit = "res.users"

    login_date = fields.Datetime("Latest authentication", readonly=True, copy=False)
    state = fields.Selection([("new", "Never Connected"), ("active", "Confirmed")], compute="_compute_state",
                             string="Status")
    company_ids = fields.Many2many("res.company", "res_company_users_rel", "user_id", "cid", "Companies",
                                   default=lambda self: self.env.ref("base.main_company", raise_if_not_found=False))
    action_id = fields.Many2one("ir.actions.actions", "Home Action",
                                help="If specified, this action will be opened at log on for this user.")

    def _compute_state(self):
        for user in self:
            user.state = "active" if user.login_date else "new"

    def _login(self, login: str, password: str) -> int:
        uid = super()._login(login, password)
        if not self.env.cr.readonly:
            # Bookkeeping of a successful login, not a change of the user: no cache to empty, no session to end.
            self.env.cr.execute("UPDATE res_users SET login_date = %s WHERE id = %s",
                                (fields.Datetime.to_string(fields.Datetime.now()), uid))
            self.browse(uid).invalidate_recordset(["login_date"])
        return uid


class ApiKeyDescription(models.TransientModel):
    _name = "res.users.apikeys.description"
    _description = "API Key Description"

    name = fields.Char("Description", required=True)

    @check_identity
    def make_key(self):
        """Create the key and answer the action that shows it once (Odoo's *Generate* button): the key
        travels in the action's context (``default_key``), to the user who made it only."""
        self.ensure_one()
        if not self.name or not self.name.strip():
            raise UserError("An API key needs a description saying where it will be used")
        key = self.env["res.users.apikeys"].generate(self.name)
        self.sudo().unlink()
        return {"type": "ir.actions.act_window", "res_model": "res.users.apikeys.show", "name": "API Key Ready",
                "views": [[False, "form"]], "target": "new", "context": {"default_key": key}}

    @api.model
    def check_access_make_key(self) -> bool:
        return not self.env.user.share


class ApiKeyShow(models.TransientModel):
    """The form showing a new key, filled from the action's ``default_key``; nothing is kept."""

    _name = "res.users.apikeys.show"
    _description = "Show API Key"
    _transient_max_hours = 0.1

    key = fields.Char(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        raise UserError("The API key form only shows a key made by res.users.apikeys.description.make_key")
