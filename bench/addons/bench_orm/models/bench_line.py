from odoo import api, fields, models


class BenchCategory(models.Model):
    _name = "bench.category"
    _description = "Benchmark category"

    name = fields.Char(required=True)
    rate = fields.Float()


class BenchLine(models.Model):
    _name = "bench.line"
    _description = "Benchmark line"

    name = fields.Char()
    date = fields.Date(index=True)
    quantity = fields.Integer()
    price = fields.Float()
    category_id = fields.Many2one("bench.category")
    subtotal = fields.Float(compute="_compute_subtotal", store=True)
    rated = fields.Float(compute="_compute_rated", store=True)

    @api.depends("quantity", "price")
    def _compute_subtotal(self):
        for line in self:
            line.subtotal = line.quantity * line.price

    @api.depends("subtotal", "category_id.rate")
    def _compute_rated(self):
        for line in self:
            line.rated = line.subtotal * line.category_id.rate
