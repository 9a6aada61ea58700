"""The service's refusals: Odoo's exception classes, each with a machine-readable ``code``.

Odoo clients dispatch on the class name only (``UserError``, ``AccessError``), so that is what we
raise.  The ``code`` rides along twice: as ``exc.data``/``exc.code`` (the attributes the ``iap`` tools
give their own errors, for an HTTP layer that copies them into ``error.data``) and in the exception's
context, which the HTTP layer already sends as ``error.data.context``.
"""
from __future__ import annotations

from odoo.exceptions import AccessError, UserError

# code: the class Odoo clients expect for it
ERROR_CLASSES: dict[str, type[UserError]] = {
    "service_not_configured": AccessError,
    "invalid_isbn": UserError,
    "invalid_params": UserError,
    "idempotency_conflict": UserError,
}


def service_error(code: str, message: str) -> UserError:
    """The exception to raise for ``code``; ``message`` is what the caller's user reads."""
    exc = ERROR_CLASSES[code](message, code=code)
    exc.data = {"code": code, "retryable": False}
    exc.code = code
    exc.retryable = False
    return exc
