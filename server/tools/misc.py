"""Everyday helpers of addon code (``odoo.tools.misc``): formats, escaping, small collections.

Formatting follows the user's language: the ``res.lang`` record of
``env.lang`` when that model exists, otherwise English (United States)
conventions, rendered through Babel.
"""
from __future__ import annotations

import datetime as dt
import functools
import itertools
import logging
import os
from collections.abc import Iterable, Iterator, MutableSet
from pathlib import Path

from markupsafe import Markup, escape

DEFAULT_SERVER_DATE_FORMAT = "%Y-%m-%d"
DEFAULT_SERVER_TIME_FORMAT = "%H:%M:%S"
DEFAULT_SERVER_DATETIME_FORMAT = f"{DEFAULT_SERVER_DATE_FORMAT} {DEFAULT_SERVER_TIME_FORMAT}"
DATE_LENGTH = len(dt.date.today().strftime(DEFAULT_SERVER_DATE_FORMAT))
# en_US conventions, used when no res.lang record describes the user's language.
DEFAULT_LANG = {"code": "en_US", "date_format": "%m/%d/%Y", "time_format": "%H:%M:%S",
                "decimal_point": ".", "thousands_sep": ",", "grouping": "[3,0]"}
# strftime directives and the Babel (LDML) patterns that render the same thing.
STRFTIME_TO_BABEL = {"%d": "dd", "%e": "d", "%m": "MM", "%Y": "yyyy", "%y": "yy", "%B": "MMMM", "%b": "MMM",
                     "%A": "EEEE", "%a": "EEE", "%H": "HH", "%I": "hh", "%M": "mm", "%S": "ss", "%p": "a",
                     "%j": "DDD", "%Z": "z", "%%": "%"}
ROOT = Path(__file__).resolve().parents[2]

html_escape = escape
ustr = str


def str2bool(text, default=None) -> bool:
    """``'1' 'true' 'yes' 'on'`` -> True, ``'0' 'false' 'no' 'off' ''`` -> False (case-insensitive)."""
    value = str(text).strip().lower()
    if value in ("1", "true", "yes", "on", "t", "y"):
        return True
    if value in ("0", "false", "no", "off", "f", "n", ""):
        return False
    if default is None:
        raise ValueError(f"not a boolean: {text!r}")
    return default


# -- languages and formats --------------------------------------------------------------------------
def get_lang(env, lang_code: str | None = None) -> dict:
    """The formats of ``lang_code`` (default: the environment's language) as a dict of res.lang's fields."""
    code = lang_code or env.lang or "en_US"
    if "res.lang" in env:
        lang = env["res.lang"].sudo().with_context(active_test=False).search([("code", "=", code)], limit=1)
        if lang:
            fields = [name for name in DEFAULT_LANG if name in lang._fields]
            return {**DEFAULT_LANG, **lang.read(fields)[0], "code": code}
    return {**DEFAULT_LANG, "code": code}


def babel_locale(code: str):
    import babel

    try:
        return babel.Locale.parse(code or "en_US")
    except (ValueError, babel.UnknownLocaleError):
        return babel.Locale.parse("en_US")


def posix_to_ldml(pattern: str) -> str:
    """A strftime pattern as a Babel pattern; literal text is quoted."""
    out, literal, index = [], [], 0
    while index < len(pattern):
        directive = pattern[index:index + 2]
        if directive in STRFTIME_TO_BABEL:
            if literal:
                out.append("'" + "".join(literal).replace("'", "''") + "'")
                literal = []
            out.append(STRFTIME_TO_BABEL[directive])
            index += 2
        else:
            literal.append(pattern[index])
            index += 1
    if literal:
        out.append("'" + "".join(literal).replace("'", "''") + "'")
    return "".join(out)


def format_date(env, value, lang_code: str | None = None, date_format: str | bool = False) -> str:
    """``value`` (a date or 'YYYY-MM-DD') in the user's date format; '' for an empty value."""
    from babel.dates import format_date as babel_format_date

    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.strptime(value[:DATE_LENGTH], DEFAULT_SERVER_DATE_FORMAT).date()
    elif isinstance(value, dt.datetime):
        value = value.date()
    lang = get_lang(env, lang_code)
    pattern = date_format or posix_to_ldml(lang["date_format"])
    return babel_format_date(value, format=pattern, locale=babel_locale(lang["code"]))


def format_datetime(env, value, tz: str | bool = False, dt_format: str = "medium", lang_code: str | None = None) -> str:
    """``value`` (UTC, naive or text) in the user's (or ``tz``'s) time zone, Babel format ``dt_format``."""
    import pytz
    from babel.dates import format_datetime as babel_format_datetime

    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.strptime(value[:19], DEFAULT_SERVER_DATETIME_FORMAT)
    zone = pytz.timezone(tz or env.context.get("tz") or "UTC")
    localized = pytz.utc.localize(value) if value.tzinfo is None else value
    return babel_format_datetime(localized, format=dt_format, tzinfo=zone,
                                 locale=babel_locale(get_lang(env, lang_code)["code"]))


def formatLang(env, value, digits: int | None = None, grouping: bool = True, monetary: bool = False,  # noqa: N802
               dp: str | bool = False, currency_obj=False) -> str:
    """``value`` as text in the user's number format: ``digits`` decimals (or those of decimal precision
    ``dp``, or of ``currency_obj``), thousands grouped, the currency symbol placed as the currency says."""
    if value == "":
        return ""
    if digits is None:
        digits = 2
        if dp and "decimal.precision" in env:
            digits = env["decimal.precision"].precision_get(dp)
        elif currency_obj and "decimal_places" in currency_obj._fields:
            digits = currency_obj.decimal_places
    lang = get_lang(env)
    text = f"{float(value):,.{digits}f}" if grouping else f"{float(value):.{digits}f}"
    text = text.replace(",", "\x00").replace(".", lang["decimal_point"]).replace("\x00", lang["thousands_sep"])
    if currency_obj and "symbol" in currency_obj._fields:
        symbol = currency_obj.symbol or ""
        after = "position" in currency_obj._fields and currency_obj.position == "after"
        text = f"{text}\N{NO-BREAK SPACE}{symbol}" if after else f"{symbol}\N{NO-BREAK SPACE}{text}"
    return text


def format_amount(env, amount: float, currency, lang_code: str | None = None) -> str:
    """``amount`` with ``currency``'s symbol and decimals."""
    return formatLang(env.with_context(lang=lang_code) if lang_code and hasattr(env, "with_context") else env,
                      amount, currency_obj=currency)


# -- files of addons -----------------------------------------------------------------------------------
def file_path(file_path: str, filter_ext: tuple = ("",)) -> str:
    """The absolute path of ``addon/path/to/file`` found in the addons path (or the project)."""
    from .. import addons as addons_package

    candidates = [Path(p) / file_path for p in addons_package.__path__] + [ROOT / file_path]
    for candidate in candidates:
        if candidate.exists() and str(candidate).endswith(tuple(filter_ext)):
            return str(candidate.resolve())
    raise FileNotFoundError(f"File not found: {file_path}")


def file_open(name: str, mode: str = "r", filter_ext: tuple | None = None, env=None):
    """Open ``addon/path/to/file`` from the addons path (read-only)."""
    if any(flag in mode for flag in "wax+"):
        raise ValueError(f"file_open() only reads files, not mode {mode!r}")
    path = name if os.path.isabs(name) else file_path(name, filter_ext or ("",))
    return open(path, mode, encoding=None if "b" in mode else "utf-8")


# -- collections --------------------------------------------------------------------------------------
class frozendict(dict):  # noqa: N801  (Odoo's name)
    """A dict that refuses changes (hashable when its values are)."""

    def _refuse(self, *args, **kwargs):
        raise NotImplementedError("frozendict cannot be changed")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse

    def __hash__(self) -> int:
        return hash(frozenset(self.items()))


class OrderedSet(MutableSet):
    """A set that remembers insertion order."""

    def __init__(self, elems: Iterable = ()):
        self._map = dict.fromkeys(elems)

    def __contains__(self, elem) -> bool:
        return elem in self._map

    def __iter__(self) -> Iterator:
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)

    def add(self, elem) -> None:
        self._map[elem] = None

    def discard(self, elem) -> None:
        self._map.pop(elem, None)

    def update(self, elems: Iterable) -> None:
        self._map.update(dict.fromkeys(elems))

    def __repr__(self) -> str:
        return f"OrderedSet({list(self._map)!r})"


def groupby(iterable: Iterable, key=None) -> list[tuple]:
    """``[(key, [elements])]`` in order of first appearance; unlike itertools, input need not be sorted."""
    key = key or (lambda element: element)
    groups: dict = {}
    for element in iterable:
        groups.setdefault(key(element), []).append(element)
    return list(groups.items())


def unique(iterable: Iterable) -> Iterator:
    """The elements of ``iterable`` without repeats, in order."""
    return iter(dict.fromkeys(iterable))


def split_every(n: int, iterable: Iterable, piece_maker=tuple) -> Iterator:
    """Pieces of ``n`` consecutive elements (the last may be shorter)."""
    iterator = iter(iterable)
    piece = piece_maker(itertools.islice(iterator, n))
    while piece:
        yield piece
        piece = piece_maker(itertools.islice(iterator, n))


def partition(predicate, elems: Iterable) -> tuple[list, list]:
    """``(elements where predicate holds, the others)``."""
    yes, no = [], []
    for elem in elems:
        (yes if predicate(elem) else no).append(elem)
    return yes, no


def clean_context(context: dict) -> dict:
    """``context`` without its ``default_*`` keys (which would leak into records created further on)."""
    return {key: value for key, value in context.items() if not key.startswith("default_")}


def human_size(size: int | float) -> str:
    """``1536`` -> ``'1.50 Kb'``."""
    units = ("bytes", "Kb", "Mb", "Gb", "Tb")
    value, index = float(size or 0), 0
    while value >= 1024 and index < len(units) - 1:
        value /= 1024
        index += 1
    return f"{value:.2f} {units[index]}"


class mute_logger:  # noqa: N801  (Odoo's name)
    """Silence ``loggers`` in a block or a decorated function (tests that provoke logged errors on purpose)."""

    def __init__(self, *loggers: str):
        self.loggers = loggers
        self.saved: list = []

    def __enter__(self):
        self.saved = [(logging.getLogger(name), logging.getLogger(name).disabled) for name in self.loggers]
        for logger, _was in self.saved:
            logger.disabled = True
        return self

    def __exit__(self, *exc) -> None:
        for logger, was in self.saved:
            logger.disabled = was

    def __call__(self, func):
        @functools.wraps(func)
        def muted(*args, **kwargs):
            with mute_logger(*self.loggers):
                return func(*args, **kwargs)
        return muted


__all__ = ["Markup", "DEFAULT_SERVER_DATE_FORMAT", "DEFAULT_SERVER_DATETIME_FORMAT", "DEFAULT_SERVER_TIME_FORMAT",
           "html_escape", "format_date", "format_datetime", "formatLang", "format_amount", "get_lang", "file_open",
           "file_path", "frozendict", "OrderedSet", "groupby", "unique", "split_every", "partition",
           "clean_context", "human_size", "mute_logger", "str2bool", "ustr"]
