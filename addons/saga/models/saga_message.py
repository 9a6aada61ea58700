"""``saga.message``: the inbox. A message id is unique, so a delivery made twice is recorded once."""
from __future__ import annotations

from odoo import fields, models

OUTCOMES = [
    ("processed", "Processed"),
    ("ignored", "Ignored"),
    ("unknown", "Unknown saga"),
    ("late", "Late"),
    ("early", "Early: kept until its step waits"),
    ("held", "Held: a late success, an incident once the compensation ends"),
]


class SagaMessage(models.Model):
    _name = "saga.message"
    _description = "Saga Message"
    _order = "id desc"

    # No index=True: the unique constraint's index serves every lookup (each index is work at every insert).
    message_id = fields.Char(required=True, readonly=True)
    message_type = fields.Char(required=True, readonly=True)
    saga_type = fields.Char(readonly=True)
    business_key = fields.Char(readonly=True, index=True)
    instance_id = fields.Many2one("saga.instance", readonly=True, ondelete="set null", index=True)
    payload = fields.Json(readonly=True)
    source = fields.Char(readonly=True, help="How it came: http, amqp, rpc")
    outcome = fields.Selection(OUTCOMES, readonly=True)
    detail = fields.Text(readonly=True)
    received_at = fields.Datetime(default=fields.Datetime.now, readonly=True)

    _sql_constraints = [("message_id_uniq", "unique(message_id)", "This message was already received.")]
