"""Helpers shared by ``delay`` and the models (OCA's ``queue_job.utils``)."""
from __future__ import annotations

import logging
import os

_logger = logging.getLogger(__name__)

#: Context keys and environment variables that make ``with_delay()`` run the method at once.
NO_DELAY_CONTEXT_KEYS = ("queue_job__no_delay", "_job_force_sync", "test_queue_job_no_delay")
NO_DELAY_ENVIRON_KEYS = ("QUEUE_JOB__NO_DELAY", "TEST_QUEUE_JOB_NO_DELAY")


def must_run_without_delay(env) -> bool:
    """Whether jobs delayed from ``env`` run synchronously instead of being stored.

    True with the context key ``queue_job__no_delay`` or the environment variable
    ``QUEUE_JOB__NO_DELAY=1`` (and OCA's deprecated spellings of both).
    """
    for key in NO_DELAY_ENVIRON_KEYS:
        if os.environ.get(key) not in (None, "", "0"):
            _logger.debug("%s is set: the job runs now, in the caller's transaction", key)
            return True
    return any(env.context.get(key) for key in NO_DELAY_CONTEXT_KEYS)
