"""Transfers on ``queue_job``: one analysis job per transfer, and what a job's failure does to its transfer.

Every transfer to analyse gets one job on ``root.transfer_analysis`` (``_dispatch``), stored in the
transaction that records the transfer.  The job runs ``tools/processor.py`` step by step in its own
cursor.  A job can end without finishing its transfer; then the transfer must not stay ``analysing``
for ever, and it is failed with ``failure_origin = 'job'`` and the job's error:

* the job raised an unexpected error: recorded by the job itself, before the queue records the job's
  failure (``_analyse_job``);
* the job's tries ran out, its worker died too often, an operator cancelled it or set it done: the
  queue ends the job on its own, and ``fail_stuck`` (the daemon's 10 s sweep, the cron
  ``transfer_analysis.ir_cron_fail_stuck``) finds the transfer whose last job ended and none other
  waits or runs for it.

Either way it is a failed transfer on the console's Home, and it resumes when it is retried (a new
job) or when its job is requeued: a job that finds its transfer failed by a job resumes it.
"""
from __future__ import annotations

from odoo import api, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.store import IDENTITY_STATES, LeaseLost
from odoo.addons.queue_job.worker.leases import is_lease_lost
from odoo.addons.queue_job.worker.runner import (
    hand_over_capacity,
    is_conflict,
    last_call_done,
    release_capacity,
    wait_for_capacity,
)

JOB_CHANNEL = "root.transfer_analysis"
JOB_MAX_RETRIES = 20  # the queue's bound; a transfer's own (transfer_analysis.max_attempts) comes first
ACTIVE_STATES = ("queued", "analysing")
ENDED_JOB_STATES = ("failed", "cancelled", "done")


def identity_key(transfer_id: int) -> str:
    """The analysis job's identity key: one waiting or running job per transfer."""
    return f"transfer.transfer:{transfer_id}"


class TransferJobs(models.Model):
    _inherit = "transfer.transfer"

    def _dispatch(self) -> None:
        """Queue these transfers: one job each on ``root.transfer_analysis``, stored in this transaction.

        The identity key makes a second dispatch of a transfer whose job has not run yet a no-op, so
        the stream, the sweep and an operator may all dispatch without ever doubling a job.
        """
        self.filtered(lambda t: t.state == "new")._move("queue")
        for transfer in self.filtered(lambda t: t.state == "queued"):
            transfer.with_delay(channel=JOB_CHANNEL, identity_key=identity_key(transfer.id),
                                max_retries=JOB_MAX_RETRIES,
                                description=f"Analyse transfer {transfer.key}")._analyse_job()

    @api.model
    def dispatch_waiting(self) -> int:
        """Dispatch the transfers still ``new`` (created by ``create`` rather than the intakes); how many."""
        waiting = self.search([("state", "=", "new")])
        waiting._dispatch()
        return len(waiting)

    def _analyse_job(self) -> str:
        """The job: analyse this transfer, step by step, each step committed (re-read first: done exits).

        Superuser: the job's user may only submit transfers.  The steps are idempotent, so a job that
        dies between two of them resumes where it was when the queue runs it again.  While its last
        request travels, the job gives its place on the channel to the next transfer's job, which
        prepares and sends its first request once that answer is in (``hand_over_capacity``); with
        none waiting, it gives the place back once its last answer is stored (``release_capacity``).
        Either way the capacity bounds the requests in flight while the summary is written.
        """
        from odoo.addons.mail.tools.transaction_steps import CommittedSteps

        from ..tools.processor import JobRetry, process_transfer

        self.ensure_one()
        steps = CommittedSteps(self.sudo().env)
        try:
            return process_transfer(self.env.registry, self.id, retry=JobRetry(), steps=steps,
                                    follow_up_later=True, place=JobPlace())
        except Exception as exc:
            if not _queue_retries(exc):
                with steps.step() as env:
                    env["transfer.transfer"].browse(self.id)._fail_by_job(f"{type(exc).__name__}: {exc}")
            raise

    def _fail_by_job(self, reason: str) -> None:
        """Fail the transfers still being analysed because their job ended: its error is the reason."""
        active = self.filtered(lambda t: t.state in ACTIVE_STATES)
        if active:
            active._fail(f"the analysis job failed: {reason}"[:2000], origin="job")

    def _resume_by_job(self) -> bool:
        """In a job: a transfer its failed job left is analysed again (the job was requeued)."""
        if self.state != "failed" or self.failure_origin != "job":
            return False
        self._reopen("its analysis job runs again")
        return True

    @api.model
    def fail_stuck(self, limit: int = 1000) -> int:
        """Fail the queued or analysing transfers whose job ended (failed, cancelled, set done); how many.

        A transfer with a job waiting or running is left alone, and so is one that never had a job
        (``transfers process`` analyses in the foreground).  Each transfer's state is read again after
        its jobs (a job ends after the last step of its transfer commits), so one that finished
        meanwhile is not touched.
        """
        stuck = self.search([("state", "in", ACTIVE_STATES)], limit=limit, order="id")
        jobs = self.env["queue.job"].sudo()
        keys = {identity_key(transfer_id): transfer_id for transfer_id in stuck.ids}
        live = set(jobs.search([("identity_key", "in", list(keys)), ("state", "in", list(IDENTITY_STATES))])
                   .mapped("identity_key")) if keys else set()
        orphans = [key for key in keys if key not in live]
        if not orphans:
            return 0
        reasons: dict[int, str] = {}
        for job in jobs.search([("identity_key", "in", orphans), ("state", "in", ENDED_JOB_STATES)],
                               order="date_created desc, id desc"):
            reasons.setdefault(keys[job.identity_key], _job_reason(job))
        stuck.invalidate_recordset(["state"])
        failing = self.browse(list(reasons)).filtered(lambda t: t.state in ACTIVE_STATES)
        for transfer in failing:
            transfer._fail_by_job(reasons[transfer.id])
        return len(failing)


class JobPlace:
    """A job's place on ``root.transfer_analysis`` (``tools/processor.py: NoPlace`` says when each is called)."""

    wait = staticmethod(wait_for_capacity)
    hand_over = staticmethod(hand_over_capacity)
    last_call_done = staticmethod(last_call_done)
    release = staticmethod(release_capacity)


def _job_reason(job) -> str:
    if job.state == "failed":
        return f"job {job.uuid}: {job.exc_name or 'error'}: {job.exc_message or ''}".rstrip(": ")
    return f"job {job.uuid} is {job.state} ({job.result or 'by an operator'}) but the transfer did not finish"


def _queue_retries(exc: Exception) -> bool:
    """Whether the queue runs the job again on its own after ``exc`` (a retry, a database conflict)."""
    return isinstance(exc, (RetryableJobError, LeaseLost)) or is_conflict(exc) or is_lease_lost(exc)
