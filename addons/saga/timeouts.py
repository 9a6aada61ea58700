"""Waits end by their deadline: a sweep job per saga type times out every wait whose deadline passed.

A step that waits for its message writes its deadline on the instance (``wait_deadline``) with the
transition to ``waiting``.  Most replies come long before it, so there is no job per wait (it would
run, for nothing, once per saga): a sweep of the saga type, due by the deadline, is enough.  A
process that enqueued (and committed) a sweep due at ``T`` knows that every wait with a deadline
after ``T`` is covered by it: it enqueues nothing more until shortly before ``T`` (``ensure_sweep``).
Not until ``T`` itself: a sweep that starts before the wait's transaction commits does not see the wait
and, seeing nothing else waiting, ends the chain; within ``GRACE`` of ``T`` a wait enqueues its own.

A sweep (``sweep``) times out the waits of its type whose deadline passed, each under the
instance's lock and in a savepoint of its own, so a reply that locks the instance first wins and
the sweep finds it no longer waiting.  Then, if waits are left, it makes sure a sweep is due by the
earliest deadline among them, enqueuing one unless a pending sweep already is: the chain goes on
while something waits, and stops when nothing does.

The wait's own job of earlier versions (``_saga_wait_timeout``) still works for the jobs enqueued
before: a database updated while sagas waited loses none of their timeouts.
"""
from __future__ import annotations

import datetime as dt

from odoo.addons.queue_job.store import dialect_of

from . import engine

MEMO = "saga.sweeps"  # {saga type: the deadline by which a committed sweep of it is due}
#: Waits timed out by one sweep job (one transaction); more due ones go to the next sweep, at once.
BATCH = 100
#: How long before its time a remembered sweep stops covering new waits: longer than a wait's transaction
#: takes from ``ensure_sweep`` to its commit (milliseconds), shorter than the shortest wait (a second).
GRACE = dt.timedelta(seconds=0.2)


def deadline_after(seconds: float) -> dt.datetime:
    """The deadline of a wait of ``seconds`` from now, on the next whole second (what a Datetime field keeps)."""
    deadline = engine.now() + dt.timedelta(seconds=seconds)
    return deadline.replace(microsecond=0) + (dt.timedelta(seconds=1) if deadline.microsecond else dt.timedelta())


def label(saga_type: str) -> str:
    return f"saga {saga_type}: end the waits past their deadline"


def ensure_sweep(instance, deadline: dt.datetime) -> None:
    """Make sure a sweep of ``instance``'s saga type is due by ``deadline`` (the wait just written)."""
    saga_type = instance.saga_type  # read now: the callback below runs once the transaction has ended
    memo = instance.env.registry.cache(MEMO)
    due = memo.get(saga_type)
    if due is not None and engine.now() + GRACE < due <= deadline:
        return  # that sweep starts after this commits, and will find this wait due or see it to a later sweep
    _enqueue(instance.env, saga_type, deadline)
    instance.env.cr.postcommit.append(lambda: _remember(memo, saga_type, deadline))


def _remember(memo: dict, saga_type: str, deadline: dt.datetime) -> None:
    known = memo.get(saga_type)
    if known is None or known <= engine.now() + GRACE or deadline < known:
        memo[saga_type] = deadline


def _enqueue(env, saga_type: str, deadline: dt.datetime) -> None:
    delay = max((deadline - engine.now()).total_seconds(), 0.0)
    env["saga.instance"].sudo().with_delay(
        channel=engine.CHANNEL, eta=delay or None, max_retries=0, priority=engine.FOLLOW_UP_PRIORITY,
        description=label(saga_type))._saga_sweep_waits(saga_type)


def wait_timeout(instance, version: int) -> str:
    """The timeout job of a wait (earlier versions enqueued one per wait): compensate if the instance still
    waits as it did when enqueued."""
    instance, _claims = engine.lock(instance)
    if not engine.current(instance, version, ("waiting",)):
        return engine.STALE
    return _time_out(instance)


def expire_wait(instance) -> str:
    """A sweep found ``instance``'s wait past its deadline: compensate if it still waits so."""
    instance, _claims = engine.lock(instance)
    if instance.status != "waiting" or not instance.wait_deadline or instance.wait_deadline > engine.now():
        return engine.STALE
    return _time_out(instance)


def _time_out(instance) -> str:
    definition = engine.definition_for(instance.env, instance.saga_type)
    step = definition.get_step(instance.current_step)
    reason = f"no {step.wait_for} within {step.wait_seconds(instance.env):g} s"
    engine.begin_compensation(instance, definition, f"{step.name}: {reason}", executions=(
        engine.execution(instance, engine.waiting_try(instance, step), "timed_out", reason),))
    return "timed_out"


def sweep(env, saga_type: str) -> str:
    """Time out the waits of ``saga_type`` past their deadline (at most ``BATCH``); see to the next sweep."""
    now = engine.now()
    due = env["saga.instance"].sudo().search([
        ("saga_type", "=", saga_type), ("status", "=", "waiting"), ("wait_deadline", "<=", now)],
        order="wait_deadline, id", limit=BATCH)
    ended = 0
    for instance in due:
        with env.cr.savepoint():
            ended += expire_wait(instance) == "timed_out"
    _see_to_next(env, saga_type, now if len(due) == BATCH else None)
    return f"{ended} timed out"


def _see_to_next(env, saga_type: str, at: dt.datetime | None) -> None:
    """A sweep due by the earliest deadline still waiting (``at``: now, more are due), unless one is."""
    if at is None:
        earliest = env["saga.instance"].sudo().search([("saga_type", "=", saga_type), ("status", "=", "waiting")],
                                                      order="wait_deadline, id", limit=1)
        if not earliest:
            return
        at = earliest.wait_deadline or engine.now()
    # a job's eta is the enqueuing moment plus a delay: a sweep due within a second of ``at`` will do
    pending = env.cr.execute("SELECT 1 FROM queue_job WHERE state = 'pending' AND name = %s "
                             "AND (eta IS NULL OR eta <= %s) LIMIT 1",
                             (label(saga_type), dialect_of(env.cr).ts(at + dt.timedelta(seconds=1)))).fetchone()
    if pending is None:
        _enqueue(env, saga_type, at)
