"""The analysis API's auth value is a secret parameter; the channel capacity follows max_connections."""
from odoo import api, models
from odoo.exceptions import ValidationError

CAPACITY_PARAMETER = "transfer_analysis.max_connections"


class IrConfigParameter(models.Model):
    _inherit = "ir.config_parameter"

    @api.model
    def _secret_parameter_keys(self) -> frozenset[str]:
        return super()._secret_parameter_keys() | {"transfer_analysis.api_auth_value"}

    def create(self, vals_list):
        records = super().create(vals_list)
        records._sync_analysis_capacity()
        records._forget_analysis_parameters()
        return records

    def write(self, vals):
        self._forget_analysis_parameters()  # the keys before the write
        result = super().write(vals)
        self._sync_analysis_capacity()
        self._forget_analysis_parameters()
        return result

    def unlink(self):
        self._forget_analysis_parameters()
        return super().unlink()

    def _forget_analysis_parameters(self) -> None:
        """Empty the process cache of ``analysis_parameters`` (here, and elsewhere once committed)."""
        if any((param.key or "").startswith("transfer_analysis.") for param in self):
            self.env.registry.clear_cache(self.env.cr)

    def _sync_analysis_capacity(self) -> None:
        for param in self.filtered(lambda p: p.key == CAPACITY_PARAMETER):
            if not param.value.strip().isdigit() or int(param.value) < 1:
                raise ValidationError(f"{CAPACITY_PARAMETER} must be a whole number of at least 1, "
                                      f"not {param.value!r}")
            channel = self.env.ref("transfer_analysis.channel_transfer_analysis", raise_if_not_found=False)
            if channel and channel.capacity != int(param.value):
                channel.sudo().capacity = int(param.value)
