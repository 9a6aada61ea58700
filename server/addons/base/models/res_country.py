from odoo import fields, models


class ResCountry(models.Model):
    """ISO 3166-1 countries, loaded from base's data."""

    _name = "res.country"
    _description = "Country"
    _order = "name"
    _sql_constraints = [("code_uniq", "unique(code)", "The code of the country must be unique!")]

    name = fields.Char("Country Name", required=True)
    code = fields.Char("Country Code", size=2, required=True, help="ISO 3166-1 alpha-2 code")
    code_alpha3 = fields.Char("Alpha-3 Code", size=3)
    numeric_code = fields.Char("Numeric Code", size=3)
