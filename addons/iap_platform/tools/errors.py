"""The platform's error vocabulary: one ``code`` per failure, raised as the class Odoo's clients expect.

Odoo's ``iap_jsonrpc`` dispatches on the last segment of ``error.data.name`` only, so each code is
raised as an instance of exactly ``InsufficientCreditError`` (from ``odoo.addons.iap.tools.iap_tools``),
``AccessError``/``UserError`` (``odoo.exceptions``) or ``IAPServerError``; the machine-readable code,
``retryable`` and extras ride in ``exc.data`` (and ``exc.context``, which Odoo's ``serialize_exception``
already sends).  ``error_data(exc)`` is the whole ``error.data`` the HTTP layer puts in the envelope
(HTTP 200, always with ``name``).
"""
from __future__ import annotations

import json

from odoo.addons.iap.tools.iap_tools import IAPServerError, InsufficientCreditError, iap_error_data
from odoo.exceptions import AccessError, UserError

# code: (class raised, retryable)
ERRORS: dict[str, tuple[type, bool]] = {
    "insufficient_credit": (InsufficientCreditError, False),
    "no_account": (InsufficientCreditError, False),
    "account_disabled": (InsufficientCreditError, False),
    "invalid_service_key": (AccessError, False),
    "transaction_not_found": (AccessError, False),
    "transaction_expired": (UserError, False),
    "transaction_cancelled": (UserError, False),
    "already_captured": (UserError, False),
    "capture_exceeds_authorization": (UserError, False),
    "refund_exceeds_capture": (UserError, False),
    "invalid_params": (UserError, False),
    "idempotency_conflict": (UserError, False),
    "quota_not_found": (AccessError, False),
    "quota_expired": (UserError, False),
    "quota_closed": (UserError, False),
    "quota_exceeded": (UserError, False),
    "request_in_progress": (IAPServerError, True),
    "rate_limited": (IAPServerError, True),
    "internal_error": (IAPServerError, True),
}


def platform_error(code: str, message: str, **extra) -> Exception:
    """The exception for ``code``: the right class, ``message`` as its text, ``.data``/``.code``/``.retryable``."""
    cls, retryable = ERRORS[code]
    exc = cls(message)
    exc.data = {"code": code, "retryable": retryable, **extra}
    exc.code = code
    exc.retryable = retryable
    # A serializer that knows only Odoo's keys still carries these in ``error.data.context``.
    exc.context = dict(exc.data)
    return exc


def credit_error(code: str, payload: dict) -> Exception:
    """A credit error whose message is the JSON object Odoo's clients ``json.loads`` (title, message, ...)."""
    return platform_error(code, json.dumps({**payload, "code": code}))


def error_data(exc: BaseException, debug: str = "") -> dict:
    """``error.data`` for ``exc``; an exception that is not a platform error becomes ``internal_error``."""
    return iap_error_data(as_platform_error(exc), debug)


def as_platform_error(exc: BaseException) -> BaseException:
    """``exc`` if it is a platform error or a user-facing one, else ``internal_error`` (no internals leak).

    Text that is not valid Unicode (a lone surrogate, which JSON allows) is the client's mistake, not a
    failure to retry: ``invalid_params``.
    """
    if getattr(exc, "code", None) in ERRORS or isinstance(exc, UserError):
        return exc
    if isinstance(exc, UnicodeError):
        return platform_error("invalid_params", "A parameter is not valid Unicode text (a lone surrogate?): send "
                              "every string as UTF-8 text.")
    return platform_error("internal_error", "The IAP platform failed to process the request; retry later.")


def keeping_changes(exc: Exception) -> Exception:
    """Mark a refusal made after a lawful change of its own (an expiry): the wire commits that change.

    The refusal is the answer, and the change (a hold released at its deadline) is true whatever the
    answer; rolled back, the next call would redo it and the books would show it late.
    """
    exc.keeps_changes = True
    return exc


def require_admin(env, action: str) -> None:
    """Refuse ``action`` to anyone but a system administrator (the superuser and the CLI pass)."""
    if not env.is_system():
        raise AccessError(f"Only IAP platform administrators (group Settings) may {action}.")
