"""Credit quotas: credits granted to a provider in advance, spent in its own database, reported, returned.

After Diameter Credit-Control (RFC 8506): a provider serving many small paid calls asks for a quota of an
account's credits valid for a while (``grant``, its Granted-Service-Unit and Validity-Time), charges each
call against it locally, reports what was used in batches (``report``, its Used-Service-Unit), and ends it
(``release``): what was not used returns to the account.

    (none) --grant--------------> open
    open   --report(used)-------> open       (the new use charged: provider share and commission)
    open   --release(used)------> closed     (the new use charged, the rest returned)
    open   --now >= expires_at--> expired    (the last reported use stands, the rest returned; lazily)

Reports carry the *cumulative* units used: a repeated, reordered or late report changes nothing, so
report and release are idempotent without a key; grant is idempotent on ``(service, idempotency_key)``.
A quota is held against the balance like a hold (``account.quota_held``): the customer cannot spend
more than their balance, whatever the provider does.  Every grant, report and release posts a ledger
journal (see ``iap.platform.ledger.entry``); the commission is computed on the cumulative use, so the
provider's share and the platform's are exact at every report.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.sql import create_index

from ..tools import params
from ..tools.errors import keeping_changes, platform_error, require_admin
from ..tools.money import credits_text, from_units, split_commission, to_units
from .iap_platform_transaction import _iso

STATES = [("open", "Open"), ("closed", "Released"), ("expired", "Expired")]
CLOSE_REASONS = [("released", "Released by the provider"), ("expired", "Expired"),
                 ("admin", "Released by an administrator")]


class IapPlatformQuota(models.Model):
    _name = "iap.platform.quota"
    _description = "IAP credit quota"
    _rec_name = "token"
    _order = "id desc"
    _sql_constraints = [
        ("token_uniq", "unique(token)", "This quota token already exists."),
        ("idempotency_uniq", "unique(service_id, idempotency_key)", "This idempotency key was already used."),
    ]

    token = fields.Char(required=True, index=True, readonly=True)
    account_id = fields.Many2one("iap.platform.account", required=True, index=True, ondelete="restrict")
    service_id = fields.Many2one("iap.platform.service", required=True, index=True, ondelete="restrict")
    state = fields.Selection(STATES, required=True, default="open", index=True)
    requested = fields.Integer(big=True, required=True, help="Units asked for (1/10,000 credit).")
    granted = fields.Integer(big=True, required=True, help="Units granted: what was asked, or what was available.")
    used = fields.Integer(big=True, default=0, help="Units reported used so far (charged).")
    released = fields.Integer(big=True, default=0, help="Units returned to the account when the quota ended.")
    provider_share = fields.Integer(big=True, default=0)
    commission = fields.Integer(big=True, default=0)
    reports = fields.Integer(default=0, help="Reports that charged a new use.")
    last_report_at = fields.Datetime()
    description = fields.Char(size=256)
    dbuuid = fields.Char()
    idempotency_key = fields.Char(index=True)
    request_hash = fields.Char(help="Fingerprint of the grant request, compared when its key is reused.")
    expires_at = fields.Datetime(required=True, index=True)
    closed_at = fields.Datetime()
    close_reason = fields.Selection(CLOSE_REASONS)

    def init(self) -> None:
        """The account's quotas still open by deadline: every money operation on the account looks for
        overdue ones (``_has_overdue``), and this index holds only the few that are open."""
        create_index(self.env.cr, "iap_platform_quota_open_quota_index", self._table, ["account_id", "expires_at"],
                     where="state = 'open'")

    # -- wire: /iap/1/quota/grant ---------------------------------------------------------------------
    @api.model
    def grant(self, account_token=None, credit=None, key=None, min_credit=None, validity=None, description=None,
              dbuuid=False, idempotency_key=None) -> dict:
        """Grant up to ``credit`` of the account for ``validity`` seconds; return the quota's summary.

        What is available is granted when it is less than ``credit`` but at least ``min_credit``
        (default: all of ``credit``); less than that is a credit error, as for authorize.  Idempotent on
        ``idempotency_key`` (required): a repeat returns the same quota, ``replayed: true``.  Raises the
        credit errors, ``invalid_service_key``, ``invalid_params``, ``idempotency_conflict``,
        ``request_in_progress``.
        """
        token = params.text(account_token, "account_token", 64, required=True)
        units = to_units(credit)
        minimum = units if min_credit is None or min_credit is False else to_units(min_credit, "min_credit")
        if minimum > units:
            raise platform_error("invalid_params", "min_credit cannot exceed credit")
        service = self.env["iap.platform.service"]._from_key(key)
        request = _grant_request(service, token, units, minimum, validity, description, dbuuid, idempotency_key)
        previous = self._by_idempotency_key(service, request)
        if previous:
            return previous._locked()._summary(replayed=True)
        with self.env.cr.savepoint():
            hold = {"account_token": token, "units": minimum, "dbuuid": request["dbuuid"]}
            account = self.env["iap.platform.transaction"]._funded_account(service, hold)
            return self._create_quota(account, request)._summary()

    def _by_idempotency_key(self, service, request: dict):
        row = self.env.cr.execute("SELECT id, request_hash FROM iap_platform_quota WHERE service_id = %s AND "
                                  "idempotency_key = %s", (service.id, request["idempotency_key"])).fetchone()
        if row and row[1] != request["request_hash"]:
            raise platform_error("idempotency_conflict", f"Idempotency key {request['idempotency_key']!r} was "
                                 "already used for a different grant: use a new key for a new request.")
        return self.sudo().browse(row[0] if row else ())

    def _create_quota(self, account, request: dict):
        granted = min(request["units"], account.available)
        try:
            quota = self.sudo().create(_quota_values(account, request, granted))
        except ValidationError:
            previous = self._by_idempotency_key(account.service_id, request)
            if previous:
                return previous
            raise platform_error("request_in_progress", "A grant with this idempotency key is being processed; "
                                 "retry in a moment.") from None
        self.env["iap.platform.ledger.entry"]._post(
            "quota_grant", [(account._code("available"), -granted), (account._code("quota"), granted)], quota=quota)
        if not account._move(-granted, 0, granted):
            raise platform_error("internal_error", "The account changed while it was locked; retry.")
        return quota

    # -- wire: /iap/1/quota/report, /iap/1/quota/release ------------------------------------------------
    @api.model
    def report(self, token=None, key=None, used=None) -> dict:
        """Charge what the quota was used for since the last report; ``used`` is the cumulative total.

        A total not above the last one changes nothing (``replayed: true``).  Raises ``quota_exceeded``
        (more than granted), ``quota_expired`` (past its validity: the last report stands),
        ``quota_not_found``, ``invalid_service_key``.
        """
        quota = self._for_key(token, key)._locked()
        return quota._report(to_units(used, "used", allow_zero=True))

    @api.model
    def release(self, token=None, key=None, used=None) -> dict:
        """End the quota: charge ``used`` (cumulative; absent: the last report) and return the rest.

        Idempotent: a released or expired quota answers its final figures with ``replayed: true``, and
        ``mismatch: true`` if ``used`` differs from the use it was closed with.
        """
        quota = self._for_key(token, key)._locked()
        units = None if used is None or used is False else to_units(used, "used", allow_zero=True)
        return quota._release(units, "released")

    def _for_key(self, token, key):
        service = self.env["iap.platform.service"]._from_key(key)
        token = params.text(token, "token", 64, required=True)
        quota = self.sudo().search([("token", "=", token), ("service_id", "=", service.id)], limit=1)
        if not quota:
            raise platform_error("quota_not_found", f"No quota {token!r} for this service key.")
        return quota

    def _locked(self):
        """The quota with its account locked, the account's overdue holds and quotas expired."""
        self.account_id._lock()
        self.account_id._expire_overdue()
        self.invalidate_recordset()
        return self

    # -- state machine ------------------------------------------------------------------------------------
    def _report(self, units: int) -> dict:
        if self.state == "expired":
            raise keeping_changes(platform_error(
                "quota_expired", f"Quota {self.token} expired at {self.expires_at} UTC: its last report "
                f"({credits_text(self.used)} credits) was charged and the rest returned. Ask for a new quota."))
        self._check_within(units)
        if self.state == "closed" or units <= self.used:
            return self._summary(replayed=True, mismatch=self.state == "closed" and units != self.used)
        with self.env.cr.savepoint():
            self._use(units - self.used)
        return self._summary()

    def _release(self, units: int | None, reason: str) -> dict:
        if self.state != "open":
            return self._summary(replayed=True, mismatch=units is not None and units != self.used)
        self._check_within(units or 0)
        with self.env.cr.savepoint():
            if units is not None and units > self.used:
                self._use(units - self.used)
            self._close("closed", reason)
        return self._summary()

    def _check_within(self, units: int) -> None:
        if units > self.granted:
            raise platform_error("quota_exceeded", f"Quota {self.token} granted {credits_text(self.granted)} "
                                 f"credits; {credits_text(units)} cannot have been used.")

    def _expire(self) -> None:
        self._close("expired", "expired")

    def _use(self, units: int) -> None:
        """Charge ``units`` more: the provider's share and the commission of the cumulative use."""
        account = self.account_id
        total = self.used + units
        share = split_commission(total, self.service_id.commission_bp)[0]
        share_delta = share - self.provider_share
        self.env["iap.platform.ledger.entry"]._post("quota_use", [
            (account._code("quota"), -units), (f"service:{self.service_id.id}:revenue", share_delta),
            ("platform:commission", units - share_delta)], quota=self)
        if not account._move(0, 0, -units):
            raise platform_error("internal_error", f"The credits of quota {self.token} are missing from its account.")
        self.sudo().write({"used": total, "provider_share": share, "commission": total - share,
                           "reports": self.reports + 1, "last_report_at": fields.Datetime.now()})

    def _close(self, state: str, reason: str) -> None:
        """End the quota: what was not used returns to the account (the caller holds the account lock)."""
        account, rest = self.account_id, self.granted - self.used
        self.env["iap.platform.ledger.entry"]._post(
            "quota_release" if state == "closed" else "quota_expire",
            [(account._code("quota"), -rest), (account._code("available"), rest)], quota=self)
        if not account._move(rest, 0, -rest):
            raise platform_error("internal_error", f"The credits of quota {self.token} are missing from its account.")
        self.sudo().write({"state": state, "released": rest, "closed_at": fields.Datetime.now(),
                           "close_reason": reason})

    def _summary(self, replayed: bool = False, mismatch: bool = False) -> dict:
        return {"token": self.token, "state": self.state, "granted": from_units(self.granted),
                "used": from_units(self.used), "remaining": from_units(self._remaining()),
                "released": from_units(self.released), "provider_share": from_units(self.provider_share),
                "commission": from_units(self.commission), "expires_at": _iso(self.expires_at),
                "expires_in": self._seconds_left(), "replayed": replayed, "mismatch": mismatch}

    def _seconds_left(self) -> int:
        """Seconds of validity left (0 once ended): providers count from their own clock, not ours."""
        if self.state != "open":
            return 0
        return max(0, int((self.expires_at - fields.Datetime.now()).total_seconds()))

    def _remaining(self) -> int:
        return self.granted - self.used if self.state == "open" else 0

    # -- expiry and administration ------------------------------------------------------------------------
    @api.model
    def _overdue(self, account):
        # Plain SQL: every money operation on an account with quotas asks, and the answer is usually "none".
        # The state is written out: SQLite uses the open quotas' partial index (``init``) only for a literal.
        rows = self.env.cr.execute(
            "SELECT id FROM iap_platform_quota WHERE account_id = %s AND state = 'open' AND expires_at <= %s "
            "ORDER BY id", (account.id, fields.Datetime.to_string(fields.Datetime.now()))).fetchall()
        return self.sudo().browse([row[0] for row in rows])

    @api.model
    def expire_overdue(self, limit: int = 1000) -> int:
        """Expire the quotas past their validity (the cron; every operation on the account also does it)."""
        overdue = self.sudo().search([("state", "=", "open"), ("expires_at", "<=", fields.Datetime.now())],
                                     limit=limit)
        return sum(account._expire_overdue() for account in overdue.mapped("account_id"))

    @api.model
    def open_quotas(self, service_name: str | None = None) -> list[dict]:
        """The quotas still open (overdue ones expired first), oldest first, for an administrator."""
        require_admin(self.env, "list IAP quotas")
        self.expire_overdue()
        domain = [("state", "=", "open")]
        if service_name:
            domain.append(("service_id", "=", self.env["iap.platform.service"]._by_name(service_name).id))
        return [{**quota._summary(), "service": quota.service_id.technical_name,
                 "account_token": quota.account_id.token, "created_at": _iso(quota.create_date)}
                for quota in self.sudo().search(domain, order="id")]

    @api.model
    def admin_release(self, token: str) -> dict:
        """End a quota without the service key: its last report stands, the rest returns to the account."""
        require_admin(self.env, "release IAP quotas")
        quota = self.sudo().search([("token", "=", token)], limit=1)
        if not quota:
            raise UserError(f"No IAP quota with token {token!r}: 'odoo-bin.py iap holds' lists the open ones.")
        return quota._locked()._release(None, "admin")


def _grant_request(service, token: str, units: int, minimum: int, validity, description, dbuuid,
                   idempotency_key) -> dict:
    """The validated grant request and its fingerprint (what a reused idempotency key must match)."""
    request = {"account_token": token, "units": units, "minimum": minimum,
               "validity": params.validity_seconds(validity, service.max_ttl_hours),
               "description": params.text(description, "description", 256),
               "dbuuid": params.text(dbuuid, "dbuuid", 128)}
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"))
    request["request_hash"] = hashlib.sha256(canonical.encode()).hexdigest()
    request["idempotency_key"] = params.text(idempotency_key, "idempotency_key", 255)
    if not request["idempotency_key"]:
        raise platform_error("invalid_params", "idempotency_key is required for a grant: send the same key when "
                             "you retry, so that one quota is granted.")
    return request


def _quota_values(account, request: dict, granted: int) -> dict:
    return {"token": "iapq_" + uuid.uuid4().hex, "account_id": account.id, "service_id": account.service_id.id,
            "requested": request["units"], "granted": granted, "description": request["description"] or False,
            "dbuuid": request["dbuuid"] or False, "idempotency_key": request["idempotency_key"],
            "request_hash": request["request_hash"],
            "expires_at": fields.Datetime.now() + dt.timedelta(seconds=request["validity"])}
