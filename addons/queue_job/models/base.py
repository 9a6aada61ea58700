"""``with_delay()`` and ``delayable()`` on every model (OCA's ``queue_job/models/base.py``)."""
from __future__ import annotations

from odoo import api, models

from ..delay import Delayable, DelayableRecordset

JOB_CONTEXT_KEYS = ("tz", "lang", "allowed_company_ids", "force_company", "active_test")


class Base(models.AbstractModel):
    """The base model, inherited by every model: adds the job queue's entry points."""

    _inherit = "base"

    def with_delay(self, priority=None, eta=None, max_retries=None, description=None, channel=None,
                   identity_key=None):
        """Return a proxy whose method calls are stored as jobs instead of running now.

        ``record.with_delay(priority=20, eta=60).action_done()`` stores a job (in the caller's
        transaction) and returns its ``Job``; the method runs later in a worker, as the same user.

        :param priority: 0 runs first; default 10
        :param eta: not before this datetime, or this many seconds (or this timedelta) from now
        :param max_retries: tries before ``failed``; default 5; 0 retries forever
        :param description: shown to operators; default: the method's docstring's first line
        :param channel: a ``queue.job.channel`` complete name; default: the job function's channel
        :param identity_key: a str, or a function of the job (``job.identity_exact``): while a job with
            the same key has not run, no other is created
        :raise JobRefused: the job could not be stored as asked (nothing was written)
        """
        return DelayableRecordset(self, priority=priority, eta=eta, max_retries=max_retries,
                                  description=description, channel=channel, identity_key=identity_key)

    def delayable(self, priority=None, eta=None, max_retries=None, description=None, channel=None,
                  identity_key=None):
        """Return a ``Delayable``: build a job, link it in a graph (``on_done``, ``chain``, ``group``),
        then ``delay()`` the graph's top.

        ``self.delayable().step_a().on_done(self.delayable().step_b()).delay()``
        """
        return Delayable(self, priority=priority, eta=eta, max_retries=max_retries, description=description,
                         channel=channel, identity_key=identity_key)

    @api.model
    def _job_store_values(self, job):
        """Extra ``queue.job`` values to store with ``job`` (a hook for addons)."""
        return {}

    @api.model
    def _job_prepare_context_before_enqueue_keys(self):
        """Context keys stored with a job and restored when it runs."""
        return JOB_CONTEXT_KEYS

    def _job_prepare_context_before_enqueue(self):
        keys = self._job_prepare_context_before_enqueue_keys()
        return {key: value for key, value in self.env.context.items() if key in keys}
