"""The provider's store of open quotas: credits the platform granted in advance, charged call by call here.

Shared by all the provider's workers because it is a table of the provider's database: a call is charged
by one conditional UPDATE of its quota's row (``used = used + credit`` where enough is left), whose row
lock orders the workers charging one account until their transactions commit.  The charge commits with
what the call delivers, so ``used`` is exactly what was delivered: a provider killed at any moment loses
no use (its successor reports it) and charges nothing twice (reports carry the cumulative use).

``iap.quota.slot`` has one row per account, leased while a quota is being granted: the workers of one
account ask the platform for one quota at a time, the others wait for it rather than each taking a share
of the balance.  The lease's idempotency key survives a grantor that died mid-grant, so whoever grants
next is answered with the quota the platform granted then.

Reports (``_report_due``, sent by the sender thread and the cron): after ``report_every`` charged calls,
``report_seconds`` after the last report, and a release once the quota is used up or its local deadline
``usable_until`` (the platform's, less a margin) has passed: a quota never reaches the end of its
validity without a report.  States::

    open --used up / usable_until passed--> closing --release answered--> closed | expired
    open | closing --refused for good (unknown quota, bad key)--> failed
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.quota_charge import send_report, units_of
from ..tools.write_lock import lock_for_write, release_write_lock, unlock_for_call

_logger = logging.getLogger(__name__)
STATES = [("open", "Open"), ("closing", "Being released"), ("closed", "Released"), ("expired", "Expired"),
          ("failed", "Refused by the platform")]
# A report is one short call without retries (the sender retries with backoff): this outlasts it.
REPORT_LEASE = dt.timedelta(seconds=30)
REPORT_BACKOFF = dt.timedelta(seconds=15)
GRANT_LEASE = dt.timedelta(seconds=30)


class IapQuota(models.Model):
    _name = "iap.quota"
    _description = "IAP credit quota (provider side)"
    _rec_name = "quota_token"
    _order = "id desc"
    _sql_constraints = [("quota_token_uniq", "unique(quota_token)", "This quota is already in the store.")]

    quota_token = fields.Char(required=True, readonly=True, help="The platform's quota token.")
    account_key = fields.Char(required=True, index=True, readonly=True,
                              help="SHA-256 of the service key and the account token.")
    endpoint = fields.Char(required=True, readonly=True, help="The IAP platform that granted the quota.")
    service_key = fields.Char(secret=True, help="What reports are signed with; erased once the quota ended.")
    state = fields.Selection(STATES, required=True, default="open", index=True)
    granted = fields.Integer(big=True, required=True, help="Units (1/10,000 credit) granted.")
    used = fields.Integer(big=True, default=0, help="Units charged to calls (committed with what they delivered).")
    calls = fields.Integer(default=0, help="Calls charged.")
    reported = fields.Integer(big=True, default=0, help="Units the platform has charged (its last answer).")
    reported_calls = fields.Integer(default=0)
    unbilled = fields.Integer(big=True, default=0, help="Units used here that the platform refused to charge "
                                                          "(reported after the quota expired).")
    report_every = fields.Integer(required=True, help="Calls between two reports.")
    report_seconds = fields.Integer(required=True, help="Longest time between two reports.")
    expires_at = fields.Datetime(required=True, help="End of validity (the platform's, counted on our clock).")
    usable_until = fields.Datetime(required=True, index=True, help="Last moment a call may be charged here.")
    report_due_at = fields.Datetime(index=True)
    lease_until = fields.Datetime(help="A sender is reporting the quota (or waits to retry) until then.")
    last_error = fields.Text()

    # -- charging (in the caller's transaction) -----------------------------------------------------------
    @api.model
    def _take(self, key: str, units: int, guarded: bool = False) -> dict | None:
        """Charge ``units`` to an open quota of the account ``key`` that has them left; None if none has.

        One statement: the row lock it takes keeps the charge and the report that reads it in order.
        On PostgreSQL a take that waited for a row another call was charging keeps that row locked
        even when it found it used up: the caller ends its transaction before waiting for anything
        else, or asks for a ``guarded`` take, whose savepoint releases the lock when nothing was taken.
        """
        if guarded:
            try:
                with self.env.cr.savepoint():
                    return self._take(key, units) or _nothing_taken()
            except _NothingTaken:
                return None
        now = fields.Datetime.to_string(fields.Datetime.now())
        row = self.env.cr.execute(
            "UPDATE iap_quota SET used = used + %s, calls = calls + 1 WHERE id = ("
            "SELECT id FROM iap_quota WHERE account_key = %s AND state = %s AND usable_until > %s "
            "AND granted - used >= %s ORDER BY id LIMIT 1) AND state = %s AND usable_until > %s "
            "AND granted - used >= %s RETURNING id, quota_token, granted - used, calls - reported_calls, report_every",
            (units, key, "open", now, units, "open", now, units)).fetchone()
        self.invalidate_model(["used", "calls"])
        if not row:
            return None
        return {"id": row[0], "token": row[1], "due": row[2] <= 0 or row[3] >= row[4]}

    @api.model
    def _give_back(self, quota_id: int, units: int, call: bool) -> None:
        """Undo (part of) a charge the call did not deliver, in the same transaction."""
        self.env.cr.execute("UPDATE iap_quota SET used = used - %s, calls = calls - %s WHERE id = %s",
                            (units, 1 if call else 0, quota_id))
        self.invalidate_model(["used", "calls"])

    @api.model
    def _store(self, key: str, endpoint: str, service_key: str, grant: dict, terms: dict):
        """Keep a quota the platform granted (its summary ``grant``), with local deadlines; return it."""
        now = fields.Datetime.now()
        expires_in = int(grant.get("expires_in") or terms["validity"])
        margin = min(max(terms["margin_seconds"], expires_in // 10), expires_in // 2)
        usable_until = now + dt.timedelta(seconds=expires_in - margin)
        vals = {"quota_token": grant["token"], "account_key": key, "endpoint": endpoint, "service_key": service_key,
                "granted": units_of(grant["remaining"]) + units_of(grant["used"]), "used": units_of(grant["used"]),
                "reported": units_of(grant["used"]), "report_every": terms["report_every"],
                "report_seconds": terms["report_seconds"], "expires_at": now + dt.timedelta(seconds=expires_in),
                "usable_until": usable_until,
                "report_due_at": min(now + dt.timedelta(seconds=terms["report_seconds"]), usable_until)}
        existing = self.search([("quota_token", "=", grant["token"])], limit=1)
        if existing:
            return existing
        try:
            with self.env.cr.savepoint():
                return self.create(vals)
        except ValidationError:
            return self.search([("quota_token", "=", grant["token"])], limit=1)

    # -- reporting (the sender and the cron: commits between steps) ----------------------------------------
    @api.model
    def _report_due(self, limit: int = 50) -> int:
        """Send the due reports and releases: lease them and commit, call, record each answer in a new
        transaction.  Commits the caller's transaction: never call it in a request.  Returns how many."""
        cr = self.env.cr
        calls = self._claim_reports(limit)
        release_write_lock(cr)
        for call in calls:
            outcome = send_report(call)
            lock_for_write(cr)
            self.browse(call["id"])._record_report(call, outcome)
            unlock_for_call(cr)
        return len(calls)

    @api.model
    def _claim_reports(self, limit: int) -> list[dict]:
        """Lease the quotas with a report due and read what to report.

        The rows are locked without ``SKIP LOCKED``: a quota being charged is locked by the charging
        requests, and its report must wait for them to commit so that it includes what they charged.
        A second claimer waits too, then finds the lease taken.  A release marks the quota ``closing``
        first: no call is charged to it afterwards.
        """
        now = fields.Datetime.to_string(fields.Datetime.now())
        lock = " FOR UPDATE" if self.env.cr.database.dialect == "postgresql" else ""
        rows = self.env.cr.execute(
            "SELECT id FROM iap_quota WHERE state IN (%s, %s) AND (lease_until IS NULL OR lease_until <= %s) "
            "AND (state = %s OR usable_until <= %s OR used >= granted OR (used > reported AND "
            f"(report_due_at <= %s OR calls - reported_calls >= report_every))) ORDER BY id LIMIT %s{lock}",
            ("open", "closing", now, "closing", now, now, limit)).fetchall()
        quotas = self.browse([row[0] for row in rows])
        quotas.invalidate_recordset()
        return [quota._lease_for_report() for quota in quotas]

    def _lease_for_report(self) -> dict:
        now = fields.Datetime.now()
        final = self.state == "closing" or self.usable_until <= now or self.used >= self.granted
        self.write({"lease_until": now + REPORT_LEASE, "state": "closing" if final else self.state})
        return {"id": self.id, "token": self.quota_token, "endpoint": self.endpoint, "key": self.service_key,
                "used": self.used, "calls": self.calls, "final": final}

    def _record_report(self, call: dict, outcome: dict) -> None:
        """Store the platform's answer to a report or a release (or the failure to get one)."""
        now = fields.Datetime.now()
        if outcome["ok"]:
            self.write(self._answered(call, outcome["result"], now))
        elif outcome.get("code") == "quota_expired":
            self.write({"state": "closing", "lease_until": False, "last_error": outcome["error"]})
        elif outcome["retryable"]:
            self.write({"lease_until": now + REPORT_BACKOFF, "last_error": outcome["error"]})
        else:
            _logger.error("IAP quota %s refused for good: %s", self.quota_token, outcome["error"])
            self.write({"state": "failed", "lease_until": False, "last_error": outcome["error"], "service_key": False})

    def _answered(self, call: dict, result: dict, now: dt.datetime) -> dict:
        charged = units_of(result["used"])
        vals = {"reported": max(self.reported, charged), "reported_calls": call["calls"], "lease_until": False,
                "last_error": False,
                "report_due_at": min(now + dt.timedelta(seconds=self.report_seconds), self.usable_until)}
        if result["state"] in ("closed", "expired"):
            vals.update(state=result["state"], service_key=False, unbilled=max(0, self.used - charged))
            if self.used > charged:
                _logger.error("IAP quota %s ended at the platform with %s units charged of the %s used here: "
                              "%s units go unbilled", self.quota_token, charged, self.used, self.used - charged)
        return vals

    @api.model
    def _next_due_in(self) -> float | None:
        """Seconds until a report falls due (0 if one is), None if no quota is open."""
        row = self.env.cr.execute(
            "SELECT COUNT(*), MAX(CASE WHEN lease_until IS NULL AND (used >= granted OR (used > reported AND "
            "calls - reported_calls >= report_every)) THEN 1 ELSE 0 END), "
            "MIN(CASE WHEN used > reported THEN report_due_at END), MIN(usable_until), MIN(lease_until) "
            "FROM iap_quota WHERE state IN (%s, %s)", ("open", "closing")).fetchone()
        if not row[0]:
            return None
        if row[1]:
            return 0.0  # used up, or enough calls for a report
        moments = [fields.Datetime.to_datetime(value) for value in row[2:] if value]
        return max(0.0, (min(moments) - fields.Datetime.now()).total_seconds())

    @api.model
    def _cron_report_due(self, limit: int = 200) -> int:
        """The cron's backstop for a provider whose sender threads are not running (commits)."""
        return self._report_due(limit)


class _NothingTaken(Exception):
    """Rolls a guarded take's savepoint back."""


def _nothing_taken():
    raise _NothingTaken


class IapQuotaSlot(models.Model):
    _name = "iap.quota.slot"
    _description = "IAP quota grant lease (one per account)"
    _rec_name = "account_key"
    _sql_constraints = [("account_key_uniq", "unique(account_key)", "This account already has a slot.")]

    account_key = fields.Char(required=True, readonly=True)
    granting_until = fields.Datetime(help="A worker is asking the platform for a quota until then.")
    grant_key = fields.Char(help="The idempotency key of the grant under way (kept if its worker died).")

    @api.model
    def _claim(self, key: str) -> str | None:
        """Lease the account's slot to grant a quota; the grant's idempotency key, None if leased already."""
        now = fields.Datetime.now()
        stamp, uid = fields.Datetime.to_string(now), self.env.uid
        self.env.cr.execute(
            "INSERT INTO iap_quota_slot (account_key, create_uid, create_date, write_uid, write_date) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (account_key) DO NOTHING", (key, uid, stamp, uid, stamp))
        row = self.env.cr.execute(
            "UPDATE iap_quota_slot SET granting_until = %s, grant_key = COALESCE(grant_key, %s) "
            "WHERE account_key = %s AND (granting_until IS NULL OR granting_until <= %s) RETURNING grant_key",
            (fields.Datetime.to_string(now + GRANT_LEASE), uuid.uuid4().hex, key, stamp)).fetchone()
        return row[0] if row else None

    @api.model
    def _free(self, key: str, keep_grant_key: bool = False) -> None:
        """End the lease; ``keep_grant_key`` when the platform may have granted (a transport failure)."""
        keep = "grant_key" if keep_grant_key else "NULL"
        self.env.cr.execute(f"UPDATE iap_quota_slot SET granting_until = NULL, grant_key = {keep} "
                            "WHERE account_key = %s", (key,))
