"""The operator's actions on a saga instance (``saga retry|compensate|cancel``, the console's buttons).

Each locks the instance and moves it on in one transition, as the engine's jobs do (``engine``).
"""
from __future__ import annotations

from . import inbox
from .definition import SagaDefinition
from .engine import (
    CLEARED,
    FORWARD,
    begin_compensation,
    definition_for,
    execution,
    lock,
    now,
    resume,
    run_step,
    transition,
    waiting_try,
)


def retry(instance) -> None:
    """Run again what raised the incident: the step (tries counted afresh), the handler, or the reply."""
    instance, _claims = lock(instance)
    kind = instance.incident_kind or "step"
    status = "running" if instance.phase == FORWARD else "compensating"
    if kind == "late":
        transition(instance, status=instance.status_before_incident or "compensated", **CLEARED)
    elif kind == "handler":
        transition(instance, resume(), status=status, **CLEARED)
    elif kind == "reply" and instance.incident_message_id:
        inbox.reapply(instance, definition_for(instance.env, instance.saga_type), instance.incident_message_id)
    else:
        transition(instance, run_step(instance.current_step, instance.phase), status=status, **CLEARED)


def compensate(instance, reason: str) -> None:
    instance, _claims = lock(instance)
    definition = definition_for(instance.env, instance.saga_type)
    begin_compensation(instance, definition, reason, executions=_cancel_wait(instance, definition))


def cancel(instance) -> None:
    instance, _claims = lock(instance)
    definition = definition_for(instance.env, instance.saga_type)
    transition(instance, status="failed", failure_reason="cancelled by an operator", waiting_for=False,
               current_step=False, ended_at=now(), executions=_cancel_wait(instance, definition), **CLEARED)
    inbox.settle_kept(instance, definition)  # a success held while it compensated: the refund's incident


def _cancel_wait(instance, definition: SagaDefinition) -> tuple:
    """An operator moves a waiting saga on: its wait ends ``cancelled`` on the timeline (the row returned)."""
    if instance.status != "waiting":
        return ()
    return (execution(instance, waiting_try(instance, definition.get_step(instance.current_step)), "cancelled",
                      "superseded: an operator moved the saga on without its message"),)
