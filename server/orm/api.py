"""Method decorators: how a model method is called over the wire and when it runs.

``@api.model`` marks a method that works on the model rather than on records:
remote callers pass its arguments as they are.  Any other public method is a
record method: the first remote argument is the ids to browse.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

from .environment import Environment  # noqa: F401  (re-exported as odoo.api.Environment)

SUPERUSER_ID = 1


def model(method: Callable) -> Callable:
    """Mark ``method`` as model-level: called on an empty recordset, args passed as they are."""
    method._api = "model"
    return method


def model_create_multi(method: Callable) -> Callable:
    """Mark a ``create`` that takes a list of value dicts; a single dict arrives as a one-item list.

    The wrapping is done here once, so overrides never check ``isinstance(vals_list, dict)``
    themselves.
    """
    @functools.wraps(method)
    def create(self, vals_list, *args, **kwargs):
        if isinstance(vals_list, Mapping):
            vals_list = [vals_list]
        elif isinstance(vals_list, tuple):
            vals_list = list(vals_list)
        return method(self, vals_list, *args, **kwargs)

    create._api = "model_create"
    return create


def depends(*fields) -> Callable:
    """Declare what a computed value depends on: field names or dotted paths (``'partner_id.name'``),
    or one function returning them.  A stored computed field is recomputed whenever any of them changes
    (``server.orm.recompute``)."""
    if len(fields) == 1 and callable(fields[0]):
        fields = fields[0]

    def decorator(method):
        method._depends = fields
        return method
    return decorator


def depends_context(*keys: str) -> Callable:
    """Declare the context keys (``'lang'``, ``'company'``, ``'uid'``...) a non-stored computed value
    depends on: its value is cached per combination of them."""
    def decorator(method):
        method._depends_context = keys
        return method
    return decorator


def constrains(*fields) -> Callable:
    """Run the decorated method after create/write touching ``fields`` (dotted paths allowed: a change
    of the path's first field triggers it); it raises ValidationError."""
    if len(fields) == 1 and callable(fields[0]):
        fields = fields[0]

    def decorator(method):
        method._constrains = fields
        return method
    return decorator


def ondelete(*, at_uninstall: bool) -> Callable:
    """Run the decorated method before records are deleted; it raises UserError to refuse.

    ``at_uninstall=False``: not run when the records go because their addon is uninstalled.
    """
    def decorator(method):
        method._ondelete = at_uninstall
        return method
    return decorator


def _unsupported(name: str, explanation: str) -> Callable:
    """A decorator we do not implement: it marks the method, and installing its addon is refused
    (``server.orm.refusals``)."""
    def decorator(*args, **kwargs):
        def mark(method):
            method._unsupported_decorator = (name, explanation)
            return method
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return mark(args[0])
        return mark
    decorator.__name__ = name.rpartition(".")[2]
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


#: The markers an override inherits from the method it replaces (``propagate``).
INHERITED_MARKERS = ("_api", "_returns", "_readonly", "_api_private")


def propagate(method1: Callable | None, method2: Callable) -> Callable:
    """Give ``method2`` the decorators' markers of ``method1`` it lacks (Odoo's ``api.propagate``, used by
    code that patches a model's method); return ``method2``."""
    if method1 is not None:
        for marker in INHERITED_MARKERS:
            if hasattr(method1, marker) and not hasattr(method2, marker):
                setattr(method2, marker, getattr(method1, marker))
    return method2
