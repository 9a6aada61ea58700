"""Run one claimed job: the one function that owns a job's transaction.

The job's method, its ``done`` mark and the release of the jobs waiting on it commit together, in
one transaction, or none of it does.  What went wrong is then recorded in a second, short
transaction: a ``RetryableJobError`` postpones the job, a database serialization conflict retries
it soon without counting the try, any other error fails it with its traceback.
"""
from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
import traceback
from collections.abc import Callable

import peewee
from odoo import SUPERUSER_ID
from odoo.orm.environment import Environment

from ..exception import FailedJobError, RetryableJobError
from ..job import Job
from ..store import DONE, FAILED, PENDING, LeaseLost, dialect_of, utcnow
from . import leases

_logger = logging.getLogger(__name__)

#: Serialization conflicts are retried after a random delay in this range (seconds), try not counted.
CONFLICT_RETRY = (0.2, 2.0)
PG_CONFLICT_CODES = ("40001", "40P01")  # serialization_failure, deadlock_detected
LOST = "lost"


_running = threading.local()  # the claim this thread runs, and what to call once it gives its capacity back


def run_claimed(registry, claim: leases.Claim, timeout: float = 0,
                on_capacity_released: Callable[[], None] | None = None,
                hand_over: Callable | None = None, gate: threading.Event | None = None,
                outgoing: threading.Event | None = None) -> str:
    """Run ``claim``'s job in a transaction of its own; return ``done``, ``pending``, ``failed`` or ``lost``.

    ``timeout`` (seconds, 0 for none) bounds each SQL statement of the job on PostgreSQL; the worker
    also stops extending the lease of a job past its timeout, so a late commit is refused.
    ``on_capacity_released``: called after the commit in which the job gave its channel's capacity
    back (``release_capacity``), so that the worker may claim the next job while this one ends.
    ``hand_over(cr)``: the worker's ``hand_over_capacity``; ``gate``: what ``wait_for_capacity``
    waits for (the job was given the place of one still making its last call); ``outgoing``: what
    ``last_call_done`` opens for the job given this one's place.
    """
    _running.claim, _running.on_released = claim, on_capacity_released
    _running.hand_over, _running.gate, _running.outgoing = hand_over, gate, outgoing
    try:
        return _run(registry, claim, timeout)
    finally:
        _running.claim = _running.on_released = _running.hand_over = _running.gate = _running.outgoing = None


def hand_over_capacity(env) -> bool:
    """From a running job that has just sent its last call: give its place to the next job now.

    In ``env.cr``'s transaction, the next due job of the same function in the slot is claimed
    and takes this job's place on the capacity (one statement); once committed it starts, and its
    ``wait_for_capacity()`` returns when this job calls ``last_call_done()`` (or ends).  The next
    job thus prepares while this one's last call travels, and the calls never outnumber the
    capacity.  False (nothing done) when no job waits, outside a worker's run, or on SQLite.
    """
    claim, hand_over = getattr(_running, "claim", None), getattr(_running, "hand_over", None)
    if claim is None or hand_over is None or env.context.get("job_uuid") != claim.row["uuid"]:
        return False
    if not hand_over(env.cr):
        return False
    _running.claim = None  # its place is given: nothing left to release
    return True


def last_call_done() -> None:
    """From a running job that handed its place over: its last call is over (and what it must not lose
    of it recorded), so the job given its place may make its first."""
    outgoing = getattr(_running, "outgoing", None)
    if outgoing is not None:
        outgoing.set()


def wait_for_capacity() -> None:
    """From a running job, before its first call: wait until the job whose place it was given has
    made its last one (at once for a job claimed as usual)."""
    gate = getattr(_running, "gate", None)
    if gate is not None:
        gate.wait()


def release_capacity(env) -> bool:
    """From a running job: stop counting against the channel's capacity, once ``env.cr`` commits.

    For a job whose channel's capacity protects a third party (at most N requests to an API): once
    it will make no more such calls, what it still does (store results, mail) need not keep the next
    job waiting.  The claim that runs the job again after a retry or a crash counts it again.  False
    (and nothing done) outside a worker's run, or if the job is no longer this worker's.
    """
    claim = getattr(_running, "claim", None)
    if claim is None or env.context.get("job_uuid") != claim.row["uuid"]:
        return False
    if not leases.release_capacity(env.cr, claim):
        return False
    if _running.on_released is not None:
        env.cr.postcommit.append(_running.on_released)
    _running.claim = None  # once per run
    return True


def _run(registry, claim: leases.Claim, timeout: float) -> str:
    cr = registry.cursor()
    job = None
    try:
        if timeout and dialect_of(cr).name == "postgresql":
            cr.execute(f"SET LOCAL statement_timeout = {int(timeout * 1000)}")
        job = Job.from_row(Environment(cr, SUPERUSER_ID, {}), claim.row)
        started, clock = utcnow(), time.perf_counter()
        result = job._perform_counted()
        exec_time = time.perf_counter() - clock
        if dialect_of(cr).name == "postgresql" and not job._reverse_depends_on_uuids:
            cr.close_with(*leases.finish_statement(cr, claim, started, exec_time, result))
        else:
            leases.finish_done(cr, claim, started, exec_time, result)
            cr.close(commit=True)
        return DONE
    except Exception as exc:
        if not cr.closed:
            cr.close(commit=False)
        return record_failure(registry, claim, job, exc)
    except BaseException:
        if not cr.closed:
            cr.close(commit=False)
        raise


def record_failure(registry, claim: leases.Claim, job: Job | None, exc: Exception) -> str:
    """Record in a new transaction what became of a job whose run raised ``exc``."""
    if leases.is_lease_lost(exc):
        exc = LeaseLost(f"job {claim.row['uuid']} was taken back from worker {claim.worker_id} while it ran")
    if isinstance(exc, LeaseLost):
        _logger.warning("%s", exc)
        return LOST
    with registry.cursor() as cr:
        if is_conflict(exc):
            return _retry_conflict(cr, claim, exc)
        if isinstance(exc, RetryableJobError) and job is not None:
            return _postpone(cr, claim, job, exc)
        return _fail(cr, claim, exc)


def _retry_conflict(cr, claim: leases.Claim, exc: Exception) -> str:
    eta = utcnow() + dt.timedelta(seconds=random.uniform(*CONFLICT_RETRY))
    message = f"database conflict, retried without counting the try: {str(exc).strip()[:200]}"
    held = leases.postpone(cr, claim, eta, claim.retry - 1, message, kind="conflict_retry")
    return PENDING if held else LOST


def _postpone(cr, claim: leases.Claim, job: Job, exc: RetryableJobError) -> str:
    job.postpone(result=str(exc), seconds=exc.seconds)
    held = leases.postpone(cr, claim, job.eta, job.retry, str(exc) or type(exc).__name__)
    return PENDING if held else LOST


def _fail(cr, claim: leases.Claim, exc: Exception) -> str:
    if not isinstance(exc, FailedJobError):
        _logger.info("job %s failed: %s: %s", claim.row["uuid"], type(exc).__name__, exc)
    info = "".join(traceback.format_exception(exc))
    held = leases.fail(cr, claim, type(exc).__name__, str(exc) or type(exc).__name__, info)
    return FAILED if held else LOST


def is_conflict(exc: BaseException) -> bool:
    """A database serialization failure or deadlock (PostgreSQL), a busy database (SQLite)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        code = getattr(getattr(exc, "orig", None), "pgcode", None) or getattr(exc, "pgcode", None)
        if code in PG_CONFLICT_CODES:
            return True
        if isinstance(exc, peewee.OperationalError) and "database is locked" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False
