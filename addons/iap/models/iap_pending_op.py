"""The provider's outbox: captures and cancels that failed transiently, retried until they succeed.

``iap_charge`` queues a capture that failed after the service was delivered (the hold guarantees the
funds and capture is idempotent, so retrying is safe), and a cancel that failed after the block raised.
An operator sees every stuck operation here with its error, and can retry it now or give it up.
"""
from __future__ import annotations

import datetime as dt
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import iap_tools
from ..tools.own_transaction import own_transaction

_logger = logging.getLogger(__name__)
BACKOFF_SECONDS = (30, 60, 120, 300, 900, 3600)
LEASE = dt.timedelta(seconds=60)
STATES = [("pending", "Pending"), ("done", "Done"), ("failed", "Failed"), ("cancelled", "Given up")]


class IapPendingOp(models.Model):
    _name = "iap.pending.op"
    _description = "IAP operation to retry"
    _rec_name = "transaction_token"
    _order = "id"
    _sql_constraints = [("operation_token_uniq", "unique(operation, transaction_token)",
                         "This operation is already queued for this IAP transaction.")]

    operation = fields.Selection([("capture", "Capture"), ("cancel", "Cancel")], required=True)
    transaction_token = fields.Char(required=True, index=True)
    service_key = fields.Char(help="The service key the call needs; erased once the operation is settled.")
    credit = fields.Float(help="Credits to capture.")
    endpoint = fields.Char(required=True, help="The IAP platform the transaction belongs to.")
    state = fields.Selection(STATES, required=True, default="pending", index=True)
    attempts = fields.Integer()
    next_attempt_at = fields.Datetime(index=True)
    hold_expires_at = fields.Datetime(help="When the platform releases the hold by itself.")
    last_error = fields.Text()
    result = fields.Json()

    # -- queueing ---------------------------------------------------------------------------------------
    @api.model
    def enqueue(self, operation: str, token: str, key: str, credit: float | None = None, endpoint: str = "",
                ttl_hours: int = iap_tools.DEFAULT_TTL_HOURS, error: str = ""):
        """Queue ``operation`` ('capture' or 'cancel') of ``token``; queueing twice keeps one row.

        A capture is written in the caller's transaction: it becomes durable exactly when the delivered
        result does (if the caller rolls back, the client got no service and the hold simply expires).
        A cancel follows a failure whose transaction rolls back, so it is committed on its own where the
        database allows it (PostgreSQL); on SQLite the hold's TTL is what releases it.
        """
        existing = self.search([("operation", "=", operation), ("transaction_token", "=", token)], limit=1)
        if existing:
            return existing
        vals = {"operation": operation, "transaction_token": token, "service_key": key, "credit": credit,
                "endpoint": endpoint or iap_tools.iap_get_endpoint(self.env), "last_error": error or False,
                "next_attempt_at": fields.Datetime.now() + dt.timedelta(seconds=BACKOFF_SECONDS[0]),
                "hold_expires_at": fields.Datetime.now() + dt.timedelta(hours=ttl_hours)}
        if operation == "cancel" and self._insert_committed(vals):
            return self.search([("operation", "=", operation), ("transaction_token", "=", token)], limit=1)
        return self.create(vals)

    def _insert_committed(self, vals: dict) -> bool:
        with own_transaction(self.env) as cr:
            if cr is None:
                return False
            now = fields.Datetime.to_string(fields.Datetime.now())
            columns = {**{k: v for k, v in vals.items() if v is not None and v is not False},
                       "state": "pending", "attempts": 0,
                       "create_uid": self.env.uid, "create_date": now, "write_uid": self.env.uid, "write_date": now}
            for name in ("next_attempt_at", "hold_expires_at"):
                columns[name] = fields.Datetime.to_string(columns[name])
            marks = ", ".join(["%s"] * len(columns))
            cr.execute(f"INSERT INTO iap_pending_op ({', '.join(columns)}) VALUES ({marks}) "
                       "ON CONFLICT DO NOTHING", tuple(columns.values()))
        return True

    # -- the worker -----------------------------------------------------------------------------------------
    @api.model
    def process_due(self, limit: int = 50) -> dict:
        """Retry the due operations now, in this transaction; return how many ended in each state.

        For a shell or a test.  ``odoo-bin.py iap-outbox run`` does the same without holding a
        transaction open across the outgoing calls.
        """
        counts = {"done": 0, "pending": 0, "failed": 0}
        for call in self._claim_due(limit):
            state = self.browse(call["id"])._record_outcome(perform(call))
            counts[state] += 1
        return counts

    @api.model
    def _claim_due(self, limit: int = 50) -> list[dict]:
        """Lease the due operations (a crashed worker's lease just expires) and return them as plain calls.

        Two workers may occasionally run the same operation: captures and cancels are idempotent.
        """
        now = fields.Datetime.now()
        ops = self.search([("state", "=", "pending"), "|", ("next_attempt_at", "=", False),
                           ("next_attempt_at", "<=", now)], limit=limit, order="next_attempt_at, id")
        ops.write({"next_attempt_at": now + LEASE})
        return [op._as_call() for op in ops]

    def _as_call(self) -> dict:
        return {"id": self.id, "operation": self.operation, "token": self.transaction_token,
                "key": self.service_key, "credit": self.credit, "endpoint": self.endpoint}

    def _record_outcome(self, outcome: dict) -> str:
        """Store the outcome of one attempt; return the operation's new state."""
        self.ensure_one()
        now = fields.Datetime.now()
        vals = {"attempts": self.attempts + 1}
        if outcome["ok"]:
            vals.update(state="done", result=outcome["result"], service_key=False, last_error=False)
        elif outcome["retryable"] and not (self.hold_expires_at and self.hold_expires_at <= now):
            delay = BACKOFF_SECONDS[min(self.attempts, len(BACKOFF_SECONDS) - 1)]
            vals.update(last_error=outcome["error"], next_attempt_at=now + dt.timedelta(seconds=delay))
            self._warn_if_hold_ends_soon(now)
        else:
            vals.update(state="failed", last_error=outcome["error"], service_key=False)
            _logger.error("IAP %s of %s failed for good: %s", self.operation, self.transaction_token, outcome["error"])
        self.write(vals)
        return self.state

    def _warn_if_hold_ends_soon(self, now: dt.datetime) -> None:
        if self.operation != "capture" or not self.hold_expires_at:
            return
        window = (self.hold_expires_at - self.create_date) / 10 if self.create_date else dt.timedelta(0)
        if self.hold_expires_at - now <= window:
            _logger.error("IAP capture of %s still pending; its hold expires at %s", self.transaction_token,
                          self.hold_expires_at)

    # -- operator actions -----------------------------------------------------------------------------------
    def action_retry(self) -> bool:
        """Make failed or waiting operations due now (a failed one needs its key: it was erased)."""
        if any(op.state in ("done", "cancelled") for op in self):
            raise UserError("Only pending or failed IAP operations can be retried.")
        if any(not op.service_key for op in self):
            raise UserError("This IAP operation no longer has its service key: settle it on the platform "
                            "(e.g. 'odoo-bin.py iap cancel-hold TOKEN') or give it up.")
        return self.write({"state": "pending", "next_attempt_at": fields.Datetime.now()})

    def action_give_up(self) -> bool:
        """Stop retrying (the platform releases an uncaptured hold at its TTL)."""
        if any(op.state == "done" for op in self):
            raise UserError("A settled IAP operation cannot be given up.")
        return self.write({"state": "cancelled", "service_key": False})


def perform(call: dict) -> dict:
    """Run one queued call against the platform (no transaction involved); never raises."""
    try:
        if call["operation"] == "capture":
            result = iap_tools.capture_at(call["endpoint"], call["token"], call["key"], call["credit"])
        else:
            result = iap_tools.cancel_at(call["endpoint"], call["token"], call["key"])
    except Exception as exc:
        return {"ok": False, "error": str(exc) or type(exc).__name__,
                "retryable": bool(getattr(exc, "retryable", False))}
    return {"ok": True, "result": result}
