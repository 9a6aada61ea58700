"""Trial credits given: at most once per (service, client database), and a bounded number per day.

A ``dbuuid`` costs nothing to invent, so "once per database" alone let anyone mint trial credits by
sending fresh ones.  Grants are therefore also bounded over the last 24 hours, for the whole platform
and per source address of the request, by two system parameters:

* ``iap_platform.trial_daily_limit`` (default 200): grants per day on this platform, every service;
* ``iap_platform.trial_daily_limit_per_address`` (default 3): grants per day to one source address.

0 offers no trial at all.  A database over a limit is simply not offered the trial (``trial: false``
in the credit error), exactly as if it had used it.
"""
from __future__ import annotations

import datetime as dt
import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

DAILY_LIMIT_PARAM = "iap_platform.trial_daily_limit"
ADDRESS_LIMIT_PARAM = "iap_platform.trial_daily_limit_per_address"
DEFAULT_DAILY_LIMIT = 200
DEFAULT_ADDRESS_LIMIT = 3
WINDOW = dt.timedelta(hours=24)
# Serialises the check-then-grant of concurrent requests on PostgreSQL (SQLite serialises writers itself).
ADVISORY_LOCK = 0x1A9_7217


class IapPlatformTrialGrant(models.Model):
    _name = "iap.platform.trial.grant"
    _description = "IAP trial credits granted"
    _rec_name = "dbuuid"
    _sql_constraints = [("service_dbuuid_uniq", "unique(service_id, dbuuid)",
                         "This database already received the service's trial credits.")]

    service_id = fields.Many2one("iap.platform.service", required=True, index=True, ondelete="cascade")
    dbuuid = fields.Char(required=True, index=True)
    account_id = fields.Many2one("iap.platform.account", ondelete="set null")
    remote_addr = fields.Char("Source address", index=True, help="Address the granting request came from.")

    @api.model
    def _quota_left(self, remote_addr: str | None) -> bool:
        """Whether one more trial may be granted today, on this platform and to ``remote_addr``."""
        since = fields.Datetime.now() - WINDOW
        grants = self.sudo()
        if grants.search_count([("create_date", ">=", since)]) >= self._limit(DAILY_LIMIT_PARAM, DEFAULT_DAILY_LIMIT):
            _logger.info("IAP trial refused: the platform's daily limit (%s) is reached", DAILY_LIMIT_PARAM)
            return False
        if remote_addr and grants.search_count([("remote_addr", "=", remote_addr), ("create_date", ">=", since)]) \
                >= self._limit(ADDRESS_LIMIT_PARAM, DEFAULT_ADDRESS_LIMIT):
            _logger.info("IAP trial refused to %s: its daily limit (%s) is reached", remote_addr, ADDRESS_LIMIT_PARAM)
            return False
        return True

    @api.model
    def _serialise_grants(self) -> None:
        """Hold the platform's trial lock until the transaction ends (PostgreSQL), so limits hold under races."""
        if self.env.cr.database.dialect == "postgresql":
            self.env.cr.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK,))

    @api.model
    def _limit(self, param: str, default: int) -> int:
        value = self.env["ir.config_parameter"].sudo().get_param(param)
        try:
            return max(int(value), 0) if value not in (False, None, "") else default
        except ValueError:
            _logger.warning("System parameter %s=%r is not a whole number; using %s", param, value, default)
            return default
