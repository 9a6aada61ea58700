"""Translate the driver's integrity errors into ValidationErrors users can act on."""
from __future__ import annotations

import re

import peewee

from ..exceptions import ValidationError


class IntegrityTranslator:
    """Turns driver integrity errors into ValidationErrors naming the broken rule."""

    def __init__(self, model):
        self.model = model

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None or not issubclass(exc_type, peewee.IntegrityError):
            return False
        raise ValidationError(integrity_message(self.model, exc), model=self.model._name) from None


def integrity_message(model, exc: Exception) -> str:
    """A user-facing explanation of an integrity error, using ``_sql_constraints`` messages."""
    text = str(exc)
    constraint = getattr(getattr(getattr(exc, "orig", None), "diag", None), "constraint_name", None)
    for name, definition, message in model._sql_constraints:
        columns = _constraint_columns(definition)
        index_name = f"{model._table}_{name}"
        sqlite_cols = ", ".join(f"{model._table}.{c}" for c in columns)
        if constraint == index_name or (sqlite_cols and text.endswith(sqlite_cols)) \
                or text.startswith(f"CHECK constraint failed: {index_name}"):
            return message
    if "CHECK constraint failed" in text or "violates check constraint" in text:
        return f"The operation cannot be completed: {text.splitlines()[0]}"
    if "FOREIGN KEY" in text.upper() or "foreign key" in text:
        return ("The operation cannot be completed: another record requires the record being deleted "
                "or refers to a record that does not exist. If possible, archive it instead.")
    if "NOT NULL" in text.upper():
        return f"The operation cannot be completed: a required value is missing ({text.splitlines()[0]})"
    if "UNIQUE" in text.upper() or "duplicate key" in text:
        return f"The operation cannot be completed: a value must be unique ({text.splitlines()[0]})"
    return f"The operation cannot be completed: {text.splitlines()[0] if text else 'integrity error'}"


def _constraint_columns(definition: str) -> list[str]:
    match = re.match(r"^\s*unique\s*\(([^)]*)\)\s*$", definition, re.I)
    return [c.strip() for c in match.group(1).split(",")] if match else []
