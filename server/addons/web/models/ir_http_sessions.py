"""Expired sessions are deleted by the daily autovacuum (``base.autovacuum_job``), as in Odoo 17,
besides the clean-up done whenever a session is created."""
from odoo import api, models
from odoo.http.session_store import TABLE, SessionStore


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @api.autovacuum
    def _gc_sessions(self) -> None:
        if self.env.cr.database.table_exists(TABLE):
            SessionStore().collect_garbage(self.env.cr)
