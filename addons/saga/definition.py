"""Saga definitions: the steps of a saga type, written in a few lines of Python.

::

    ticket_order = (
        SagaDefinition("ticket_order")
        .step("reserve_tickets", action=reserve, compensation=release, retry=RetryPolicy(max_attempts=5))
        .step("request_payment", action=request_payment, wait_for="payment.result", wait_timeout_s=900,
              on_reply=check_payment)
        .step("finish_order", action=finish)
        .on_failure(mark_failed)
    )
    register(ticket_order)

A step's ``action`` and ``compensation`` are plain functions of a ``StepContext``; they run as
``queue_job`` jobs (see ``engine``), so a step runs again after a crashed worker's lease expires:
actions and compensations must be idempotent, and a compensation must accept that there is
nothing to undo.  An action refuses the business request by raising ``SagaFailure`` (the saga is
compensated, then ``on_failure`` runs); any other exception is a technical error, retried as
the step's ``RetryPolicy`` says, then an incident for an operator (or a compensation, with
``on_exhausted="compensate"``).

Definitions are code, registered once per process at import (as job functions and routes are);
a saga type is served only in the databases where the addon that registered it is installed.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .exceptions import SagaDefinitionError

ON_EXHAUSTED = ("incident", "compensate")


@dataclass(frozen=True)
class RetryPolicy:
    """How often a failing step is tried, and how long to wait between tries (exponential backoff)."""

    max_attempts: int = 3
    backoff_s: float = 1.0
    factor: float = 2.0
    max_backoff_s: float = 300.0

    def __post_init__(self):
        if self.max_attempts < 1:
            raise SagaDefinitionError(f"max_attempts must be at least 1, not {self.max_attempts}")
        if self.backoff_s < 0 or self.factor < 1 or self.max_backoff_s < 0:
            raise SagaDefinitionError("backoff_s and max_backoff_s cannot be negative, factor must be >= 1")

    def delay_after(self, attempt: int) -> float:
        """Seconds to wait before the try that follows failed try number ``attempt`` (1-based)."""
        return min(self.backoff_s * self.factor ** (attempt - 1), self.max_backoff_s)


#: Compensations must converge: tried with backoff, an incident after this many failed tries.
COMPENSATION_RETRY = RetryPolicy(max_attempts=5, backoff_s=1.0, factor=2.0, max_backoff_s=60.0)


@dataclass(frozen=True)
class Step:
    """One step of a saga: what it does, how it is undone, how it is retried, what it waits for."""

    name: str
    action: Callable[[Any], Any]
    compensation: Callable[[Any], Any] | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout_s: float = 0.0
    wait_for: str | None = None
    wait_timeout_s: float | Callable[[Any], float] = 0.0
    on_reply: Callable[[Any, dict], Any] | None = None
    on_exhausted: str = "incident"

    def wait_seconds(self, env) -> float:
        """The wait's timeout: a number, or ``wait_timeout_s(env)`` (read from a system parameter...)."""
        seconds = self.wait_timeout_s(env) if callable(self.wait_timeout_s) else self.wait_timeout_s
        return max(float(seconds), 0.0)

    def __post_init__(self):
        if not self.name.isidentifier():
            raise SagaDefinitionError(f"step name {self.name!r} must be an identifier")
        if self.on_exhausted not in ON_EXHAUSTED:
            raise SagaDefinitionError(f"step {self.name!r}: on_exhausted must be one of {ON_EXHAUSTED}")
        if self.wait_for and not callable(self.wait_timeout_s) and self.wait_timeout_s <= 0:
            raise SagaDefinitionError(f"step {self.name!r} waits for {self.wait_for!r}: give it a wait_timeout_s")
        if self.on_reply and not self.wait_for:
            raise SagaDefinitionError(f"step {self.name!r} has on_reply but waits for no message (wait_for)")
        if self.timeout_s < 0:
            raise SagaDefinitionError(f"step {self.name!r}: timeout_s cannot be negative")


class SagaDefinition:
    """A saga type: its ordered steps and what happens once it failed and was compensated."""

    def __init__(self, saga_type: str, compensation_retry: RetryPolicy = COMPENSATION_RETRY):
        self.saga_type = saga_type
        self.compensation_retry = compensation_retry
        self.steps: list[Step] = []
        self.failure_handler: Callable | None = None
        self.completion_handler: Callable | None = None
        self.addon: str | None = None

    def step(self, name: str, action: Callable, **options) -> SagaDefinition:
        """Append a step (see ``Step`` for the options); return the definition, to chain calls."""
        if any(step.name == name for step in self.steps):
            raise SagaDefinitionError(f"saga {self.saga_type!r} already has a step {name!r}")
        self.steps.append(Step(name, action, **options))
        return self

    def on_failure(self, handler: Callable) -> SagaDefinition:
        """``handler(ctx, reason)`` runs after the compensations, in the transaction that ends the saga."""
        self.failure_handler = handler
        return self

    def on_complete(self, handler: Callable) -> SagaDefinition:
        """``handler(ctx)`` runs in the transaction of the last step's success."""
        self.completion_handler = handler
        return self

    def get_step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise SagaDefinitionError(f"saga {self.saga_type!r} has no step {name!r}")

    def next_step(self, name: str) -> Step | None:
        names = [step.name for step in self.steps]
        index = names.index(name) + 1
        return self.steps[index] if index < len(self.steps) else None

    def waiting_step(self, message_type: str) -> list[Step]:
        return [step for step in self.steps if step.wait_for == message_type]


_definitions: dict[str, SagaDefinition] = {}


def register(definition: SagaDefinition) -> SagaDefinition:
    """Make ``definition`` runnable; the addon whose module calls this is the one that must be installed."""
    import inspect

    from odoo.orm.models import addon_of

    if not definition.steps:
        raise SagaDefinitionError(f"saga {definition.saga_type!r} has no step")
    caller = inspect.stack()[1].frame.f_globals.get("__name__", "")
    definition.addon = addon_of(caller)
    _definitions[definition.saga_type] = definition
    return definition


def definition_of(saga_type: str) -> SagaDefinition:
    """The registered definition of ``saga_type`` (``SagaDefinitionError`` naming the known ones)."""
    try:
        return _definitions[saga_type]
    except KeyError:
        known = ", ".join(sorted(_definitions)) or "none"
        raise SagaDefinitionError(f"no saga type {saga_type!r} is registered (known: {known})") from None


def saga_types() -> list[str]:
    return sorted(_definitions)
