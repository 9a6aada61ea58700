"""The audit trail: one row per lifecycle event of a contract, written in the event's transaction."""
from __future__ import annotations

from odoo import fields, models

EVENTS = [("create", "Created"), ("activate", "Activated"), ("suspend", "Suspended"),
          ("reactivate", "Reactivated"), ("cancel", "Cancelled")]


class TcmContractEvent(models.Model):
    _name = "tcm.contract.event"
    _description = "TCM Contract Event"
    _order = "id"

    contract_id = fields.Many2one("tcm.contract", "Contract", required=True, ondelete="cascade", index=True)
    event = fields.Selection(EVENTS, required=True)
    date = fields.Datetime(required=True, default=lambda self: fields.Datetime.now())
    user_id = fields.Many2one("res.users", "By", required=True, default=lambda self: self.env.uid)
    backend = fields.Char(help="The contract's backend when the event happened.")
    handled_by = fields.Char(help="Comma-separated plugin addons whose handlers acted on this event.")

    def _compute_display_name(self) -> None:
        for event in self:
            event.display_name = f"{event.contract_id.name}: {event.event}"
