"""The saga engine: every transition of an instance, each inside one database transaction.

A transition locks the instance's row (``FOR UPDATE`` on PostgreSQL; SQLite's write transactions
are serialized already), checks that the execution it was asked about is still the current one,
and then writes the instance, the execution row (``saga.step``) and the next job together, so a
crash between two transitions loses nothing and runs nothing twice.  Steps run as ``queue_job``
jobs (``saga.instance._saga_execute``); a job that finds its execution no longer scheduled (an
operator cancelled it, a reply or a timeout won the race) does nothing.

Order of events:
* start: the instance and the first step's job;
* a step's action succeeds: the next step's job, or ``waiting`` plus a timeout job when the step
  waits for a message, or ``completed`` after the last step;
* it raises ``SagaFailure`` (or its reply handler does, or the wait times out): compensation;
* it raises anything else: retried with backoff, then an incident (or compensation);
* compensation runs the compensations of the steps whose action succeeded, in reverse order, one at
  a time, each retried until it succeeds (an incident after ``compensation_retry.max_attempts``),
  then the definition's ``on_failure`` handler, then ``compensated``.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
import traceback

from . import signals
from .context import StepContext
from .definition import SagaDefinition, Step, definition_of
from .exceptions import SagaDefinitionError, SagaFailure

_logger = logging.getLogger(__name__)

CHANNEL = "root.saga"
FORWARD, COMPENSATE = "forward", "compensate"
STALE = "stale"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def definition_for(env, saga_type: str) -> SagaDefinition:
    """The definition of ``saga_type``, if the addon that registered it is installed in ``env``'s database."""
    definition = definition_of(saga_type)
    if definition.addon and not env.registry.is_installed(definition.addon):
        raise SagaDefinitionError(f"saga type {saga_type!r} belongs to addon {definition.addon}, "
                                  "which is not installed in this database")
    return definition


# -- starting and scheduling ----------------------------------------------------------------------------
def start(env, saga_type: str, business_key: str, data: dict):
    """Create the instance of ``saga_type`` for ``business_key`` and schedule its first step."""
    definition = definition_for(env, saga_type)
    first = definition.steps[0]
    instance = env["saga.instance"].sudo().create({
        "saga_type": saga_type, "business_key": business_key, "data": dict(data),
        "current_step": first.name, "done_steps": [],
    })
    schedule(instance, first.name, FORWARD, attempt=1)
    signals.saga_started.send(instance)
    return instance


def schedule(instance, step_name: str, phase: str, attempt: int, delay_s: float = 0.0):
    """Record a ``scheduled`` execution of ``step_name`` and the job that will run it."""
    eta = now() + dt.timedelta(seconds=delay_s) if delay_s else None
    execution = instance.env["saga.step"].sudo().create({
        "instance_id": instance.id, "saga_type": instance.saga_type, "step": step_name, "phase": phase,
        "attempt": attempt, "status": "scheduled", "scheduled_at": eta or now(),
    })
    instance.with_delay(channel=CHANNEL, eta=eta, max_retries=0,
                        description=f"saga {instance.saga_type} {instance.business_key}: {phase} {step_name}"
                        )._saga_execute(execution.id)
    return execution


def _schedule_wait_timeout(instance, execution, step: Step) -> None:
    instance.with_delay(channel=CHANNEL, eta=step.wait_seconds(instance.env) or None, max_retries=0,
                        description=f"saga {instance.saga_type} {instance.business_key}: timeout of {step.name}"
                        )._saga_wait_timeout(execution.id)


def lock(instance):
    """Lock ``instance``'s row for this transaction and read it afresh."""
    cr = instance.env.cr
    if cr.database.dialect == "postgresql":
        cr.execute("SELECT id FROM saga_instance WHERE id = %s FOR UPDATE", (instance.id,))
    instance.invalidate_recordset()
    return instance.sudo()


def _transition(instance, **values) -> None:
    instance.write({**values, "version": instance.version + 1})


# -- running an execution --------------------------------------------------------------------------------
def execute(instance, execution_id: int) -> str:
    """The job of one execution: run the step's action (or compensation) and move the saga on."""
    instance = lock(instance)
    execution = instance.env["saga.step"].sudo().browse(execution_id).exists()
    if not execution or execution.status != "scheduled" or instance.status not in ("running", "compensating"):
        return STALE
    definition = definition_for(instance.env, instance.saga_type)
    step = definition.get_step(execution.step)
    policy = step.retry if execution.phase == FORWARD else definition.compensation_retry
    execution = _account_for_lost_tries(execution)
    if execution.attempt > policy.max_attempts:
        return _exhausted(instance, definition, step, execution, "the worker running it was lost on every try")
    # started_at is written with the outcome: a "running" mark would only be seen by this transaction
    return _run(instance, definition, step, execution.with_context(saga_started_at=now()), policy)


def _account_for_lost_tries(execution):
    """The execution to run now: ``execution``, or a new one after the tries of its job whose worker died.

    A try that killed its worker rolled back, so the job runs again for the same execution row; that
    row is kept as the ``lost`` try (one ``lost`` row per such try, in order) and the try made now
    gets a row of its own with the next attempt number, so the timeline and the attempt count show it.
    """
    job_uuid = execution.env.context.get("job_uuid")
    job = execution.env["queue.job"].sudo().search([("uuid", "=", job_uuid)], limit=1) if job_uuid else None
    lost = max((job.retry or 1) - 1, 0) if job else 0
    if not lost:
        return execution
    lost_error = "the worker running this try was lost (its job's lease expired)"
    for number in range(execution.attempt + 1, execution.attempt + lost):
        execution.copy({"attempt": number, "status": "lost", "ended_at": now(), "error": lost_error,
                        "job_uuid": job_uuid})
    current = execution.copy({"attempt": execution.attempt + lost, "status": "scheduled"})
    execution.write({"status": "lost", "ended_at": now(), "error": lost_error, "job_uuid": job_uuid})
    return current


def _run(instance, definition: SagaDefinition, step: Step, execution, policy) -> str:
    func = step.action if execution.phase == FORWARD else step.compensation
    ctx = _context(instance, step, execution)
    started = time.monotonic()
    try:
        with instance.env.cr.savepoint():
            func(ctx)
            if step.timeout_s and time.monotonic() - started > step.timeout_s:
                raise TimeoutError(f"the try took {time.monotonic() - started:.1f} s, more than its "
                                   f"timeout_s of {step.timeout_s} s: its effects were discarded")
    except SagaFailure as failure:
        if execution.phase == COMPENSATE:
            return _failed(instance, definition, step, execution, policy, RuntimeError(
                f"a compensation cannot refuse (SagaFailure: {failure.reason})"))
        _end(execution, "rejected", failure.reason)
        begin_compensation(instance, f"{step.name}: {failure.reason}")
        return "rejected"
    except Exception as exc:
        return _failed(instance, definition, step, execution, policy, exc)
    return _succeeded(instance, definition, step, execution, ctx.data)


def _context(instance, step: Step, execution=None) -> StepContext:
    """The context of ``execution`` (None for the saga's completion and failure handlers)."""
    return StepContext(env=instance.env, instance=instance, data=dict(instance.data or {}), step=step.name,
                       phase=execution.phase if execution else instance.phase,
                       attempt=execution.attempt if execution else 0, timeout_s=step.timeout_s)


def _run_handler(instance, step: Step, handler, *args) -> bool:
    """Run the definition's completion or failure handler; a failure of it is an incident (False)."""
    ctx = _context(instance, step)
    try:
        with instance.env.cr.savepoint():
            handler(ctx, *args)
    except Exception as exc:
        raise_incident(instance, f"the saga's {handler.__name__} handler failed: {_error_text(exc)}")
        return False
    instance.data = ctx.data
    return True


def _succeeded(instance, definition: SagaDefinition, step: Step, execution, data: dict) -> str:
    if execution.phase == COMPENSATE:
        _end(execution, "succeeded")
        signals.saga_step_succeeded.send(instance, step=step.name, phase=COMPENSATE)
        next_compensation(instance, definition, data=data)
        return "compensated"
    done = [*(instance.done_steps or []), step.name]
    if step.wait_for:
        execution.write({"status": "waiting", "started_at": _started_at(execution),
                         "job_uuid": execution.env.context.get("job_uuid")})
        _transition(instance, status="waiting", waiting_for=step.wait_for, done_steps=done, data=data)
        _schedule_wait_timeout(instance, execution, step)
        return "waiting"
    _end(execution, "succeeded")
    signals.saga_step_succeeded.send(instance, step=step.name, phase=FORWARD)
    advance(instance, definition, step, done_steps=done, data=data)
    return "succeeded"


def _failed(instance, definition: SagaDefinition, step: Step, execution, policy, exc: Exception) -> str:
    error = _error_text(exc)
    _end(execution, "failed", error)
    signals.saga_step_failed.send(instance, step=step.name, phase=execution.phase, error=error)
    if execution.attempt < policy.max_attempts:
        schedule(instance, step.name, execution.phase, execution.attempt + 1,
                 delay_s=policy.delay_after(execution.attempt))
        return "retrying"
    return _exhausted(instance, definition, step, execution, error)


def _exhausted(instance, definition: SagaDefinition, step: Step, execution, error: str) -> str:
    if execution.status in ("scheduled", "running"):
        _end(execution, "failed", error)
    if execution.phase == FORWARD and step.on_exhausted == "compensate":
        begin_compensation(instance, f"{step.name} failed {execution.attempt} times: {error}")
        return "compensating"
    raise_incident(instance, f"{execution.phase} {step.name} failed {execution.attempt} times: {error}")
    return "incident"


def _started_at(execution):
    return execution.env.context.get("saga_started_at") or execution.started_at


def _end(execution, status: str, error: str | None = None) -> None:
    """Record the outcome of ``execution`` in one write: status, times, duration, error, job."""
    ended = now()
    started = _started_at(execution) or ended
    values = {"status": status, "started_at": started, "ended_at": ended, "error": error,
              "duration": max((ended - started).total_seconds(), 0.0)}
    if execution.env.context.get("job_uuid"):
        values["job_uuid"] = execution.env.context["job_uuid"]
    execution.write(values)


def _error_text(exc: Exception) -> str:
    lines = traceback.format_exception_only(type(exc), exc)
    return "".join(lines).strip()[:2000]


# -- moving on ------------------------------------------------------------------------------------------
def advance(instance, definition: SagaDefinition, step: Step, **values) -> None:
    """After ``step`` succeeded: schedule the next step, or complete the saga (``values`` written too)."""
    following = definition.next_step(step.name)
    if following is not None:
        _transition(instance, status="running", current_step=following.name, waiting_for=False, **values)
        schedule(instance, following.name, FORWARD, attempt=1)
        return
    if "data" in values:
        instance.data = values.pop("data")
    if definition.completion_handler and not _run_handler(instance, step, definition.completion_handler):
        return
    _transition(instance, status="completed", waiting_for=False, ended_at=now(), **values)
    signals.saga_completed.send(instance)


def begin_compensation(instance, reason: str) -> None:
    """Start undoing what was done: the pending executions are cancelled, compensations follow."""
    _cancel_open_executions(instance)
    _transition(instance, status="compensating", phase=COMPENSATE, failure_reason=reason, waiting_for=False)
    next_compensation(instance, definition_for(instance.env, instance.saga_type))


def next_compensation(instance, definition: SagaDefinition, **values) -> None:
    """Schedule the next compensation (reverse order of the steps done), or end the compensation."""
    pending = _pending_compensations(instance, definition)
    if pending:
        _transition(instance, current_step=pending[0], **values)
        schedule(instance, pending[0], COMPENSATE, attempt=1)
        return
    if "data" in values:
        instance.data = values.pop("data")
    handler = definition.failure_handler
    if handler and not _run_handler(instance, definition.steps[0], handler, instance.failure_reason):
        return
    _transition(instance, status="compensated", current_step=False, ended_at=now())
    signals.saga_compensated.send(instance, reason=instance.failure_reason)


def _pending_compensations(instance, definition: SagaDefinition) -> list[str]:
    done = [name for name in reversed(instance.done_steps or []) if definition.get_step(name).compensation]
    compensated = set(instance.step_ids.filtered(
        lambda e: e.phase == COMPENSATE and e.status == "succeeded").mapped("step"))
    return [name for name in done if name not in compensated]


def raise_incident(instance, error: str) -> None:
    """Stop the instance for an operator: it shows in ``saga list --status incident`` with ``error``."""
    _transition(instance, status="incident", last_error=error, status_before_incident=instance.status)
    _logger.warning("saga %s %s: incident: %s", instance.saga_type, instance.business_key, error)
    signals.saga_incident.send(instance, error=error)


def _cancel_open_executions(instance) -> None:
    for execution in instance.step_ids.filtered(lambda e: e.status in ("scheduled", "waiting")):
        _end(execution, "cancelled", "superseded: the saga moved on without it")


# -- waiting ---------------------------------------------------------------------------------------------
def wait_timeout(instance, execution_id: int) -> str:
    """The timeout job of a waiting step: compensate if the instance still waits on that execution."""
    instance = lock(instance)
    execution = instance.env["saga.step"].sudo().browse(execution_id).exists()
    if not execution or execution.status != "waiting" or instance.status != "waiting":
        return STALE
    step = definition_for(instance.env, instance.saga_type).get_step(execution.step)
    reason = f"no {step.wait_for} within {step.wait_seconds(instance.env):g} s"
    _end(execution, "timed_out", reason)
    begin_compensation(instance, f"{step.name}: {reason}")
    return "timed_out"


# -- operators -------------------------------------------------------------------------------------------
def retry(instance) -> None:
    """Run again the execution whose failure raised the incident, its tries counted afresh."""
    instance = lock(instance)
    failed = instance.step_ids.filtered(lambda e: e.status in ("failed", "lost")).sorted("id")
    if instance.last_error and instance.last_error.startswith("late "):
        _transition(instance, status=instance.status_before_incident or "compensated", last_error=False)
        return
    if not failed:
        _transition(instance, status=instance.status_before_incident or "running", last_error=False)
        return
    last = failed[-1]
    status = "running" if last.phase == FORWARD else "compensating"
    _transition(instance, status=status, current_step=last.step, last_error=False)
    schedule(instance, last.step, last.phase, attempt=1)


def compensate(instance, reason: str) -> None:
    begin_compensation(lock(instance), reason)


def cancel(instance) -> None:
    instance = lock(instance)
    _cancel_open_executions(instance)
    _transition(instance, status="failed", failure_reason="cancelled by an operator", waiting_for=False,
                ended_at=now())
