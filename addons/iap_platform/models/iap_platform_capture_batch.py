"""``/iap/1/capture_batch`` (ours): many captures and cancels of one service in one request.

A provider that defers its settlements (``charging="deferred"``) has dozens waiting in its outbox at
once: a capture for each call it charged, a cancel for each it served free (a book not found).  Sent one
request each, their sending costs the provider and the platform more than the calls they charge for;
sent together, the platform checks the key once and settles each in a savepoint of one transaction.
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
        self.env["iap.platform.service"]._from_key(key)  # a bad key refuses the whole batch
        return {"results": [self._capture_one(key, item) for item in captures]}

    def _capture_one(self, key, item: dict) -> dict:
        token = item.get("token")
        try:
            with self.env.cr.savepoint():
                try:
                    return {"token": token, "result": self._settle_one(token, key, item)}
                except Exception as exc:
                    refusal = as_platform_error(exc)
                    if not getattr(refusal, "keeps_changes", False):
                        raise
            return {"token": token, "error": error_data(refusal)}  # the expiry it made is kept
        except Exception as exc:
            return {"token": token, "error": error_data(exc)}

    def _settle_one(self, token, key, item: dict) -> dict:
        cancel = item.get("cancel", False)
        if not isinstance(cancel, bool):
            raise platform_error("invalid_params", f"cancel must be true or false, got {cancel!r}.")
        if cancel:
            if item.get("credit_to_capture") is not None:
                raise platform_error("invalid_params", "An item cancels or captures, not both: send cancel: true "
                                     "without credit_to_capture.")
            return self.cancel(token, key)
        return self.capture(token, key, item.get("credit_to_capture"))
