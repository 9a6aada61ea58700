"""Exceptions to wire shapes: the one place where errors become envelopes.

Every dispatcher (JSON-RPC, plain HTTP, XML-RPC) hands the exception it caught
to one function here and sends what comes back.  Names on the wire are
Odoo's (``odoo.exceptions.AccessDenied``, ``odoo.http.SessionExpiredException``)
even though our classes live in ``server.exceptions``, because clients
classify errors by those names.  Tracebacks travel only in developer mode.
"""
from __future__ import annotations

import logging
import traceback
import xmlrpc.client

import werkzeug.exceptions

from ..exceptions import (
    AccessDenied,
    AccessError,
    DomainFormError,
    MissingError,
    RedirectWarning,
    UserError,
    ValidationError,
)

_logger = logging.getLogger(__name__)

ODOO_EXCEPTION_NAMES = frozenset({"UserError", "AccessDenied", "AccessError", "MissingError", "ValidationError",
                                  "RedirectWarning", "CacheMiss"})
# Oldest first match wins: the ``exception_type`` key older clients' error printers read.
EXCEPTION_TYPES = ((AccessDenied, "access_denied"), (AccessError, "access_error"), (MissingError, "missing_error"),
                   (ValidationError, "validation_error"), (UserError, "user_error"), (RedirectWarning, "warning"))


class SessionExpiredException(Exception):
    """The route needs a logged-in user and the request has none (JSON-RPC error code 100)."""

    def __init__(self, message: str = "Session expired"):
        super().__init__(message)


class InvalidParams(TypeError):
    """A route was called with parameters its endpoint does not take, or without required ones."""


class UnknownDatabase(AccessError):
    """A database named by a client does not exist or is hidden by ``dbfilter`` (same answer for both)."""

    def __init__(self, message: str = "Database not found."):
        super().__init__(message)


WIRE_NAMES = {SessionExpiredException: "odoo.http.SessionExpiredException", InvalidParams: "builtins.TypeError",
              UnknownDatabase: "odoo.exceptions.AccessError", DomainFormError: "builtins.AssertionError"}


def wire_name(cls: type) -> str:
    """The dotted name clients see for an exception class (Odoo's spelling for ours)."""
    if cls in WIRE_NAMES:
        return WIRE_NAMES[cls]
    for klass in cls.__mro__:
        if klass.__module__ == "server.exceptions" and klass.__name__ in ODOO_EXCEPTION_NAMES:
            return f"odoo.exceptions.{klass.__name__}"
    module = cls.__module__
    if module == "server" or module.startswith("server."):
        module = "odoo" + module[len("server"):]
    return f"{module}.{cls.__qualname__}"


def message_of(exc: BaseException) -> str:
    """``str(exc)``, never failing and never empty (clients display it)."""
    try:
        text = str(exc)
    except Exception:  # a broken __str__ must not break the error path
        text = ""
    return text or type(exc).__name__


# Keys of an exception's ``data`` dict that travel at the top of ``error.data`` (machine-readable codes).
DATA_KEYS = ("code", "retryable", "retry_after")


def is_user_error(exc: BaseException) -> bool:
    """Errors the caller can act on: logged without traceback, never a server fault.

    Besides the framework's tree, an addon exception that must keep Odoo's base
    class (``InsufficientCreditError(Exception)``) says so with ``user_facing = True``.
    """
    return getattr(exc, "user_facing", False) or isinstance(
        exc, (UserError, RedirectWarning, SessionExpiredException, InvalidParams, werkzeug.exceptions.HTTPException))


def log_exception(exc: BaseException, where: str) -> None:
    """Log once at the boundary: a line for user errors, the traceback for anything else."""
    if is_user_error(exc):
        _logger.info("%s: %s: %s", where, wire_name(type(exc)), message_of(exc))
    else:
        _logger.error("%s failed", where, exc_info=exc)


def format_debug(exc: BaseException, dev_mode: bool) -> str:
    if not dev_mode:
        return ""
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def serialize_exception(exc: BaseException, dev_mode: bool = False) -> dict:
    """Odoo's ``error.data``: name, message (always), arguments, context, debug, exception_type.

    ``code``, ``retryable`` and ``retry_after`` of an exception's ``data`` dict are added too.
    """
    extra = getattr(exc, "data", None)
    extra = {key: _plain(extra[key]) for key in DATA_KEYS if key in extra} if isinstance(extra, dict) else {}
    return {
        **extra,
        "name": wire_name(type(exc)),
        "debug": format_debug(exc, dev_mode),
        "message": message_of(exc),
        "arguments": [_plain(arg) for arg in getattr(exc, "args", ())],
        "context": _plain(getattr(exc, "context", None) or {}),
        "exception_type": next((kind for cls, kind in EXCEPTION_TYPES if isinstance(exc, cls)), "internal_error"),
    }


def _plain(value):
    """A JSON-safe copy of exception arguments and context (unknown objects become text)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return False if value is None else value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return message_of(value) if isinstance(value, BaseException) else repr(value)


def json_error(exc: BaseException, dev_mode: bool = False) -> tuple[int, str, dict]:
    """``(code, message, data)`` of the JSON-RPC error for ``exc``."""
    data = serialize_exception(exc, dev_mode)
    if isinstance(exc, SessionExpiredException):
        return 100, "Odoo Session Expired", data
    if isinstance(exc, InvalidParams):
        return -32602, "Invalid params", data
    if isinstance(exc, werkzeug.exceptions.HTTPException) and exc.code:
        return exc.code, f"{exc.code}: {exc.name}", data
    return 200, "Odoo Server Error", data


def protocol_error_data(name: str, message: str) -> dict:
    """``error.data`` for envelope errors found before any endpoint runs (parse, schema)."""
    return {"name": name, "debug": "", "message": message, "arguments": [message], "context": {},
            "exception_type": "internal_error"}


def http_error(exc: BaseException, dev_mode: bool = False) -> werkzeug.exceptions.HTTPException:
    """The HTTP error a ``type='http'`` route answers with (Odoo's mapping; 500 hides the cause)."""
    if isinstance(exc, werkzeug.exceptions.HTTPException):
        return exc
    if isinstance(exc, (AccessDenied, AccessError)):
        return werkzeug.exceptions.Forbidden(message_of(exc))
    if isinstance(exc, (UserError, InvalidParams)):
        return werkzeug.exceptions.BadRequest(message_of(exc))
    if isinstance(exc, SessionExpiredException):
        return werkzeug.exceptions.Unauthorized(message_of(exc))
    return werkzeug.exceptions.InternalServerError(format_debug(exc, dev_mode) or None)


def xmlrpc_fault(exc: BaseException, legacy: bool, dev_mode: bool = False) -> xmlrpc.client.Fault:
    """The fault of ``/xmlrpc/2`` (integer codes) or legacy ``/xmlrpc`` (string codes) for ``exc``."""
    return _legacy_fault(exc, dev_mode) if legacy else _int_fault(exc, dev_mode)


def _int_fault(exc: BaseException, dev_mode: bool) -> xmlrpc.client.Fault:
    text = message_of(exc)
    if isinstance(exc, RedirectWarning):
        return xmlrpc.client.Fault(2, text)
    if isinstance(exc, AccessError):
        return xmlrpc.client.Fault(4, text)
    if isinstance(exc, AccessDenied):
        return xmlrpc.client.Fault(3, text)
    if isinstance(exc, UserError):
        return xmlrpc.client.Fault(2, text)
    return xmlrpc.client.Fault(1, format_debug(exc, dev_mode) or f"{wire_name(type(exc))}: {text}")


def _legacy_fault(exc: BaseException, dev_mode: bool) -> xmlrpc.client.Fault:
    text = message_of(exc)
    if isinstance(exc, RedirectWarning):
        return xmlrpc.client.Fault("warning -- Warning\n\n" + text, "")
    if isinstance(exc, MissingError):
        return xmlrpc.client.Fault("warning -- MissingError\n\n" + text, "")
    if isinstance(exc, AccessError):
        return xmlrpc.client.Fault("warning -- AccessError\n\n" + text, "")
    if isinstance(exc, AccessDenied):
        return xmlrpc.client.Fault("AccessDenied", text)
    if isinstance(exc, UserError):
        return xmlrpc.client.Fault("warning -- UserError\n\n" + text, "")
    return xmlrpc.client.Fault(f"{wire_name(type(exc))}: {text}", format_debug(exc, dev_mode))
