"""SMT subscriptions: the status SMT should have for each SMT contract, and what it last confirmed.

Handlers change ``wanted`` inside the contract's transaction; the HTTP calls
happen after that transaction commits (``sync.sync_subscriptions``).  A failed
call leaves the subscription ``failed`` with the error and the number of
attempts, for an operator to fix the cause and retry (``action_retry``,
``retry_failed``).
"""
from __future__ import annotations

import functools
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..smt_client import SmtCall, SmtError, SmtSettings, cancel_call, create_call
from ..sync import sync_subscriptions

_logger = logging.getLogger(__name__)

REMOTE_STATUSES = [("active", "Active"), ("cancelled", "Cancelled")]
STATES = [("pending", "Waiting for SMT"), ("synced", "In sync"), ("failed", "Failed")]


class TcmSmtSubscription(models.Model):
    _name = "tcm.smt.subscription"
    _description = "SMT Subscription"
    _order = "id desc"
    _sql_constraints = [("contract_uniq", "unique(contract_id)", "A contract has a single SMT subscription.")]

    contract_id = fields.Many2one("tcm.contract", "Contract", required=True, ondelete="cascade", index=True)
    remote_id = fields.Char("SMT id", readonly=True, copy=False)
    wanted = fields.Selection(REMOTE_STATUSES, "Wanted status", required=True, default="active",
                              help="The status SMT should have for this contract.")
    remote_status = fields.Selection(REMOTE_STATUSES, "SMT status", readonly=True, copy=False,
                                     help="The status SMT last confirmed (empty: SMT never heard of it).")
    state = fields.Selection(STATES, required=True, default="pending", index=True, copy=False)
    last_error = fields.Text(readonly=True, copy=False)
    attempts = fields.Integer("Failed attempts", readonly=True, copy=False)
    date_synced = fields.Datetime("Last confirmed by SMT", readonly=True, copy=False)

    def _compute_display_name(self) -> None:
        for subscription in self:
            subscription.display_name = f"SMT {subscription.contract_id.name}"

    # -- requested by the contract handlers, inside the contract's transaction -----------------------
    @api.model
    def request_status(self, contract, wanted: str) -> TcmSmtSubscription:
        """Record that SMT should have ``wanted`` for ``contract``; the call is made after the commit."""
        subscription = self.search([("contract_id", "=", contract.id)], limit=1)
        if subscription:
            subscription.write({"wanted": wanted, "state": "pending"})
        else:
            subscription = self.create({"contract_id": contract.id, "wanted": wanted})
        subscription._sync_after_commit()
        return subscription

    def _sync_after_commit(self) -> None:
        self.env.cr.postcommit.append(functools.partial(sync_subscriptions, self.env.registry, tuple(self.ids)))

    # -- operators ----------------------------------------------------------------------------------
    def action_retry(self) -> bool:
        """Send these subscriptions to SMT again once this transaction commits."""
        in_sync = self.filtered(lambda s: s.state == "synced")
        if in_sync:
            raise UserError(f"The SMT subscription of contract {in_sync[0].contract_id.name!r} is already in sync "
                            "with SMT: there is nothing to retry.")
        self.write({"state": "pending"})
        self._sync_after_commit()
        return True

    @api.model
    def retry_failed(self) -> int:
        """Retry every failed subscription (for an operator or a scheduled job); return how many."""
        failed = self.search([("state", "=", "failed")])
        if failed:
            failed.action_retry()
        return len(failed)

    # -- used by sync, each step in a short transaction of its own ---------------------------------------
    def _next_call(self) -> SmtCall | None:
        """The call that brings SMT in line, or None (then the subscription is marked in sync or failed)."""
        action = self._remote_action()
        if action is None:
            self.write({"state": "synced", "last_error": False, "attempts": 0})
            return None
        try:
            settings = SmtSettings.from_params(self.env)
        except SmtError as exc:
            self._record_failure(str(exc))
            return None
        return create_call(settings, self._payload()) if action == "create" else cancel_call(settings, self.remote_id)

    def _remote_action(self) -> str | None:
        if self.wanted == "active" and not self.remote_id:
            return "create"
        if self.wanted == "cancelled" and self.remote_id and self.remote_status != "cancelled":
            return "cancel"
        return None  # in line already, or cancelled before SMT ever heard of it

    def _payload(self) -> dict:
        contract = self.contract_id
        database = self.env["ir.config_parameter"].sudo().get_param("database.uuid") or self.env.registry.db_name
        return {"reference": f"{database}:{contract.id}", "contract": contract.name,
                "customer": contract.partner_id.name, "email": contract.partner_id.email or None,
                "product": contract.product_id.name,
                "package": contract.package_id.name if contract.package_id else None}

    def _record_success(self, call: SmtCall, answer: dict) -> bool:
        """Store what SMT confirmed; return True when another call is due (``wanted`` changed meanwhile)."""
        done = self.wanted == call.wanted
        values = {"remote_status": call.wanted, "state": "synced" if done else "pending", "last_error": False,
                  "attempts": 0, "date_synced": fields.Datetime.now()}
        if call.wanted == "active":
            values["remote_id"] = str(answer["id"])
        self.write(values)
        return not done

    def _record_failure(self, message: str) -> None:
        self.write({"state": "failed", "last_error": message, "attempts": self.attempts + 1})
        _logger.warning("SMT subscription of contract %s (%s) failed: %s", self.contract_id.id,
                        self.contract_id.name, message)
