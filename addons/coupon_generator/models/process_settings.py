"""The options of a generation request, normalised and checked all at once (no database needed here).

``normalise(values)`` returns the settings a process stores, with defaults
filled in, and the list of every problem found; the model adds the checks
that need the database (program, owner, codes already used).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from odoo import fields

from ..codes.symbols import CASES, SymbolError, from_spec
from ..codes.template import ESCAPE, Template, TemplateError, parse, tokenize

USAGES = [("one_row", "Single order line"), ("one_order", "Single order"), ("reusable", "Reusable")]
SINGLE_USE = ("one_row", "one_order")
CODE_DEFAULTS = {"case": "upper", "exclude_lookalikes": False, "check_char": False, "placeholders": {}}
COUPON_DEFAULTS = {"active": True, "date_from": None, "date_to": None, "usage": "one_order", "max_use": 0,
                   "partner_id": None, "description": None}
REQUEST_DEFAULTS = {"max_fill_ratio": 1.0}
KNOWN = {"template", "count", "program_id", *CODE_DEFAULTS, *COUPON_DEFAULTS, *REQUEST_DEFAULTS}


def normalise(values: Mapping, *, preview: bool = False) -> tuple[dict, list[str]]:
    """Settings with defaults, plus every problem with them (an empty list when all is well)."""
    known = set(CODE_DEFAULTS) | {"template"} if preview else KNOWN
    settings = {**CODE_DEFAULTS, **({} if preview else {**COUPON_DEFAULTS, **REQUEST_DEFAULTS}), **values}
    problems = [f"unknown option {key!r} (known: {', '.join(sorted(known))})" for key in values if key not in known]
    problems += _code_problems(settings)
    if not preview:
        problems += _count_problems(settings.get("count"))
        problems += _coupon_problems(settings)
    return settings, problems


def _code_problems(settings: dict) -> list[str]:
    problems = []
    if settings["case"] not in CASES:
        problems.append(f"letter case must be one of {', '.join(CASES)}, not {settings['case']!r}")
    for key in ("exclude_lookalikes", "check_char"):
        if not isinstance(settings[key], bool):
            problems.append(f"{key} must be true or false, not {settings[key]!r}")
    if not isinstance(settings["placeholders"], Mapping):
        problems.append("placeholders must map a placeholder character to a symbol collection")
    else:
        problems += [p for char in settings["placeholders"] if (p := placeholder_char_problem(char))]
    return problems


def placeholder_char_problem(char) -> str | None:
    """Why ``char`` cannot be a placeholder, or None."""
    if not isinstance(char, str) or len(char) != 1:
        return f"a placeholder is one character, not {char!r}"
    if char == ESCAPE or not char.isprintable() or char.isspace():
        return f"{char!r} cannot be a placeholder: use a printable character other than the backslash"
    return None


def _count_problems(count) -> list[str]:
    if isinstance(count, bool) or not isinstance(count, int):
        return [f"the number of codes must be a whole number, not {count!r}"]
    return [] if count > 0 else [f"the number of codes must be positive, not {count}"]


def _coupon_problems(settings: dict) -> list[str]:
    problems = _usage_problems(settings) + _date_problems(settings)
    if not isinstance(settings["active"], bool):
        problems.append(f"active must be true or false, not {settings['active']!r}")
    ratio = settings["max_fill_ratio"]
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not 0 < ratio <= 1:
        problems.append(f"max_fill_ratio must be a number in (0, 1], not {ratio!r}")
    for key in ("program_id", "partner_id"):
        value = settings[key]
        if value not in (None, False) and (isinstance(value, bool) or not isinstance(value, int)):
            problems.append(f"{key} must be a record id, not {value!r}")
    if settings["description"] not in (None, False) and not isinstance(settings["description"], str):
        problems.append("description must be text")
    return problems


def _usage_problems(settings: dict) -> list[str]:
    usage, max_use = settings["usage"], settings["max_use"]
    if usage not in dict(USAGES):
        return [f"usage must be one of {', '.join(dict(USAGES))}, not {usage!r}"]
    if isinstance(max_use, bool) or not isinstance(max_use, int) or max_use < 0:
        return [f"max_use must be a whole number >= 0, not {max_use!r}"]
    if usage == "reusable" and max_use <= 0:
        return ["a reusable coupon needs a maximum number of uses: set max_use > 0"]
    return []


def _date_problems(settings: dict) -> list[str]:
    problems, parsed = [], {}
    for key in ("date_from", "date_to"):
        try:
            parsed[key] = _datetime(settings[key])
        except ValueError:
            problems.append(f"{key} must be a date or datetime 'YYYY-MM-DD[ HH:MM:SS]', not {settings[key]!r}")
            continue
        settings[key] = fields.Datetime.to_string(parsed[key]) if parsed[key] else None
    if parsed.get("date_from") and parsed.get("date_to") and parsed["date_from"] > parsed["date_to"]:
        problems.append(f"the validity dates are reversed: {settings['date_from']} is after {settings['date_to']}")
    return problems


def _datetime(value) -> dt.datetime | None:
    if value in (None, False, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value).replace("T", " ")
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise ValueError(value)


def build_template(settings: dict, specs: Mapping) -> tuple[Template | None, list[str]]:
    """The template of ``settings`` with placeholder ``specs``; records the specs used in ``settings``."""
    text = settings.get("template")
    if not isinstance(text, str) or not text:
        return None, ["the template is empty: write static characters and placeholders, e.g. 'SALE-$$##'"]
    case = settings["case"] if settings["case"] in CASES else "upper"  # a bad case is reported already
    _statics, used, _problems = tokenize(text, specs)
    collections, problems = {}, []
    for char in dict.fromkeys(used):
        try:
            collections[char] = from_spec(specs[char], case)
        except SymbolError as exc:
            problems.append(f"placeholder {char!r}: {exc}")
    settings["placeholders"] = {char: specs[char] for char in collections}
    try:
        template = parse(text, collections, exclude_lookalikes=settings["exclude_lookalikes"] is True,
                         check_char=settings["check_char"] is True, case=case)
    except TemplateError as exc:
        return None, problems + exc.problems
    return (None, problems) if problems else (template, [])
