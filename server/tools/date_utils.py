"""Date arithmetic addons use every day (``odoo.tools.date_utils``): periods, their bounds, ranges.

Granularities are ``year``, ``quarter``, ``month``, ``week`` (ISO weeks,
starting on Monday), ``day`` and ``hour``.  A ``date`` stays a date and a
``datetime`` stays a datetime.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator

from dateutil.relativedelta import relativedelta

GRANULARITIES = ("year", "quarter", "month", "week", "day", "hour")


def _check_granularity(granularity: str) -> None:
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown granularity {granularity!r}: use one of {', '.join(GRANULARITIES)}")


def get_month(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``day``'s month."""
    return start_of(day, "month"), end_of(day, "month")


def get_quarter_number(day: dt.date) -> int:
    """1 to 4."""
    return math.ceil(day.month / 3)


def get_quarter(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``day``'s quarter."""
    return start_of(day, "quarter"), end_of(day, "quarter")


def get_fiscal_year(day: dt.date, day_of_month: int = 31, month: int = 12) -> tuple[dt.date, dt.date]:
    """The fiscal year containing ``day`` for a year ending on ``day_of_month``/``month``."""
    def last_day(year: int) -> dt.date:
        end = dt.date(year, month, 1) + relativedelta(day=31)
        return end.replace(day=min(day_of_month, end.day))

    plain = day.date() if isinstance(day, dt.datetime) else day
    end = last_day(plain.year)
    if plain > end:
        end = last_day(plain.year + 1)
    start = last_day(end.year - 1) + dt.timedelta(days=1)
    return start, end


def get_timedelta(qty: int, granularity: str) -> relativedelta:
    """``qty`` units of ``granularity`` as a relativedelta."""
    _check_granularity(granularity)
    if granularity == "quarter":
        return relativedelta(months=3 * qty)
    return relativedelta(**{granularity + "s": qty})


def start_of(value: dt.date, granularity: str) -> dt.date:
    """The first moment of the period of ``granularity`` containing ``value``."""
    _check_granularity(granularity)
    is_datetime = isinstance(value, dt.datetime)
    if granularity == "hour":
        if not is_datetime:
            raise ValueError("granularity 'hour' needs a datetime")
        return value.replace(minute=0, second=0, microsecond=0)
    if granularity == "year":
        result = value.replace(month=1, day=1)
    elif granularity == "quarter":
        result = value.replace(month=3 * (get_quarter_number(value) - 1) + 1, day=1)
    elif granularity == "month":
        result = value.replace(day=1)
    elif granularity == "week":
        result = value - dt.timedelta(days=value.weekday())
    else:
        result = value
    return result.replace(hour=0, minute=0, second=0, microsecond=0) if is_datetime else result


def end_of(value: dt.date, granularity: str) -> dt.date:
    """The last moment of the period of ``granularity`` containing ``value`` (23:59:59.999999 for datetimes)."""
    start = start_of(value, granularity)
    following = start + get_timedelta(1, granularity)
    if isinstance(value, dt.datetime):
        return following - dt.timedelta(microseconds=1)
    return following - dt.timedelta(days=1)


def add(value: dt.date, *args, **kwargs) -> dt.date:
    """``value + relativedelta(*args, **kwargs)``: ``add(day, months=1)``."""
    return value + relativedelta(*args, **kwargs)


def subtract(value: dt.date, *args, **kwargs) -> dt.date:
    """``value - relativedelta(*args, **kwargs)``."""
    return value - relativedelta(*args, **kwargs)


def date_range(start: dt.date, end: dt.date, step: relativedelta = relativedelta(months=1)) -> Iterator[dt.date]:
    """``start``, ``start + step``, ... up to ``end`` included; both of one type (and one time zone)."""
    if type(start) is not type(end):
        raise ValueError("start and end must both be dates or both be datetimes")
    if isinstance(start, dt.datetime) and (start.tzinfo is None) != (end.tzinfo is None):
        raise ValueError("start and end must both have a time zone or both have none")
    if start > end:
        raise ValueError("start must not be after end")
    current = start
    while current <= end:
        yield current
        current = current + step


def json_default(value):
    """``json.dumps(..., default=json_default)``: dates as Odoo's server formats, other objects as text."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, frozenset):
        return list(value)
    return str(value)
