"""Where transfers come from: a Firebase Realtime Database (REST streaming) and its layout."""
from odoo import fields, models

#: The fields ``source_of`` keeps in the process cache: writing one of them empties it.
CACHED_FIELDS = {"base_url", "auth_token", "node", "questionnaire_node", "person_node", "account_node",
                 "user_node", "storage_url"}


class TransferSource(models.Model):
    _name = "transfer.source"
    _description = "Transfer source"
    _order = "name"

    name = fields.Char(required=True)
    base_url = fields.Char("Database URL", required=True, help="e.g. https://project.firebaseio.com")
    auth_token = fields.Char("Auth token", secret=True, copy=False,
                             help="Sent as the auth= query parameter; never shown again.")
    node = fields.Char("Transfers node", required=True, default="Transfer")
    questionnaire_node = fields.Char(required=True, default="Encuestas")
    person_node = fields.Char(required=True, default="Personas")
    account_node = fields.Char(required=True, default="Cuenta")
    user_node = fields.Char(required=True, default="Usuarios")
    storage_url = fields.Char("Audio storage URL", required=True,
                              help="Answers are <storage_url>/cloud/<uid>/<n>.wav")
    max_age_minutes = fields.Integer("Ignore items older than (minutes)", default=4320, required=True)
    company_id = fields.Many2one("res.company", "Company", required=True,
                                 default=lambda self: self.env.user.company_id or self.env.ref("base.main_company"),
                                 help="Whose summary recipients get the results.")
    active = fields.Boolean(default=True)
    status = fields.Char(readonly=True, help="What the consumer last did (connected, reconnecting ...).")
    date_status = fields.Datetime(readonly=True)

    def write(self, vals):
        if set(vals) & CACHED_FIELDS:  # what runs read of their source (tools/followups.py: source_of)
            self.env.registry.clear_cache(self.env.cr)
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache(self.env.cr)
        return super().unlink()

    def set_status(self, status: str) -> None:
        self.write({"status": status[:250], "date_status": fields.Datetime.now()})
