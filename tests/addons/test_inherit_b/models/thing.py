from odoo import fields, models


class Thing(models.Model):
    _inherit = "test.thing"

    colour = fields.Char(default="blue")

    def describe(self):
        return super().describe() + f" in {self.colour}"
