"""States and other first-level subdivisions (ISO 3166-2), loaded from base's data."""
from odoo import api, fields, models


class ResCountryState(models.Model):
    _name = "res.country.state"
    _description = "Country state"
    _order = "code"
    _sql_constraints = [("name_code_uniq", "unique(country_id, code)",
                         "The code of the state must be unique by country!")]

    country_id = fields.Many2one("res.country", "Country", required=True, index=True)
    name = fields.Char("State Name", required=True, help="Administrative divisions of a country. E.g. Fed. State")
    code = fields.Char("State Code", required=True, help="The state code (ISO 3166-2, without the country).")

    @api.model
    def name_search(self, name="", args=None, operator="ilike", limit=100):
        """Match the code exactly first (``CA`` finds California before Canada's states named *ca*)."""
        by_code = self.search([("code", "=ilike", name)] + list(args or []), limit=limit) if name else self.browse()
        rest = self.search([("name", operator, name), ("id", "not in", by_code.ids)] + list(args or []),
                           limit=limit) if name else self.search(list(args or []), limit=limit)
        return (by_code + rest)[:limit].name_get()

    def _compute_display_name(self):
        for state in self:
            state.display_name = f"{state.name} ({state.country_id.code})"


class ResCountry(models.Model):
    _inherit = "res.country"

    state_ids = fields.One2many("res.country.state", "country_id", "States")
    currency_id = fields.Many2one("res.currency", "Currency")
