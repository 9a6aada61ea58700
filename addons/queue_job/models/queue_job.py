"""``queue.job``: the stored jobs, and what operators do with them (requeue, cancel, set done).

Rows are written by ``store`` and ``worker/leases`` (enqueue, claim, finish); this model is how
people and RPC read them and act on them.  Fields that define a job cannot be written over RPC: only
code holding ``EDIT_SENTINEL`` (``Job.store``) may.
"""
from __future__ import annotations

import datetime as dt

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .. import store
from ..job import CANCELLED, DONE, ENQUEUED, FAILED, PENDING, STARTED, STATES, WAIT_DEPENDENCIES, utcnow
from ..stats import channel_stats

#: Operator actions: the states each may start from (the state machine of manual changes).
ACTIONS = {
    "requeue": {FAILED, CANCELLED, DONE},
    "cancel": {WAIT_DEPENDENCIES, PENDING, ENQUEUED, STARTED, FAILED},
    "done": {WAIT_DEPENDENCIES, PENDING, ENQUEUED, FAILED, CANCELLED},
}
ACTION_TARGET = {"requeue": PENDING, "cancel": CANCELLED, "done": DONE}
VACUUM_BATCH = 1000


class QueueJob(models.Model):
    """A stored job."""

    _name = "queue.job"
    _description = "Queue Job"
    _log_access = False
    _order = "date_created DESC, id DESC"
    _removal_interval = 30  # days
    _rec_name = "name"

    EDIT_SENTINEL = object()
    _protected_fields = ("uuid", "name", "date_created", "model_name", "method_name", "func_string",
                         "channel_method_name", "job_function_id", "record_ids", "args", "kwargs", "context",
                         "user_id", "worker_id", "lease_until")

    uuid = fields.Char(string="UUID", readonly=True, index=True, required=True)
    graph_uuid = fields.Char(string="Graph UUID", readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="User ID", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", index=True)
    name = fields.Char(string="Description", readonly=True)
    model_name = fields.Char(string="Model", readonly=True)
    method_name = fields.Char(readonly=True)
    record_ids = fields.Json(readonly=True)
    args = fields.Json(readonly=True)
    kwargs = fields.Json(readonly=True)
    context = fields.Json(readonly=True)
    dependencies = fields.Json(readonly=True)
    func_string = fields.Char(string="Task", readonly=True)
    state = fields.Selection(STATES, readonly=True, required=True, index=True)
    priority = fields.Integer()
    exc_name = fields.Char(string="Exception", readonly=True)
    exc_message = fields.Char(string="Exception Message", readonly=True)
    exc_info = fields.Text(string="Exception Info", readonly=True)
    result = fields.Text(readonly=True)
    date_created = fields.Datetime(string="Created Date", readonly=True, index=True)
    date_started = fields.Datetime(string="Start Date", readonly=True)
    date_enqueued = fields.Datetime(string="Enqueue Time", readonly=True)
    date_done = fields.Datetime(readonly=True)
    date_cancelled = fields.Datetime(readonly=True)
    exec_time = fields.Float(string="Execution Time", readonly=True, help="Seconds the last try ran")
    eta = fields.Datetime(string="Execute only after")
    retry = fields.Integer(string="Current try")
    max_retries = fields.Integer(string="Max. retries", help="0: retry forever")
    channel_method_name = fields.Char(string="Complete Method Name", readonly=True)
    job_function_id = fields.Many2one("queue.job.function", string="Job Function", readonly=True)
    channel = fields.Char(index=True)
    identity_key = fields.Char(readonly=True)
    worker_pid = fields.Integer(readonly=True)
    worker_id = fields.Char(readonly=True, help="host:pid:id of the worker holding the job")
    lease_until = fields.Datetime(readonly=True, help="The worker must extend this, or the job is requeued")
    capacity_released = fields.Boolean(readonly=True, help="The running job gave its channel's capacity back "
                                       "(it makes no more of the calls the capacity limits)")
    event_ids = fields.One2many("queue.job.event", "job_id", string="History")

    def init(self) -> None:
        """The indexes the ORM cannot declare (the identity key's partial unique index, the claim's), at
        install and at every update, so that a database made by an earlier version gets the current ones."""
        store.create_indexes(self.env.cr)

    # -- protection ----------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if self.env.context.get("_job_edit_sentinel") is not self.EDIT_SENTINEL:
            raise AccessError("Queue jobs must be created by calling 'with_delay()'.")
        return super().create(vals_list)

    def write(self, vals):
        if self.env.context.get("_job_edit_sentinel") is not self.EDIT_SENTINEL:
            protected = sorted(set(vals) & set(self._protected_fields) | ({"state"} & set(vals)))
            if protected:
                raise AccessError(f"Not allowed to change field(s): {protected}: use requeue, button_done "
                                  "or button_cancelled")
        return super().write(vals)

    def _job_method(self):
        """The bound method this job runs (raise ``JobError`` if its model or method are gone)."""
        self.ensure_one()
        row = store.row_of(self)
        return getattr(store.recordset_of(self.env, row), row["method_name"])

    # -- operator actions ------------------------------------------------------------------------------
    def requeue(self):
        """Run failed, cancelled or done jobs again, their tries reset."""
        self._apply_action("requeue", {"retry": 0, "eta": False, "exc_name": False, "exc_message": False,
                                       "exc_info": False, "date_started": False, "date_done": False,
                                       "date_cancelled": False, "worker_id": False, "lease_until": False,
                                       "worker_pid": False})
        return True

    def button_cancelled(self):
        """Cancel jobs (a running one's work is rolled back when it ends); dependents are cancelled too."""
        self._apply_action("cancel", {"date_cancelled": utcnow(), "lease_until": False,
                                      "result": f"Cancelled by {self.env.user.name}"})
        children = self._children_waiting()
        if children:
            children.button_cancelled()
        return True

    def button_done(self):
        """Set jobs done by hand; jobs waiting on them may start."""
        self._apply_action("done", {"date_done": utcnow(), "lease_until": False,
                                    "result": f"Manually set to done by {self.env.user.name}"})
        from ..worker.leases import enqueue_waiting

        children = [u for job in self for u in (job.dependencies or {}).get("reverse_depends_on", [])]
        enqueue_waiting(self.env.cr, children)
        return True

    def _apply_action(self, action: str, values: dict) -> None:
        allowed = ACTIONS[action]
        refused = self.filtered(lambda job: job.state not in allowed)
        if refused:
            job = refused[0]
            raise UserError(f"Job {job.uuid} is {job.state}: {action} applies to "
                            f"{', '.join(sorted(allowed))} jobs only")
        target = ACTION_TARGET[action]
        if target == PENDING:
            self._check_identity_free()
        for job in self:
            state = WAIT_DEPENDENCIES if target == PENDING and job._parents_undone() else target
            job.with_context(_job_edit_sentinel=self.EDIT_SENTINEL).write({**values, "state": state})
            store.insert_event(self.env.cr, job.id, state, {"requeue": "requeued", "cancel": "cancelled",
                                                            "done": "set_done"}[action],
                               f"by {self.env.user.login}")
            if state == PENDING:
                store.notify_enqueued(self.env.cr, job.channel or "root")

    def _check_identity_free(self) -> None:
        for job in self.filtered("identity_key"):
            other = self.search([("identity_key", "=", job.identity_key), ("id", "!=", job.id),
                                 ("state", "in", list(store.IDENTITY_STATES))], limit=1)
            if other:
                raise UserError(f"Job {job.uuid} cannot be requeued: job {other.uuid} with the same identity key "
                                f"is {other.state}")

    def _parents_undone(self) -> bool:
        parents = (self.dependencies or {}).get("depends_on") or []
        return bool(parents) and bool(self.search_count([("uuid", "in", parents), ("state", "!=", DONE)]))

    def _children_waiting(self):
        uuids = [u for job in self for u in (job.dependencies or {}).get("reverse_depends_on", [])]
        if not uuids:
            return self.browse()
        return self.search([("uuid", "in", uuids), ("state", "=", WAIT_DEPENDENCIES)])

    def _test_job(self, failure_rate: float = 0):
        """Check that workers run jobs: fails with probability ``failure_rate``."""
        import random

        from ..exception import JobError

        if random.random() < failure_rate:
            raise JobError("Job failed")

    # -- housekeeping and metrics ------------------------------------------------------------------------
    @api.model
    def autovacuum(self):
        """Delete done and cancelled jobs older than their channel's ``removal_interval`` (in batches)."""
        removed = 0
        for channel in self.env["queue.job.channel"].search([]):
            deadline = utcnow() - dt.timedelta(days=int(channel.removal_interval))
            domain = [("channel", "=", channel.complete_name), "|", "&", ("state", "=", DONE),
                      ("date_done", "<=", deadline), "&", ("state", "=", CANCELLED), ("date_cancelled", "<=", deadline)]
            while True:
                jobs = self.search(domain, limit=VACUUM_BATCH)
                if not jobs:
                    break
                removed += len(jobs)
                jobs.unlink()
        return removed

    @api.model
    @api.readonly
    def stats(self, window_minutes: int = 60):
        """Per channel: jobs pending, running, failed; done and failed in the window, per minute; and
        wait (created to started) and run time percentiles in seconds over the window."""
        return channel_stats(self.env.cr, int(window_minutes))
