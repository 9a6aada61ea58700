"""What we do not implement is refused at install, in one line naming the addon, the file and the name.

An Odoo addon that declares a field attribute, a model attribute or a decorator this server does not
implement would otherwise install and then misbehave in silence (a ``tracking`` nobody tracks, a
``_parent_store`` whose ``parent_path`` stays empty).  ``check_definition`` runs on every model class
of an addon while the registry composes the models, and raises ``ModuleError``:

    Addon 'my_addon', file models/book.py: field library.book.name: attribute 'tracking' is not supported

The places to extend when the framework learns something new:

* ``ACCEPTED_FIELD_ATTRIBUTES``: attributes a field keeps in ``field.extra`` without a parameter of
  its own (a field class that implements an attribute pops it in its ``__init__`` instead);
* ``UNSUPPORTED_MODEL_ATTRIBUTES``: Odoo model attributes we refuse, with the reason;
* ``api._unsupported``: decorators that mark what they decorate as refused.
"""
from __future__ import annotations

import inspect
from pathlib import Path

from ..exceptions import ModuleError
from . import fields as fields_module

# Field attributes accepted as they are (kept in ``field.extra``): hints that change nothing on the
# server.  Addon-level features that give an attribute a meaning add it here (with why).
ACCEPTED_FIELD_ATTRIBUTES: dict[str, str] = {
    "change_default": "a hint for clients (the field's value can become a default)",
    "prefetch": "a performance hint: this ORM prefetches what it fetches anyway",
    "unaccent": "a search hint: searches never strip accents here",
    "group_operator": "the aggregate of read_group (server.orm.read_group)",
    "aggregator": "the aggregate of read_group (Odoo 17.2's name for group_operator)",
    "check_company": "multi-company consistency of a relational field (server.orm.company_check)",
    "implied_group": "a settings field's group, granted by res.config.settings (base)",
}

# Odoo model attributes this server does not implement, with why; refused when declared with a value
# other than Odoo's default.
UNSUPPORTED_MODEL_ATTRIBUTES: dict[str, tuple[object, str]] = {
    "_parent_store": (False, "parent_path is not maintained; child_of works without it"),
    "_table_query": (None, "models over an SQL query are not implemented"),
    "_depends": ({}, "models over an SQL query are not implemented"),
    "_allow_sudo_commands": (True, "x2many commands are not restricted in sudo mode"),
}


def check_definition(definition: type, addon: str) -> None:
    """Refuse the first construct of ``definition`` (a model class of ``addon``) we do not implement."""
    where = f"Addon {addon!r}, file {_source_file(definition, addon)}"
    model = definition.__dict__.get("_name") or _first_parent(definition) or definition.__qualname__
    for attr, (default, why) in UNSUPPORTED_MODEL_ATTRIBUTES.items():
        if attr in vars(definition) and vars(definition)[attr] != default:
            _refuse(f"{where}: model {model}: attribute {attr} is not supported ({why})", addon)
    for name, value in vars(definition).items():
        if isinstance(value, fields_module.Field):
            unknown = [key for key in value.extra if key not in ACCEPTED_FIELD_ATTRIBUTES]
            if unknown:
                _refuse(f"{where}: field {model}.{name}: attribute {unknown[0]!r} is not supported", addon)
        marker = getattr(value, "_unsupported_decorator", None)
        if marker is not None:
            _refuse(f"{where}: method {model}.{name}: @{marker[0]} is not supported ({marker[1]})", addon)


def _refuse(message: str, addon: str) -> None:
    raise ModuleError(message, chain=(addon,))


def _first_parent(definition: type) -> str | None:
    inherit = definition.__dict__.get("_inherit")
    if isinstance(inherit, str):
        return inherit
    return inherit[0] if inherit else None


def _source_file(definition: type, addon: str) -> str:
    """The definition's file relative to its addon (``models/book.py``)."""
    try:
        path = Path(inspect.getsourcefile(definition) or "?")
    except TypeError:
        return "?"
    parts = path.parts
    if addon in parts:
        return "/".join(parts[len(parts) - 1 - list(reversed(parts)).index(addon) + 1:])
    return path.name
