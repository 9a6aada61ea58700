"""The service's settings form: fields backed by system parameters, as ``res.config.settings`` does in Odoo.

There is no ``res.config.settings`` in this framework yet, so the behaviour lives here, written for any
field with ``config_parameter=``: opening the form reads the parameters (``default_get``), saving it
(``execute``, or ``set_values``) writes them; an empty value removes the parameter.  Both are for
administrators only (the model's access rights, checked here since server code reads with ``sudo()``),
and a secret parameter (``ir.config_parameter._is_secret_key``) is shown to administrators only.
"""
from __future__ import annotations

from odoo import api, fields, models


class IsbnServiceSettings(models.TransientModel):
    _name = "isbn.service.settings"
    _description = "ISBN service settings"

    isbn_service_key = fields.Char(
        "ISBN service key", config_parameter="iap.isbn_service_key",
        help="The key the IAP platform gave when the 'book_isbn' service was registered (shown once). "
             "Without it every request is refused with 'service not configured'.")
    charging = fields.Selection(
        [("odoo", "Odoo's protocol: authorize, then capture, while the client waits"),
         ("deferred", "One round trip: authorize while the client waits, capture after"),
         ("quota", "Credit quotas (our IAP platform only): most calls without a round trip")],
        "Charging", config_parameter="iap_isbn_service.charging",
        help="How the platform is asked for the credits of each lookup (default: one round trip). Quotas are "
             "sized by the system parameters iap.quota_credit, iap.quota_validity, iap.quota_report_every "
             "and iap.quota_report_seconds.")

    @api.model
    def default_get(self, fields_list) -> dict:
        """Defaults, with the fields backed by a system parameter showing its current value (admins only)."""
        self.check_access_rights("read")
        values = super().default_get(fields_list)
        params = self.env["ir.config_parameter"].sudo()
        for name in fields_list or ():
            parameter = getattr(self._fields.get(name), "config_parameter", None)
            if parameter:
                params._check_secret_access(parameter)
                values[name] = params.get_param(parameter, False)
        return values

    def set_values(self) -> None:
        """Write each ``config_parameter`` field to its system parameter (empty removes it)."""
        self.ensure_one()
        self.check_access_rights("write")
        params = self.env["ir.config_parameter"].sudo()
        for field in self._fields.values():
            parameter = getattr(field, "config_parameter", None)
            if parameter:
                value = self[field.name]
                params.set_param(parameter, value.strip() if isinstance(value, str) and value.strip() else False)

    def execute(self) -> bool:
        """Save the settings (the form's Save button)."""
        self.set_values()
        return True
