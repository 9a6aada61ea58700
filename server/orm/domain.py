"""Odoo domains compiled to parametrized SQL through peewee expressions.

A domain is a list in prefix notation: ``['|', ('a', '=', 1), ('b', 'ilike', 'x')]``
with an implicit ``&`` between top-level terms.  Field names are looked up in
the model's fields (dotted paths follow relational fields through
subqueries), operators come from a fixed set, and values only ever reach SQL
as bound parameters.  Anything else is a ``ValidationError`` naming the term.
"""
from __future__ import annotations

import datetime as dt
from functools import reduce

import peewee

from ..exceptions import ValidationError
from .domain_values import column_value
from .field_access import check_field_in_domain
from .rules import RuleDomain, restricted_query

OPERATORS = frozenset({
    "=", "!=", "<>", "<", "<=", ">", ">=", "=?", "like", "ilike", "not like", "not ilike",
    "=like", "=ilike", "in", "not in", "child_of", "parent_of",
})
TRUE_LEAF = (1, "=", 1)
FALSE_LEAF = (0, "=", 1)
MAX_DEPTH = 64
SCALARS = (str, int, float, bool, dt.date, type(None))

TRUE = peewee.SQL("1 = 1")
FALSE = peewee.SQL("1 = 0")


def _invalid(message: str) -> ValidationError:
    return ValidationError(f"Invalid domain: {message}")


def parse(domain) -> tuple:
    """Parse ``domain`` into a tree of ``('and'|'or', [children])``, ``('not', child)``, ``('leaf', term)``.

    Works without recursion so that no domain, however long, can exhaust the
    stack; nesting deeper than ``MAX_DEPTH`` alternations is refused.
    """
    if not isinstance(domain, (list, tuple)):
        raise _invalid(f"expected a list of terms, got {type(domain).__name__}")
    stack: list[tuple] = []
    for item in reversed(domain):
        if isinstance(item, str) and item in ("&", "|"):
            if len(stack) < 2:
                raise _invalid(f"operator {item!r} needs two terms")
            stack.append(_combine("and" if item == "&" else "or", stack.pop(), stack.pop()))
        elif isinstance(item, str) and item == "!":
            if not stack:
                raise _invalid("operator '!' needs a term")
            stack.append(_negate(stack.pop()))
        elif isinstance(item, RuleDomain):
            stack.append(("rule", item.domain, 1))
        elif isinstance(item, (list, tuple)) and len(item) == 3:
            stack.append(("leaf", tuple(item), 1))
        else:
            raise _invalid(f"unexpected term {item!r}: expected '&', '|', '!' or (field, operator, value)")
    if not stack:
        return ("and", [], 1)
    node = reduce(lambda acc, nxt: _combine("and", acc, nxt), reversed(stack[:-1]), stack[-1]) \
        if len(stack) > 1 else stack[0]
    return node


def _depth(node: tuple) -> int:
    return node[2]


def _combine(kind: str, first: tuple, second: tuple) -> tuple:
    children = []
    for node in (first, second):
        children.extend(node[1] if node[0] == kind else [node])
    depth = 1 + max(_depth(child) for child in children)
    if depth > MAX_DEPTH:
        raise _invalid(f"nested deeper than {MAX_DEPTH} levels")
    return (kind, children, depth)


def _negate(node: tuple) -> tuple:
    if node[0] == "not":
        return node[1]
    if _depth(node) + 1 > MAX_DEPTH:
        raise _invalid(f"nested deeper than {MAX_DEPTH} levels")
    return ("not", node, _depth(node) + 1)


def _raw_operator(lhs, operator: str, rhs):
    """``lhs OPERATOR rhs`` exactly as written (peewee would turn SQLite's LIKE into GLOB)."""
    value = rhs if isinstance(rhs, peewee.Node) else peewee.Value(rhs)
    return peewee.NodeList((lhs, peewee.SQL(operator), value), parens=True)


def _balanced(op, expressions: list):
    """Join expressions pairwise so the SQL tree stays shallow."""
    while len(expressions) > 1:
        expressions = [op(expressions[i], expressions[i + 1]) if i + 1 < len(expressions) else expressions[i]
                       for i in range(0, len(expressions), 2)]
    return expressions[0]


class DomainCompiler:
    """Compiles domains for one model (an env-bound empty recordset)."""

    def __init__(self, model):
        self.model = model
        self.table = model._table_model

    def compile(self, domain):
        """Return a peewee expression selecting the records ``domain`` matches."""
        return self._node(parse(domain))

    def _node(self, node: tuple):
        kind = node[0]
        if kind == "leaf":
            return self._leaf(node[1])
        if kind == "rule":
            return DomainCompiler(self.model.sudo()).compile(node[1])
        if kind == "not":
            return ~self._node(node[1])
        if not node[1]:
            return TRUE
        parts = [self._node(child) for child in node[1]]
        return _balanced((lambda a, b: a & b) if kind == "and" else (lambda a, b: a | b), parts)

    # -- leaves --------------------------------------------------------------
    def _leaf(self, term: tuple):
        if term in (TRUE_LEAF, FALSE_LEAF) or (list(term) in (list(TRUE_LEAF), list(FALSE_LEAF))):
            return TRUE if tuple(term) == TRUE_LEAF else FALSE
        path, operator, value = term
        if not isinstance(path, str) or not path:
            raise _invalid(f"field name must be text in {term!r}")
        if not isinstance(operator, str) or operator.lower() not in OPERATORS:
            raise _invalid(f"unknown operator {operator!r} in {term!r}")
        operator = operator.lower()
        if operator == "<>":
            operator = "!="
        if isinstance(value, (list, tuple)) and operator in ("=", "!="):
            operator = "in" if operator == "=" else "not in"
        self._check_value(term, value)
        if isinstance(value, (list, tuple)) and operator not in ("in", "not in", "child_of", "parent_of"):
            raise _invalid(f"operator {operator!r} takes a single value, not a list, in {term!r}")
        name, _, rest = path.partition(".")
        field = self.model._fields.get(name)
        if field is None:
            raise _invalid(f"unknown field {name!r} on model {self.model._name!r} in {term!r}")
        if not field.searchable:
            raise _invalid(f"field {name!r} of {self.model._name!r} cannot be searched in {term!r}")
        check_field_in_domain(self.model, field)
        if not field.store and (field.related or field.search):  # related/searchable computed: a new domain
            return self.compile(self.model._rewrite_nonstored_leaf(field, rest, operator, value))
        if rest:
            return self._path(field, rest, operator, value, term)
        if operator == "=?":
            if value is None or value is False:
                return TRUE
            operator = "="
        if operator in ("child_of", "parent_of"):
            return self._hierarchy(field, operator, value, term)
        if field.type in ("one2many", "many2many"):
            return self._x2many(field, operator, value, term)
        if field.type == "many2one" and isinstance(value, str) and operator not in ("=like", "=ilike"):
            return self._many2one_by_name(field, operator, value)
        if not field.store or (field.name != "id" and not field.column):
            raise _invalid(f"field {field.name!r} of {self.model._name!r} is not stored and cannot be searched")
        return self._scalar(self._column(field), field, operator, value)

    @staticmethod
    def _check_value(term, value) -> None:
        values = value if isinstance(value, (list, tuple)) else [value]
        if any(not isinstance(v, SCALARS) for v in values):
            raise _invalid(f"values must be text, numbers, booleans or dates in {term!r}")
        if any(isinstance(v, str) and "\x00" in v for v in values):
            raise _invalid(f"text values cannot contain NUL characters in {term!r}")

    def _column(self, field):
        return self.table.id if field.name == "id" else getattr(self.table, field.name)

    def _ids_of(self, comodel_name: str, domain) -> peewee.Select:
        """The ids ``domain`` matches on the comodel, as an unordered subquery."""
        return restricted_query(self.model.env[comodel_name], domain)

    def _path(self, field, rest: str, operator: str, value, term):
        if field.type == "many2one":
            return self._column(field).in_(self._ids_of(field.comodel_name, [(rest, operator, value)]))
        if field.type in ("one2many", "many2many"):
            return self._x2many(field, "in", self._ids_of(field.comodel_name, [(rest, operator, value)]), term)
        raise _invalid(f"field {field.name!r} of {self.model._name!r} is not relational in {term!r}")

    def _many2one_by_name(self, field, operator: str, value: str):
        comodel = self.model.env[field.comodel_name]
        subquery = restricted_query(comodel, [(comodel._rec_name_field(), operator, value)])
        if operator in ("!=", "not like", "not ilike"):
            positive = {"!=": "=", "not like": "like", "not ilike": "ilike"}[operator]
            subquery = restricted_query(comodel, [(comodel._rec_name_field(), positive, value)])
            column = self._column(field)
            return column.not_in(subquery) | column.is_null()
        return self._column(field).in_(subquery)

    def _x2many(self, field, operator: str, value, term):
        """Search on one2many/many2many: the records linked to any (or none) of the given ids."""
        registry = self.model.env.registry
        if field.type == "one2many":
            comodel = registry.models[field.comodel_name]
            inverse = getattr(comodel._table_model, field.inverse_name)
            links = lambda ids: comodel._table_model.select(inverse).where(  # noqa: E731
                comodel._table_model.id.in_(ids) & inverse.is_null(False))
            all_links = comodel._table_model.select(inverse).where(inverse.is_null(False))
        else:
            rel = registry.relation_table(field)
            col1, col2 = getattr(rel, field.column1), getattr(rel, field.column2)
            links = lambda ids: rel.select(col1).where(col2.in_(ids))  # noqa: E731
            all_links = rel.select(col1)
        ids = self.table.id
        if value is False or value is None:
            if operator in ("=", "in"):
                return ids.not_in(all_links)
            return ids.in_(all_links)
        if isinstance(value, str):
            positive = operator not in ("!=", "not like", "not ilike", "not in")
            op = {"!=": "=", "not like": "like", "not ilike": "ilike", "not in": "in"}.get(operator, operator)
            comodel = self.model.env[field.comodel_name]
            matched = restricted_query(comodel, [(comodel._rec_name_field(), op, value)])
            return ids.in_(links(matched)) if positive else ids.not_in(links(matched))
        if isinstance(value, peewee.Select):
            target = value
        else:
            target = [v for v in (value if isinstance(value, (list, tuple)) else [value]) if isinstance(v, int)]
        if operator in ("=", "in", "like", "ilike", "=like", "=ilike"):
            return ids.in_(links(target))
        if operator in ("!=", "not in", "not like", "not ilike"):
            return ids.not_in(links(target))
        raise _invalid(f"operator {operator!r} cannot be used on {field.type} field {field.name!r}")

    def _hierarchy(self, field, operator: str, value, term):
        """``child_of``/``parent_of``: records under (or above) the given ones, themselves included."""
        model = self.model.env[field.comodel_name] if field.relational else self.model
        parent_name = model._parent_name
        if parent_name not in model._fields:
            raise _invalid(f"model {model._name!r} has no parent field for {operator!r} in {term!r}")
        if isinstance(value, str):
            query = model._search_query([(model._rec_name_field(), "ilike", value)], order=False)
            ids = [row[0] for row in query.tuples()]
        else:
            ids = [v for v in (value if isinstance(value, (list, tuple)) else [value]) if isinstance(v, int)]
        table = model._table_model
        parent_col = getattr(table, parent_name)
        found, frontier = set(ids), set(ids)
        while frontier:
            if operator == "child_of":
                rows = table.select(table.id).where(parent_col.in_(list(frontier)))
            else:
                rows = table.select(parent_col).where(table.id.in_(list(frontier)) & parent_col.is_null(False))
            frontier = {row[0] for row in rows.tuples()} - found
            found |= frontier
        return self._scalar(self._column(field), field, "in", sorted(found))

    def _scalar(self, column, field, operator: str, value):
        if operator in ("in", "not in"):
            values = value if isinstance(value, (list, tuple)) else [value]
            value = [column_value(field, v) for v in values]
        elif operator in ("<", "<=", ">", ">=") or (operator in ("=", "!=") and field.type != "boolean"):
            value = column_value(field, value)  # (a boolean field's = and != take any value's truth)
        if operator in ("in", "not in"):
            return self._membership(column, operator, value)
        if operator in ("=", "!="):
            return self._equality(column, field, operator, value)
        if operator in ("<", "<=", ">", ">="):
            if value is None or value is False:
                return FALSE
            return peewee.Expression(column, operator, value)
        return self._like(column, operator, value)

    @staticmethod
    def _membership(column, operator: str, value):
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        with_null = any(v is None or (v is False) for v in values)
        values = [v for v in values if v is not None and v is not False]
        if operator == "in":
            expr = column.in_(values) if values else FALSE
            return (expr | column.is_null()) if with_null else expr
        expr = column.not_in(values) if values else TRUE
        return (expr & column.is_null(False)) if with_null else (expr | column.is_null())

    @staticmethod
    def _equality(column, field, operator: str, value):
        empty = value is None or (value is False and field.type != "boolean")
        if field.type == "boolean":
            truth = bool(value)
            if operator == "!=":
                truth = not truth
            return (column == True) if truth else (column.is_null() | (column == False))  # noqa: E712
        if operator == "=":
            return column.is_null() if empty else column == value
        return column.is_null(False) if empty else ((column != value) | column.is_null())

    def _like(self, column, operator: str, value):
        if value is None or value is False:
            if operator in ("not like", "not ilike"):
                return column.is_null(False)
            return column.is_null()
        text = str(value)
        pattern = text if operator.startswith("=") else f"%{text}%"
        insensitive = "ilike" in operator
        if insensitive and self.model.env.registry.database.native_ilike:
            expr = _raw_operator(column, "ILIKE", pattern)
        elif insensitive:
            expr = _raw_operator(peewee.fn.lower(column), "LIKE", peewee.fn.lower(pattern))
        else:
            expr = _raw_operator(column, "LIKE", pattern)
        if operator.startswith("not"):
            return ~expr | column.is_null()
        return expr
