"""``/iap/1/capture_batch`` (ours): many captures and cancels of one service in one request.

A provider that defers its settlements (``charging="deferred"``) has dozens waiting in its outbox at
once: a capture for each call it charged, a cancel for each it served free (a book not found).  Sent one
request each, their sending costs the provider and the platform more than the calls they charge for;
sent together, the platform checks the key once, reads the batch's holds in one query, locks each
account once (in id order, so two batches never wait for each other in a circle) and expires its overdue
holds once, then settles each item in a savepoint of one transaction.
Each item keeps the single route's semantics and answer (``capture``: a repeat replays, an expired hold
is refused and its expiry kept; ``cancel``: a repeat replays), and fails alone: the answer lists, in
order, each one's ``result`` or its ``error`` (the ``error.data`` the single route would have answered).
Odoo's IAP has no such route: the provider's outbox falls back to one request per operation where it
is missing.
"""
from __future__ import annotations

from odoo import api, models

from ..tools.errors import as_platform_error, error_data, platform_error

MAX_CAPTURES = 100


class IapPlatformTransaction(models.Model):
    _inherit = "iap.platform.transaction"

    @api.model
    def capture_batch(self, key=None, captures=None) -> dict:
        """Settle ``captures`` for ``key``'s service, at most ``MAX_CAPTURES``: each ``{"token",
        "credit_to_capture"}`` (as ``/iap/1/capture``) or ``{"token", "cancel": true}`` (as ``/iap/1/cancel``).
        ``{"results": [{"token", "result"} | {"token", "error"}]}`` in the same order."""
        if not isinstance(captures, list) or not 0 < len(captures) <= MAX_CAPTURES \
                or not all(isinstance(item, dict) for item in captures):
            raise platform_error("invalid_params", f"captures must be a list of 1 to {MAX_CAPTURES} objects, "
                                 "each with a token and a credit_to_capture, or a token and cancel: true.")
        service = self.env["iap.platform.service"]._from_key(key)  # a bad key refuses the whole batch
        holds = self._batch_holds(service, captures)
        return {"results": [self._capture_one(key, item, holds) for item in captures]}

    def _batch_holds(self, service, captures: list[dict]) -> dict:
        """The service's holds named in the batch, by token, read in one query, with their accounts locked
        and the accounts' overdue holds expired: what each single capture or cancel does for its own
        account, done once per account for the whole batch."""
        tokens = sorted({item.get("token") for item in captures if isinstance(item.get("token"), str)
                         and not self._is_sandbox(item["token"])})
        if not tokens:
            return {}
        rows = self.env.cr.execute(
            f"SELECT id, token, account_id FROM iap_platform_transaction WHERE service_id = %s "
            f"AND token IN ({', '.join(['%s'] * len(tokens))})", (service.id, *tokens)).fetchall()
        accounts = self.env["iap.platform.account"].sudo().browse(sorted({row[2] for row in rows}))
        for account in accounts:
            account._lock()  # before reading the holds: a lock forgets what was cached of them
        for account in accounts:
            account._expire_overdue()
        by_id = {record.id: record for record in self.sudo().browse([row[0] for row in rows])}
        return {token: by_id[hold_id] for hold_id, token, _account in rows}  # read together on first use

    def _capture_one(self, key, item: dict, holds: dict) -> dict:
        token = item.get("token")
        try:
            with self.env.cr.savepoint():
                try:
                    return {"token": token, "result": self._settle_one(token, key, item, holds)}
                except Exception as exc:
                    refusal = as_platform_error(exc)
                    if not getattr(refusal, "keeps_changes", False):
                        raise
            return {"token": token, "error": error_data(refusal)}  # the expiry it made is kept
        except Exception as exc:
            return {"token": token, "error": error_data(exc)}

    def _settle_one(self, token, key, item: dict, holds: dict) -> dict:
        """One item, answered as ``capture`` or ``cancel`` would answer it alone (its account already locked)."""
        cancel = item.get("cancel", False)
        if not isinstance(cancel, bool):
            raise platform_error("invalid_params", f"cancel must be true or false, got {cancel!r}.")
        if cancel and item.get("credit_to_capture") is not None:
            raise platform_error("invalid_params", "An item cancels or captures, not both: send cancel: true "
                                 "without credit_to_capture.")
        hold = holds.get(token)
        if hold is None:  # a sandbox token, a bad one, or none of this service's: as the single route answers
            return self.cancel(token, key) if cancel else self.capture(token, key, item.get("credit_to_capture"))
        return hold._cancel("cancel") if cancel else hold._capture(item.get("credit_to_capture"))
