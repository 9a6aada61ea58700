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
from collections import defaultdict

from ..exceptions import ValidationError
from . import api, fields
from .extensions import ModelExtensions
from .model_read import ModelRead
from .model_search import OPERATIONS, ORDER_TERM_RE, ModelSearch  # noqa: F401  (importable from here, as before)
from .model_write import LOG_ACCESS_FIELDS, ModelWrite  # noqa: F401
from .onchange import NewId  # noqa: F401  (odoo.models.NewId)
from .record_cache import RecordCache

_logger = logging.getLogger(__name__)

# Odoo's names for the columns every stored model has.
LOG_ACCESS_COLUMNS = list(LOG_ACCESS_FIELDS)
MAGIC_COLUMNS = ["id", *LOG_ACCESS_COLUMNS]

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


class BaseModel(RecordCache, ModelSearch, ModelRead, ModelWrite, ModelExtensions, metaclass=MetaModel):
    """Everything a recordset can do; ``Model`` adds a table.

    The recordset protocol is here; the cache (``record_cache.py``), searches (``model_search.py``),
    reads (``model_read.py``) and writes (``model_write.py``) are its bases, before the optional
    mechanisms of ``extensions.py``.
    """

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

    # -- hooks -----------------------------------------------------------------
    def _register_hook(self) -> None:
        """Called on every model once its registry is loaded in a process (before its first
        transaction's own work): override it to patch methods or prepare what the model needs."""

    def _unregister_hook(self) -> None:
        """Undo what ``_register_hook`` did (called before the registry is dropped)."""

    # -- misc ------------------------------------------------------------------
    def get_external_id(self) -> dict:
        data = self.env["ir.model.data"].sudo().search([("model", "=", self._name), ("res_id", "in", self.ids)])
        result = dict.fromkeys(self.ids, "")
        for row in data:
            result[row.res_id] = f"{row.module}.{row.name}"
        return result


def _union(recordsets: list):
    first = recordsets[0]
    ids = tuple(dict.fromkeys(i for rs in recordsets for i in rs._ids))
    return first.browse(ids)


#: The classes whose methods make up the core recordset API (what the external API refuses to expose
#: beyond the ORM's public methods reads them).
CORE_CLASSES = (RecordCache, ModelSearch, ModelRead, ModelWrite)


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
