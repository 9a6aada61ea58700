from odoo import fields, models


class ResCompany(models.Model):
    _name = "res.company"
    _description = "Companies"
    _order = "sequence, name"
    _sql_constraints = [("name_uniq", "unique(name)", "The company name must be unique!")]

    name = fields.Char("Company Name", required=True)
    sequence = fields.Integer(default=10)
    partner_id = fields.Many2one("res.partner", "Partner")
    parent_id = fields.Many2one("res.company", "Parent Company", index=True)
    email = fields.Char()
    phone = fields.Char()
    country_id = fields.Many2one("res.country", "Country")
    currency_code = fields.Char("Currency", size=3, default="EUR")
    active = fields.Boolean(default=True)
