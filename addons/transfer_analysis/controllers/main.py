"""``/transfer/1/submit``: client programs hand in a transfer over JSON-RPC (idempotent by key)."""
from __future__ import annotations

from odoo import http
from odoo.http import request


class TransferIntake(http.Controller):
    @http.route("/transfer/1/submit", type="json", auth="user", methods=["POST"])
    def submit(self, key, answers, date=None, person_name=None, account_name=None, user_email=None):
        """``{"id", "key", "state", "repeated"}``; the same key twice answers the first transfer."""
        return request.env["transfer.transfer"].submit(key, answers, date=date, person_name=person_name,
                                                       account_name=account_name, user_email=user_email)

    @http.route("/transfer/1/status", type="json", auth="user", methods=["POST"], readonly=True)
    def status(self, key):
        """A transfer's result by key: what ``transfers find`` prints."""
        transfer = request.env["transfer.transfer"].search([("key", "=", key)], limit=1)
        return transfer.summary() if transfer else {"key": key, "state": "unknown"}
