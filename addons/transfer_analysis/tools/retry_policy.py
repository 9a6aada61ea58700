"""What a run does when the analysis API or the source asks it to come back later (429, 5xx, timeouts).

``InlineRetry`` waits and tries again in this thread (``transfers process`` in the foreground);
``JobRetry`` retries once in place, then hands the wait to the queue (``RetryableJobError``), so a
job never sleeps for long on a worker's thread.  ``prepare(parameters, run)`` is called when a run
begins, with the ``transfer_analysis.*`` system parameters and the transfer's run number.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from .analysis_client import RetryableAnalysisError


@dataclass
class InlineRetry:
    """Retry in this thread: ``max_attempts`` per answer, waiting 0.5, 1, 2 ... s (or what Retry-After says)."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0

    def prepare(self, parameters: dict, run: int) -> None:
        """Nothing to read: the attempts and delays are the caller's."""

    def wait(self, error: RetryableAnalysisError, attempt: int) -> bool:
        """Sleep before attempt ``attempt + 1``; False when the attempts are used up."""
        if attempt >= self.max_attempts:
            return False
        delay = error.retry_after if error.retry_after is not None else self.base_delay * 2 ** (attempt - 1)
        time.sleep(min(delay, self.max_delay))
        return True


@dataclass
class JobRetry:
    """In a job: retry once in place, then give the wait to the queue (``RetryableJobError``).

    The transfer's runs are bounded by ``transfer_analysis.max_attempts`` (default 5), checked when
    a run begins; ``transfer_analysis.retry_seconds`` (default 10) is the first wait, doubled per run.
    """

    retry_seconds: int = 10
    run: int = 1

    def prepare(self, parameters: dict, run: int) -> None:
        value = parameters.get("transfer_analysis.retry_seconds")
        self.retry_seconds = int(value) if value and value.isdigit() else 10
        self.run = run

    def wait(self, error: RetryableAnalysisError, attempt: int) -> bool:
        from odoo.addons.queue_job.exception import RetryableJobError

        if attempt < 2:
            time.sleep(min(error.retry_after if error.retry_after is not None else 0.5, 2.0))
            return True
        seconds = error.retry_after if error.retry_after is not None else self.retry_seconds * 2 ** (self.run - 1)
        raise RetryableJobError(str(error), seconds=max(1, int(seconds)))
