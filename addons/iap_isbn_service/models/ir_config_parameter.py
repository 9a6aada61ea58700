"""The service key is a credential: anyone holding it sells and cancels against any customer's account."""
from __future__ import annotations

from odoo import api, models

from .book_data_request import SERVICE_KEY_PARAM


class IrConfigParameter(models.Model):
    _inherit = "ir.config_parameter"

    @api.model
    def _secret_parameter_keys(self) -> frozenset[str]:
        return super()._secret_parameter_keys() | {SERVICE_KEY_PARAM}
