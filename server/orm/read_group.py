"""Grouped reads: Odoo 17's ``_read_group`` (tuples for server code) and ``read_group`` (dicts for clients).

One SQL query per call, built on the model's search (so record rules and
``active`` apply) with GROUP BY, on SQLite and PostgreSQL alike:

* group by a field (``'state'``, ``'author_id'``) or a date/datetime field at a
  granularity (``'published:month'``; ``day``, ``week`` (ISO, from Monday),
  ``month``, ``quarter``, ``year``, and ``hour`` for datetimes; a date field
  without one groups by month).  Datetimes are grouped in the context's ``tz``
  (UTC without one), as Odoo does; their groups' ``__domain`` and ``__range`` are in UTC.
* aggregates ``'field:sum'`` (``avg``, ``min``, ``max``, ``count``,
  ``count_distinct``, ``array_agg``, ``bool_and``, ``bool_or``, ``recordset``)
  and ``'__count'``; ``read_group`` also takes ``'name:agg(field)'`` and plain
  field names, aggregated by the field's ``group_operator`` (numbers: ``sum``).
* ``order`` names group specs, aggregate specs and ``__count``, each ``asc`` or
  ``desc``; by default groups come in the order of their values (a many2one
  by its comodel's order).

Grouping by an x2many field and ``having`` are refused with a message naming them, and so are
fields whose ``groups`` the user is not in.
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
import re

import peewee
import pytz

from ..exceptions import ValidationError
from ..tools import date_utils
from . import api
from .field_access import field_access_error, field_allowed

GRANULARITIES = ("hour", "day", "week", "month", "quarter", "year")
AGGREGATES = frozenset({"sum", "avg", "min", "max", "count", "count_distinct", "array_agg", "bool_and", "bool_or",
                        "recordset"})
NUMERIC_TYPES = frozenset({"integer", "float", "monetary"})
ORDER_RE = re.compile(r"^\s*(\S+?)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$", re.I)
LEGACY_FIELD_RE = re.compile(r"^(\w+)(?::(\w+)(?:\((\w+)\))?)?$")
# Labels of date groups in read_group, as Babel patterns (the web client shows them as is).
DATE_LABELS = {"hour": "HH:00 dd MMM", "day": "dd MMM yyyy", "week": "'W'w YYYY", "month": "MMMM yyyy",
               "quarter": "QQQ yyyy", "year": "yyyy"}


def _invalid(model, message: str) -> ValidationError:
    return ValidationError(f"Invalid read_group on {model._name!r}: {message}")


def group_operator(field) -> str | None:
    """The aggregate a plain field name stands for in ``read_group``: its ``group_operator``, else sum for numbers."""
    declared = getattr(field, "group_operator", None) or field.extra.get("group_operator") \
        or field.extra.get("aggregator")
    if declared:
        return declared
    return "sum" if field.type in NUMERIC_TYPES else None


class GroupBy:
    """One ``groupby`` spec: a stored field, with a granularity for dates."""

    def __init__(self, model, spec: str):
        if not isinstance(spec, str):
            raise _invalid(model, f"groupby must be field names, got {spec!r}")
        self.spec = spec
        name, _, granularity = spec.partition(":")
        field = model._fields.get(name)
        if field is None:
            raise _invalid(model, f"unknown field {name!r} in groupby {spec!r}")
        if not field_allowed(model, field):
            raise field_access_error(model, [name], "group by")
        if field.type in ("one2many", "many2many"):
            raise _invalid(model, f"grouping by the {field.type} field {name!r} is not supported")
        if not field.column and name != "id":
            raise _invalid(model, f"field {name!r} is not stored and cannot be grouped by")
        if granularity and field.type not in ("date", "datetime"):
            raise _invalid(model, f"granularity {granularity!r} needs a date or datetime field, not {name!r}")
        if field.type in ("date", "datetime"):
            granularity = granularity or "month"
            if granularity not in GRANULARITIES or (granularity == "hour" and field.type == "date"):
                raise _invalid(model, f"unknown granularity {granularity!r} in {spec!r} "
                                      f"(use {', '.join(GRANULARITIES)})")
        self.model, self.field, self.name, self.granularity = model, field, name, granularity or None
        self.tz = _zone(model) if field.type == "datetime" else None

    def column(self):
        table = self.model._table_model
        return table.id if self.name == "id" else getattr(table, self.name)

    def expression(self):
        """The SQL expression grouped by."""
        if not self.granularity:
            return self.column()
        column = self.column() if self.tz is None else _local_time(self.model, self.tz, self.column())
        if self.model.env.cr.database.dialect == "sqlite":
            return _sqlite_truncated(column, self.granularity)
        truncated = peewee.fn.date_trunc(self.granularity, column)
        return peewee.Cast(truncated, "date") if self.field.type == "date" else truncated

    def order_expression(self):
        if self.field.type == "many2one" and not self.granularity:
            return self.model._many2one_sort_key(self.field, self.column())
        return self.expression()

    def value(self, raw):
        """The group's value for ``_read_group``: a recordset, a date at the period's start, or the value."""
        if self.field.type == "many2one":
            return self.model.env[self.field.comodel_name].browse(raw or ())
        if raw is None:
            return False
        if self.field.type == "date":
            return raw if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime) else \
                (raw.date() if isinstance(raw, dt.datetime) else dt.date.fromisoformat(str(raw)[:10]))
        if self.field.type == "datetime":
            return raw.replace(tzinfo=None) if isinstance(raw, dt.datetime) else dt.datetime.fromisoformat(str(raw))
        if self.field.type == "boolean":
            return bool(raw)
        return raw

    def domain(self, value) -> list:
        """The domain of the records of this group."""
        if self.field.type == "many2one":
            return [(self.name, "=", value.id if value else False)]
        if value is False or value is None:
            return [(self.name, "=", False)]
        if self.granularity:
            start, end = self.range(value)
            return ["&", (self.name, ">=", start), (self.name, "<", end)]
        return [(self.name, "=", value)]

    def range(self, value) -> tuple[str, str]:
        """``(from, to)`` of a date group, as Odoo's server formats (``to`` excluded; datetimes in UTC)."""
        end = value + date_utils.get_timedelta(1, self.granularity)
        if self.tz is not None:
            value, end = (self.tz.localize(moment).astimezone(pytz.utc) for moment in (value, end))
        fmt = "%Y-%m-%d" if self.field.type == "date" else "%Y-%m-%d %H:%M:%S"
        return value.strftime(fmt), end.strftime(fmt)


def _zone(model):
    """The context's time zone (None for UTC or an unknown name): datetimes are grouped in it."""
    name = model.env.context.get("tz")
    return pytz.timezone(name) if name and name != "UTC" and name in pytz.all_timezones_set else None


def _local_time(model, zone, column):
    """``column`` (naive UTC) as the naive local time of ``zone``, in SQL."""
    database = model.env.cr.database
    if database.dialect != "sqlite":
        return peewee.fn.timezone(zone.zone, peewee.fn.timezone("UTC", column))
    if LOCAL_TIME_FUNCTION not in database._functions:  # SQLite has no time zones: ask Python
        database.register_function(_sqlite_local_time, LOCAL_TIME_FUNCTION, 2, deterministic=True)
    return peewee.fn.odoo_local_time(zone.zone, column)


LOCAL_TIME_FUNCTION = "odoo_local_time"


def _sqlite_local_time(zone: str, value):
    if value is None:
        return None
    moment = dt.datetime.fromisoformat(str(value)[:19])
    local = pytz.utc.localize(moment).astimezone(pytz.timezone(zone))
    return local.strftime("%Y-%m-%d %H:%M:%S")


def _sqlite_truncated(column, granularity: str):
    fn = peewee.fn
    if granularity == "hour":
        return fn.strftime("%Y-%m-%d %H:00:00", column)
    if granularity == "day":
        return fn.date(column)
    if granularity == "month":
        return fn.strftime("%Y-%m-01", column)
    if granularity == "year":
        return fn.strftime("%Y-01-01", column)
    if granularity == "quarter":
        month = peewee.Cast(fn.strftime("%m", column), "INTEGER")
        start = fn.printf("%s-%02d-01", fn.strftime("%Y", column), ((month - 1) / 3) * 3 + 1)
        return peewee.Case(None, [(column.is_null(), None)], start)
    weekday = peewee.Cast(fn.strftime("%w", column), "INTEGER")  # 0 is Sunday
    days_since_monday = peewee.Case(None, [(weekday == 0, 6)], weekday - 1)
    return fn.date(column, fn.printf("-%d days", days_since_monday))


class Aggregate:
    """One aggregate spec: ``'__count'`` or ``'field:function'``."""

    def __init__(self, model, spec: str):
        if not isinstance(spec, str):
            raise _invalid(model, f"aggregates must be text such as 'amount:sum', got {spec!r}")
        self.model, self.spec = model, spec
        if spec == "__count":
            self.field, self.function = None, "count"
            return
        name, _, function = spec.partition(":")
        field = model._fields.get(name)
        if field is None:
            raise _invalid(model, f"unknown field {name!r} in aggregate {spec!r}")
        if function not in AGGREGATES:
            raise _invalid(model, f"unknown aggregate function {function!r} in {spec!r} "
                                  f"(use {', '.join(sorted(AGGREGATES))})")
        if not field.column and name != "id":
            raise _invalid(model, f"field {name!r} is not stored and cannot be aggregated")
        if not field_allowed(model, field):
            raise field_access_error(model, [name], "read")
        self.field, self.function = field, function

    def expression(self):
        fn = peewee.fn
        if self.field is None:
            return fn.COUNT(peewee.SQL("*"))
        table = self.model._table_model
        column = table.id if self.field.name == "id" else getattr(table, self.field.name)
        sqlite = self.model.env.cr.database.dialect == "sqlite"
        function = self.function
        if function == "count_distinct":
            return fn.COUNT(peewee.NodeList((peewee.SQL("DISTINCT"), column)))
        if function in ("array_agg", "recordset"):
            return fn.json_group_array(column) if sqlite else fn.array_agg(column)
        if function in ("bool_and", "bool_or") and sqlite:
            return (fn.MIN if function == "bool_and" else fn.MAX)(column)
        return getattr(fn, function.upper())(column)

    def value(self, raw):
        function = self.function
        if function in ("array_agg", "recordset"):
            values = json.loads(raw) if isinstance(raw, str) else list(raw or [])
            if function == "recordset":
                target = self.model._name if self.field.name == "id" else self.field.comodel_name
                return self.model.env[target].browse(tuple(v for v in dict.fromkeys(values) if v))
            return values
        if function in ("count", "count_distinct"):
            return raw or 0
        if function in ("bool_and", "bool_or"):
            return bool(raw)
        if raw is None:
            return 0 if self.field.type in NUMERIC_TYPES and function in ("sum",) else (
                0.0 if function == "avg" else False)
        if self.field.type == "many2one" and function in ("min", "max"):
            return self.model.env[self.field.comodel_name].browse(raw)
        if isinstance(raw, decimal.Decimal):  # PostgreSQL's AVG (and SUM of bigints) are numeric
            return float(raw)
        return raw


def read_group_rows(model, domain, groupby, aggregates, having=(), offset: int = 0, limit=None,
                    order: str | None = None) -> list[tuple]:
    """Odoo 17's ``_read_group``: one tuple per group, the groupby values then the aggregate values."""
    if having:
        raise _invalid(model, "'having' is not supported")
    groups = [GroupBy(model, spec) for spec in ([groupby] if isinstance(groupby, str) else groupby)]
    aggs = [Aggregate(model, spec) for spec in ([aggregates] if isinstance(aggregates, str) else aggregates)]
    model.check_access_rights("read")
    query = model._search(domain or [], order=False).select()
    columns = [g.expression() for g in groups] + [a.expression() for a in aggs]
    if not columns:
        columns = [peewee.fn.COUNT(peewee.SQL("*"))]
    query = query.select(*columns)
    if groups:
        query = query.group_by(*[g.expression() for g in groups])
    query = query.order_by(*_orderings(model, groups, aggs, order))
    if limit:
        query = query.limit(model._check_int("limit", limit))
    if offset:
        query = query.offset(model._check_int("offset", offset))
    sql, params = query.sql()
    rows = model._rows(sql, params)
    if not aggs and not groups:
        return [()]
    return [tuple(g.value(v) for g, v in zip(groups, row, strict=False))
            + tuple(a.value(v) for a, v in zip(aggs, row[len(groups):], strict=True)) for row in rows]


def _orderings(model, groups: list[GroupBy], aggs: list[Aggregate], order: str | None) -> list:
    # NULLs sort as PostgreSQL sorts them (last ascending, first descending), on SQLite too.
    if not order:
        return [g.order_expression().asc(nulls="LAST") for g in groups]
    by_spec = {g.spec: g for g in groups}
    by_spec.update({g.name: g for g in groups if g.spec not in by_spec})
    terms = []
    for part in order.split(","):
        match = ORDER_RE.match(part)
        if not match:
            raise _invalid(model, f"invalid order {order!r}")
        spec, direction, nulls = match.groups()
        if spec in by_spec:
            expression = by_spec[spec].order_expression()
        elif spec == "__count" or ":" in spec:
            expression = Aggregate(model, spec).expression()
        else:
            raise _invalid(model, f"order term {spec!r} is neither a groupby, an aggregate nor '__count'")
        descending = (direction or "").lower() == "desc"
        nulls = (nulls or ("first" if descending else "last")).upper()
        terms.append(expression.desc(nulls=nulls) if descending else expression.asc(nulls=nulls))
    return terms


# -- read_group: the clients' form -----------------------------------------------------------------
def _legacy_aggregates(model, fields, groupby_names: set) -> list[tuple[str, str]]:
    """``[(result key, aggregate spec)]`` from read_group's ``fields``."""
    result = []
    for spec in fields or ():
        match = LEGACY_FIELD_RE.match(spec) if isinstance(spec, str) else None
        if not match:
            raise _invalid(model, f"invalid field spec {spec!r} (use 'field', 'field:agg' or 'name:agg(field)')")
        key, function, source = match.groups()
        if key == "__count":
            continue
        name = source or key
        field = model._fields.get(name)
        if field is None:
            raise _invalid(model, f"unknown field {name!r} in {spec!r}")
        if name in groupby_names and not function:
            continue
        function = function or group_operator(field)
        if function and (field.column or name == "id"):
            result.append((key, f"{name}:{function}"))
    return result


def _legacy_order(orderby, keys: dict) -> str | None:
    if not orderby:
        return None
    terms = []
    for part in orderby.split(","):
        words = part.split()
        if not words:
            continue
        words[0] = keys.get(words[0], words[0])
        terms.append(" ".join(words))
    return ", ".join(terms)


def read_group_dicts(model, domain, fields, groupby, offset: int = 0, limit=None, orderby=False,
                     lazy: bool = True) -> list[dict]:
    """Odoo's ``read_group``: one dict per group, as the web client and external clients expect."""
    from ..osv.expression import AND

    groupby = [groupby] if isinstance(groupby, str) else list(groupby or [])
    current = groupby[:1] if lazy else groupby
    groups = [GroupBy(model, spec) for spec in current]
    aggregates = _legacy_aggregates(model, fields, {g.name for g in groups})
    keys = {key: spec for key, spec in aggregates}
    keys.update({g.name: g.spec for g in groups})
    count_key = f"{current[0].split(':')[0]}_count" if lazy and current else "__count"
    keys[count_key] = "__count"
    rows = read_group_rows(model, domain, current, ["__count"] + [spec for _key, spec in aggregates],
                           offset=offset, limit=limit, order=_legacy_order(orderby, keys))
    result = []
    for row in rows:
        values, count, aggregated = row[:len(groups)], row[len(groups)], row[len(groups) + 1:]
        entry = {g.spec: _legacy_value(g, value) for g, value in zip(groups, values, strict=True)}
        entry[count_key] = count
        entry.update({key: value for (key, _spec), value in zip(aggregates, aggregated, strict=True)})
        group_domain = [term for g, value in zip(groups, values, strict=True) for term in g.domain(value)]
        entry["__domain"] = AND([group_domain, list(domain or [])]) if group_domain else list(domain or [])
        ranges = {g.spec: dict(zip(("from", "to"), g.range(value), strict=True))
                  for g, value in zip(groups, values, strict=True) if g.granularity and value}
        if ranges:
            entry["__range"] = ranges
        if lazy and len(groupby) > 1:
            entry["__context"] = {"group_by": groupby[1:]}
        result.append(entry)
    return result


def _legacy_value(group: GroupBy, value):
    if group.field.type == "many2one":
        return (value.id, value.sudo().display_name) if value else False
    if group.granularity and value:
        from babel.dates import format_date, format_datetime

        pattern = DATE_LABELS[group.granularity]
        return format_datetime(value, pattern, locale="en_US") if isinstance(value, dt.datetime) \
            else format_date(value, pattern, locale="en_US")
    return value


class ReadGroup:
    """The grouped-read methods every model has (mixed into ``BaseModel``)."""

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset: int = 0, limit=None,
                    order: str | None = None) -> list[tuple]:
        """Groups of the records matching ``domain``: ``[(groupby values..., aggregate values...)]``."""
        return read_group_rows(self, domain, groupby, aggregates, having, offset, limit, order)

    @api.readonly
    @api.model
    def read_group(self, domain, fields, groupby, offset: int = 0, limit=None, orderby=False,
                   lazy: bool = True) -> list[dict]:
        """Groups as dicts: groupby values, ``<field>_count`` (``__count`` when not lazy), aggregates, ``__domain``."""
        return read_group_dicts(self, domain, fields, groupby, offset, limit, orderby, lazy)
