"""Per-company recipients of the transfer summaries (the seed hard-coded one address)."""
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    transfer_report_email_to = fields.Char(
        "Transfer summary recipients", help="Comma-separated addresses that get each analysed transfer's summary.")
