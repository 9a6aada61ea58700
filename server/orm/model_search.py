"""Access rights and searches: a domain, an order, a limit become one SQL query (``_search``), and
``search``, ``search_count``, ``search_read``, ``name_search`` and ``exists`` answer from it."""
from __future__ import annotations

import re

import peewee

from ..exceptions import AccessError, DomainFormError, UserError, ValidationError
from . import api, related
from .domain import DomainCompiler
from .field_access import field_access_error, field_allowed
from .rules import restricted
from .search import SearchQuery

ORDER_TERM_RE = re.compile(r"^\s*([a-z_][a-z0-9_]*)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$", re.I)
OPERATIONS = ("read", "write", "create", "unlink")
_VERBS = {"read": "read", "write": "modify", "create": "create", "unlink": "delete"}


class ModelSearch:
    """The access-rights and search methods every model has (a base of ``BaseModel``)."""

    @api.readonly
    @api.model
    def check_access_rights(self, operation: str, raise_exception: bool = True) -> bool:
        """Whether the current user may ``operation`` ('read', 'write', 'create', 'unlink') this model."""
        if operation not in OPERATIONS:
            raise ValidationError(f"Invalid access operation {operation!r}: use one of {', '.join(OPERATIONS)}")
        if self.env.su:
            return True
        allowed = self.env.registry.access.allowed(self.env, self._name, operation)
        if not allowed and raise_exception:
            groups = self.env.registry.access.groups_allowed(self.env, self._name, operation)
            hint = f" Allowed groups: {', '.join(groups)}." if groups else " No group is allowed."
            raise AccessError(
                f"You are not allowed to {_VERBS[operation]} '{self._description or self._name}' ({self._name}) "
                f"records.{hint}",
                model=self._name, operation=operation,
            )
        return allowed

    def check_access(self, operation: str) -> None:
        self.check_access_rights(operation)
        self.check_access_rule(operation)

    def _search_query(self, domain, offset: int = 0, limit=None, order=None) -> peewee.Select:
        table = self._table_model
        if table is None:
            raise UserError(f"Model {self._name!r} has no table and cannot be searched")
        query = table.select(table.id).where(DomainCompiler(self).compile(domain or []))
        if order is not False:
            query = query.order_by(*self._order_by(order or self._order, explicit=bool(order)))
        if limit:
            query = query.limit(self._check_int("limit", limit))
        if offset:
            query = query.offset(self._check_int("offset", offset))
        return query

    @staticmethod
    def _check_int(name: str, value) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError(f"{name} must be a non-negative integer, got {value!r}")
        return value

    def _order_by(self, order: str, explicit: bool = True) -> list:
        """Translate an order spec (``'name desc, id'``) into peewee orderings, refusing anything else
        (and, in an ``explicit`` order, fields whose ``groups`` the user is not in)."""
        if not isinstance(order, str):
            raise ValidationError(f"Invalid order {order!r}: expected text such as 'name desc, id'")
        table, terms = self._table_model, []
        for part in order.split(","):
            match = ORDER_TERM_RE.match(part)
            if not match:
                raise ValidationError(f"Invalid order {order!r} on model {self._name!r}")
            name, direction, nulls = match.groups()
            field = self._fields.get(name)
            column = related.order_expression(self, field) if field is not None and field.related \
                and not field.store else None
            if field is None or not (field.column or name == "id" or column is not None) or not field.searchable:
                raise ValidationError(f"Invalid order: {name!r} is not a stored field of {self._name!r}")
            if explicit and not field_allowed(self, field):
                raise field_access_error(self, [name], "sort on")
            if column is None:
                column = table.id if name == "id" else getattr(table, name)
            if field.type == "many2one" and field.column:
                column = self._many2one_sort_key(field, column)
            ordering = column.desc() if (direction or "").lower() == "desc" else column.asc()
            if nulls:
                ordering = (column.desc if (direction or "").lower() == "desc" else column.asc)(nulls=nulls.upper())
            terms.append(ordering)
        if not any(t.node is table.id for t in terms):
            terms.append(table.id.asc())
        return terms

    def _active_domain(self, domain) -> list:
        """Add ``('active', '=', True)`` unless the domain speaks of ``active`` or the context says not to."""
        if not isinstance(domain, (list, tuple)):  # False and None too, as Odoo 17
            raise DomainFormError()
        domain = list(domain)
        if "active" not in self._fields or not self.env.context.get("active_test", True):
            return domain
        for term in domain:
            if isinstance(term, (list, tuple)) and len(term) == 3 and isinstance(term[0], str) \
                    and term[0].split(".")[0] == "active":
                return domain
        return [("active", "=", True)] + domain

    def _many2one_sort_key(self, field, column):
        """Sort a many2one by its comodel's first order term, as Odoo does (a country by name, not id)."""
        comodel = self.env.registry.models[field.comodel_name]
        first = ORDER_TERM_RE.match(comodel._order.split(",")[0])
        key_name = first.group(1) if first else "id"
        key_field = comodel._fields.get(key_name)
        if key_name == "id" or key_field is None or not key_field.column or key_field.type == "many2one":
            return column
        cotable = comodel._table_model.alias("m2o_order")
        # A column of the alias, not getattr(): an alias's own attributes (``model``) would shadow the field.
        key = peewee.Column(cotable, comodel._table_model._meta.fields[key_name].column_name)
        return peewee.NodeList((cotable.select(key).where(cotable.id == column),), parens=True)

    def _search(self, domain, offset: int = 0, limit=None, order=None) -> SearchQuery:
        """The search of the records ``domain`` matches, archived records left out unless asked for.

        ``search``, ``search_count`` and ``search_read`` all go through here, so a
        model that restricts what its users may find overrides this (as in Odoo).
        """
        return SearchQuery(self, restricted(self, self._active_domain(domain)), offset, limit, order)

    def _rewrite_nonstored_leaf(self, field, rest: str, operator: str, value) -> list:
        """The domain standing for ``(field[.rest], operator, value)`` on a non-stored field: the
        related path, or what the field's ``search`` method answers (Odoo's ``_search_<name>``)."""
        if field.related:
            return [(field.related + (f".{rest}" if rest else ""), operator, value)]
        if rest:
            raise ValidationError(f"Invalid domain: cannot follow {rest!r} from non-stored field {field.name!r} "
                                  f"of {self._name!r}")
        method = field.search if callable(field.search) else getattr(self, field.search)
        domain = method(self, operator, value) if callable(field.search) else method(operator, value)
        if not isinstance(domain, (list, tuple)):
            raise ValidationError(f"{self._name}.{field.search} must return a domain, got {domain!r}")
        return list(domain)

    def _rows(self, sql: str, params) -> list[tuple]:
        """The raw rows of a query (converted by ``_cache_rows``, not by peewee's slower row wrappers)."""
        return self.env.cr.database.execute_sql(sql, params).fetchall()

    @api.readonly
    @api.model
    def search(self, domain, offset: int = 0, limit=None, order=None):
        """The records matching ``domain``, in ``order`` (default: the model's ``_order``)."""
        self.check_access_rights("read")
        search = self._search(domain, offset, limit, order or None)
        if limit == 1:  # a lookup: its record's fields are read next, so fetch them with it (files aside)
            columns = [f for f in self._column_fields() if f.type != "binary"]
            ids = self._cache_rows(columns, self._rows(*search.sql(columns)))
        else:
            ids = tuple(row[0] for row in self._rows(*search.sql()))
        return self._browse(self.env, ids, ids)

    @api.readonly
    @api.model
    def search_count(self, domain, limit=None) -> int:
        self.check_access_rights("read")
        return self._search(domain, limit=limit, order=False).select().count()  # a limit stays in the subquery

    @api.readonly
    @api.model
    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs) -> list[dict]:
        """``search`` then ``read``, with the stored columns selected by the search query itself
        (Odoo's ``search_fetch``): one query instead of two."""
        self.check_access_rights("read")
        names = self._check_field_names(fields) if fields else None
        column_fields = self._column_fields(names)
        search = self._search(domain or [], offset, limit, order or None)
        ids = self._cache_rows(column_fields, self._rows(*search.sql(column_fields)))
        records = self._browse(self.env, ids, ids)
        return records.read(fields, **read_kwargs) if records else []

    @api.readonly
    @api.model
    def name_search(self, name: str = "", args=None, operator: str = "ilike", limit: int = 100) -> list:
        self.check_access_rights("read")
        records = self._records_of(self._name_search(name, args, operator, limit=limit))
        return [(rec.id, rec.display_name) for rec in records.sudo()]

    @api.readonly
    def name_get(self) -> list:
        return [(rec.id, rec.display_name) for rec in self]

    @api.model
    def name_create(self, name: str) -> tuple:
        record = self.create({self._rec_name_field(): name})
        return record.name_get()[0]

    @api.readonly
    def exists(self):
        """The subset of these records that still exist in the database."""
        if not self._ids:
            return self
        table = self._table_model
        found = {row[0] for row in table.select(table.id).where(table.id.in_(list(set(self._ids)))).tuples()}
        return self.browse(tuple(i for i in self._ids if i in found))
