"""The append-only, double-entry ledger every credit movement is written to.

Each operation posts one *journal*: lines on ledger accounts whose amounts (signed units) sum to zero.
Ledger accounts are named by code: ``customer:<account id>:available``, ``customer:<account id>:held``,
``customer:<account id>:quota`` (granted to open quotas), ``service:<service id>:revenue`` (owed to the
service's provider), ``platform:commission``,
``platform:sales`` (credits sold) and ``platform:trial`` (credits given).  Lines are never changed or
deleted (the ORM refuses, and database triggers refuse plain SQL too): a mistake is fixed by posting
another journal.
"""
from __future__ import annotations

import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools.errors import require_admin

KINDS = [("authorize", "Hold"), ("capture", "Capture"), ("release", "Release"), ("expire", "Expiry"),
         ("topup", "Top-up"), ("purchase", "Pack purchase"), ("trial", "Trial credits"),
         ("quota_grant", "Quota grant"), ("quota_use", "Quota use"), ("quota_release", "Quota release"),
         ("quota_expire", "Quota expiry")]


class IapPlatformLedgerEntry(models.Model):
    _name = "iap.platform.ledger.entry"
    _description = "IAP ledger line"
    _order = "id"

    journal = fields.Char(required=True, index=True, readonly=True)
    kind = fields.Selection(KINDS, required=True, readonly=True)
    account_code = fields.Char(required=True, index=True, readonly=True)
    amount = fields.Integer(big=True, required=True, readonly=True, help="Signed, in units (1/10,000 credit).")
    transaction_id = fields.Many2one("iap.platform.transaction", index=True, ondelete="restrict", readonly=True)
    quota_id = fields.Many2one("iap.platform.quota", index=True, ondelete="restrict", readonly=True)

    @api.model
    def _post(self, kind: str, lines: list[tuple[str, int]], transaction=None, quota=None) -> str:
        """Write one balanced journal (zero lines are skipped) and return its id; refuse an unbalanced one.

        One multi-row INSERT: every money operation posts a journal, and the ORM's per-row create (a
        savepoint and a statement per line) would be most of its cost.  Nothing reads lines back from
        the cache, so there is nothing to invalidate.
        """
        return self._post_journals([(kind, lines)], transaction, quota)[0]

    @api.model
    def _post_journals(self, journals: list[tuple[str, list[tuple[str, int]]]], transaction=None,
                       quota=None) -> list[str]:
        """``_post`` of several journals ``(kind, lines)`` in one INSERT (a sale posts its hold and its capture)."""
        now = fields.Datetime.to_string(fields.Datetime.now())
        transaction_id = transaction.id if transaction else None
        quota_id = quota.id if quota else None
        ids, rows = [], []
        for kind, lines in journals:
            lines = [(code, amount) for code, amount in lines if amount]
            if sum(amount for _code, amount in lines) != 0:
                raise ValidationError(f"Unbalanced IAP journal ({kind}): {lines!r}")
            ids.append(uuid.uuid4().hex)
            rows += [(ids[-1], kind, code, amount, transaction_id, quota_id, self.env.uid, now, self.env.uid, now)
                     for code, amount in lines]
        if not rows:
            return ids  # nothing moved (a quota used up to its last unit returns nothing)
        marks = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
        self.env.cr.execute(
            "INSERT INTO iap_platform_ledger_entry (journal, kind, account_code, amount, transaction_id, quota_id, "
            f"create_uid, create_date, write_uid, write_date) VALUES {marks}", [v for row in rows for v in row])
        return ids

    def write(self, vals):
        raise UserError("The IAP ledger is append-only: post a correcting journal instead of changing a line.")

    def unlink(self):
        raise UserError("The IAP ledger is append-only: post a correcting journal instead of deleting a line.")

    @api.model
    def _balances(self) -> dict[str, int]:
        """``{account code: sum of its lines}`` over the whole ledger."""
        rows = self.env.cr.execute(
            "SELECT account_code, SUM(amount) FROM iap_platform_ledger_entry GROUP BY account_code").fetchall()
        return {code: int(total) for code, total in rows}

    # -- invariants -----------------------------------------------------------------------------------
    @api.model
    def check_invariants(self) -> list[str]:
        """Every way the books could be wrong, as sentences; an empty list means they balance.

        Journals sum to zero; account buckets equal their ledger sums and are not negative; ``held`` is
        the sum of open holds and ``quota_held`` what open quotas have left; a closed transaction's
        authorized = captured + released, a quota's granted = used + released (+ what is left while open),
        and captured or used = provider share + commission; revenue and commission equal the shares of
        the captures and of the quotas' use.
        """
        require_admin(self.env, "audit the IAP ledger")
        return (self._unbalanced_journals() + self._account_mismatches() + self._transaction_mismatches()
                + self._quota_mismatches() + self._revenue_mismatches())

    def _unbalanced_journals(self) -> list[str]:
        rows = self.env.cr.execute("SELECT journal, SUM(amount) FROM iap_platform_ledger_entry GROUP BY journal "
                                   "HAVING SUM(amount) <> 0").fetchall()
        return [f"journal {journal} sums to {total}" for journal, total in rows]

    def _account_mismatches(self) -> list[str]:
        ledger = self._balances()
        open_holds, open_quotas = self._open_holds_by_account(), self._open_quotas_by_account()
        problems = []
        for account in self.env["iap.platform.account"].sudo().search([]):
            for bucket, value in (("available", account.available), ("held", account.held),
                                  ("quota", account.quota_held)):
                if value != ledger.get(account._code(bucket), 0) or value < 0:
                    problems.append(f"account {account.id} {bucket} is {value}, "
                                    f"ledger says {ledger.get(account._code(bucket), 0)}")
            if account.held != open_holds.get(account.id, 0):
                problems.append(f"account {account.id} holds {account.held}, open transactions hold "
                                f"{open_holds.get(account.id, 0)}")
            if account.quota_held != open_quotas.get(account.id, 0):
                problems.append(f"account {account.id} has {account.quota_held} in quotas, open quotas have "
                                f"{open_quotas.get(account.id, 0)} left")
        return problems

    def _open_holds_by_account(self) -> dict[int, int]:
        rows = self.env.cr.execute("SELECT account_id, SUM(authorized) FROM iap_platform_transaction "
                                   "WHERE state = %s GROUP BY account_id", ("authorized",)).fetchall()
        return {account_id: int(total) for account_id, total in rows}

    def _open_quotas_by_account(self) -> dict[int, int]:
        rows = self.env.cr.execute("SELECT account_id, SUM(granted - used) FROM iap_platform_quota "
                                   "WHERE state = %s GROUP BY account_id", ("open",)).fetchall()
        return {account_id: int(total) for account_id, total in rows}

    def _quota_mismatches(self) -> list[str]:
        rows = self.env.cr.execute(
            "SELECT token FROM iap_platform_quota WHERE used > granted OR used <> provider_share + commission "
            "OR (state <> %s AND granted <> used + released)", ("open",)).fetchall()
        return [f"quota {token} does not add up" for (token,) in rows]

    def _transaction_mismatches(self) -> list[str]:
        rows = self.env.cr.execute(
            "SELECT token FROM iap_platform_transaction WHERE state <> %s AND "
            "(authorized <> captured + released OR captured <> provider_share + commission)",
            ("authorized",)).fetchall()
        return [f"transaction {token} does not add up" for (token,) in rows]

    def _revenue_mismatches(self) -> list[str]:
        shares: dict[int, int] = {}
        commission = 0
        for table, state in (("iap_platform_transaction", "captured"), ("iap_platform_quota", None)):
            where = "WHERE state = %s " if state else ""
            rows = self.env.cr.execute(f"SELECT service_id, SUM(provider_share), SUM(commission) FROM {table} "
                                       f"{where}GROUP BY service_id", (state,) if state else ()).fetchall()
            for service_id, share, fee in rows:
                shares[service_id] = shares.get(service_id, 0) + int(share)
                commission += int(fee)
        ledger = self._balances()
        problems = [f"service {service_id} revenue differs from the shares of its captures and quotas"
                    for service_id, share in shares.items() if ledger.get(f"service:{service_id}:revenue", 0) != share]
        if ledger.get("platform:commission", 0) != commission:
            problems.append("platform commission differs from the commissions of the captures and quotas")
        return problems
