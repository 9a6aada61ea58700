"""The errors of the job queue, at OCA's import path (``odoo.addons.queue_job.exception``).

``RetryableJobError`` is the one a job raises to be run again later; ``JobRefused`` is raised at
enqueue time when a job cannot be stored as asked (it is a ``ValidationError``, so RPC callers get
Odoo's error envelope), before anything is written.
"""
from __future__ import annotations

from odoo.exceptions import ValidationError


class BaseQueueJobError(Exception):
    """Root of every job queue error."""


class JobError(BaseQueueJobError):
    """A job had an error."""


class NoSuchJobError(JobError):
    """The job does not exist (any more)."""


class FailedJobError(JobError):
    """A job failed and needs an operator (for instance: its retries are exhausted)."""


class RetryableJobError(JobError):
    """A job failed for a reason that may go away: run it again later.

    :param msg: what went wrong (stored as the job's result for the operator)
    :param seconds: wait this long before the next try; without it the ``retry_pattern`` of the job's
        function decides, else ``job.RETRY_INTERVAL``
    :param ignore_retry: do not count this try against ``max_retries``
    """

    def __init__(self, msg, seconds: int | None = None, ignore_retry: bool = False):
        super().__init__(msg)
        self.seconds = seconds
        self.ignore_retry = ignore_retry


class NothingToDoJob(JobError):
    """The job has nothing to do (kept for OCA compatibility)."""


class ChannelNotFound(BaseQueueJobError):
    """A channel could not be found."""


class JobRefused(BaseQueueJobError, ValidationError):
    """A job cannot be enqueued as asked; the message names the problem and the fix.

    Raised before anything is written, so the caller's transaction is untouched.
    """
