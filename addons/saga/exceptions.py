"""The saga engine's errors."""
from __future__ import annotations

from odoo.exceptions import UserError


class SagaFailure(Exception):
    """Raised by a step's action or ``on_reply``: the business refuses (out of stock, payment declined).

    The saga is compensated, then its ``on_failure`` handler gets ``reason``.
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class SagaDefinitionError(ValueError):
    """A saga definition is malformed, or a saga type is not registered."""


class SagaStateError(UserError):
    """An operator action that the instance's status does not allow (the message names both)."""
