"""Domain values checked against their field's column before any SQL: ``column_value(field, value)``.

A value the column cannot compare with (``'abc'`` for an integer, 2**70 for
a 32-bit column, ``'not a date'`` for a date) would otherwise reach the
database and come back as a driver error quoting SQL.  Values that mean the
same thing in another spelling are converted as Odoo's PostgreSQL would take
them (``'5'`` for an integer, ``3`` for a char); everything else is a
``ValidationError`` naming the field and the value.
"""
from __future__ import annotations

import datetime as dt
import math
import re

from ..exceptions import ValidationError

INT32 = (-2 ** 31, 2 ** 31 - 1)
INT64 = (-2 ** 63, 2 ** 63 - 1)
WHOLE_NUMBER = re.compile(r"[+-]?\d{1,19}")
TEXT_TYPES = frozenset({"char", "text", "html", "selection"})


def _refuse(field, value, expected: str) -> ValidationError:
    return ValidationError(f"Invalid domain: field {field.name!r} ({field.type}) takes {expected}, not {value!r}")


def column_value(field, value):
    """``value`` as ``field``'s column compares it (the very object when it needs no change).

    None and False ("no value") pass unchanged; ValidationError for a value the column cannot take.
    """
    if value is None or (value is False and field.type != "boolean"):
        return value
    kind = "integer" if field.name == "id" or field.type == "many2one" else field.type
    check = CHECKS.get("text" if kind in TEXT_TYPES else kind)
    return check(field, value) if check else value


def _integer(field, value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and WHOLE_NUMBER.fullmatch(value.strip()):
        value = int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _refuse(field, value, "a finite number")
        return value
    if not isinstance(value, int):
        raise _refuse(field, value, "whole numbers")
    low, high = INT64 if getattr(field, "big", False) else INT32
    if not low <= value <= high:
        raise _refuse(field, value, f"whole numbers from {low} to {high}")
    return value


def _float(field, value):
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise _refuse(field, value, "numbers") from None
    if isinstance(value, int):
        return value if INT64[0] <= value <= INT64[1] else float(value)
    if not isinstance(value, float) or not math.isfinite(value):
        raise _refuse(field, value, "finite numbers")
    return value


def _text(field, value):
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise _refuse(field, value, "text")
    if isinstance(value, (int, float, dt.date)):
        return str(value)
    raise _refuse(field, value, "text")


def _boolean(field, value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise _refuse(field, value, "true or false")


def _date(field, value):
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return field.convert_to_cache(value, None)
        except (ValueError, TypeError):
            pass
    expected = "dates such as '2024-01-31'" if field.type == "date" else "times such as '2024-01-31 12:00:00'"
    raise _refuse(field, value, expected)


CHECKS = {"integer": _integer, "float": _float, "monetary": _float, "text": _text, "boolean": _boolean, "date": _date,
          "datetime": _date}
