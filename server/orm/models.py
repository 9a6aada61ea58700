"""Models and recordsets, Odoo-style, over peewee.

An addon declares *definition classes* (``class Partner(models.Model)``); the
metaclass files them under their addon.  Each database's registry composes,
in dependency order, one class per model from the definitions of the addons
installed there, so ``_inherit`` extensions chain through ``super()`` and an
addon that is not installed contributes nothing.

An instance of a composed class is a *recordset*: an environment plus a tuple
of ids.  Field values live in the transaction's cache and are fetched in
batches for the whole recordset on first access.
"""
from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable

import peewee

from ..exceptions import AccessError, MissingError, UserError, ValidationError
from . import api, bulk, constraints, delegation, fields, precompute, read_path, recompute, related
from .commands import apply_x2many_commands
from .domain import DomainCompiler
from .extensions import ModelExtensions
from .field_access import field_access_error, field_allowed
from .integrity import IntegrityTranslator
from .onchange import NewId, fill_new_value
from .rules import check_fetch, forget_readable, restricted
from .search import SearchQuery

_logger = logging.getLogger(__name__)

LOG_ACCESS_FIELDS = ("create_uid", "create_date", "write_uid", "write_date")
ORDER_TERM_RE = re.compile(r"^\s*([a-z_][a-z0-9_]*)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$", re.I)
OPERATIONS = ("read", "write", "create", "unlink")


def addon_of(module_name: str) -> str | None:
    """``'odoo.addons.sale.models.order'`` -> ``'sale'``; None outside an addon."""
    parts = module_name.split(".")
    if len(parts) >= 3 and parts[0] == "odoo" and parts[1] == "addons":
        return parts[2]
    return None


class MetaModel(type):
    """Files every model definition class under the addon that declares it."""

    definitions: dict[str, list[type]] = defaultdict(list)
    module_to_models = definitions  # Odoo's name, used by test helpers that add models

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        if attrs.get("_register", True) is False:
            return
        addon = addon_of(attrs.get("__module__", ""))
        if addon is None:
            return
        cls._module = addon
        if cls not in MetaModel.definitions[addon]:
            MetaModel.definitions[addon].append(cls)


class BaseModel(ModelExtensions, metaclass=MetaModel):
    """Everything a recordset can do; ``Model`` adds a table."""

    _register = False
    _name: str | None = None
    _description: str | None = None
    _inherit: str | list | tuple = ()
    _order = "id"
    _rec_name: str | None = None
    _table: str | None = None
    _auto = False
    _abstract = True
    _transient = False
    _log_access = True
    _parent_name = "parent_id"
    _sql_constraints: list = []
    _inherits: dict = {}
    _module: str | None = None

    # Set on composed classes by the registry.
    _fields: dict = {}
    _table_model = None
    _constraint_methods: tuple = ()
    _ondelete_methods: tuple = ()
    _cascade_fields: tuple = ()
    _compute_groups: dict = {}

    id = fields.Id()
    display_name = fields.Char("Display Name", compute="_compute_display_name")

    # -- construction --------------------------------------------------------
    def __init__(self, env, ids: tuple, prefetch_ids: tuple):
        self.env = env
        self._ids = ids
        self._prefetch_ids = prefetch_ids

    @classmethod
    def _browse(cls, env, ids: tuple, prefetch_ids: tuple):
        return cls(env, ids, prefetch_ids)

    def browse(self, ids=()):
        """The records with ``ids`` (an int, a list, or nothing for an empty set)."""
        if ids is None or ids is False:
            ids = ()
        elif isinstance(ids, int) and not isinstance(ids, bool):
            ids = (ids,)
        else:
            try:
                ids = tuple(ids)
            except TypeError:
                raise ValidationError(f"Invalid record ids for {self._name}: {ids!r}") from None
        for id_ in ids:
            if isinstance(id_, bool) or not isinstance(id_, int):
                raise ValidationError(f"Invalid record id for {self._name}: {id_!r}")
        return self._browse(self.env, ids, ids)

    # -- recordset protocol --------------------------------------------------
    @property
    def ids(self) -> list[int]:
        return list(self._ids)

    @property
    def _cr(self):
        return self.env.cr

    @property
    def _uid(self):
        return self.env.uid

    @property
    def _context(self):
        return self.env.context

    def __iter__(self):
        for id_ in self._ids:
            yield self._browse(self.env, (id_,), self._prefetch_ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __bool__(self) -> bool:
        return bool(self._ids)

    def __contains__(self, item) -> bool:
        if isinstance(item, BaseModel):
            return item._name == self._name and set(item._ids) <= set(self._ids)
        if isinstance(item, str):
            return item in self._fields
        raise TypeError(f"cannot test membership of {item!r} in {self!r}")

    def __eq__(self, other) -> bool:
        if not isinstance(other, BaseModel):
            return NotImplemented
        return self._name == other._name and set(self._ids) == set(other._ids)

    def __hash__(self) -> int:
        return hash((self._name, frozenset(self._ids)))

    def __add__(self, other):
        self._check_same_model(other)
        return self.browse(self._ids + other._ids)

    def __or__(self, other):
        self._check_same_model(other)
        return self.browse(tuple(dict.fromkeys(self._ids + other._ids)))

    def __and__(self, other):
        self._check_same_model(other)
        keep = set(other._ids)
        return self.browse(tuple(dict.fromkeys(i for i in self._ids if i in keep)))

    def __sub__(self, other):
        self._check_same_model(other)
        drop = set(other._ids)
        return self.browse(tuple(i for i in self._ids if i not in drop))

    def _check_same_model(self, other) -> None:
        if not isinstance(other, BaseModel) or other._name != self._name:
            raise TypeError(f"cannot combine {self._name} with {other!r}")

    def __getitem__(self, key):
        if isinstance(key, str):
            if key not in self._fields:
                raise KeyError(f"Invalid field {key!r} on model {self._name!r}")
            return self._fields[key].__get__(self, type(self))
        if isinstance(key, slice):
            return self.browse(self._ids[key])
        return self._browse(self.env, (self._ids[key],), self._prefetch_ids)

    def __setitem__(self, key: str, value) -> None:
        if key not in self._fields:
            raise KeyError(f"Invalid field {key!r} on model {self._name!r}")
        self._fields[key].__set__(self, value)

    def __repr__(self) -> str:
        return f"{self._name}{self._ids!r}" if len(self._ids) != 1 else f"{self._name}({self._ids[0]},)"

    def ensure_one(self):
        """Return ``self`` if it holds exactly one record, else raise ValueError."""
        if len(self._ids) != 1:
            raise ValueError(f"Expected singleton: {self!r}")
        return self

    # -- environment switching -------------------------------------------------
    def with_env(self, env):
        return self._browse(env, self._ids, self._prefetch_ids)

    def sudo(self, flag: bool = True):
        """The same records, acting as superuser (access rights not checked)."""
        return self.with_env(self.env(su=flag))

    def with_user(self, user):
        uid = user.id if isinstance(user, BaseModel) else user
        return self.with_env(self.env(user=uid, su=False))

    def with_context(self, *args, **kwargs):
        """The same records with a context replaced by ``args[0]`` and/or updated by ``kwargs``."""
        context = dict(args[0] if args else self.env.context, **kwargs)
        return self.with_env(self.env(context=context))

    # -- functional helpers --------------------------------------------------------
    def mapped(self, func):
        """Values of a field path (``'partner_id.name'``) or a function over the records.

        Relational values are merged into one recordset; others form a list.
        """
        if isinstance(func, str):
            records = self
            for name in func.split("."):
                records = records._map_field(name)
            return records
        values = [func(rec) for rec in self]
        if values and all(isinstance(v, BaseModel) for v in values):
            return _union(values)
        return values

    def _map_field(self, name: str):
        field = self._fields.get(name)
        if field is None:
            raise KeyError(f"Invalid field {name!r} on model {self._name!r}")
        values = [field.__get__(rec, type(rec)) for rec in self]
        if field.relational:
            return _union(values) if values else self.env[field.comodel_name]
        return values

    def filtered(self, func):
        """The records for which ``func(record)`` (or the field named ``func``) is truthy."""
        if isinstance(func, str):
            path = func
            func = lambda rec: any(rec.mapped(path))  # noqa: E731
        return self.browse(tuple(rec.id for rec in self if func(rec)))

    def filtered_domain(self, domain):
        """The records that match ``domain``, in their order; archived records are matched like any other."""
        if not self:
            return self
        query = self._search_query([("id", "in", list(set(self._ids)))] + list(domain), order=False)
        matched = {row[0] for row in query.tuples()}
        return self.browse(tuple(i for i in self._ids if i in matched))

    def sorted(self, key=None, reverse: bool = False):
        """The records sorted by ``key`` (a function or field name), by default in the model's order
        (archived records included: sorting never drops a record)."""
        if key is None:
            query = self._search_query([("id", "in", list(set(self._ids)))])
            rank = {row[0]: n for n, row in enumerate(query.tuples())}
            ordered = sorted(self._ids, key=lambda i: rank.get(i, len(rank)), reverse=reverse)
            return self.browse(tuple(ordered))
        if isinstance(key, str):
            name = key
            key = lambda rec: rec[name]  # noqa: E731
        return self.browse(tuple(rec.id for rec in sorted(self, key=key, reverse=reverse)))

    # -- cache -------------------------------------------------------------
    def _cache_for(self, field) -> dict:
        cache = self.env.cr.cache.setdefault((self._name, field.name), {})
        if field.depends_context:  # one cache per value of the context keys the field depends on
            cache = cache.setdefault(self._context_key(field.depends_context), {})
        return cache

    def _context_key(self, keys) -> tuple:
        special = {"uid": lambda: self.env.uid, "company": lambda: self.env.context.get("company_id"),
                   "active_test": lambda: self.env.context.get("active_test", True)}
        return tuple(special[k]() if k in special else repr(self.env.context.get(k)) for k in keys)

    def _get_cache_value(self, field):
        id_ = self._ids[0]
        cache = self._cache_for(field)
        if field.store and field.compute and field not in self._computing \
                and id_ in recompute.pending(self.env).get(field, ()):
            recompute.recompute_now(self, field)
        if id_ not in cache:
            if isinstance(id_, NewId):
                fill_new_value(self, field)
            elif field.compute and not field.store:
                self._compute_field(field)
            elif field.type in ("one2many", "many2many"):
                self._fetch_x2many(field)
            else:
                self._fetch_columns()
            if id_ not in cache:
                raise MissingError(
                    f"Record does not exist or has been deleted. (Record: {self._name}({id_},), User: {self.env.uid})"
                )
        return cache[id_]

    def _set_cache_value(self, field, value) -> None:
        self._cache_for(field)[self._ids[0]] = value

    def _batch_ids(self, field) -> list[int]:
        cache = self._cache_for(field)
        batch = [i for i in dict.fromkeys(self._prefetch_ids + self._ids) if i not in cache]
        return batch[:1000] if self._ids[0] in batch[:1000] else [self._ids[0]] + batch[:999]

    def _fetch_columns(self, ids: list[int] | None = None, names=None) -> None:
        """Load stored columns (all, or ``names``) of a batch of records (by default around this one) in one query."""
        self.check_access_rights("read")
        column_fields = self._column_fields(names)
        ids = ids if ids is not None else self._batch_ids(column_fields[0] if column_fields else self._fields["id"])
        ids = check_fetch(self, ids)
        for rows in read_path.fetch_rows_by_id(self, tuple(column_fields), ids):
            self._cache_rows(column_fields, rows)

    def _column_fields(self, names=None) -> list:
        """The stored fields among ``names`` (all stored fields for None), in the model's order."""
        return [f for f in self._fields.values() if f.column and (names is None or f.name in names)]

    def _cache_rows(self, column_fields: list, rows) -> tuple[int, ...]:
        """Put rows of ``(id, *columns)`` in the cache, converted as peewee and the fields convert them;
        return the rows' ids in order."""
        caches = [self._cache_for(f) for f in column_fields]
        converters = [read_path.column_converter(self, f) for f in column_fields]
        id_cache = self._cache_for(self._fields["id"])
        for row in rows:
            rid = row[0]
            for cache, convert, value in zip(caches, converters, row[1:], strict=True):
                cache[rid] = value if convert is None or value is None else convert(value)
            id_cache[rid] = rid
        return tuple(row[0] for row in rows)

    def _existing(self, names=None):
        """These records minus deleted ones, loading their columns (or ``names``) on the way: one query."""
        known = self._cache_for(self._fields["id"])
        missing = [i for i in dict.fromkeys(self._ids) if i not in known]
        if missing:
            self._fetch_columns(missing, names)
        return self.browse(tuple(i for i in self._ids if i in known))

    def _fetch_x2many(self, field) -> None:
        ids = self._batch_ids(field)
        existing = set(self.browse(ids).exists()._ids)
        groups: dict[int, list[int]] = {i: [] for i in ids if i in existing}
        comodel = self.env[field.comodel_name]
        if field.type == "one2many":
            inverse = field.inverse_name
            for rec in comodel.sudo().search([(inverse, "in", list(groups))]):
                groups[rec._fields[inverse].__get__(rec).id].append(rec.id)
        else:
            rel = self.env.registry.relation_table(field)
            col1, col2 = getattr(rel, field.column1), getattr(rel, field.column2)
            pairs = rel.select(col1, col2).where(col1.in_(list(groups))).tuples()
            allowed = {}
            for src, dst in pairs:
                groups[src].append(dst)
                allowed[dst] = True
            order = comodel.sudo().search([("id", "in", list(allowed))])._ids if allowed else ()
            rank = {id_: n for n, id_ in enumerate(order)}
            for src in groups:
                groups[src] = sorted(groups[src], key=lambda i: rank.get(i, len(rank)))
        cache = self._cache_for(field)
        for src, dsts in groups.items():
            cache[src] = tuple(dsts)

    def _compute_field(self, field) -> None:
        """Compute a non-stored field for a batch of records around this one (with the fields its
        method also assigns)."""
        records = self.browse(self._batch_ids(field))._existing()
        if self._ids[0] not in records._ids:
            return
        group = self._compute_groups.get(field.name, (field,))
        group = [f for f in group if not f.store] or [field]
        computing = self.env.cr.cache.setdefault(("__computing__",), set())
        computing.update(group)
        target = records.sudo() if field.compute_sudo else records
        try:
            method = field.compute if callable(field.compute) else getattr(target, field.compute)
            method(target) if callable(field.compute) else method()
        finally:
            computing.difference_update(group)
        for member in group:
            cache = records._cache_for(member)
            for id_ in records._ids:
                cache.setdefault(id_, member.convert_to_cache(False, records))

    @property
    def _computing(self):
        return self.env.cr.cache.get(("__computing__",), ())

    def _invalidate(self, field_names: Iterable[str] | None = None) -> None:
        """Forget cached values of these records (all fields when none named) and every computed value."""
        cache = self.env.cr.cache
        for name in self._fields if field_names is None else field_names:
            per_record = cache.get((self._name, name))
            if per_record:
                for id_ in self._ids:
                    per_record.pop(id_, None)
        self._invalidate_computed()

    def _invalidate_computed(self) -> None:
        """Forget every non-stored computed value: they declare no dependencies to follow."""
        cache = self.env.cr.cache
        for key in self.env.registry.computed_keys:
            cache.pop(key, None)
        forget_readable(self.env.cr)

    def invalidate_recordset(self, fnames=None) -> None:
        self._invalidate(fnames)

    def invalidate_model(self, fnames=None) -> None:
        for name in fnames or list(self._fields):
            self.env.cr.cache.pop((self._name, name), None)

    # -- computed magic fields -----------------------------------------------
    def _rec_name_field(self) -> str:
        if self._rec_name and self._rec_name in self._fields:
            return self._rec_name
        return "name" if "name" in self._fields else "id"

    def _compute_display_name(self) -> None:
        name = self._rec_name_field()
        for rec in self:
            value = rec[name] if name != "id" else False
            rec.display_name = value if value else f"{rec._name},{rec.id}"

    # -- access rights ---------------------------------------------------------
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

    # -- search ----------------------------------------------------------------
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
        if domain and not isinstance(domain, (list, tuple)):
            raise ValidationError(f"Invalid domain: expected a list of terms, got {type(domain).__name__}")
        domain = list(domain or [])
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
        query = self._search(domain, limit=limit, order=False).select()
        return query.count() if not limit else len(list(query.tuples()))

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

    # -- read ------------------------------------------------------------------
    @api.readonly
    def read(self, fields=None, load: str = "_classic_read") -> list[dict]:
        """Field values as plain data: m2o ``[id, name]`` (plain id unless ``load='_classic_read'``)."""
        self.check_access_rights("read")
        names = self._check_field_names(fields) if fields else [n for n in self._fields if n != "id"]
        names = self._readable_field_names(names, explicit=bool(fields))
        records = self._existing(names)
        check_fetch(records, records._ids)  # the cache may hold them already: the rules are checked anyway
        ids = records._ids
        result = [{"id": id_} for id_ in ids]
        for name in names:
            field = self._fields[name]
            if field.secret:
                for row in result:
                    row[name] = False
                continue
            values = records._column_values(field)
            if field.type == "many2one" and load == "_classic_read":
                labels = self._many2one_labels(field, values)
                converted = [[v, labels.get(v, False)] if v else False for v in values]
            else:
                # The whole recordset stands for each record: conversions only need its env (not one
                # recordset per value, which cost more than the rest of read()).
                convert = field.convert_to_read
                converted = [convert(v, records, load) for v in values]
            for row, value in zip(result, converted, strict=True):
                row[name] = value
        return result

    def _column_values(self, field) -> list:
        """Cache values of ``field`` for these (existing) records, fetching or computing what is missing."""
        cache = self._cache_for(field)
        if any(id_ not in cache for id_ in self._ids):
            for rec in self:
                if rec._ids[0] not in cache:
                    rec._get_cache_value(field)
        return [cache[id_] for id_ in self._ids]

    def _many2one_labels(self, field, ids: list) -> dict:
        """``{id: display_name}`` of the targets of a many2one column, in one batch."""
        targets = self.env[field.comodel_name].sudo().browse(list(dict.fromkeys(i for i in ids if i)))
        return dict(targets._existing().name_get())

    def _check_field_names(self, names) -> list[str]:
        if isinstance(names, str):
            names = [names]
        unknown = [n for n in names if not isinstance(n, str) or n not in self._fields]
        if unknown:
            raise ValidationError(f"Invalid field {unknown[0]!r} on model {self._name!r}")
        return [n for n in names if n != "id"]

    @api.readonly
    @api.model
    def fields_get(self, allfields=None, attributes=None) -> dict:
        """Describe the fields (all, or ``allfields``), limited to ``attributes`` when given."""
        result = {}
        for name, field in self._fields.items():
            if (allfields and name not in allfields) or not field_allowed(self, field):
                continue
            desc = field.get_description(self.env)
            if attributes:
                desc = {key: value for key, value in desc.items() if key in attributes}
            result[name] = desc
        return result

    @api.readonly
    @api.model
    def fields_get_keys(self) -> list[str]:
        return list(self._fields)

    @api.readonly
    @api.model
    def default_get(self, fields_list) -> dict:
        """Default values for ``fields_list`` from ``default_<name>`` context keys and field defaults
        (those of the parent model for fields inherited through ``_inherits``)."""
        result = {}
        for name in fields_list or ():
            field = self._fields.get(name)
            if field is None:
                continue
            if f"default_{name}" in self.env.context:
                result[name] = self.env.context[f"default_{name}"]
            elif field.inherited:
                result.update(self.env[field.related_field.model_name].default_get([name]))
            elif field.default is not None:
                value = field.default_value(self)
                if isinstance(value, BaseModel):
                    value = value.id if field.type == "many2one" else value.ids
                result[name] = value
        return result

    # -- write path --------------------------------------------------------------
    def _convert_vals(self, vals: dict) -> tuple[dict, dict, dict]:
        """Split ``vals`` into column values, x2many commands and values of non-stored fields written
        through their ``inverse``, validating names and types."""
        if not isinstance(vals, dict):
            raise ValidationError(f"Values for {self._name} must be a dictionary, got {type(vals).__name__}")
        columns, x2many, inverses = {}, {}, {}
        for name, value in vals.items():
            field = self._fields.get(name)
            if field is None:
                raise ValidationError(f"Invalid field {name!r} on model {self._name!r}")
            if name == "id" or name in LOG_ACCESS_FIELDS or name == "display_name":
                continue
            if field.type in ("one2many", "many2many") and field.store:
                x2many[name] = value
            elif field.column:
                columns[name] = field.convert_to_column(value, self, vals)
            elif field.inverse:
                inverses[name] = value
            elif not (field.compute or field.related):
                raise ValidationError(f"Field {name!r} of {self._name!r} is not stored and cannot be written")
        return columns, x2many, inverses

    def _check_required(self, columns: dict, creating: bool) -> None:
        missing = [
            f for f in self._fields.values()
            if f.required and f.column and (f.name in columns or (creating and not f.compute))
            and (columns.get(f.name) is None or columns.get(f.name) == "")
            and f.type != "boolean"
        ]
        if missing:
            labels = ", ".join(f"{f.string} ({f.name})" for f in missing)
            raise ValidationError(f"Missing required value for {self._description or self._name}: {labels}",
                                  model=self._name, fields=[f.name for f in missing])

    def _add_defaults(self, vals: dict) -> dict:
        missing = [name for name in self._fields if name not in vals]
        return {**self.default_get(missing), **vals}

    def _prepare_create_values(self, vals_list: list) -> list[tuple[dict, dict, dict]]:
        prepared = []
        now, uid = fields.Datetime.now(), self.env.uid
        for vals in vals_list:
            columns, x2many, inverses = self._convert_vals(vals)
            self._check_required(columns, creating=True)
            if self._log_access:
                columns.update(create_uid=uid, create_date=now, write_uid=uid, write_date=now)
            prepared.append((columns, x2many, inverses))
        return prepared

    @api.model_create_multi
    def create(self, vals_list):
        """Create records from a dict (returns one record) or a list of dicts (returns them all).

        The rows are inserted in multi-row statements; stored computed fields of the new records,
        and those elsewhere that depend on them, are computed before this returns.
        """
        self.check_access_rights("create")
        if not isinstance(vals_list, list) or not all(isinstance(v, dict) for v in vals_list):
            raise ValidationError(f"create() on {self._name} expects a dict or a list of dicts")
        if not vals_list:
            return self.browse()
        for vals in vals_list:
            self._check_field_writes(vals)
        with self._translated_errors(), self.env.cr.savepoint():
            vals_list = [self._add_defaults(vals) for vals in vals_list]
            if self._inherits:
                vals_list = delegation.split_create(self, vals_list)
            prepared = self._prepare_create_values(vals_list)
            again = precompute.add_precomputed(self, vals_list, prepared)
            records = self._insert_rows([columns for columns, _x2many, _inverses in prepared])
            for record, (_columns, x2many, _inverses) in zip(records, prepared, strict=True):
                record._write_x2many(x2many)
            self._invalidate_computed()
            recompute.forget_inverse_caches(records, [f.name for f in self._fields.values() if f.relational])
            recompute.created(records)
            for field in self._fields.values():  # computed values given to create (or precomputed) are kept
                if field.store and field.compute:
                    given = [i for i, (columns, _x, _i), recompute_again in zip(records._ids, prepared, again,
                                                                                strict=True)
                             if field.name in columns and field.name not in recompute_again]
                    recompute.protect(self.browse(tuple(given)), [field])
            records._write_inverses([inverses for _columns, _x2many, inverses in prepared])
            recompute.flush(self.env)
            names = set().union(*(set(c) | set(x) | set(i) for c, x, i in prepared))
            records._validate(names)
            records._check_company_after_change(names)
            records.check_access_rule("create")
        return records

    def _insert_rows(self, rows: list[dict]):
        """Insert ``rows`` (column values) in multi-row statements; return the new records, their
        columns already in the cache (what a new record's computation reads costs no query)."""
        names = list(dict.fromkeys(n for row in rows for n in row))
        if names:
            ids = bulk.insert_rows(self, names, rows)
        else:
            table = self._table_model
            ids = [table.insert({}).execute() for _row in rows]
            ids = [row if isinstance(row, int) else row[0] for row in ids]
        records = self._browse(self.env, tuple(ids), tuple(ids))
        self._cache_new_rows(records._ids, rows)
        return records

    def _cache_new_rows(self, ids: tuple, rows: list[dict]) -> None:
        """Cache what was just inserted: the column values given (None for others), no x2many links."""
        for field in self._fields.values():
            if field.column:
                cache = self._cache_for(field)
                for id_, row in zip(ids, rows, strict=True):
                    cache[id_] = row.get(field.name)
            elif field.store and field.type in ("one2many", "many2many"):
                cache = self._cache_for(field)
                for id_ in ids:
                    cache[id_] = ()
        id_cache = self._cache_for(self._fields["id"])
        for id_ in ids:
            id_cache[id_] = id_

    def write(self, vals: dict) -> bool:
        """Update every record in the set with ``vals``; return True.

        Values of fields inherited through ``_inherits`` are written on the parents, those of fields
        with an ``inverse`` through it; what depends on the written fields is recomputed before this
        returns, except stored computed values written here by hand.
        """
        self.check_access_rights("write")
        if not self:
            return True
        self.check_access_rule("write")
        self._check_field_writes(vals)
        with self._translated_errors(), self.env.cr.savepoint():
            if self._inherits:
                vals = delegation.split_write(self, vals)
            columns, x2many, inverses = self._convert_vals(vals)
            self._check_required(columns, creating=False)
            written = set(columns) | set(x2many)
            relational = [n for n in written if self._fields[n].relational]
            if self._log_access and (columns or x2many):
                columns.update(write_uid=self.env.uid, write_date=fields.Datetime.now())
            self._check_existing()
            recompute.modified(self, relational)
            if columns:
                table = self._table_model
                table.update(columns).where(table.id.in_(list(self._ids))).execute()
            self._write_x2many(x2many)
            self._invalidate()
            recompute.forget_inverse_caches(self, relational)
            recompute.modified(self, written)
            recompute.protect(self, [self._fields[n] for n in columns if self._fields[n].compute])
            self._write_inverses([inverses] * len(self._ids) if inverses else [])
            recompute.flush(self.env)
            self._validate(written | set(inverses))
            self._check_company_after_change(written)
        return True

    def _check_existing(self) -> None:
        existing = self.exists()
        if len(existing) != len(set(self._ids)):
            missing = sorted(set(self._ids) - set(existing._ids))
            raise MissingError(f"Record does not exist or has been deleted. (Record: {self._name}{tuple(missing)})")

    def _write_inverses(self, values_per_record: list[dict]) -> None:
        """Put the values of non-stored fields in the cache and call their inverse methods, once per
        method for the records that got a value for it."""
        by_method: dict = {}
        for record, values in zip(self, values_per_record, strict=False):
            for name, value in values.items():
                field = self._fields[name]
                record._cache_for(field)[record.id] = field.convert_to_cache(value, record)
                by_method.setdefault(field.inverse, (field, []))[1].append(record.id)
        for inverse, (field, ids) in by_method.items():
            records = self.browse(tuple(dict.fromkeys(ids)))
            records = records.sudo() if field.compute_sudo else records
            inverse(records) if callable(inverse) else getattr(records, inverse)()

    def unlink(self) -> bool:
        """Delete the records (and their external ids); return True.

        ``@api.ondelete`` methods may refuse first; what depended on the records is recomputed.
        """
        self.check_access_rights("unlink")
        if not self:
            return True
        self.check_access_rule("unlink")
        constraints.run_ondelete(self)
        table = self._table_model
        with self._translated_errors(), self.env.cr.savepoint():
            constraints.unlink_cascading(self)
            recompute.modified(self, [name for (model, name) in self.pool.field_triggers if model == self._name])
            if self._name != "ir.model.data" and "ir.model.data" in self.env.registry.models:
                data = self.env.registry.models["ir.model.data"]._table_model
                data.delete().where((data.model == self._name) & data.res_id.in_(list(self._ids))).execute()
            table.delete().where(table.id.in_(list(self._ids))).execute()
            if self._name != "ir.attachment" and "ir.attachment" in self.env.registry.models:
                self.env["ir.attachment"]._unlink_for_records(self._name, self._ids)
            recompute.protect(self, [f for f in self._fields.values() if f.store and f.compute])
            self.env.cr.cache.clear()
            recompute.flush(self.env)
        return True

    def _write_x2many(self, commands_by_field: dict) -> None:
        for name, commands in commands_by_field.items():
            field = self._fields[name]
            for record in self:
                apply_x2many_commands(record, field, commands)

    def _validate(self, names: set) -> None:
        for method_name, watched in self._constraint_methods:
            if names & set(watched):
                getattr(self, method_name)()

    def _translated_errors(self):
        return IntegrityTranslator(self)

    def copy_data(self, default=None) -> list[dict]:
        default = dict(default or {})
        result = []
        for rec in self:
            vals = {}
            for name, field in rec._fields.items():
                if name in default or not field.copy or name in LOG_ACCESS_FIELDS or name == "id":
                    continue
                if (field.compute and not field.inherited) or field.type == "one2many" \
                        or name in rec._inherits.values():  # the copy gets a new parent, with copied values
                    continue
                value = rec[name]
                if field.type == "many2one":
                    value = value.id
                elif field.type == "many2many":
                    value = [(6, 0, value.ids)]
                elif field.type == "binary":
                    value = value or False
                vals[name] = value
            vals.update(default)
            result.append(vals)
        return result

    def copy(self, default=None):
        """Duplicate the record; ``default`` overrides copied values."""
        self.ensure_one()
        return self.create(self.copy_data(default))

    # -- views (kept by ir.ui.view of the base addon) ------------------------------------------
    @api.readonly
    @api.model
    def get_views(self, views, options=None) -> dict:
        """Odoo 17's ``get_views``: the combined arch of each ``[view_id, view_type]``, and the fields."""
        return self.env["ir.ui.view"]._get_views(self._name, views, dict(options or {}))

    @api.readonly
    @api.model
    def get_view(self, view_id=None, view_type="form", **options) -> dict:
        """The combined arch of one view (the model's default of ``view_type`` without ``view_id``)."""
        return self.env["ir.ui.view"]._get_view(self._name, view_id, view_type)

    # -- misc ------------------------------------------------------------------
    def get_external_id(self) -> dict:
        data = self.env["ir.model.data"].sudo().search([("model", "=", self._name), ("res_id", "in", self.ids)])
        result = dict.fromkeys(self.ids, "")
        for row in data:
            result[row.res_id] = f"{row.module}.{row.name}"
        return result


_VERBS = {"read": "read", "write": "modify", "create": "create", "unlink": "delete"}


def _union(recordsets: list):
    first = recordsets[0]
    ids = tuple(dict.fromkeys(i for rs in recordsets for i in rs._ids))
    return first.browse(ids)


class AbstractModel(BaseModel):
    """A model without a table: a mixin other models ``_inherit``."""

    _register = False
    _abstract = True


class Model(BaseModel):
    """A model stored in its own table."""

    _register = False
    _auto = True
    _abstract = False

    create_uid = fields.Many2one("res.users", "Created by", readonly=True)
    create_date = fields.Datetime("Created on", readonly=True)
    write_uid = fields.Many2one("res.users", "Last Updated by", readonly=True)
    write_date = fields.Datetime("Last Updated on", readonly=True)


class TransientModel(Model):
    """A stored model for short-lived wizard records."""

    _register = False
    _transient = True
