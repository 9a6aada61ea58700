"""``StepContext``: what a step's action, compensation or reply handler is given."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class StepContext:
    """The environment and the saga's data for one execution.

    ``data`` is the instance's data (a dict); what the function leaves in it is saved with the
    step's outcome.  ``timeout_s`` is the step's per-attempt deadline (0: none): pass it to outgoing
    calls; an attempt that overruns it is discarded and retried.
    """

    env: object
    instance: object
    data: dict
    step: str
    phase: str
    attempt: int
    timeout_s: float = 0.0

    @property
    def business_key(self) -> str:
        return self.instance.business_key

    @property
    def saga_uuid(self) -> str:
        return self.instance.uuid
