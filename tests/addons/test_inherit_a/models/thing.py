from odoo import fields, models


class Thing(models.Model):
    _name = "test.thing"
    _description = "A thing to extend"

    name = fields.Char(required=True)
    size = fields.Integer()
    payload = fields.Json()
    blob = fields.Binary()
    partner_ids = fields.Many2many("res.partner", string="Partners")

    def describe(self):
        return f"thing {self.name}"
