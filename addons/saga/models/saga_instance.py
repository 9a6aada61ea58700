"""``saga.instance``: one run of a saga type for one business key, and the operator's actions on it."""
from __future__ import annotations

import uuid

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.sql import create_index

from .. import engine, inbox, operators, reports, timeouts
from ..exceptions import SagaStateError

STATUSES = [
    ("running", "Running"),
    ("waiting", "Waiting"),
    ("compensating", "Compensating"),
    ("completed", "Completed"),
    ("compensated", "Compensated"),
    ("failed", "Failed"),
    ("incident", "Incident"),
]
#: Operator actions and the statuses they are allowed from (the refusal names the status).
ACTIONS = {
    "retry": ("incident",),
    "compensate": ("running", "waiting", "incident"),
    "cancel": ("running", "waiting", "compensating", "incident"),
}


class SagaInstance(models.Model):
    _name = "saga.instance"
    _description = "Saga Instance"
    _order = "id desc"
    _rec_name = "business_key"

    uuid = fields.Char(required=True, readonly=True, index=True, default=lambda self: uuid.uuid4().hex)
    saga_type = fields.Char(required=True, readonly=True, index=True)
    business_key = fields.Char(required=True, readonly=True, index=True)
    status = fields.Selection(STATUSES, required=True, default="running", readonly=True, index=True)
    current_step = fields.Char(readonly=True)
    phase = fields.Selection([("forward", "Forward"), ("compensate", "Compensate")], default="forward",
                             readonly=True)
    data = fields.Json(readonly=True, help="The saga's data, as its steps left it")
    version = fields.Integer(default=1, readonly=True, help="Incremented by every transition")
    waiting_for = fields.Char(readonly=True, help="The message type the instance waits for")
    done_steps = fields.Json(readonly=True, help="The steps whose action succeeded, in order (compensated "
                                                 "in reverse)")
    current_attempt = fields.Integer(readonly=True, help="The try of the current step that is scheduled")
    scheduled_at = fields.Datetime(readonly=True, help="When the current step's try may start")
    step_started_at = fields.Datetime(readonly=True, help="When the action of the step that waits for its "
                                                          "message started")
    step_started_ts = fields.Float(readonly=True, help="step_started_at to the microsecond, in seconds since the "
                                                       "epoch: the wait's duration counts from it")
    wait_deadline = fields.Datetime(readonly=True, help="When the wait for the message times out (a sweep of "
                                                        "the saga type ends it then)")
    company_id = fields.Many2one("res.company", readonly=True, ondelete="set null",
                                 help="The company of whoever started the saga (its jobs' company)")
    incident_kind = fields.Selection(engine.INCIDENT_KINDS, readonly=True, help="What retry runs again")
    incident_message_id = fields.Many2one("saga.message", readonly=True, ondelete="set null",
                                          help="The message whose reply handler failed (applied again by retry)")
    status_before_incident = fields.Char(readonly=True)
    failure_reason = fields.Text(readonly=True)
    last_error = fields.Text(readonly=True)
    early_reply = fields.Boolean(readonly=True, help="A reply came while its step's action ran: it is applied "
                                 "when the step begins to wait (written on the row, so the lock that the try "
                                 "takes after its call reads it, the callback having committed before)")
    started_at = fields.Datetime(default=fields.Datetime.now, readonly=True)
    ended_at = fields.Datetime(readonly=True)
    step_ids = fields.One2many("saga.step", "instance_id", string="Executions", readonly=True)
    message_ids = fields.One2many("saga.message", "instance_id", string="Messages", readonly=True)

    _sql_constraints = [
        ("business_key_uniq", "unique(saga_type, business_key)", "A saga of this type already runs for this key."),
    ]

    @api.model
    def start(self, saga_type: str, business_key: str, data: dict | None = None):
        """Start a saga of ``saga_type`` for ``business_key``; its first step runs as a job after commit."""
        return engine.start(self.env, saga_type, business_key, data or {})

    def action_retry(self) -> bool:
        """Incident: run the failed step (or compensation) again, with its tries counted afresh."""
        for instance in self._allowed("retry"):
            operators.retry(instance)
        return True

    def action_compensate(self) -> bool:
        """Undo the steps done so far, in reverse order, then run the saga's failure handler."""
        for instance in self._allowed("compensate"):
            operators.compensate(instance, "compensation asked by an operator")
        return True

    def action_cancel(self) -> bool:
        """Stop the instance where it is, without compensation (status ``failed``)."""
        for instance in self._allowed("cancel"):
            operators.cancel(instance)
        return True

    def _allowed(self, action: str):
        self.check_access_rights("write")
        for instance in self:
            if instance.status not in ACTIONS[action]:
                allowed = ", ".join(ACTIONS[action])
                raise SagaStateError(f"Cannot {action} saga {instance.saga_type} {instance.business_key}: it is "
                                     f"{instance.status} (allowed from: {allowed}).")
        return self.sudo()

    @api.model
    def stats(self, saga_type: str | None = None) -> list[dict]:
        """Per step and phase: executions, mean and p95 duration (seconds), failure rate."""
        self.check_access_rights("read")
        return reports.step_stats(self.env, saga_type)

    @api.model
    def counts(self) -> dict:
        """Instances by saga type and status: ``{type: {status: count}}``."""
        self.check_access_rights("read")
        result: dict = {}
        for row in self.sudo().read_group([], ["saga_type", "status"], ["saga_type", "status"], lazy=False):
            result.setdefault(row["saga_type"], {})[row["status"]] = row["__count"]
        return result

    @api.model
    def receive_message(self, message_id: str, message_type: str, business_key: str, payload: dict | None = None,
                        saga_type: str | None = None) -> dict:
        """Deliver a message (a payment result...) to the instance waiting for it; a repeated
        ``message_id`` is recorded once. Managers only: services post to ``/saga/1/message``."""
        self.check_access_rights("write")
        return inbox.receive(self.env, message_id, message_type, business_key, payload or {}, saga_type, "rpc")

    def timeline(self) -> list[dict]:
        """The instance's executions in order: phase, step, attempt, status, times, duration, error."""
        self.ensure_one()
        self.check_access_rights("read")
        return reports.timeline(self)

    # -- jobs (declared as job functions in data/saga_data.xml); ``version``: see engine ------------
    def _saga_run(self, step: str, phase: str, attempt: int, version: int) -> str:
        return engine.execute(self, step, phase, attempt, version)

    def _saga_wait_timeout(self, version: int) -> str:
        return timeouts.wait_timeout(self, version)

    def _saga_resume(self, version: int) -> str:
        return engine.resume_handler(self, version)

    @api.model
    def _saga_sweep_waits(self, saga_type: str) -> str:
        return timeouts.sweep(self.env, saga_type)

    def init(self) -> None:
        """The waits by deadline: every sweep looks for those past theirs (a few among many instances)."""
        create_index(self.env.cr, "saga_instance_wait_deadline_index", self._table, ["saga_type", "wait_deadline"],
                     where="status = 'waiting'")

    @api.constrains("saga_type")
    def _check_saga_type(self):
        for instance in self:
            try:
                engine.definition_for(instance.env, instance.saga_type)
            except Exception as exc:
                raise ValidationError(str(exc)) from None
