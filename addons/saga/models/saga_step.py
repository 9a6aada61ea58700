"""``saga.step``: one execution of one step (forward or compensation): the saga's timeline."""
from __future__ import annotations

from odoo import fields, models

STATUSES = [
    ("scheduled", "Scheduled"),
    ("running", "Running"),
    ("waiting", "Waiting"),
    ("succeeded", "Succeeded"),
    ("failed", "Failed"),
    ("rejected", "Rejected"),
    ("timed_out", "Timed out"),
    ("lost", "Lost"),
    ("cancelled", "Cancelled"),
    ("superseded", "Superseded"),
]


class SagaStep(models.Model):
    _name = "saga.step"
    _description = "Saga Step Execution"
    _order = "id"

    instance_id = fields.Many2one("saga.instance", required=True, ondelete="cascade", index=True, readonly=True)
    saga_type = fields.Char(readonly=True, index=True)
    step = fields.Char(required=True, readonly=True)
    phase = fields.Selection([("forward", "Forward"), ("compensate", "Compensate")], required=True,
                             readonly=True)
    attempt = fields.Integer(default=1, readonly=True)
    status = fields.Selection(STATUSES, required=True, default="scheduled", readonly=True, index=True)
    job_uuid = fields.Char(readonly=True, help="The queue_job job that runs this execution")
    scheduled_at = fields.Datetime(readonly=True, help="When it may start (the job's eta)")
    started_at = fields.Datetime(readonly=True)
    ended_at = fields.Datetime(readonly=True)
    duration = fields.Float(readonly=True, help="Seconds from start to end")
    error = fields.Text(readonly=True)
