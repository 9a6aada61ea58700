"""One recorded audio answer of a transfer and what the analysis API said about it."""
from odoo import fields, models

ANSWER_STATES = [("pending", "Pending"), ("done", "Analysed"), ("invalid", "Unreadable answer"),
                 ("failed", "Refused by the API")]


class TransferAnswer(models.Model):
    _name = "transfer.answer"
    _description = "Transfer answer"
    _order = "transfer_id, sequence"
    _sql_constraints = [("transfer_sequence_uniq", "unique(transfer_id, sequence)",
                         "A transfer has one answer per position.")]

    transfer_id = fields.Many2one("transfer.transfer", "Transfer", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(required=True, help="Position of the question in the questionnaire (from 1).")
    question = fields.Char(help="The questionnaire's question element this answers.")
    url = fields.Char("Audio URL", required=True)
    state = fields.Selection(ANSWER_STATES, required=True, default="pending", index=True)
    http_status = fields.Integer("HTTP status")
    raw = fields.Json("Raw response", help="The API's JSON answer, or {'text': ...} when it was not JSON.")
    risk = fields.Integer(help="RISKREPQ's last value clamped to [5, 95]; 60 when unparsable.")
    score = fields.Integer(help="100 - risk.")
    error = fields.Text()
    attempts = fields.Integer(default=0)
    date_done = fields.Datetime("Analysed on")
