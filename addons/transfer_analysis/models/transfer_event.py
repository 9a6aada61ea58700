"""The status log of transfers, one row per event (the seed's keys.log, issues.log and status.log)."""
from odoo import fields, models

KINDS = [("NEW", "New"), ("REPEATED", "Repeated"), ("OLD", "Too old"), ("COMPLETED", "Completed"),
         ("ERR", "Error"), ("RETRY", "Retried"), ("WRITEBACK", "Written back")]


class TransferEvent(models.Model):
    _name = "transfer.event"
    _description = "Transfer event"
    _order = "id desc"
    _rec_name = "kind"

    transfer_id = fields.Many2one("transfer.transfer", "Transfer", ondelete="cascade", index=True)
    key = fields.Char("Transfer key", index=True, help="Also set for events of items that never became a transfer.")
    kind = fields.Selection(KINDS, required=True, index=True)
    detail = fields.Text()
    date = fields.Datetime(default=lambda self: fields.Datetime.now(), index=True)
