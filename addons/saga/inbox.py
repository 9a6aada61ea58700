"""The inbox: messages for waiting sagas, from the signed HTTP callback, RabbitMQ or RPC.

Every message is recorded once (its ``message_id`` is unique: a second delivery finds the first
and changes nothing), then handed to the instance it names, under the instance's lock, so a
reply and the wait's timeout cannot both win: whichever transaction locks the instance first
moves it on, and the other finds it no longer waiting.  The message row is inserted before it is
applied and given its outcome after, in the same transaction: a delivery that fails leaves nothing,
and a second delivery of the same message running at the same time waits at that insert for the
first one's transaction, then finds the row taken and answers as a duplicate, having done nothing.

A reply that arrives while its step's action still runs (the provider answered before the action's
call returned) is kept ``early``; the action's success applies it at once, instead of a wait (``apply_early``).
A reply that arrives after the instance stopped waiting is ``late``.  If it says the business
succeeded (its ``on_reply`` handler does not refuse it) while the saga was compensated, money may
have been taken for an order that was undone: that raises an incident (a refund to make), never a
silent drop.  While the compensation still runs (or stands at an incident) the success is ``held``:
stopping the compensation halfway would leave the order with no outcome, so it goes on, and the
incident is raised when it ends (``settle_kept``).
"""
from __future__ import annotations

import json

from . import engine, store
from .exceptions import SagaFailure

LATE_STATUSES = ("compensating", "compensated", "failed", "completed", "incident")
#: Where a late success is held until the saga ends (an incident raised now would stop it halfway).
HOLDING_STATUSES = ("compensating", "incident")
REPLY_FAILED = "the reply handler failed: incident"


def receive(env, message_id: str, message_type: str, business_key: str, payload: dict,
            saga_type: str | None = None, source: str = "http") -> dict:
    """Record the message and apply it; return ``{"outcome", "detail", "duplicate"}``."""
    _check(message_id, message_type, business_key, payload)
    messages = env["saga.message"].sudo()
    instance, duplicate = _instance_for(env, message_type, business_key, saga_type, message_id)
    if instance:
        existing = messages.browse(duplicate)  # looked for by the statement that locked the instance
    else:
        existing = messages.search([("message_id", "=", message_id)], limit=1)
    if existing:
        return _duplicate(existing)
    if instance:
        saga_type = instance.saga_type
    message = store.record_message(env, {
        "message_id": message_id, "message_type": message_type, "business_key": business_key,
        "saga_type": saga_type, "payload": payload, "source": source,
        "instance_id": instance.id if instance else False,
    })
    if message is None:  # a concurrent delivery of it recorded it first (and has committed): nothing applied
        return _duplicate(messages.search([("message_id", "=", message_id)], limit=1))
    if instance:
        outcome, detail = _apply(instance, message_type, payload)
    else:
        outcome, detail = "unknown", f"no saga waits for {message_type} with key {business_key!r}"
    store.write_message(env, message, {"outcome": outcome, "detail": detail})
    if detail == REPLY_FAILED:
        instance.write({"incident_message_id": message})  # what an operator's retry applies again
    return {"outcome": outcome, "detail": detail, "duplicate": False}


def _duplicate(existing) -> dict:
    return {"outcome": existing.outcome, "detail": existing.detail, "duplicate": True}


def parse(body: bytes, message_id: str | None = None) -> dict:
    """A delivered message (the callback's body, a queue's message): ``ValueError`` naming what is wrong.

    ``{"message_id", "type", "business_key", "payload"?, "saga_type"?}``; ``message_id`` may come with
    the delivery instead (an AMQP property).  ``payload`` defaults to ``{}``.
    """
    try:
        message = json.loads(body)
    except ValueError:
        raise ValueError("the body is not JSON") from None
    if not isinstance(message, dict):
        raise ValueError("the body must be a JSON object")
    if message_id is not None:
        message.setdefault("message_id", message_id)
    for name in ("message_id", "type", "business_key"):
        if not isinstance(message.get(name), str) or not message[name]:
            raise ValueError(f"field {name!r} must be a non-empty string")
    if not isinstance(message.setdefault("payload", {}), dict):
        raise ValueError("field 'payload' must be an object")
    if message.get("saga_type") is not None and not isinstance(message["saga_type"], str):
        raise ValueError("field 'saga_type' must be a string")
    return message


def _check(message_id, message_type, business_key, payload) -> None:
    from odoo.exceptions import ValidationError

    for name, value in (("message_id", message_id), ("message_type", message_type), ("business_key", business_key)):
        if not isinstance(value, str) or not value.strip() or len(value) > 256:
            raise ValidationError(f"{name} must be a non-empty string of at most 256 characters")
    if not isinstance(payload, dict):
        raise ValidationError("payload must be a JSON object")


def _instance_for(env, message_type: str, business_key: str, saga_type: str | None, message_id: str) -> tuple:
    """The instance the message is for, locked (None when there is none), and the id of the message if it
    was received already: one statement when there is an instance (the usual case)."""
    from .definition import saga_types

    types = [saga_type] if saga_type else [
        name for name in saga_types() if engine.definition_of(name).waiting_step(message_type)]
    if not types:
        return None, None
    return store.find_and_lock(env, types, business_key, message_id)


def _apply(instance, message_type: str, payload: dict) -> tuple[str, str]:
    """Hand the message to the locked instance; return its outcome and a detail."""
    definition = engine.definition_for(instance.env, instance.saga_type)
    steps = definition.waiting_step(message_type)
    if not steps:
        return "ignored", f"saga {instance.saga_type} waits for no {message_type}"
    step = steps[0]
    if instance.status == "waiting" and instance.waiting_for == message_type:
        return _reply(instance, definition, step, payload)
    if instance.status in LATE_STATUSES:
        return _late(instance, step, message_type, payload)
    if instance.status == "running" and instance.phase == engine.FORWARD and instance.current_step == step.name:
        store.write_instance(instance, {"early_reply": True})  # what the step's transition to waiting looks at
        return "early", f"{step.name} is still running: kept until it waits for {message_type}"
    return "ignored", f"the saga is {instance.status}, not waiting for {message_type}"


def _reply(instance, definition, step, payload: dict, try_=None, waited: dict | None = None,
           message_id: int | None = None) -> tuple[str, str]:
    """The reply the waiting step waits for: its ``on_reply`` decides, the wait's row is written.

    An early reply (``apply_early``) comes with the try whose action just succeeded and what its wait
    would have written (``waited``, written with the reply's transition instead)."""
    try_ = try_ or engine.waiting_try(instance, step)
    waited = waited or {}  # with the action's data: what a refusal or a failed handler keeps
    ctx = engine.context(instance, step.name, engine.FORWARD, try_.attempt)
    try:
        with instance.env.cr.savepoint():
            if step.on_reply:
                step.on_reply(ctx, payload)
    except SagaFailure as failure:
        engine.begin_compensation(instance, definition, f"{step.name}: {failure.reason}", executions=(
            engine.execution(instance, try_, "rejected", failure.reason),), **waited)
        return "processed", f"refused: {failure.reason}"
    except Exception as exc:
        error = engine.error_text(exc)
        kept = {"incident_message_id": message_id} if message_id else {}
        engine.raise_incident(instance, f"the reply handler of {step.name} failed: {error}", "reply",
                              executions=(engine.execution(instance, try_, "failed", error),), status="waiting",
                              **waited, **kept)
        return "processed", REPLY_FAILED
    succeeded = engine.execution(instance, try_, "succeeded", signal=engine.signals.saga_step_succeeded)
    engine.advance(instance, definition, step, executions=(succeeded,), **{**waited, "data": ctx.data})
    return "processed", "accepted"


def apply_early(instance, definition, step, try_, waited: dict) -> bool:
    """``step``'s action just succeeded, under the instance's lock: apply the reply that arrived while it ran,
    if one did, instead of beginning to wait for it.

    The saga moves on once, in this transaction, as if the reply had arrived just after the wait began,
    with one transition (the reply's, which writes ``waited`` too) where a wait and then its reply would
    write two.  Without such a reply, ``waited`` gets the flag's new value for the wait's transition.
    """
    if not instance.early_reply:  # the flag is on the row the lock read: no search on the usual path
        return False
    kept = _early_messages(instance)
    message = kept.filtered(lambda found: found.message_type == step.wait_for)[:1]
    if not message:
        waited["early_reply"] = False
        return False
    store.cache_values(instance, waited)  # what the reply's handler and the compensations read
    outcome, detail = _reply(instance, definition, step, dict(message.payload or {}), try_=try_,
                             waited={**waited, "early_reply": bool(kept - message)}, message_id=message.id)
    store.write_message(instance.env, message.id, {
        "outcome": outcome, "detail": f"arrived while {step.name} ran, applied when it waited: {detail}"})
    return True


def settle_kept(instance, definition) -> None:
    """The saga ended (compensated, completed, cancelled): a reply kept ``early`` or ``held`` is late now
    (a success after compensation: an incident).  Looked for only when the instance's flag says one is kept."""
    if not instance.early_reply:
        return
    for message in _early_messages(instance, outcomes=("early", "held")):
        step = definition.waiting_step(message.message_type)[0]
        outcome, detail = _late(instance, step, message.message_type, dict(message.payload or {}))
        message.write({"outcome": outcome, "detail": detail})
    store.write_instance(instance, {"early_reply": False})


def _early_messages(instance, outcomes: tuple[str, ...] = ("early",)):
    domain = [("instance_id", "=", instance.id), ("outcome", "in", list(outcomes))]
    return instance.env["saga.message"].sudo().search(domain, order="id")


def reapply(instance, definition, message) -> None:
    """An operator's retry of a failed reply handler: wait again, and hand the same message over.

    The reply gets an execution row of its own (the next attempt of the waiting step); the saga
    moves on as it would have, or the incident is raised again with the new error.
    """
    step, started = definition.waiting_step(message.message_type)[0], engine.now()
    engine.transition(instance, status="waiting", waiting_for=message.message_type, current_step=step.name,
                      current_attempt=(instance.current_attempt or 1) + 1, step_started_at=started,
                      step_started_ts=engine.started_ts(started), **engine.CLEARED)
    outcome, detail = _reply(instance, definition, step, dict(message.payload or {}))
    if detail == REPLY_FAILED:
        instance.write({"incident_message_id": message.id})
    message.write({"outcome": outcome, "detail": f"applied again by an operator: {detail}"})


def _late(instance, step, message_type: str, payload: dict) -> tuple[str, str]:
    if instance.status == "completed" or not step.on_reply:
        return "late", f"the saga is {instance.status}: recorded, nothing to do"
    ctx = engine.context(instance, step.name, instance.phase)
    refused = False
    try:
        with instance.env.cr.savepoint():
            step.on_reply(ctx, payload)
            raise _Undo
    except SagaFailure:
        refused = True
    except _Undo:
        pass
    if refused:
        return "late", f"a late refusal while {instance.status}: nothing to undo"
    if instance.status in HOLDING_STATUSES and instance.incident_kind != "late":
        store.write_instance(instance, {"early_reply": True})  # what settle_kept looks at when the saga ends
        return "held", f"a late success while {instance.status}: an incident to settle once the saga ends"
    if instance.status == "incident":  # a refund incident is open already: this one is settled with it
        return "late", "a late success while an incident to settle is open: settle this one with it"
    engine.raise_incident(instance, f"late {message_type} accepted by {step.name} after the saga was "
                                    f"{instance.status}: refund or settle it by hand", "late")
    return "late", "a late success after compensation: incident raised"


class _Undo(Exception):
    """Rolls back the savepoint in which a late reply is only evaluated."""
