from odoo import api, models


class IrConfigParameter(models.Model):
    _inherit = "ir.config_parameter"

    @api.model
    def _secret_parameter_keys(self) -> frozenset[str]:
        return super()._secret_parameter_keys() | {"saga.callback_secret"}
