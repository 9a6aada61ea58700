"""Templates rendered with Jinja2 in a sandbox that only lets them read records.

``jinja2.sandbox.SandboxedEnvironment`` already refuses private attributes
and unsafe callables; on records this one also refuses everything but field
values and a few read-only helpers, so a template cannot reach ``env``,
the cursor, ``sudo()`` or any method that writes.
"""
from __future__ import annotations

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from odoo.exceptions import UserError
from odoo.models import BaseModel

RECORD_HELPERS = frozenset({"id", "ids", "display_name", "mapped", "filtered", "sorted", "ensure_one", "exists"})


class RecordSandbox(SandboxedEnvironment):
    """A sandbox in which records expose their fields and read-only helpers only."""

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        if isinstance(obj, BaseModel):
            return attr in obj._fields or attr in RECORD_HELPERS
        return super().is_safe_attribute(obj, attr, value)


_HTML = RecordSandbox(autoescape=True, undefined=StrictUndefined)
_TEXT = RecordSandbox(autoescape=False, undefined=StrictUndefined)


def render(source: str | None, values: dict, html: bool = False, where: str = "template") -> str:
    """``source`` rendered with ``values``; a broken or unsafe template is a UserError naming ``where``."""
    if not source:
        return ""
    environment = _HTML if html else _TEXT
    try:
        return environment.from_string(source).render(values)
    except TemplateError as exc:
        raise UserError(f"Failed to render {where}: {exc}", template=where) from None
