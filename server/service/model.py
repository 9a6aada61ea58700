"""Service ``object`` (``execute``, ``execute_kw``) and ``call_kw``, Odoo's way of calling model methods remotely.

``call_kw(model, name, args, kwargs)``:

* ``kwargs['context']`` replaces the context (never read from ``args``);
* ``@api.model`` methods get ``args`` as they are; record methods get the ids
  in ``args[0]`` (an int or a list);
* ``create`` given one dict returns an int, given a list returns ids;
* recordsets come back as ids (``copy``: one id).

Names starting with ``_``, methods marked ``@api.private`` and the recordset
plumbing of the ORM (``sudo``, ``browse``, ``mapped``, ``with_context``...) are
refused with AccessError: only the ORM methods of ``RPC_ORM_METHODS`` and the
public methods addons define are callable over the wire.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping

from ..db import ReadOnlyError
from ..exceptions import AccessDenied, AccessError, UserError
from ..orm import models
from ..orm.environment import SUPERUSER_ID, Environment

RPC_ORM_METHODS = frozenset({
    "search", "search_count", "search_read", "read", "create", "write", "unlink", "fields_get", "fields_get_keys",
    "default_get", "name_get", "name_search", "name_create", "exists", "copy", "check_access_rights",
    "get_views", "get_view",
})
# Odoo's ``@api.returns('self', lambda value: value.id)``: these answer one id, not a list.
SINGLE_ID_RESULTS = frozenset({"copy"})
_FRAMEWORK_CLASSES = (models.BaseModel, *models.CORE_CLASSES, models.AbstractModel, models.Model,
                      models.TransientModel)


def _framework_only() -> frozenset[str]:
    names = {name for cls in _FRAMEWORK_CLASSES for name in vars(cls)}
    return frozenset(names - RPC_ORM_METHODS)


FRAMEWORK_ONLY = _framework_only()
_logger = logging.getLogger(__name__)


def dispatch(ctx, method: str, params: list):
    """``execute(db, uid, password, model, method, *args)`` or ``execute_kw(..., args, kwargs=None)``."""
    if method not in ("execute", "execute_kw"):
        raise NameError(f"Method not available {method}: service object has execute and execute_kw")
    if len(params) < 5:
        raise TypeError(f"{method} takes db, uid, password, model, method, ...: got {len(params)} argument(s)")
    db, uid, password = params[0], _uid(params[1]), params[2]
    registry = ctx.registry(db)
    if is_readonly(registry, params[3], params[4]):
        try:
            return _dispatch_in(registry, True, method, uid, password, params[3:])
        except ReadOnlyError as exc:
            _logger.info("%s.%s wrote on a read-only cursor (%s): retried read-write", params[3], params[4], exc)
    return _dispatch_in(registry, False, method, uid, password, params[3:])


def _dispatch_in(registry, readonly: bool, method: str, uid: int, password, call: list):
    with registry.cursor(readonly=readonly) as cr:
        Environment(cr, SUPERUSER_ID, {})["res.users"].check_credentials_of(uid, password)
        env = Environment(cr, uid, {})
        return execute(env, *call) if method == "execute" else execute_kw(env, *call)


def is_readonly(registry, model_name, name) -> bool:
    """Whether ``model_name.name`` is marked ``@api.readonly`` by its last override that says (as in
    Odoo: an override without the decorator inherits it; a write is retried read-write anyway)."""
    cls = registry.models.get(model_name) if isinstance(model_name, str) else None
    if cls is None or not isinstance(name, str) or name.startswith("_"):
        return False
    for klass in cls.__mro__:
        readonly = getattr(vars(klass).get(name), "_readonly", None)
        if readonly is not None:
            return bool(readonly)
    return False


def _uid(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise AccessDenied() from None


def execute_kw(env, model: str, method: str, args=(), kwargs=None, *extra):
    if extra:
        raise TypeError(f"execute_kw takes model, method, args, kwargs: {len(extra)} extra argument(s)")
    return call(env, model, method, args, kwargs or {})


def execute(env, model: str, method: str, *args):
    """Positional only: no context can be given (Odoo's rule)."""
    return call(env, model, method, list(args), {})


def call(env, model_name, name, args, kwargs):
    """Call ``model_name.name`` as user ``env.uid``; see the module docstring."""
    return call_kw(get_model(env, model_name), name, args, kwargs)


def get_model(env, model_name):
    if not isinstance(model_name, str) or model_name not in env.registry.models:
        raise UserError(f"Object {model_name} doesn't exist")
    return env[model_name]


def check_method_name(model, name) -> None:
    """Refuse what may not be called remotely (AccessError) or does not exist (AttributeError)."""
    cls = type(model)
    if not isinstance(name, str):
        raise AttributeError(f"The method name must be a string, got {type(name).__name__}")
    if name.startswith("_"):
        raise AccessError(f"Private methods (such as {model._name}.{name}) cannot be called remotely.")
    if not any(name in vars(klass) for klass in cls.__mro__) or not callable(getattr(cls, name, None)):
        raise AttributeError(f"The method '{model._name}.{name}' does not exist")
    if name in FRAMEWORK_ONLY or _is_private(cls, name):
        raise AccessError(f"Private methods (such as {model._name}.{name}) cannot be called remotely.")


def _is_private(cls: type, name: str) -> bool:
    return any(getattr(vars(klass).get(name), "_api_private", False) for klass in cls.__mro__)


def method_api(cls: type, name: str) -> str | None:
    """``'model'``, ``'model_create'`` or None (record method), looked up through the MRO.

    An override that forgot the decorator keeps the api of the method it overrides.
    """
    for klass in cls.__mro__:
        api = getattr(vars(klass).get(name), "_api", None)
        if api:
            return api
    return None


def call_kw(model, name: str, args, kwargs: Mapping):
    """Call ``name`` on ``model`` with Odoo's remote-call conventions; the result has ids for recordsets."""
    check_method_name(model, name)
    args, kwargs = _checked_arguments(model, name, args, kwargs)
    context = kwargs.pop("context", None)
    if context is not None and not isinstance(context, Mapping):
        raise TypeError(f"context must be a dictionary, got {type(context).__name__}")
    model = model.with_context(dict(context or {}))
    api = method_api(type(model), name)
    if api == "model":
        result = getattr(model, name)(*args, **kwargs)
    elif api == "model_create":
        result = _create(model, name, args, kwargs)
    else:
        if not args:
            raise TypeError(f"{model._name}.{name} works on records: pass their ids as the first argument")
        result = getattr(model.browse(args[0]), name)(*args[1:], **kwargs)
    if isinstance(result, models.BaseModel):
        return result.id if name in SINGLE_ID_RESULTS and len(result) == 1 else result.ids
    return result


def _checked_arguments(model, name: str, args, kwargs) -> tuple[list, dict]:
    if not isinstance(args, (list, tuple)):
        raise TypeError(f"{model._name}.{name}: args must be a list, got {type(args).__name__}")
    if not isinstance(kwargs, Mapping) or not all(isinstance(k, str) for k in kwargs):
        raise TypeError(f"{model._name}.{name}: kwargs must be a dictionary with text keys")
    return list(args), dict(kwargs)


def _create(model, name: str, args: list, kwargs: dict):
    """``create(dict)`` answers an id, ``create([dict, ...])`` a list of ids (Odoo's model_create_multi)."""
    records = getattr(model, name)(*args, **kwargs)
    values = args[0] if args else kwargs.get("vals_list")
    if isinstance(records, models.BaseModel) and isinstance(values, Mapping):
        return records.id
    return records
