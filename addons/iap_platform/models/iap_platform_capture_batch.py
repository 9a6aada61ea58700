"""``/iap/1/capture_batch`` (ours): many captures of one service in one request.

A provider that defers its captures (``charging="deferred"``) has dozens waiting in its outbox at once.
Sent one request each, their sending costs the provider and the platform more than the calls they
charge for; sent together, the platform checks the key once and captures each in a savepoint of one
transaction.  Each capture keeps ``capture``'s semantics and answer (a repeat replays, an expired hold
is refused and its expiry kept), and fails alone: the answer lists, in order, each one's ``result`` or
its ``error`` (the ``error.data`` the single route would have answered).  Odoo's IAP has no such
route: the provider's outbox falls back to one request per capture where it is missing.
"""
from __future__ import annotations

from odoo import api, models

from ..tools.errors import as_platform_error, error_data, platform_error

MAX_CAPTURES = 100


class IapPlatformTransaction(models.Model):
    _inherit = "iap.platform.transaction"

    @api.model
    def capture_batch(self, key=None, captures=None) -> dict:
        """Capture ``captures`` (``[{"token", "credit_to_capture"}]``, at most ``MAX_CAPTURES``) for ``key``'s
        service: ``{"results": [{"token", "result"} | {"token", "error"}]}`` in the same order."""
        if not isinstance(captures, list) or not 0 < len(captures) <= MAX_CAPTURES \
                or not all(isinstance(item, dict) for item in captures):
            raise platform_error("invalid_params", f"captures must be a list of 1 to {MAX_CAPTURES} objects "
                                 "with a token and a credit_to_capture.")
        self.env["iap.platform.service"]._from_key(key)  # a bad key refuses the whole batch
        return {"results": [self._capture_one(key, item) for item in captures]}

    def _capture_one(self, key, item: dict) -> dict:
        token = item.get("token")
        try:
            with self.env.cr.savepoint():
                try:
                    return {"token": token, "result": self.capture(token, key, item.get("credit_to_capture"))}
                except Exception as exc:
                    refusal = as_platform_error(exc)
                    if not getattr(refusal, "keeps_changes", False):
                        raise
            return {"token": token, "error": error_data(refusal)}  # the expiry it made is kept
        except Exception as exc:
            return {"token": token, "error": error_data(exc)}
