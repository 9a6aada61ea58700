"""Decimal precisions: named numbers of decimals that ``fields.Float(digits='Name')`` rounds to."""
from odoo import api, fields, models, tools


class DecimalPrecision(models.Model):
    _name = "decimal.precision"
    _description = "Decimal Precision"
    _sql_constraints = [("name_uniq", "unique(name)", "Only one value can be defined for each given usage!")]

    name = fields.Char("Usage", required=True, index=True)
    digits = fields.Integer("Digits", required=True, default=2)

    @api.model
    @tools.ormcache("application")
    def precision_get(self, application: str) -> int:
        """The digits of precision ``application`` (2 when there is no such record)."""
        row = self.env.cr.execute("SELECT digits FROM decimal_precision WHERE name = %s", (application,)).fetchone()
        return row[0] if row else 2

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache(self.env.cr)
        return records

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache(self.env.cr)
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache(self.env.cr)
        return result
