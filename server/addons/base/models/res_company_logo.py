"""The company logo, kept as an attachment and served by ``/web/binary/company_logo``."""
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    logo = fields.Binary("Company Logo", attachment=True)
