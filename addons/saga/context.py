"""``StepContext``: what a step's action, compensation or reply handler is given."""
from __future__ import annotations

from dataclasses import dataclass, field

from .calls import direct


@dataclass
class StepContext:
    """The environment and the saga's data for one execution.

    ``data`` is the instance's data (a dict); what the function leaves in it is saved with the
    step's outcome.  Outgoing calls go through ``call``.  ``timeout_s`` is the step's per-attempt
    deadline (0: none): pass it to outgoing calls; an attempt that overruns it is discarded and retried.
    """

    env: object
    instance: object
    data: dict
    step: str
    phase: str
    attempt: int
    timeout_s: float = 0.0
    scope: object = field(default=None, repr=False)

    def call(self, fn, *args, **kwargs):
        """Make an outgoing call ``fn(*args, **kwargs)`` with no transaction open (``calls``).

        In a step's action or compensation, what the try wrote so far commits before the call, and
        the instance is locked again after it; ``calls.Superseded`` is raised if the saga moved on
        meanwhile.  Elsewhere (a reply or saga handler) ``fn`` is simply run.
        """
        return (self.scope.call if self.scope else direct)(fn, *args, **kwargs)

    @property
    def business_key(self) -> str:
        return self.instance.business_key

    @property
    def saga_uuid(self) -> str:
        return self.instance.uuid
