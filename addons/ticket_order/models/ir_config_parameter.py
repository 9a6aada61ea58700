from odoo import api, models

from ..services.payment import PAYMENT_SECRET_PARAM


class IrConfigParameter(models.Model):
    _inherit = "ir.config_parameter"

    @api.model
    def _secret_parameter_keys(self) -> frozenset[str]:
        return super()._secret_parameter_keys() | {PAYMENT_SECRET_PARAM}
