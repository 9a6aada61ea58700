"""Method decorators: how a model method is called over the wire and when it runs.

``@api.model`` marks a method that works on the model rather than on records:
remote callers pass its arguments as they are.  Any other public method is a
record method: the first remote argument is the ids to browse.
"""
from __future__ import annotations

from collections.abc import Callable

from .environment import Environment  # noqa: F401  (re-exported as odoo.api.Environment)

SUPERUSER_ID = 1


def model(method: Callable) -> Callable:
    """Mark ``method`` as model-level: called on an empty recordset, args passed as they are."""
    method._api = "model"
    return method


def model_create_multi(method: Callable) -> Callable:
    """Mark a ``create`` that takes a list of value dicts (a single dict is wrapped)."""
    method._api = "model_create"
    return method


def depends(*fields: str) -> Callable:
    """Record which fields a computed value depends on (documentation for readers)."""
    def decorator(method):
        method._depends = fields
        return method
    return decorator


def constrains(*fields: str) -> Callable:
    """Run the decorated method after create/write touching ``fields``; it raises ValidationError."""
    def decorator(method):
        method._constrains = fields
        return method
    return decorator


def onchange(*fields: str) -> Callable:
    """Accepted for compatibility with Odoo addons; there is no form view to trigger it."""
    def decorator(method):
        method._onchange = fields
        return method
    return decorator


def returns(model_name: str, *args) -> Callable:
    """Accepted for compatibility: recordsets are always downgraded to ids over the wire."""
    def decorator(method):
        method._returns = model_name
        return method
    return decorator


def readonly(method: Callable) -> Callable:
    """Mark ``method`` as only reading (Odoo 18's ``api.readonly``): called over RPC, it runs on a
    read-only cursor, without a transaction; if it writes after all, the call is retried read-write."""
    method._readonly = True
    return method


def private(method: Callable) -> Callable:
    """Forbid calling ``method`` over RPC even though its name has no leading underscore."""
    method._api_private = True
    return method


def autovacuum(method: Callable) -> Callable:
    """Mark a model method the daily ``ir.autovacuum`` job calls (Odoo's garbage-collection hook)."""
    method._autovacuum = True
    return method
