"""The provider's outbox: captures and cancels sent after the request, retried until they succeed.

``iap_charge`` queues a capture that failed after the service was delivered (the hold guarantees the
funds and capture is idempotent, so retrying is safe), a cancel that failed after the block raised, and,
with ``charging="deferred"``, every capture and release: written in the request's transaction, sent by
this process's sender thread once it commits (``tools/sender.py``), by the cron otherwise.

Due captures to one platform go in one request where the platform has the route (``tools/capture_batch``).
Sending is three steps that never hold a transaction across the outgoing call (``_send_due``): lease
the due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two senders never take the same row; SQLite
serialises writers) and commit; call the platform; record the outcomes in a new transaction (those of
a second's calls together).  A sender that dies mid-call leaves its lease to expire and the row is sent
again: the platform answers a repeated capture or cancel from the first one, so nothing is lost and
nothing is charged twice.
An operator sees every stuck operation here with its error, and can retry it now or give it up.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import time

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import capture_batch, iap_tools
from ..tools.own_transaction import own_transaction
from ..tools.write_lock import lock_for_write, release_write_lock, unlock_for_call

_logger = logging.getLogger(__name__)
BACKOFF_SECONDS = (30, 60, 120, 300, 900, 3600)
# Longer than a call with its retries (four attempts of 15 s at most): a live sender keeps its rows.
LEASE = dt.timedelta(seconds=120)
RECORD_SECONDS = 1.0  # the sender records what it sent at least this often (within the lease, by far)
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
        A cancel after a failure follows a transaction that rolls back, so it is committed on its own
        where the database allows it (PostgreSQL); on SQLite the hold's TTL is what releases it.
        """
        existing = self.search([("operation", "=", operation), ("transaction_token", "=", token)], limit=1)
        if existing:
            return existing
        delay = dt.timedelta(seconds=BACKOFF_SECONDS[0])
        vals = {"operation": operation, "transaction_token": token, "service_key": key, "credit": credit,
                "endpoint": endpoint or iap_tools.iap_get_endpoint(self.env), "last_error": error or False,
                "next_attempt_at": fields.Datetime.now() + delay,
                "hold_expires_at": fields.Datetime.now() + dt.timedelta(hours=ttl_hours)}
        if operation == "cancel" and self._insert_committed(vals):
            return self.search([("operation", "=", operation), ("transaction_token", "=", token)], limit=1)
        try:
            with self.env.cr.savepoint():
                return self.create(vals)
        except ValidationError:  # queued meanwhile by a concurrent attempt of the same request
            return self.search([("operation", "=", operation), ("transaction_token", "=", token)], limit=1)

    def _insert_committed(self, vals: dict) -> bool:
        with own_transaction(self.env) as cr:
            if cr is None:
                return False
            self._insert_row(cr, vals)
        return True

    @api.model
    def _queue_deferred(self, operation: str, token: str, key: str, credit: float | None, ttl_hours: int,
                        endpoint: str = "") -> None:
        """Queue an operation sent after the request by design (``charging="deferred"``), due at once, in the
        caller's transaction; a second attempt of the same request queues nothing more.

        One statement: every call charged this way queues one, and the ORM's search and create would be
        most of the request's own work.
        """
        now = fields.Datetime.now()
        self._insert_row(self.env.cr, {
            "operation": operation, "transaction_token": token, "service_key": key, "credit": credit,
            "endpoint": endpoint or iap_tools.iap_get_endpoint(self.env), "next_attempt_at": now,
            "hold_expires_at": now + dt.timedelta(hours=ttl_hours)})

    def _insert_row(self, cr, vals: dict) -> None:
        """INSERT a pending operation with plain SQL on ``cr`` (ignored if it is queued already)."""
        now = fields.Datetime.to_string(fields.Datetime.now())
        columns = {**{k: v for k, v in vals.items() if v is not None and v is not False},
                   "state": "pending", "attempts": 0,
                   "create_uid": self.env.uid, "create_date": now, "write_uid": self.env.uid, "write_date": now}
        for name in ("next_attempt_at", "hold_expires_at"):
            columns[name] = fields.Datetime.to_string(columns[name])
        marks = ", ".join(["%s"] * len(columns))
        cr.execute(f"INSERT INTO iap_pending_op ({', '.join(columns)}) VALUES ({marks}) "
                   "ON CONFLICT DO NOTHING", tuple(columns.values()))

    # -- the worker -----------------------------------------------------------------------------------------
    @api.model
    def process_due(self, limit: int = 50) -> dict:
        """Retry the due operations now, in this transaction; return how many ended in each state.

        For a shell or a test.  The cron, the sender thread and ``odoo-bin.py iap-outbox run`` use
        ``_send_due``, which holds no transaction open across the outgoing calls.
        """
        counts = {"done": 0, "pending": 0, "failed": 0}
        self._record(list(capture_batch.perform_all(self._claim_due(limit), perform)), counts)
        return counts

    @api.model
    def _send_due(self, limit: int = 50) -> dict:
        """Send the due operations: lease them and commit, call, record the outcomes in new transactions.

        Commits the caller's transaction (the cron's, the sender thread's, the CLI's): never call it in
        a request.  Returns how many operations ended in each state.
        """
        cr = self.env.cr
        lock_for_write(cr)  # the cursor may have sent (and released its lock) before
        calls = self._claim_due(limit)
        release_write_lock(cr)
        counts = {"done": 0, "pending": 0, "failed": 0}
        answered, recorded_at = [], time.monotonic()
        for call, outcome in capture_batch.perform_all(calls, perform):
            answered.append((call, outcome))
            if time.monotonic() - recorded_at >= RECORD_SECONDS:
                self._record_outcomes(answered, counts)
                answered, recorded_at = [], time.monotonic()
        self._record_outcomes(answered, counts)
        return counts

    @api.model
    def _record_outcomes(self, answered: list[tuple[dict, dict]], counts: dict) -> None:
        """Record the outcomes of the calls made since the last record, in one transaction (committed).

        One transaction for all of them, not one per call: on SQLite each is a turn of the database's
        write lock, which the sender otherwise waits for behind every request.  A sender dying before
        it records sends those calls again once their lease expires; the platform answers a repeat
        from the first answer.
        """
        if not answered:
            return
        lock_for_write(self.env.cr)
        self._record(answered, counts)
        unlock_for_call(self.env.cr)

    @api.model
    def _record(self, answered: list[tuple[dict, dict]], counts: dict) -> None:
        """Store each call's outcome in this transaction and count the states they end in.

        A success (nearly every one) is one plain UPDATE that needs nothing read: the sender records
        dozens a second, and the ORM's read and write of each row cost more than sending it did.
        """
        now = fields.Datetime.to_string(fields.Datetime.now())
        done = [(call, outcome) for call, outcome in answered if outcome["ok"]]
        for call, outcome in done:
            self.env.cr.execute(
                "UPDATE iap_pending_op SET state = %s, attempts = COALESCE(attempts, 0) + 1, result = %s, "
                "service_key = NULL, last_error = NULL, write_uid = %s, write_date = %s WHERE id = %s",
                ("done", json.dumps(outcome["result"], sort_keys=True), self.env.uid, now, call["id"]))
        self.browse([call["id"] for call, _outcome in done]).invalidate_recordset()
        for call, _outcome in done:
            _notify_settled(self.env, call["operation"], call["token"], call["credit"])
        counts["done"] += len(done)
        others = [(call, outcome) for call, outcome in answered if not outcome["ok"]]
        ops = self.browse([call["id"] for call, _outcome in others])  # read together
        for op, (_call, outcome) in zip(ops, others, strict=True):
            counts[op._record_outcome(outcome)] += 1

    @api.model
    def _claim_due(self, limit: int = 50) -> list[dict]:
        """Lease the due operations and return them as plain calls; a dead sender's lease just expires.

        On PostgreSQL the due rows are locked with ``SKIP LOCKED``: a concurrent claimer takes other
        rows, and finds these leased once this transaction commits.
        """
        now = fields.Datetime.now()
        lock = " FOR UPDATE SKIP LOCKED" if self.env.cr.database.dialect == "postgresql" else ""
        # One statement leases and reads them (the sender claims several times a second under load).
        rows = self.env.cr.execute(
            "UPDATE iap_pending_op SET next_attempt_at = %s, write_uid = %s, write_date = %s WHERE id IN ("
            "SELECT id FROM iap_pending_op WHERE state = %s AND (next_attempt_at IS NULL OR next_attempt_at <= %s) "
            f"ORDER BY next_attempt_at, id LIMIT %s{lock}) "
            "RETURNING id, operation, transaction_token, service_key, credit, endpoint",
            (fields.Datetime.to_string(now + LEASE), self.env.uid, fields.Datetime.to_string(now), "pending",
             fields.Datetime.to_string(now), limit)).fetchall()
        self.browse([row[0] for row in rows]).invalidate_recordset()
        return [{"id": op_id, "operation": operation, "token": token, "key": key, "credit": credit,
                 "endpoint": endpoint} for op_id, operation, token, key, credit, endpoint in sorted(rows)]

    @api.model
    def _next_due_in(self) -> float | None:
        """Seconds until the next pending operation is due (0 if one is), None if nothing is pending."""
        row = self.env.cr.execute("SELECT MIN(next_attempt_at) FROM iap_pending_op WHERE state = %s",
                                  ("pending",)).fetchone()
        moment = fields.Datetime.to_datetime(row[0]) if row and row[0] else None
        return max(0.0, (moment - fields.Datetime.now()).total_seconds()) if moment else None

    def _record_outcome(self, outcome: dict) -> str:
        """Store the outcome of one attempt; return the operation's new state."""
        self.ensure_one()
        now = fields.Datetime.now()
        vals = {"attempts": self.attempts + 1}
        if outcome["ok"]:
            vals.update(state="done", result=outcome["result"], service_key=False, last_error=False)
            _notify_settled(self.env, self.operation, self.transaction_token, self.credit)
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


def _notify_settled(env, operation: str, token: str, credit) -> None:
    if operation == "capture":
        iap_tools.notify_charge(iap_tools.charge_captured, env, token=token, credit=credit)
    else:
        iap_tools.notify_charge(iap_tools.charge_cancelled, env, token=token)


def perform(call: dict) -> dict:
    """Run one queued call against the platform (no transaction involved); never raises."""
    try:
        if call["operation"] == "capture":
            result = iap_tools.capture_at(call["endpoint"], call["token"], call["key"], call["credit"])
        else:
            result = iap_tools.cancel_at(call["endpoint"], call["token"], call["key"])
    except Exception as exc:
        return capture_batch.failed(exc)
    return {"ok": True, "result": result}
