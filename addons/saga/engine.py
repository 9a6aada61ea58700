"""The saga engine: every transition of an instance, each inside one database transaction.

A transition locks the instance's row (``FOR UPDATE`` on PostgreSQL; SQLite's write transactions
are serialized already), checks that the job or message it was asked about is still current, and
then writes the instance, the execution row (``saga.step``) and the next job together, so a crash
between two transitions loses nothing and runs nothing twice.

An action's outgoing call (``ctx.call``, module ``calls``) is made between two transactions: what
the try wrote so far commits, and the instance is locked and its version checked again after it.

**The version is the optimistic lock.**  Every transition writes the instance with ``version + 1``
and enqueues, in the same transaction, the job of what comes next tagged with that version (run
step S try N).  A job that finds another version does nothing: a reply, a timeout or an operator
moved the saga on since it was enqueued.  A wait has no job: its deadline is on the instance, and
a sweep of the saga type ends it then (``timeouts``).  So nothing has to find and cancel
pending jobs, and a step's job costs one read of the instance to know whether it is still wanted.

**An execution row is written once, with its outcome** (succeeded, failed, rejected, timed out,
lost, cancelled).  What is scheduled and not run yet, or waits for its message, is on the instance
(``current_step``, ``phase``, ``current_attempt``, ``scheduled_at``, ``step_started_at``), and the
timeline shows it as its last line; a waiting step's row is written when the reply, the timeout
or an operator ends the wait, its duration running from its action's start.

Order of events:
* start: the instance and the first step's job;
* a step's action succeeds: the next step's job, or ``waiting`` until a deadline when the step
  waits for a message (a sweep is due by then), or (after the completion handler) ``completed`` after the last step;
* it raises ``SagaFailure`` (or its reply handler does, or the wait times out): compensation;
* it raises anything else: retried with backoff, then an incident (or compensation);
* compensation runs the compensations of the steps whose action succeeded, in reverse order, one at
  a time, each retried until it succeeds (an incident after ``compensation_retry.max_attempts``),
  then the definition's ``on_failure`` handler, then ``compensated``.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
import traceback

from . import calls, inbox, signals, store, timeouts
from .context import StepContext
from .definition import SagaDefinition, Step, definition_of
from .exceptions import SagaDefinitionError, SagaFailure

_logger = logging.getLogger(__name__)

CHANNEL = "root.saga"
#: Job priorities (lower runs first): a started saga's next step goes before the first step of a saga
#: not started yet, so that sagas finish in the order they began, each holding its reservations (and
#: its customer waiting) as briefly as the workers allow, instead of every saga doing step 1, then
#: every saga step 2...
START_PRIORITY, FOLLOW_UP_PRIORITY = 10, 5
FORWARD, COMPENSATE = "forward", "compensate"
STALE = "stale"
LOST_ERROR = "the worker running this try was lost (its job's lease expired)"
#: What an operator's action clears on the instance.
CLEARED = {"last_error": False, "incident_kind": False, "incident_message_id": False}
#: What an incident stopped at, so that ``retry`` knows what to run again.
INCIDENT_KINDS = [
    ("step", "A step or compensation used up its tries"),
    ("handler", "The saga's completion or failure handler failed"),
    ("reply", "The handler of a reply failed"),
    ("late", "A late reply after compensation: money to settle"),
]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def definition_for(env, saga_type: str) -> SagaDefinition:
    """The definition of ``saga_type``, if the addon that registered it is installed in ``env``'s database."""
    definition = definition_of(saga_type)
    if definition.addon and not env.registry.is_installed(definition.addon):
        raise SagaDefinitionError(f"saga type {saga_type!r} belongs to addon {definition.addon}, "
                                  "which is not installed in this database")
    return definition


@dataclasses.dataclass(frozen=True)
class FollowUp:
    """The job a transition enqueues with it: ``instance.<method>(*args, version)`` after ``delay_s``.

    ``values`` are written on the instance by the same transition (what is scheduled).
    """

    method: str
    args: tuple
    label: str
    delay_s: float = 0.0
    values: dict = dataclasses.field(default_factory=dict)


def run_step(step: str, phase: str = FORWARD, attempt: int = 1, delay_s: float = 0.0) -> FollowUp:
    """The job of try ``attempt`` of ``step`` in ``phase``."""
    return FollowUp("_saga_run", (step, phase, attempt), f"{phase} {step}", delay_s, {
        "current_step": step, "phase": phase, "current_attempt": attempt,
        "scheduled_at": now() + dt.timedelta(seconds=delay_s)})


def resume() -> FollowUp:
    """The job that runs the saga's completion or failure handler again (after its incident)."""
    return FollowUp("_saga_resume", (), "handler", 0.0, {"current_step": False})


@dataclasses.dataclass(frozen=True)
class Try:
    """One execution being run: not in the database until its outcome is recorded (``record``)."""

    step: Step
    phase: str
    attempt: int
    started_at: dt.datetime
    scheduled_at: dt.datetime | None = None
    job_uuid: str | None = None


def notify(signal, instance, **kwargs) -> None:
    """Send ``signal`` for ``instance``; a receiver that raises is logged and its writes undone, the saga goes on.

    The savepoint is only taken when someone listens (a transition is a hot path).
    """
    if not signal.receivers:
        return
    try:
        with instance.env.cr.savepoint():
            signal.send(instance, **kwargs)
    except Exception:
        _logger.exception("saga %s %s: a receiver of %s failed (ignored)", instance.saga_type,
                          instance.business_key, signal.name)


# -- starting, transitions, locking ---------------------------------------------------------------------
def start(env, saga_type: str, business_key: str, data: dict):
    """Create the instance of ``saga_type`` for ``business_key`` and enqueue its first step."""
    definition = definition_for(env, saga_type)
    first = run_step(definition.steps[0].name)
    instance = env["saga.instance"].sudo().create({
        "saga_type": saga_type, "business_key": business_key, "data": dict(data), "done_steps": [],
        "version": 1, "company_id": env.company.id, **first.values,
    })
    _enqueue(instance, first, 1, f"saga {saga_type} {business_key}", env.company.id, START_PRIORITY)
    notify(signals.saga_started, instance)
    return instance


def transition(instance, follow_up: FollowUp | None = None, executions: tuple = (), enqueued: bool = False,
               **values) -> int:
    """Write ``values``, the next version and the rows of the ``executions`` that ended, together
    (``store``); enqueue ``follow_up`` for that version (unless ``enqueued`` already); then send the
    executions' signals."""
    version = instance.version + 1
    label, company = _label(instance), instance.company_id.id
    store.write_transition(instance, {**values, **(follow_up.values if follow_up else {}), "version": version},
                           [ended.row for ended in executions])
    if follow_up and not enqueued:
        _enqueue(instance, follow_up, version, label, company)
    for ended in executions:
        if ended.signal is not None:
            notify(ended.signal, instance, **ended.signal_kwargs)
    return version


def _label(instance) -> str:
    return f"saga {instance.saga_type} {instance.business_key}"


def _enqueue(instance, follow_up: FollowUp, version: int, label: str, company_id: int | None,
             priority: int = FOLLOW_UP_PRIORITY):
    # company_id in the context spares queue_job reading the user's companies for every job
    delayed = instance.with_context(company_id=company_id).with_delay(
        channel=CHANNEL, eta=follow_up.delay_s or None, max_retries=0, priority=priority,
        description=f"{label}: {follow_up.label}")
    return getattr(delayed, follow_up.method)(*follow_up.args, version)


def lock(instance, job_uuid: str | None = None) -> tuple:
    """Lock ``instance``'s row for this transaction and read it; return it and the job's try count.

    One statement takes the lock, reads the row and how many times the running job was claimed
    (``retry``), which tells whether earlier tries were lost with their worker.
    """
    instance = instance.sudo()
    claims = store.lock_and_read(instance, job_uuid)
    return instance, claims or 1


def current(instance, version: int, statuses: tuple[str, ...]) -> bool:
    """Whether a job enqueued for ``version`` is still wanted (same version, an expected status)."""
    return instance.version == version and instance.status in statuses


# -- running an execution --------------------------------------------------------------------------------
def execute(instance, step_name: str, phase: str, attempt: int, version: int) -> str:
    """The job of one try: run the step's action (or compensation) and move the saga on."""
    job_uuid = instance.env.context.get("job_uuid")
    instance, claims = lock(instance, job_uuid)
    if not current(instance, version, ("running", "compensating")):
        return STALE
    definition = definition_for(instance.env, instance.saga_type)
    step = definition.get_step(step_name)
    policy = step.retry if phase == FORWARD else definition.compensation_retry
    try_ = Try(step, phase, attempt, now(), instance.scheduled_at, job_uuid)
    try_ = _record_lost_tries(instance, try_, claims - 1)
    if try_.attempt > policy.max_attempts:
        return _exhausted(instance, definition, try_, policy, "the worker running it was lost on every try")
    return _run(instance, definition, try_, policy)


def _record_lost_tries(instance, try_: Try, lost: int) -> Try:
    """The try to make now, after recording the ``lost`` tries of this job whose worker died.

    A try that killed its worker rolled back, so it left no row: each gets a ``lost`` row, and the
    try made now takes the next attempt number, so the timeline and the attempt count show them.
    """
    if not lost:
        return try_
    # a try that made an outgoing call committed the rows of the tries lost before it: not twice
    recorded = {row["attempt"] for row in instance.env["saga.step"].sudo().search_read(
        [("instance_id", "=", instance.id), ("job_uuid", "=", try_.job_uuid), ("status", "=", "lost")], ["attempt"])}
    rows = [execution(instance, dataclasses.replace(try_, attempt=number), "lost", LOST_ERROR).row
            for number in range(try_.attempt, try_.attempt + lost) if number not in recorded]
    if rows:
        store.insert_executions(instance.env, rows)
    return dataclasses.replace(try_, attempt=try_.attempt + lost)


def _run(instance, definition: SagaDefinition, try_: Try, policy) -> str:
    """Run the try's function, then the transition its outcome calls for (``calls``: its outgoing calls)."""
    step = try_.step
    func = step.action if try_.phase == FORWARD else step.compensation
    planned = _planned_follow_up(definition, try_)
    enqueued: list = []
    scope = calls.TryScope(instance, instance.version, ("running", "compensating"),
                           before_first_call=lambda: calls.take_back(instance, enqueued))
    ctx = context(instance, step.name, try_.phase, try_.attempt, timeout_s=step.timeout_s)
    ctx.scope = scope
    error, started = None, time.monotonic()
    try:
        scope.begin()
        if planned:
            enqueued.append(_enqueue(instance, planned, instance.version + 1, _label(instance), instance.company_id.id))
        func(ctx)
        if step.timeout_s and time.monotonic() - started > step.timeout_s:
            raise TimeoutError(f"the try took {time.monotonic() - started:.1f} s, more than its "
                               f"timeout_s of {step.timeout_s} s: its effects were discarded")
    except Exception as exc:
        scope.undo()
        error = exc
    if scope.superseded:  # checked first: an action may have caught ``Superseded``
        return calls.record_superseded(instance, try_, scope.superseded, error)
    return _outcome(instance, definition, try_, policy, error, ctx.data, None if scope.calls else planned)


def _outcome(instance, definition: SagaDefinition, try_: Try, policy, error: Exception | None, data: dict,
             planned: FollowUp | None) -> str:
    if isinstance(error, SagaFailure):
        if try_.phase == COMPENSATE:
            return _failed(instance, definition, try_, policy, RuntimeError(
                f"a compensation cannot refuse (SagaFailure: {error.reason})"))
        begin_compensation(instance, definition, f"{try_.step.name}: {error.reason}",
                           executions=(execution(instance, try_, "rejected", error.reason),))
        return "rejected"
    if error is not None:
        return _failed(instance, definition, try_, policy, error)
    return _succeeded(instance, definition, try_, data, planned)


def _planned_follow_up(definition: SagaDefinition, try_: Try) -> FollowUp | None:
    """The next step's job when ``try_`` is a forward step that goes straight on to it, else None.

    It is enqueued *before* the action, in the action's savepoint (a try that fails takes it back
    with its own writes): what is left after the action, while the row locks it took are held (a
    ticket's stock row every order updates), is the one statement of the transition.
    """
    if try_.phase != FORWARD or try_.step.wait_for:
        return None
    following = definition.next_step(try_.step.name)
    return run_step(following.name) if following else None


def context(instance, step_name: str, phase: str, attempt: int = 0, data: dict | None = None,
            timeout_s: float = 0.0) -> StepContext:
    """What a step, reply handler or saga handler is given (``data``: the instance's, unless given)."""
    data = dict(instance.data or {}) if data is None else dict(data)
    return StepContext(env=instance.env, instance=instance, data=data, step=step_name, phase=phase,
                       attempt=attempt, timeout_s=timeout_s)


def _succeeded(instance, definition: SagaDefinition, try_: Try, data: dict, planned: FollowUp | None) -> str:
    step = try_.step
    if try_.phase == COMPENSATE:
        succeeded = execution(instance, try_, "succeeded", signal=signals.saga_step_succeeded)
        next_compensation(instance, definition, data=data, executions=(succeeded,))
        return "compensated"
    done = [*(instance.done_steps or []), step.name]
    if step.wait_for:
        waited = {"current_attempt": try_.attempt, "step_started_at": try_.started_at,
                  "step_started_ts": started_ts(try_.started_at), "done_steps": done, "data": data}
        if inbox.apply_early(instance, definition, step, try_, waited):
            return "replied"
        deadline = timeouts.deadline_after(step.wait_seconds(instance.env))
        transition(instance, status="waiting", waiting_for=step.wait_for, wait_deadline=deadline, **waited)
        timeouts.ensure_sweep(instance, deadline)
        return "waiting"
    succeeded = execution(instance, try_, "succeeded", signal=signals.saga_step_succeeded)
    advance(instance, definition, step, planned, done_steps=done, data=data, executions=(succeeded,))
    return "succeeded"


def _failed(instance, definition: SagaDefinition, try_: Try, policy, exc: Exception) -> str:
    error = error_text(exc)
    failed = (execution(instance, try_, "failed", error, signals.saga_step_failed, {"error": error}),)
    if try_.attempt < policy.max_attempts:
        transition(instance, run_step(try_.step.name, try_.phase, try_.attempt + 1, policy.delay_after(try_.attempt)),
                   executions=failed)
        return "retrying"
    return _exhausted(instance, definition, try_, policy, error, failed)


def _exhausted(instance, definition: SagaDefinition, try_: Try, policy, error: str, executions: tuple = ()) -> str:
    step, tries = try_.step, min(try_.attempt, policy.max_attempts)
    if try_.phase == FORWARD and step.on_exhausted == "compensate":
        begin_compensation(instance, definition, f"{step.name} failed {tries} times: {error}", executions=executions)
        return "compensating"
    raise_incident(instance, f"{try_.phase} {step.name} failed {tries} times: {error}", "step",
                   executions=executions)
    return "incident"


@dataclasses.dataclass(frozen=True)
class Ended:
    """An execution that ended: its row, written by the transition that follows it, then its signal sent."""

    row: dict
    signal: object = None
    signal_kwargs: dict = dataclasses.field(default_factory=dict)


def execution(instance, try_: Try, status: str, error: str | None = None, signal=None,
              signal_kwargs: dict | None = None) -> Ended:
    """``try_`` ended with ``status``: its row, and the signal that says so (sent with ``step``, ``phase``
    and ``signal_kwargs``)."""
    ended = now()
    row = {
        "instance_id": instance.id, "saga_type": instance.saga_type, "step": try_.step.name,
        "phase": try_.phase, "attempt": try_.attempt, "status": status, "job_uuid": try_.job_uuid,
        "scheduled_at": try_.scheduled_at or try_.started_at, "started_at": try_.started_at, "ended_at": ended,
        "duration": max((ended - try_.started_at).total_seconds(), 0.0), "error": error,
    }
    return Ended(row, signal, {"step": try_.step.name, "phase": try_.phase, **(signal_kwargs or {})} if signal else {})


def started_ts(started: dt.datetime) -> float:
    """``started`` (naive UTC) as seconds since the epoch: the wait's start to the microsecond, which
    ``step_started_at`` (a Datetime: whole seconds) does not keep, so that its duration is not up to 1 s long."""
    return started.replace(tzinfo=dt.UTC).timestamp()


def waiting_try(instance, step: Step) -> Try:
    """The try of ``step`` whose action succeeded and which waits for its message (ended by ``record``)."""
    started = (dt.datetime.fromtimestamp(instance.step_started_ts, dt.UTC).replace(tzinfo=None)
               if instance.step_started_ts else instance.step_started_at or now())
    return Try(step, FORWARD, instance.current_attempt or 1, started, instance.scheduled_at or started)


def error_text(exc: Exception) -> str:
    lines = traceback.format_exception_only(type(exc), exc)
    return "".join(lines).strip()[:2000]


# -- moving on ------------------------------------------------------------------------------------------
def advance(instance, definition: SagaDefinition, step: Step, planned: FollowUp | None = None, **values) -> None:
    """After ``step`` succeeded: enqueue the next step (``planned``: enqueued already), or complete the saga
    (``values`` written too)."""
    following = definition.next_step(step.name)
    if following is None:
        complete(instance, definition, **values)
        return
    transition(instance, planned or run_step(following.name), status="running", waiting_for=False,
               enqueued=planned is not None, **values)


def complete(instance, definition: SagaDefinition, **values) -> None:
    """The last step succeeded: run the completion handler, then ``completed`` (an incident if it fails)."""
    last = definition.steps[-1].name
    before = values.pop("data", None)
    ok, data = _run_handler(instance, definition.completion_handler, last, FORWARD, before)
    if not ok:
        kept = {} if before is None else {"data": before}
        raise_incident(instance, data, "handler", status="running", phase=FORWARD, waiting_for=False, **kept,
                       **values)
        return
    transition(instance, status="completed", waiting_for=False, current_step=False,
               ended_at=now(), data=data, **values)
    notify(signals.saga_completed, instance)
    inbox.settle_kept(instance, definition)


def begin_compensation(instance, definition: SagaDefinition, reason: str, executions: tuple = (), **values) -> None:
    """Start undoing what was done (a wait was ended by the caller): compensations follow (``values``
    written with the transition)."""
    next_compensation(instance, definition, **{
        **values, "status": "compensating", "phase": COMPENSATE, "failure_reason": reason, "waiting_for": False,
        "incident_kind": False, "incident_message_id": False, "executions": executions})


def next_compensation(instance, definition: SagaDefinition, **values) -> None:
    """Enqueue the next compensation (reverse order of the steps done), or end the compensation."""
    pending = _pending_compensations(instance, definition, values.get("executions", ()))
    if pending:
        transition(instance, run_step(pending[0], COMPENSATE), **values)
        return
    reason = values.get("failure_reason") or instance.failure_reason
    before = values.pop("data", None)
    ok, data = _run_handler(instance, definition.failure_handler, definition.steps[0].name, COMPENSATE, before,
                            reason)
    if not ok:
        kept = {} if before is None else {"data": before}
        raise_incident(instance, data, "handler", **{**values, **kept, "status": "compensating", "phase": COMPENSATE})
        return
    transition(instance, **{**values, "status": "compensated", "current_step": False, "ended_at": now(), "data": data})
    notify(signals.saga_compensated, instance, reason=reason)
    inbox.settle_kept(instance, definition)


def _pending_compensations(instance, definition: SagaDefinition, executions: tuple = ()) -> list[str]:
    """The compensations still to run, latest step first (``executions``: rows not written yet)."""
    done = [name for name in reversed(instance.done_steps or []) if definition.get_step(name).compensation]
    if not done:
        return []
    compensated = {row["step"] for row in instance.env["saga.step"].sudo().search_read(
        [("instance_id", "=", instance.id), ("phase", "=", COMPENSATE), ("status", "=", "succeeded")], ["step"])}
    compensated |= {ended.row["step"] for ended in executions
                    if ended.row["phase"] == COMPENSATE and ended.row["status"] == "succeeded"}
    return [name for name in done if name not in compensated]


def _run_handler(instance, handler, step_name: str, phase: str, data: dict | None, *args) -> tuple[bool, dict | str]:
    """Run a completion or failure handler in a savepoint: ``(True, data)``, or ``(False, error)``."""
    ctx = context(instance, step_name, phase, data=data)
    if handler is None:
        return True, ctx.data
    try:
        with instance.env.cr.savepoint():
            handler(ctx, *args)
    except Exception as exc:
        return False, f"the saga's {handler.__name__} handler failed: {error_text(exc)}"
    return True, ctx.data


def raise_incident(instance, error: str, kind: str, **values) -> None:
    """Stop the instance for an operator: it shows in ``saga list --status incident`` with ``error``.

    ``kind`` (``INCIDENT_KINDS``) says what ``retry`` runs again; ``values`` are written with it.
    """
    before = values.pop("status", None) or instance.status
    transition(instance, **{**values, "status": "incident", "last_error": error, "incident_kind": kind,
                            "status_before_incident": before})
    _logger.warning("saga %s %s: incident: %s", instance.saga_type, instance.business_key, error)
    notify(signals.saga_incident, instance, error=error, kind=kind)


# -- resuming ----------------------------------------------------------------------------------------
def resume_handler(instance, version: int) -> str:
    """The job that runs the failed completion (forward) or failure (compensate) handler again."""
    instance, _claims = lock(instance)
    if not current(instance, version, ("running", "compensating")):
        return STALE
    definition = definition_for(instance.env, instance.saga_type)
    if instance.phase == COMPENSATE:
        next_compensation(instance, definition)
    else:
        complete(instance, definition)
    return "resumed"
