"""Searches, and the reuse of their SQL text across calls whose domains differ only in their values.

Building a query's SQL through peewee costs more than the database spends
running a simple indexed search, and a server answers the same few search
shapes over and over: ``[('active', '=', True), ('ref', '=', <text>)]`` with a
new ``<text>`` each time.  A domain's *shape* keeps everything that decides
the SQL text (fields, operators, the structure, the type of each value and
the values that change the SQL: ``None``, ``False``, a boolean field's truth,
how long a list is) and drops the rest.

The SQL text is built by peewee once per shape; the parameters of each call
are then computed straight from the domain's values.  The first time a
shape is seen, those parameters are checked against peewee's own, and a shape
whose parameters would be computed differently is never served from the
cache.  Domains with paths (``partner_id.name``), hierarchies, x2many fields,
dates or names of many2one targets always go through peewee.
"""
from __future__ import annotations

import peewee

from ..exceptions import ValidationError
from .domain_values import column_value
from .rules import RuleDomain

# Field types whose search parameters are the values themselves, through the column's db_value.
PLAIN_TYPES = frozenset({"char", "text", "html", "integer", "float", "monetary", "boolean", "many2one", "selection"})
SCALAR_TYPES = (str, int, float, bool, type(None))
COMPARISONS = frozenset({"<", "<=", ">", ">="})
LIKES = frozenset({"like", "ilike", "not like", "not ilike", "=like", "=ilike"})
LOGIC = frozenset({"&", "|", "!"})
# Bounds on what clients can make the process remember: every list length is a shape of its own.
MAX_CACHED_LIST = 64
MAX_COMPILED = 4096
MAX_BOUND = 2 ** 63 - 1  # the largest LIMIT/OFFSET PostgreSQL (bigint) and SQLite take


class SearchQuery:
    """A search not run yet, as ``_search`` returns it; ``sql()`` gives its SQL and parameters."""

    def __init__(self, model, domain, offset: int = 0, limit=None, order=None):
        self.model = model
        self.domain = domain
        self.offset = _bound("offset", offset) or 0
        self.limit = _bound("limit", limit) or None
        self.order = order

    def select(self, column_fields=()) -> peewee.Select:
        """The peewee query of the ids (then ``column_fields``) of the matching records."""
        query = self.model._search_query(self.domain, self.offset, self.limit, self.order)
        if column_fields:
            table = self.model._table_model
            query = query.select_extend(*(getattr(table, f.name) for f in column_fields))
        return query

    def sql(self, column_fields=()) -> tuple[str, list]:
        """``(sql, params)`` selecting ``id, *column_fields``: a cached text when the shape allows it."""
        model = self.model
        found = shape_and_params(model, self.domain)
        if found is None:
            return self.select(column_fields).sql()
        shape, params = found
        for name, value in (("limit", self.limit), ("offset", self.offset)):
            if value:
                params.append(model._check_int(name, value))
        key = ("search", model._name, shape, bool(self.limit), bool(self.offset), self.order,
               tuple(f.name for f in column_fields))
        cache = model.pool.compiled_sql
        text = cache.get(key)
        if text is None:
            text, built = self.select(column_fields).sql()
            if len(cache) >= MAX_COMPILED:
                cache.clear()
            cache[key] = text if _same_params(built, params) else False
            return text, list(built)
        if text is False:
            return self.select(column_fields).sql()
        return text, params


def _bound(name: str, value):
    """``limit``/``offset`` as SQL takes them: None/False (none), else a whole number from 0 to 2**63 - 1."""
    if value is None or value is False:
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{name} must be a whole number, got {value!r}")
    if not 0 <= value <= MAX_BOUND:
        raise ValidationError(f"{name} must be between 0 and {MAX_BOUND}, got {value}")
    return value


def _same_params(built, computed) -> bool:
    return len(built) == len(computed) and all(
        type(a) is type(b) and a == b for a, b in zip(built, computed, strict=True))


def shape_and_params(model, domain) -> tuple[tuple, list] | None:
    """``(shape, params)`` of ``domain`` on ``model``, or None when only peewee can build its SQL."""
    if not isinstance(domain, (list, tuple)):
        return None
    shape, params = [], []
    for item in domain:
        if isinstance(item, RuleDomain):  # compiled as superuser: the same SQL, the user's groups aside
            inner = shape_and_params(model.sudo(), item.domain)
            if inner is None:
                return None
            shape.append(("rule", inner[0]))
            params.extend(inner[1])
            continue
        if isinstance(item, str):
            if item not in LOGIC:
                return None
            shape.append(item)
            continue
        if not isinstance(item, (list, tuple)) or len(item) != 3:
            return None
        leaf = _leaf(model, *item, params)
        if leaf is None:
            return None
        shape.append(leaf)
    return tuple(shape), params


def _leaf(model, path, operator, value, params: list) -> tuple | None:
    """The shape of one leaf, its parameters appended to ``params`` (None: not a plain leaf)."""
    if type(path) is not str or type(operator) is not str:
        return None
    field = model._fields.get(path)
    if field is None or field.type not in PLAIN_TYPES or not field.searchable or not (field.column or path == "id") \
            or field.groups:  # checked per user by the domain compiler
        return None
    operator = operator.lower()
    if operator == "<>":
        operator = "!="
    many = isinstance(value, (list, tuple))
    if many and operator in ("=", "!="):
        operator = "in" if operator == "=" else "not in"
    values = list(value) if many else [value]
    if len(values) > MAX_CACHED_LIST or not all(_plain_value(v) for v in values):
        return None
    if not (operator in ("=", "!=") and field.type == "boolean") and operator not in LIKES \
            and not all(_as_is(field, v) for v in values):
        return None  # the compiler converts or refuses it
    if field.type == "many2one" and any(type(v) is str for v in values) and operator not in ("=like", "=ilike"):
        return None  # a search on the target's name: a subquery
    if operator == "=?":
        if value is None or value is False:
            return (path, operator, value)
        operator = "="
    column = model._table_model.id if path == "id" else getattr(model._table_model, path)
    if operator in ("in", "not in"):
        kept = [v for v in values if v is not None and v is not False]
        params.extend(column.db_value(v) for v in kept)
        return (path, operator, many, tuple(_kind(v) for v in values))
    if many:
        return None
    if operator in ("=", "!=") and field.type == "boolean":
        truth = bool(value) != (operator == "!=")
        params.append(column.db_value(truth))
        return (path, operator, "truth", truth)
    if operator in ("=", "!=") or operator in COMPARISONS:
        if value is not None and value is not False:
            params.append(column.db_value(value))
        return (path, operator, _kind(value))
    if operator in LIKES:
        if value is not None and value is not False:
            text = str(value)
            params.append(text if operator.startswith("=") else f"%{text}%")
        return (path, operator, _kind(value))
    return None


def _plain_value(value) -> bool:
    """A value the domain compiler takes as is (anything else goes through it, to be refused there)."""
    return type(value) in SCALAR_TYPES and not (type(value) is str and "\x00" in value)


def _as_is(field, value) -> bool:
    """Whether the column takes ``value`` unchanged (else the compiler converts or refuses it)."""
    try:
        return column_value(field, value) is value
    except ValidationError:
        return False


def _kind(value):
    """What of a value the SQL text depends on: None, True and False themselves, else the type."""
    return value if value is None or type(value) is bool else type(value).__name__
