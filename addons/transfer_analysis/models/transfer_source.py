"""Where transfers come from: a Firebase Realtime Database (REST streaming) and its layout."""
from odoo import fields, models


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

    def set_status(self, status: str) -> None:
        self.write({"status": status[:250], "date_status": fields.Datetime.now()})
