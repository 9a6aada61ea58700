"""Transactions: holds providers place on customer accounts, then capture, cancel, or let expire.

    authorized --capture(c > 0)--------> captured      (c charged, the rest released, commission taken)
    authorized --capture(0) / cancel---> cancelled     (everything released)
    authorized --now >= expires_at-----> expired       (everything released, lazily: see the account)
    (none) -----sale(c > 0)------------> captured      (authorize and capture in one request)
    (none) -----sale(0)----------------> cancelled     (the hold placed and released at once)

The public methods are the wire operations of ``/iap/1/*`` (Odoo's parameter names) and the admin
operations of the ``iap`` command.  Authorize and sale are idempotent on ``(service, idempotency_key)``;
capture and cancel are idempotent on the transaction: a replay returns the first result and moves no money.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.sql import create_index

from ..tools import params
from ..tools.errors import keeping_changes, platform_error, require_admin
from ..tools.money import credits_text, from_units, split_commission, to_units
from .iap_platform_account import DISABLED_SUFFIX

_logger = logging.getLogger(__name__)
STATES = [("authorized", "Authorized"), ("captured", "Captured"), ("cancelled", "Cancelled"), ("expired", "Expired")]
CLOSE_REASONS = [("captured", "Captured"), ("zero_capture", "Captured nothing"), ("cancel", "Cancelled by provider"),
                 ("admin", "Cancelled by administrator"), ("ttl", "Expired")]
LEDGER_KIND = {"captured": "capture", "cancelled": "release", "expired": "expire"}
# Sandbox account tokens (test mode only), as on Odoo's IAP sandbox: the service key is ignored for them.
SANDBOX_TOKENS = {"000000": "no_account", "000111": "insufficient_credit", "111111": None}
SANDBOX_PREFIX = "iaptx_test_"


class IapPlatformTransaction(models.Model):
    _name = "iap.platform.transaction"
    _description = "IAP transaction"
    _rec_name = "token"
    _order = "id desc"
    _sql_constraints = [
        ("token_uniq", "unique(token)", "This transaction token already exists."),
        ("idempotency_uniq", "unique(service_id, idempotency_key)", "This idempotency key was already used."),
    ]

    # No index=True on token and idempotency_key: their unique constraints' indexes serve the lookups, and
    # every authorize inserts a row (each index one more b-tree written, and on SQLite pages at the commit).
    token = fields.Char(required=True, readonly=True)
    account_id = fields.Many2one("iap.platform.account", required=True, index=True, ondelete="restrict")
    service_id = fields.Many2one("iap.platform.service", required=True, index=True, ondelete="restrict")
    state = fields.Selection(STATES, required=True, default="authorized", index=True)
    authorized = fields.Integer(big=True, required=True, help="Units held (1/10,000 credit).")
    captured = fields.Integer(big=True, default=0)
    released = fields.Integer(big=True, default=0)
    refunded = fields.Integer(big=True, default=0)
    provider_share = fields.Integer(big=True, default=0)
    commission = fields.Integer(big=True, default=0)
    description = fields.Char(size=256)
    dbuuid = fields.Char()
    idempotency_key = fields.Char()
    request_hash = fields.Char(help="Fingerprint of the authorize request, compared when its key is reused.")
    expires_at = fields.Datetime(required=True, index=True)
    closed_at = fields.Datetime()
    close_reason = fields.Selection(CLOSE_REASONS)
    result = fields.Json(help="The first capture's answer, replayed to repeated captures.")

    def init(self) -> None:
        """The account's holds still authorized by deadline: every money operation on the account looks for
        overdue ones (``_has_overdue``), and this index holds only the few that are authorized."""
        create_index(self.env.cr, "iap_platform_transaction_live_hold_index", self._table, ["account_id", "expires_at"],
                     where="state = 'authorized'")

    # -- wire: /iap/1/authorize -------------------------------------------------------------------------
    @api.model
    def authorize(self, account_token=None, credit=None, key=None, description=None,
                  ttl=params.DEFAULT_TTL_HOURS, dbuuid=False, idempotency_key=None, ttl_seconds=None) -> str:
        """Hold ``credit`` on the customer's account and return the transaction token (``iaptx_<hex>``).

        Holds count against the balance.  A repeated ``idempotency_key`` with the same request returns
        the first token (one hold); with another request it is ``idempotency_conflict``.  Raises the
        credit errors (``insufficient_credit``, ``no_account``, ``account_disabled``), ``invalid_service_key``,
        ``invalid_params``, ``request_in_progress``.
        """
        token = params.text(account_token, "account_token", 64, required=True)
        units = to_units(credit)
        sandbox = self._sandbox_authorize(token, units, key)
        if sandbox:
            return sandbox
        service = self.env["iap.platform.service"]._from_key(key)
        request = _hold_request(service, token, units, description, ttl, ttl_seconds, dbuuid, idempotency_key)
        replayed = self._replay_authorize(service, request)
        if replayed:
            return replayed
        with self.env.cr.savepoint():
            return self._create_hold(self._funded_account(service, request), request)

    def _replay_authorize(self, service, request: dict) -> str | None:
        previous = self._by_idempotency_key(service, request)
        return previous.token if previous else None

    def _by_idempotency_key(self, service, request: dict):
        """The transaction already created for the request's idempotency key (empty if none).

        ``idempotency_conflict`` if that key was used for a different request.
        """
        key = request["idempotency_key"]
        if not key:
            return self.browse()
        # Plain SQL: every keyed authorize and sale asks, and the answer is almost always "none".
        row = self.env.cr.execute(
            "SELECT id, request_hash, token FROM iap_platform_transaction "
            "WHERE service_id = %s AND idempotency_key = %s", (service.id, key)).fetchone()
        if row and row[1] != request["request_hash"]:
            raise platform_error("idempotency_conflict", f"Idempotency key {key!r} was already used for a different "
                                 f"request (transaction {row[2]}): use a new key for a new request.")
        return self.sudo().browse(row[0] if row else ())

    def _funded_account(self, service, request: dict):
        """The customer's account, locked, its overdue holds expired, able to cover the request (credit errors)."""
        token, units = request["account_token"], request["units"]
        if token.endswith(DISABLED_SUFFIX):
            raise service._credit_error("account_disabled", units, dbuuid=request["dbuuid"])
        accounts = self.env["iap.platform.account"]
        account = accounts._find_locked(service, token) or accounts._find_or_create(service, token,
                                                                                  request["dbuuid"])._lock()
        account._expire_overdue()
        account._grant_trial(request["dbuuid"])
        _check_funds(account, units, request["dbuuid"])
        return account

    def _create_hold(self, account, request: dict) -> str:
        units, values = request["units"], _hold_values(account, request)
        transaction, created = self._create_once(account.service_id, request, values)
        if not created:
            return transaction.token
        self.env["iap.platform.ledger.entry"]._post(
            "authorize", [(account._code("available"), -units), (account._code("held"), units)], transaction)
        if not account._move(-units, units):
            raise platform_error("internal_error", "The account changed while it was locked; retry.")
        return values["token"]

    def _create_once(self, service, request: dict, values: dict):
        """``(transaction, True)``, or ``(the one a concurrent request with the same key created, False)``.

        ``request_in_progress`` while that concurrent request has not committed yet.
        """
        created = self._insert(values)
        if created:
            return created, True
        previous = self._by_idempotency_key(service, request) if request["idempotency_key"] else None
        if previous:
            return previous, False
        if not request["idempotency_key"]:
            raise ValidationError(f"IAP transaction token {values['token']!r} already exists.")
        raise platform_error("request_in_progress", "A request with this idempotency key is being processed; "
                             "retry in a moment.")

    def _insert(self, values: dict):
        """INSERT the transaction with plain SQL; the new record, or empty if its idempotency key (or token)
        is taken (on PostgreSQL after the transaction that took it committed or rolled back).

        One statement: every authorize and sale creates a transaction, and the ORM's create (defaults,
        conversions, a savepoint, the query built anew) was a third of an authorize's cost.  The values
        are ``_hold_values``' (plus a sale's settlement), every column of the table but the defaults below.
        """
        now, uid = fields.Datetime.to_string(fields.Datetime.now()), self.env.uid
        columns = {"state": "authorized", "captured": 0, "released": 0, "refunded": 0, "provider_share": 0,
                   "commission": 0, **values, "create_uid": uid, "create_date": now, "write_uid": uid,
                   "write_date": now}
        for name in ("expires_at", "closed_at"):
            if columns.get(name):
                columns[name] = fields.Datetime.to_string(columns[name])
        if "result" in columns:
            columns["result"] = json.dumps(columns["result"], sort_keys=True)
        columns = {name: None if value is False else value for name, value in columns.items()}
        row = self.env.cr.execute(
            f"INSERT INTO iap_platform_transaction ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
            "ON CONFLICT DO NOTHING RETURNING id", tuple(columns.values())).fetchone()
        return self.sudo().browse(row[0] if row else ())

    # -- wire: /iap/1/sale (ours) ---------------------------------------------------------------------------
    @api.model
    def sale(self, account_token=None, credit=None, key=None, description=None, ttl=params.DEFAULT_TTL_HOURS,
             dbuuid=False, idempotency_key=None, ttl_seconds=None, credit_to_capture=None) -> dict:
        """Authorize ``credit`` and capture ``credit_to_capture`` of it at once; return the capture's answer.

        For a provider whose service is computed before it is paid for and sent only once paid (a
        lookup): one request instead of authorize then capture, with the same books: the account must
        cover ``credit``, the ledger records the hold and its capture, the commission is taken, the rest
        is released.
        ``credit_to_capture`` absent/None/False means all of ``credit``; 0 releases everything.

        ``idempotency_key`` is required: a repeat returns the first answer with ``replayed: true``
        (``mismatch: true`` if it asked another amount); a key first used by ``authorize`` captures that
        hold.  Raises what authorize and capture raise.
        """
        token = params.text(account_token, "account_token", 64, required=True)
        units = to_units(credit)
        sandbox = self._sandbox_authorize(token, units, key)
        if sandbox:
            absent = credit_to_capture is None or credit_to_capture is False
            return _sandbox_capture(sandbox, credit if absent else credit_to_capture)
        service = self.env["iap.platform.service"]._from_key(key)
        request = _hold_request(service, token, units, description, ttl, ttl_seconds, dbuuid, idempotency_key)
        if not request["idempotency_key"]:
            raise platform_error("invalid_params", "idempotency_key is required for a sale: send the same key "
                                 "when you retry, so that the sale happens once.")
        previous = self._by_idempotency_key(service, request)
        if previous:
            return previous._locked()._capture(credit_to_capture)
        captured = _units_to_capture(credit_to_capture, units, "this sale")
        with self.env.cr.savepoint():
            return self._sell(self._funded_account(service, request), request, captured)

    def _sell(self, account, request: dict, captured: int) -> dict:
        """Create the transaction already closed, post its hold and its capture, move the account once."""
        units, service = request["units"], account.service_id
        share, commission = split_commission(captured, service.commission_bp)
        state, reason = ("captured", "captured") if captured else ("cancelled", "zero_capture")
        values = {**_hold_values(account, request), "state": state, "close_reason": reason, "captured": captured,
                  "released": units - captured, "provider_share": share, "commission": commission,
                  "closed_at": fields.Datetime.now()}
        values["result"] = _summary(values, units)
        transaction, created = self._create_once(service, request, values)
        if not created:
            return transaction._locked()._capture(from_units(captured))
        self.env["iap.platform.ledger.entry"]._post_journals([
            ("authorize", [(account._code("available"), -units), (account._code("held"), units)]),
            (LEDGER_KIND[values["state"]], _settlement_lines(account, units, values))], transaction)
        if not account._move(-captured, 0):
            raise platform_error("internal_error", "The account changed while it was locked; retry.")
        return dict(values["result"])

    # -- wire: /iap/1/capture, /iap/1/cancel, /iap/1/transaction -----------------------------------------
    @api.model
    def capture(self, token=None, key=None, credit_to_capture=None) -> dict:
        """Charge ``credit_to_capture`` (absent/None/False: all; 0: nothing, the hold is released).

        The rest of the hold is released and the commission taken.  A repeated capture returns the first
        answer with ``replayed: true`` (and ``mismatch: true`` if it asked another amount).  Raises
        ``transaction_expired``, ``transaction_cancelled``, ``capture_exceeds_authorization``,
        ``transaction_not_found``, ``invalid_service_key``.
        """
        token = params.text(token, "token", 64, required=True)
        if self._is_sandbox(token):
            return _sandbox_capture(token, credit_to_capture)
        return self._for_key(token, key)._locked()._capture(credit_to_capture)

    @api.model
    def cancel(self, token=None, key=None) -> dict:
        """Release the hold; cancelling a cancelled or expired transaction replays.  ``already_captured`` else."""
        token = params.text(token, "token", 64, required=True)
        if self._is_sandbox(token):
            return {"token": token, "state": "cancelled", "released": 0.0, "replayed": False}
        return self._for_key(token, key)._locked()._cancel("cancel")

    @api.model
    def lookup(self, key=None, token=None, idempotency_key=None) -> dict:
        """The state of a transaction, by token or by authorize idempotency key (reconciliation after a timeout)."""
        service = self.env["iap.platform.service"]._from_key(key)
        if token:
            domain = [("token", "=", params.text(token, "token", 64))]
        else:
            domain = [("idempotency_key", "=", params.text(idempotency_key, "idempotency_key", 255, required=True))]
        transaction = self.sudo().search(domain + [("service_id", "=", service.id)], limit=1)
        if not transaction:
            raise platform_error("transaction_not_found", "No such transaction for this service key.")
        transaction.account_id._expire_overdue()
        return transaction._status()

    def _for_key(self, token: str, key):
        """The service's transaction ``token``; ``transaction_not_found`` if the key's service has none.

        Plain SQL: every capture and cancel asks (the ORM's search cost as much as the rest of finding it).
        """
        service = self.env["iap.platform.service"]._from_key(key)
        row = self.env.cr.execute("SELECT id FROM iap_platform_transaction WHERE token = %s AND service_id = %s",
                                  (token, service.id)).fetchone()
        transaction = self.sudo().browse(row[0] if row else ())
        if not transaction:
            raise platform_error("transaction_not_found", f"No transaction {token!r} for this service key.")
        return transaction

    def _locked(self):
        """The transaction with its account locked and the account's overdue holds expired."""
        self.account_id._lock()
        self.account_id._expire_overdue()
        return self

    # -- state machine ------------------------------------------------------------------------------------
    def _capture(self, requested) -> dict:
        if self.state == "expired":
            raise keeping_changes(platform_error(
                "transaction_expired", f"Transaction {self.token} expired at {self.expires_at} UTC before it was "
                "captured; its hold was released. Authorize again."))
        if self.state == "cancelled" and self.close_reason != "zero_capture":
            raise platform_error("transaction_cancelled", f"Transaction {self.token} was cancelled; nothing can be "
                                 "captured. Authorize again.")
        if self.state != "authorized":
            return self._replayed_capture(requested)
        units = self._units_to_capture(requested)
        with self.env.cr.savepoint():
            closed = self._close("captured" if units else "cancelled", units, "captured" if units else "zero_capture")
        return dict(closed["result"])

    def _units_to_capture(self, requested) -> int:
        return _units_to_capture(requested, self.authorized, f"transaction {self.token}")

    def _replayed_capture(self, requested) -> dict:
        expected = self.authorized if requested is None or requested is False else \
            to_units(requested, "credit_to_capture", allow_zero=True)
        mismatch = expected != self.captured
        if mismatch:
            _logger.warning("IAP capture of %s repeated with another amount (%s, first %s); nothing changed",
                            self.token, expected, self.captured)
        return {**self.result, "replayed": True, "mismatch": mismatch}

    def _cancel(self, reason: str) -> dict:
        if self.state == "captured":
            raise platform_error("already_captured", f"Transaction {self.token} was captured and cannot be cancelled.")
        if self.state != "authorized":
            return {"token": self.token, "state": self.state, "released": from_units(self.released), "replayed": True}
        with self.env.cr.savepoint():
            closed = self._close("cancelled", 0, reason)
        return {"token": self.token, "state": closed["state"], "released": from_units(closed["released"]),
                "replayed": False}

    def _expire(self) -> None:
        self._close("expired", 0, "ttl")

    def _close(self, state: str, captured: int, reason: str) -> dict:
        """Settle an open hold: charge ``captured`` (split provider/commission), release the rest; return the
        values written (the record's are read again from the database when next asked for).

        The one place where a hold's money moves; the caller holds the account lock.
        """
        account, service = self.account_id, self.service_id
        released = self.authorized - captured
        share, commission = split_commission(captured, service.commission_bp)
        vals = {"state": state, "captured": captured, "released": released, "provider_share": share,
                "commission": commission, "closed_at": fields.Datetime.now(), "close_reason": reason}
        self.env["iap.platform.ledger.entry"]._post(LEDGER_KIND[state],
                                                    _settlement_lines(account, self.authorized, vals), self)
        if not account._move(released, -self.authorized):
            raise platform_error("internal_error", f"The hold of transaction {self.token} is missing from its account.")
        if state != "expired":
            vals["result"] = _summary({**vals, "token": self.token}, self.authorized)
        self._write_closing(vals)
        return vals

    def _write_closing(self, vals: dict) -> None:
        """UPDATE the settled hold's columns with plain SQL, only if it is still open.

        One statement: every capture and release settles a hold, and the ORM's write (conversions, the
        query built anew, the cache filled) was a third of a capture's cost.
        """
        columns = {**vals, "closed_at": fields.Datetime.to_string(vals["closed_at"]), "write_uid": self.env.uid,
                   "write_date": fields.Datetime.to_string(fields.Datetime.now())}
        if "result" in columns:
            columns["result"] = json.dumps(columns["result"], sort_keys=True)
        updated = self.env.cr.execute(
            f"UPDATE iap_platform_transaction SET {', '.join(f'{name} = %s' for name in columns)} "
            "WHERE id = %s AND state = %s", (*columns.values(), self.id, "authorized")).rowcount
        self.invalidate_recordset()
        if updated != 1:
            raise platform_error("internal_error", f"Transaction {self.token} was settled meanwhile; retry.")

    def _status(self) -> dict:
        return {"token": self.token, "state": self.state, "authorized": from_units(self.authorized),
                "captured": from_units(self.captured), "refunded": from_units(self.refunded),
                "description": self.description or None, "created_at": _iso(self.create_date),
                "expires_at": _iso(self.expires_at), "closed_at": _iso(self.closed_at),
                "close_reason": self.close_reason or None}

    # -- sweeping and administration ---------------------------------------------------------------------
    @api.model
    def expire_overdue(self, limit: int = 1000) -> int:
        """Expire holds past their TTL (the optional sweeper; every operation also does it lazily)."""
        overdue = self.sudo().search([("state", "=", "authorized"), ("expires_at", "<=", fields.Datetime.now())],
                                     limit=limit)
        return sum(account._expire_overdue() for account in overdue.mapped("account_id"))

    @api.model
    def open_holds(self, service_name: str | None = None) -> list[dict]:
        """The holds still open (overdue ones expired first), oldest first, for an administrator."""
        require_admin(self.env, "list IAP holds")
        self.expire_overdue()
        domain = [("state", "=", "authorized")]
        if service_name:
            domain.append(("service_id", "=", self.env["iap.platform.service"]._by_name(service_name).id))
        holds = self.sudo().search(domain, order="id")
        return [{**hold._status(), "service": hold.service_id.technical_name, "account_token": hold.account_id.token}
                for hold in holds]

    @api.model
    def admin_cancel(self, token: str) -> dict:
        """Release a hold without the service key (an operator unsticking a crashed provider's hold)."""
        require_admin(self.env, "cancel IAP holds")
        transaction = self.sudo().search([("token", "=", token)], limit=1)
        if not transaction:
            raise UserError(f"No IAP transaction with token {token!r}: 'odoo-bin.py iap holds' lists the open ones.")
        return transaction._locked()._cancel("admin")

    # -- sandbox (test mode) --------------------------------------------------------------------------------
    def _test_mode(self) -> bool:
        value = self.env["ir.config_parameter"].sudo().get_param("iap_platform.test_mode")
        return str(value).lower() in ("1", "true", "yes")

    def _is_sandbox(self, token: str) -> bool:
        return token.startswith(SANDBOX_PREFIX) and self._test_mode()

    def _sandbox_authorize(self, token: str, units: int, key) -> str | None:
        if token not in SANDBOX_TOKENS or not self._test_mode():
            return None
        code = SANDBOX_TOKENS[token]
        if code is None:
            return SANDBOX_PREFIX + uuid.uuid4().hex
        service = self.env["iap.platform.service"]._from_key(key, raise_if_missing=False)
        raise service._credit_error(code, units)


def _check_funds(account, units: int, dbuuid) -> None:
    """Refuse a hold the account cannot cover: its message says what is available and what is held
    (by holds and quotas)."""
    service, held = account.service_id, account.held + account.quota_held
    if account.state == "banned":
        raise service._credit_error("account_disabled", units, account.available, held, dbuuid)
    if account.available >= units:
        return
    never_funded = account.state == "unregistered" and not (account.available or held)
    code = "no_account" if never_funded else "insufficient_credit"
    raise service._credit_error(code, units, account.available, held, dbuuid)


def _hold_request(service, token: str, units: int, description, ttl, ttl_seconds, dbuuid, idempotency_key) -> dict:
    """The validated authorize request and its fingerprint (what a reused idempotency key must match)."""
    request = {
        "account_token": token, "units": units, "description": params.text(description, "description", 256),
        "dbuuid": params.text(dbuuid, "dbuuid", 128),
        "ttl_seconds": params.ttl_seconds(ttl, ttl_seconds, service.max_ttl_hours),
    }
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"))
    request["request_hash"] = hashlib.sha256(canonical.encode()).hexdigest()
    request["idempotency_key"] = params.text(idempotency_key, "idempotency_key", 255)
    return request


def _units_to_capture(requested, authorized: int, what: str) -> int:
    """Units to capture of ``authorized``: absent/None/False means all; more than authorized is refused."""
    if requested is None or requested is False:
        return authorized
    units = to_units(requested, "credit_to_capture", allow_zero=True)
    if units > authorized:
        raise platform_error("capture_exceeds_authorization", f"Cannot capture {credits_text(units)} credits: "
                             f"{what} authorized {credits_text(authorized)}.")
    return units


def _settlement_lines(account, authorized: int, vals: dict) -> list[tuple[str, int]]:
    """The journal closing a hold of ``authorized``: captured part to provider and commission, rest released."""
    return [(account._code("held"), -authorized), (account._code("available"), vals["released"]),
            (f"service:{account.service_id.id}:revenue", vals["provider_share"]),
            ("platform:commission", vals["commission"])]


def _summary(vals: dict, authorized: int) -> dict:
    """The answer of a capture (and of a sale), stored on the transaction for replays."""
    return {"token": vals["token"], "state": vals["state"], "authorized": from_units(authorized),
            "captured": from_units(vals["captured"]), "released": from_units(vals["released"]),
            "provider_share": from_units(vals["provider_share"]), "commission": from_units(vals["commission"]),
            "replayed": False, "mismatch": False}


def _hold_values(account, request: dict) -> dict:
    return {
        "token": "iaptx_" + uuid.uuid4().hex, "account_id": account.id, "service_id": account.service_id.id,
        "authorized": request["units"], "description": request["description"] or False,
        "dbuuid": request["dbuuid"] or False, "idempotency_key": request["idempotency_key"] or False,
        "request_hash": request["request_hash"],
        "expires_at": fields.Datetime.now() + dt.timedelta(seconds=request["ttl_seconds"]),
    }


def _sandbox_capture(token: str, requested) -> dict:
    absent = requested is None or requested is False
    units = 0 if absent else to_units(requested, "credit_to_capture", allow_zero=True)
    credit = from_units(units)
    return {"token": token, "state": "cancelled" if not absent and not units else "captured", "authorized": credit,
            "captured": credit, "released": 0.0, "provider_share": 0.0, "commission": 0.0, "replayed": False,
            "mismatch": False}


def _iso(value) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None
