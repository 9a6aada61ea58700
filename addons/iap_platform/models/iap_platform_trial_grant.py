"""Trial credits given: at most once per (service, client database)."""
from __future__ import annotations

from odoo import fields, models


class IapPlatformTrialGrant(models.Model):
    _name = "iap.platform.trial.grant"
    _description = "IAP trial credits granted"
    _rec_name = "dbuuid"
    _sql_constraints = [("service_dbuuid_uniq", "unique(service_id, dbuuid)",
                         "This database already received the service's trial credits.")]

    service_id = fields.Many2one("iap.platform.service", required=True, index=True, ondelete="cascade")
    dbuuid = fields.Char(required=True, index=True)
    account_id = fields.Many2one("iap.platform.account", ondelete="set null")
