from odoo import fields, models


class Tracked(models.Model):
    _name = "test_refused.tracked"
    _description = "A model with a tracked field (mail's tracking is not available)"

    name = fields.Char(tracking=True)
