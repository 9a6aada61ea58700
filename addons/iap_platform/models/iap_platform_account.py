"""Customer accounts: one per (service, token), with available and held credits in integer units.

``available`` and ``held`` are caches of the ledger, moved only together with a ledger journal and only
by a conditional UPDATE that cannot take them below zero.  Every money operation locks the account row
first (PostgreSQL ``FOR UPDATE``; SQLite transactions are already serialised), then expires the overdue
holds and quotas of the account: expiry never waits for a sweeper.  ``quota_held`` is what open quotas
(``iap.platform.quota``) still hold: like ``held``, it is out of ``available``.
"""
from __future__ import annotations

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import params
from ..tools.errors import require_admin
from ..tools.money import from_units, to_units

DISABLED_SUFFIX = "+disabled"


class IapPlatformAccount(models.Model):
    _name = "iap.platform.account"
    _description = "IAP customer account"
    _rec_name = "token"
    _order = "id"
    _sql_constraints = [("service_token_uniq", "unique(service_id, token)",
                         "This service already has an account with this token.")]

    service_id = fields.Many2one("iap.platform.service", required=True, index=True, ondelete="restrict")
    token = fields.Char(required=True, index=True)
    state = fields.Selection([("unregistered", "Unregistered"), ("registered", "Registered"), ("banned", "Banned")],
                             required=True, default="unregistered")
    available = fields.Integer(big=True, default=0, readonly=True, help="Units (1/10,000 credit) free to spend.")
    held = fields.Integer(big=True, default=0, readonly=True, help="Units reserved by open transactions.")
    quota_held = fields.Integer(big=True, default=0, readonly=True,
                                help="Units granted to open quotas and not reported used yet.")
    warning_threshold = fields.Integer(big=True, default=0)
    dbuuid = fields.Char(help="The client database that first used the account.")
    transaction_ids = fields.One2many("iap.platform.transaction", "account_id", string="Transactions")

    def _code(self, bucket: str) -> str:
        """This account's ledger account: ``customer:<id>:available``, ``:held`` or ``:quota``."""
        return f"customer:{self.id}:{bucket}"

    # -- finding ----------------------------------------------------------------------------------------
    @api.model
    def _find(self, service, token: str):
        """The service's account with ``token`` (empty if none).

        Plain SQL: every authorize, sale and grant looks its account up, and the ORM's search (its domain
        parsed, the query built) cost as much as the rest of finding the account.
        """
        row = self.env.cr.execute("SELECT id FROM iap_platform_account WHERE service_id = %s AND token = %s",
                                  (service.id, token)).fetchone()
        return self.sudo().browse(row[0] if row else ())

    @api.model
    def _find_or_create(self, service, token: str, dbuuid=False):
        """The account, created on first use (a concurrent creation of the same account is tolerated)."""
        account = self._find(service, token)
        if account:
            return account
        try:
            return self.sudo().create({"service_id": service.id, "token": token, "dbuuid": dbuuid or False})
        except ValidationError:
            account = self._find(service, token)
            if not account:
                raise
            return account

    # -- locking and moving money -----------------------------------------------------------------------
    def _lock(self):
        """Lock the account row until the transaction ends and read it afresh (one query); drop cached holds
        and quotas."""
        self.ensure_one()
        self.invalidate_recordset()  # computed values too; the query refills the columns
        self._forget_holds()
        self._fetch_where('"id" = %s', (self.id,), lock=True)
        return self

    @api.model
    def _find_locked(self, service, token: str):
        """``_find`` and ``_lock`` in one query: the service's account with ``token``, locked and read (empty
        if none)."""
        self.invalidate_model()  # what was read of it before the lock (computed values too)
        self._forget_holds()
        return self.sudo()._fetch_where('"service_id" = %s AND "token" = %s', (service.id, token), lock=True)[:1]

    def _forget_holds(self) -> None:
        """What a lock of an account makes stale: the holds and quotas read before it."""
        self.env["iap.platform.transaction"].invalidate_model()
        self.env["iap.platform.quota"].invalidate_model()

    def _move(self, available_delta: int, held_delta: int, quota_delta: int = 0) -> bool:
        """Apply the deltas atomically unless a bucket would go negative; return whether they were applied."""
        self.ensure_one()
        cursor = self.env.cr.execute(
            "UPDATE iap_platform_account SET available = available + %s, held = held + %s, "
            "quota_held = quota_held + %s, write_date = %s "
            "WHERE id = %s AND available + %s >= 0 AND held + %s >= 0 AND quota_held + %s >= 0",
            (available_delta, held_delta, quota_delta, fields.Datetime.to_string(fields.Datetime.now()), self.id,
             available_delta, held_delta, quota_delta))
        self.invalidate_recordset(["available", "held", "quota_held"])
        return cursor.rowcount == 1

    def _add_credit(self, units: int, kind: str, source: str) -> None:
        """Credit ``units`` from a platform ledger account (``platform:sales``, ``platform:trial``)."""
        self.env["iap.platform.ledger.entry"]._post(kind, [(source, -units), (self._code("available"), units)])
        self._move(units, 0)

    def _expire_overdue(self) -> int:
        """Expire the account's holds and quotas past their deadline (locking the account if there are any);
        return how many."""
        if not self._has_overdue():
            return 0
        self._lock()
        overdue, overdue_quotas = self._overdue_holds(), self.env["iap.platform.quota"]._overdue(self)
        for transaction in overdue:
            transaction._expire()
        for quota in overdue_quotas:
            quota._expire()
        return len(overdue) + len(overdue_quotas)

    def _has_overdue(self) -> bool:
        """Whether a hold or a quota of the account is past its deadline (no query when nothing is held:
        a sale leaves nothing held)."""
        if self.held and self._overdue_holds():
            return True
        return bool(self.quota_held and self.env["iap.platform.quota"]._overdue(self))

    def _overdue_holds(self):
        # Plain SQL: every money operation asks, and the answer is almost always "none".  The state is
        # written out, not a parameter: SQLite uses the live holds' partial index only for a literal.
        rows = self.env.cr.execute(
            "SELECT id FROM iap_platform_transaction WHERE account_id = %s AND state = 'authorized' "
            "AND expires_at <= %s ORDER BY id", (self.id, fields.Datetime.to_string(fields.Datetime.now()))).fetchall()
        return self.env["iap.platform.transaction"].sudo().browse([row[0] for row in rows])

    # -- trials ---------------------------------------------------------------------------------------------
    def _grant_trial(self, dbuuid) -> None:
        """Give the service's trial credits, once per (service, database), when the caller names its database.

        Within the daily limits of ``iap.platform.trial.grant`` (the platform's, and the source address's
        from the context key ``iap_remote_addr`` the wire sets).
        """
        service = self.service_id
        if not dbuuid or service.trial_credits <= 0:
            return
        grants = self.env["iap.platform.trial.grant"].sudo()
        grants._serialise_grants()
        if not service._trial_offered(dbuuid):
            return
        try:
            grants.create({"service_id": service.id, "dbuuid": dbuuid, "account_id": self.id,
                           "remote_addr": self.env.context.get("iap_remote_addr") or False})
        except ValidationError:
            return  # granted concurrently to another request of the same database
        self._add_credit(service.trial_credits, "trial", "platform:trial")

    # -- wire: /iap/1/balance ---------------------------------------------------------------------------
    @api.model
    def balance(self, account_token=None, service_name=None, dbuuid=False) -> float | int:
        """Available credits of the account (holds excluded): 0 for an unknown or disabled account.

        A call naming its database (``dbuuid``) receives the service's trial credits the first time, on
        an account created for the purpose, as Odoo's platform does.
        """
        token = params.text(account_token, "account_token", 64, required=True)
        service = self.env["iap.platform.service"]._by_name(params.text(service_name, "service_name", 64, True))
        dbuuid = params.text(dbuuid, "dbuuid", 128)
        account = self._find(service, token)
        if token.endswith(DISABLED_SUFFIX) or (account and account.state == "banned"):
            return 0
        if not account:
            if not (dbuuid and service._trial_offered(dbuuid)):
                return 0
            account = self._find_or_create(service, token, dbuuid)
        account._expire_overdue()
        account._grant_trial(dbuuid)
        return from_units(account.available, service.integer_balance)

    # -- administration -------------------------------------------------------------------------------------
    @api.model
    def admin_topup(self, service_name: str, account_token: str, credit: float) -> float:
        """Add ``credit`` to the account (created if needed) as a platform sale; return its available credits."""
        require_admin(self.env, "top up IAP accounts")
        service = self.env["iap.platform.service"]._by_name(service_name)
        token = params.text(account_token, "account_token", 64, required=True)
        units = to_units(credit)
        with self.env.cr.savepoint():
            account = self._find_or_create(service, token)._lock()
            account._expire_overdue()
            account._add_credit(units, "topup", "platform:sales")
            if account.state == "unregistered":
                account.write({"state": "registered"})
        return from_units(account.available)

    @api.model
    def statement(self, service_name: str, account_token: str) -> dict:
        """The account's ledger lines (one per journal) and its balance, for an administrator."""
        require_admin(self.env, "read IAP account statements")
        service = self.env["iap.platform.service"]._by_name(service_name)
        account = self._find(service, account_token)
        if not account:
            raise UserError(f"Service {service.technical_name!r} has no account with token {account_token!r}.")
        account._expire_overdue()
        return {"service": service.technical_name, "token": account.token, "state": account.state,
                "available": from_units(account.available), "held": from_units(account.held),
                "quota": from_units(account.quota_held),
                "balance": from_units(account.available + account.held + account.quota_held),
                "lines": account._statement_lines()}

    def _statement_lines(self) -> list[dict]:
        codes = {self._code("available"): "available", self._code("held"): "held", self._code("quota"): "quota"}
        entries = self.env["iap.platform.ledger.entry"].sudo().search([("account_code", "in", list(codes))])
        lines: dict[str, dict] = {}
        for entry in entries:
            reference = entry.transaction_id.token or entry.quota_id.token or ""
            line = lines.setdefault(entry.journal, {"date": fields.Datetime.to_string(entry.create_date),
                                                    "kind": entry.kind, "transaction": reference,
                                                    "available": 0.0, "held": 0.0, "quota": 0.0})
            line[codes[entry.account_code]] = from_units(entry.amount)
        return list(lines.values())
