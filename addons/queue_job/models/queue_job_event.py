from odoo import fields, models

from ..job import STATES


class QueueJobEvent(models.Model):
    """One change of a job's state, and why: its history, and the source of its durations."""

    _name = "queue.job.event"
    _description = "Queue Job Event"
    _order = "date, id"
    _log_access = False

    job_id = fields.Many2one("queue.job", required=True, ondelete="cascade", index=True)
    state = fields.Selection(STATES, required=True)
    kind = fields.Char(required=True, help="created, started, done, failed, retry_scheduled, conflict_retry, "
                                           "requeued_dead, timeout, requeued, cancelled, set_done, "
                                           "dependencies_done")
    date = fields.Datetime(required=True)
    message = fields.Text()
    worker_id = fields.Char(help="host:pid:id of the worker involved")
