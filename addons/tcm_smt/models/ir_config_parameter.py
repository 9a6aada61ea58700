"""SMT's API key authenticates every call this database makes to SMT: a credential, shown to admins only."""
from __future__ import annotations

from odoo import api, models

from ..smt_client import API_KEY_PARAM


class IrConfigParameter(models.Model):
    _inherit = "ir.config_parameter"

    @api.model
    def _secret_parameter_keys(self) -> frozenset[str]:
        return super()._secret_parameter_keys() | {API_KEY_PARAM}
