"""Field declarations: what a model's attributes are, how they are stored and shown.

A field converts values between four representations:

* *write* values, as given to ``create``/``write`` (ids, commands, strings);
* *cache* values, what a transaction keeps per record (ids, tuples, dates);
* *record* values, what attribute access returns (recordsets, ``False``);
* *read* values, what ``read()`` returns over the wire (``[id, name]``, ``False``).
"""
from __future__ import annotations

import base64
import datetime as dt
import json

import peewee

from ..exceptions import ValidationError
from .commands import Command  # noqa: F401  (odoo.fields.Command)
from .rules import readable_ids

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class Field:
    """Base of every field; subclasses set ``type`` and the conversions."""

    type: str = ""
    column_class: type | None = None
    relational = False
    empty = False

    def __init__(self, string: str | None = None, **kwargs):
        self.string = string
        self._given = frozenset(kwargs) | ({"string"} if string else frozenset())
        self.required = kwargs.pop("required", False)
        self.default = kwargs.pop("default", None)
        self.index = kwargs.pop("index", False)
        self.help = kwargs.pop("help", None)
        self.related = kwargs.pop("related", None)
        self.compute = kwargs.pop("compute", None)
        self.inverse = kwargs.pop("inverse", None)
        self.search = kwargs.pop("search", None)
        self.store = kwargs.pop("store", not (self.compute or self.related))
        self.readonly = kwargs.pop("readonly", bool((self.compute and not self.inverse) or self.related))
        self.compute_sudo = kwargs.pop("compute_sudo", self.store or bool(self.related))
        self.precompute = kwargs.pop("precompute", False)
        self.recursive = kwargs.pop("recursive", False)
        self.copy = kwargs.pop("copy", not (self.compute or self.related))
        self.config_parameter = kwargs.pop("config_parameter", None)
        self.groups = kwargs.pop("groups", None)
        self.secret = kwargs.pop("secret", False)
        self.searchable = kwargs.pop("searchable", not self.secret)
        self.extra = kwargs
        self.name: str = ""
        self.model_name: str = ""
        # Set up by the registry (server.orm.recompute, related, delegation).
        self.depends: tuple[str, ...] = ()
        self.depends_context: tuple[str, ...] = ()
        self.related_field: Field | None = None
        self.inherited = False

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.model_name}.{self.name})"

    def new(self) -> Field:
        """A copy for one registry's model class, so per-registry setup never leaks."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.extra = dict(self.extra)
        return clone

    def setup(self, model_cls) -> None:
        self.model_name = model_cls._name
        if not self.string:
            self.string = self.name.replace("_", " ").title() if self.name != "id" else "ID"

    @property
    def column(self) -> bool:
        """Whether this field has a column in the model's table."""
        return self.store and self.column_class is not None

    # -- attribute access ------------------------------------------------
    def __get__(self, record, owner=None):
        if record is None:
            return self
        if not record._ids:  # as in Odoo: a field of no record is the empty value (False, no records)
            return self.convert_to_record(self.convert_to_cache(False, record), record)
        record.ensure_one()
        return self.convert_to_record(record._get_cache_value(self), record)

    def __set__(self, records, value) -> None:
        if records._computing and self in records._computing:
            for record in records:
                record._set_cache_value(self, self.convert_to_cache(value, record))
            return
        if records._is_new_records():
            return records._set_new_values(self, value)
        records.write({self.name: value})

    # -- conversions -------------------------------------------------------
    def convert_to_cache(self, value, record):
        return None if value is False or value is None else value

    def convert_to_record(self, value, record):
        return False if value is None else value

    def convert_to_read(self, value, record, load="_classic_read"):
        return False if value is None else value

    def convert_to_column(self, value, record, values=None):
        """The value to store for ``value`` written on ``record``; ``values``: all the values written
        with it (a monetary amount is rounded by the currency given alongside)."""
        return self.convert_to_cache(value, record)

    def from_column(self, value):
        """Turn a value fetched from the database into a cache value."""
        return value

    def default_value(self, model):
        default = self.default
        if callable(default):
            return default(model)
        return default

    def peewee_field(self) -> peewee.Field:
        return self.column_class(column_name=self.name, null=True, index=bool(self.index))

    def get_description(self, env) -> dict:
        """The ``fields_get`` entry for this field."""
        desc = {
            "name": self.name, "type": self.type, "string": self.string or self.name,
            "help": self.help or False, "required": bool(self.required), "readonly": bool(self.readonly),
            "store": bool(self.store), "manual": False, "depends": tuple(self.depends), "company_dependent": False,
            "related": self.related or False, "groups": self.groups or False,
            "change_default": bool(self.extra.get("change_default")),
            "searchable": bool(self.searchable and (self.store or self.search or self.related)),
            "sortable": bool(self.column or self.inherited), "exportable": True,
        }
        return desc


class Boolean(Field):
    type = "boolean"
    column_class = peewee.BooleanField

    def convert_to_cache(self, value, record):
        return bool(value)

    def convert_to_record(self, value, record):
        return bool(value)

    def convert_to_read(self, value, record, load="_classic_read"):
        return bool(value)

    def from_column(self, value):
        return bool(value)


class Integer(Field):
    type = "integer"
    column_class = peewee.IntegerField

    def __init__(self, string=None, **kwargs):
        self.big = kwargs.pop("big", False)
        super().__init__(string, **kwargs)
        if self.big:
            self.column_class = peewee.BigIntegerField

    def convert_to_cache(self, value, record):
        if value is None or value is False:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, str, float)):
            raise ValidationError(f"{self.model_name}.{self.name} expects an integer, got {value!r}")
        try:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(value)
        except (TypeError, ValueError):
            raise ValidationError(f"{self.model_name}.{self.name} expects an integer, got {value!r}") from None

    def convert_to_record(self, value, record):
        return value or 0

    def convert_to_read(self, value, record, load="_classic_read"):
        return value or 0


class Float(Field):
    type = "float"
    column_class = peewee.DoubleField

    def __init__(self, string=None, digits=None, **kwargs):
        super().__init__(string, **kwargs)
        self.digits = digits

    def convert_to_cache(self, value, record):
        if value is None or value is False:
            return None
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValidationError(f"{self.model_name}.{self.name} expects a number, got {value!r}") from None
        if self.digits:
            value = round(value, self.digits[1])
        return value

    def convert_to_record(self, value, record):
        return value or 0.0

    def convert_to_read(self, value, record, load="_classic_read"):
        return value or 0.0

    def get_description(self, env) -> dict:
        desc = super().get_description(env)
        if self.digits:
            desc["digits"] = list(self.digits)
        return desc


class _String(Field):
    def __init__(self, string=None, **kwargs):
        self.size = kwargs.pop("size", None)
        self.translate = kwargs.pop("translate", False)
        self.trim = kwargs.pop("trim", True)
        super().__init__(string, **kwargs)

    def convert_to_cache(self, value, record):
        if value is None or value is False:
            return None
        if isinstance(value, bytes):
            value = value.decode()
        if not isinstance(value, str):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(value)
            else:
                raise ValidationError(f"{self.model_name}.{self.name} expects text, got {type(value).__name__}")
        if "\x00" in value:
            raise ValidationError(f"{self.model_name}.{self.name} cannot contain NUL characters")
        if self.size and len(value) > self.size:
            value = value[: self.size]
        return value

    def get_description(self, env) -> dict:
        desc = super().get_description(env)
        desc["translate"] = bool(self.translate)
        if self.size:
            desc["size"] = self.size
        return desc


class Char(_String):
    type = "char"
    column_class = peewee.CharField

    def peewee_field(self) -> peewee.Field:
        return peewee.CharField(column_name=self.name, null=True, index=bool(self.index), max_length=self.size or 255)

    def get_description(self, env) -> dict:
        desc = super().get_description(env)
        desc["trim"] = bool(self.trim)
        return desc


class Text(_String):
    type = "text"
    column_class = peewee.TextField


class Html(Text):
    type = "html"


class Selection(Field):
    type = "selection"
    column_class = peewee.CharField

    def __init__(self, selection=None, string=None, **kwargs):
        super().__init__(string, **kwargs)
        self.selection = selection or []

    def get_values(self, env) -> list:
        return [key for key, _label in self._resolve(env)]

    def _resolve(self, env) -> list:
        selection = self.selection
        if isinstance(selection, str):
            return getattr(env[self.model_name], selection)()
        if callable(selection):
            return selection(env[self.model_name])
        return list(selection)

    def convert_to_cache(self, value, record):
        if value is None or value is False:
            return None
        if value not in self.get_values(record.env):
            allowed = ", ".join(repr(v) for v in self.get_values(record.env))
            raise ValidationError(f"Wrong value for {self.model_name}.{self.name}: {value!r} (allowed: {allowed})")
        return value

    def get_description(self, env) -> dict:
        desc = super().get_description(env)
        desc["selection"] = [list(item) for item in self._resolve(env)]
        return desc


class Date(Field):
    type = "date"
    column_class = peewee.DateField

    def convert_to_cache(self, value, record):
        if not value:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.datetime.strptime(str(value)[:10], DATE_FORMAT).date()
        except ValueError:
            raise ValidationError(f"{self.model_name}.{self.name} expects a date YYYY-MM-DD, got {value!r}") from None

    def from_column(self, value):
        return self.convert_to_cache(value, None)

    def convert_to_read(self, value, record, load="_classic_read"):
        return value.strftime(DATE_FORMAT) if value else False

    @staticmethod
    def today(*args) -> dt.date:
        return dt.date.today()

    @staticmethod
    def to_string(value) -> str | bool:
        return value.strftime(DATE_FORMAT) if value else False


class Datetime(Field):
    type = "datetime"
    column_class = peewee.DateTimeField

    def convert_to_cache(self, value, record):
        if not value:
            return None
        if isinstance(value, dt.datetime):
            return value.replace(microsecond=0, tzinfo=None) if value.tzinfo is None else \
                value.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        text = str(value).replace("T", " ")
        for fmt in (DATETIME_FORMAT, "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M", DATE_FORMAT):
            try:
                return dt.datetime.strptime(text, fmt).replace(microsecond=0)
            except ValueError:
                continue
        raise ValidationError(f"{self.model_name}.{self.name} expects a datetime 'YYYY-MM-DD HH:MM:SS', got {value!r}")

    def from_column(self, value):
        return self.convert_to_cache(value, None)

    def convert_to_read(self, value, record, load="_classic_read"):
        return value.strftime(DATETIME_FORMAT) if value else False

    @staticmethod
    def now(*args) -> dt.datetime:
        return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)

    @staticmethod
    def to_string(value) -> str | bool:
        return value.strftime(DATETIME_FORMAT) if value else False


class Binary(Field):
    """Bytes stored as such; shown base64-encoded, as Odoo's clients expect.

    ``attachment=True``: kept in an ``ir.attachment`` (``res_model``, ``res_field``, ``res_id``) of the
    base addon's filestore instead of a column, as Odoo does.
    """

    type = "binary"
    column_class = peewee.BlobField

    def __init__(self, string=None, **kwargs):
        self.attachment = kwargs.pop("attachment", False)
        if self.attachment and not (kwargs.get("compute") or kwargs.get("related")):
            # Read and written through ir.attachment: a computed field with an inverse, without a column.
            kwargs.update(compute=self._read_attachments, inverse=self._write_attachments, store=False,
                          compute_sudo=True, copy=kwargs.get("copy", True))
        super().__init__(string, **kwargs)

    def _read_attachments(self, records) -> None:
        records.env["ir.attachment"]._read_field_attachments(records, self.name)

    def _write_attachments(self, records) -> None:
        cache = records._cache_for(records._fields[self.name])
        for record in records:
            value = cache.get(record.id)
            records.env["ir.attachment"]._write_field_attachments(
                record, self.name, base64.b64encode(value).decode() if value else False)

    def convert_to_cache(self, value, record):
        if not value:
            return None
        if isinstance(value, str):
            value = value.encode()
        try:
            return base64.b64decode(value, validate=True)
        except (ValueError, TypeError):
            raise ValidationError(f"{self.model_name}.{self.name} expects base64 data") from None

    def from_column(self, value):
        return bytes(value) if value is not None else None

    def convert_to_record(self, value, record):
        return base64.b64encode(value) if value else False

    def convert_to_read(self, value, record, load="_classic_read"):
        return base64.b64encode(value).decode() if value else False

    def convert_to_column(self, value, record, values=None):
        return self.convert_to_cache(value, record)

    def get_description(self, env) -> dict:
        desc = super().get_description(env)
        desc["attachment"] = bool(self.attachment)
        return desc


class _JsonColumn(peewee.Field):
    field_type = "JSON"

    def db_value(self, value):
        return None if value is None else json.dumps(value, sort_keys=True)

    def python_value(self, value):
        # psycopg2 already decodes jsonb; decoding again would break JSON string values on PostgreSQL.
        if isinstance(value, str) and self.model._meta.database.dialect == "sqlite":
            return json.loads(value)
        return value


class Json(Field):
    type = "json"
    column_class = _JsonColumn

    def convert_to_cache(self, value, record):
        if value is None or value is False:
            return None
        try:
            return json.loads(json.dumps(value))
        except (TypeError, ValueError):
            raise ValidationError(f"{self.model_name}.{self.name} expects JSON-serialisable data") from None

    def from_column(self, value):
        return value  # the column already decoded it (_JsonColumn.python_value)

    def convert_to_column(self, value, record, values=None):
        return self.convert_to_cache(value, record)  # _JsonColumn.db_value encodes it, once


class _Relational(Field):
    relational = True

    def __init__(self, comodel_name: str | None = None, string=None, **kwargs):
        self.domain = kwargs.pop("domain", [])
        self.context = kwargs.pop("context", {})
        super().__init__(string, **kwargs)
        self.comodel_name = comodel_name

    def setup(self, model_cls) -> None:
        super().setup(model_cls)
        if not self.comodel_name and not self.related:  # a related field takes its target's comodel later
            raise TypeError(f"{self!r} needs a comodel name")

    def get_description(self, env) -> dict:
        desc = super().get_description(env)
        desc.update(relation=self.comodel_name, domain=self.domain if isinstance(self.domain, list) else [],
                    context=dict(self.context))
        return desc


MAX_PREFETCH_MEMO = 256


def prefetch_targets(field, record, value) -> tuple:
    """The ids to fetch with the target(s) ``value`` of ``record``'s relational ``field``: the
    targets of every record fetched with ``record`` (Odoo's prefetching), so that reading
    ``loan.book_id.name`` over a thousand loans costs one query, not one per book.

    Worked out once per prefetch set (remembered in the transaction's cache by identity).
    """
    memo = record.env.cr.cache.setdefault(("__prefetch__", field.model_name, field.name), {})
    prefetch_ids = record._prefetch_ids
    entry = memo.get(id(prefetch_ids))
    if entry is None or entry[0] is not prefetch_ids:
        cache = record._cache_for(field)
        targets: dict = {}
        for id_ in prefetch_ids:
            found = cache.get(id_)
            if found:
                targets.update(dict.fromkeys(found) if isinstance(found, tuple) else {found: None})
        if len(memo) >= MAX_PREFETCH_MEMO:
            memo.clear()
        entry = memo[id(prefetch_ids)] = (prefetch_ids, tuple(targets), targets)
    first = value[0] if isinstance(value, tuple) else value
    return entry[1] if first in entry[2] else (first, *entry[1])


class Many2one(_Relational):
    type = "many2one"
    column_class = peewee.IntegerField

    def __init__(self, comodel_name=None, string=None, **kwargs):
        self.ondelete = kwargs.pop("ondelete", "set null")
        super().__init__(comodel_name, string, **kwargs)
        if self.ondelete not in ("set null", "cascade", "restrict"):
            raise TypeError(f"ondelete must be 'set null', 'cascade' or 'restrict', not {self.ondelete!r}")
        if self.required and self.ondelete == "set null":
            self.ondelete = "restrict"

    def convert_to_cache(self, value, record):
        if value is None or value is False:
            return None
        if hasattr(value, "_ids"):
            if len(value._ids) > 1:
                raise ValidationError(f"{self.model_name}.{self.name} takes one record, got {value!r}")
            return value._ids[0] if value._ids else None
        if isinstance(value, (list, tuple)) and value:
            value = value[0]
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(f"{self.model_name}.{self.name} expects a record id, got {value!r}")
        return value

    def convert_to_record(self, value, record):
        if not value:
            return record.env[self.comodel_name]
        return record.env[self.comodel_name]._browse(record.env, (value,), prefetch_targets(self, record, value))

    def convert_to_read(self, value, record, load="_classic_read"):
        if value is None:
            return False
        if load != "_classic_read":
            return value
        comodel = record.env[self.comodel_name].sudo().browse(value)
        return [value, comodel.display_name if comodel.exists() else False]

    def peewee_field(self) -> peewee.Field:
        return peewee.IntegerField(column_name=self.name, null=True, index=True)


class _X2many(_Relational):
    column_class = None
    store = True

    def convert_to_cache(self, value, record):
        if hasattr(value, "_ids"):
            return tuple(value._ids)
        return tuple(value or ())

    def convert_to_record(self, value, record):
        comodel = record.env[self.comodel_name]
        if not value:
            return comodel
        targets = prefetch_targets(self, record, value)
        return comodel._browse(record.env, readable_ids(comodel, tuple(value), targets), targets)

    def convert_to_read(self, value, record, load="_classic_read"):
        if not value:
            return []
        comodel = record.env[self.comodel_name]
        return list(readable_ids(comodel, tuple(value), prefetch_targets(self, record, value)))


class One2many(_X2many):
    type = "one2many"

    def __init__(self, comodel_name=None, inverse_name: str | None = None, string=None, **kwargs):
        super().__init__(comodel_name, string, **kwargs)
        self.inverse_name = inverse_name

    def setup(self, model_cls) -> None:
        super().setup(model_cls)
        if not self.inverse_name and not (self.compute or self.related):
            raise TypeError(f"{self!r} needs an inverse field name")

    def get_description(self, env) -> dict:
        desc = super().get_description(env)
        desc["relation_field"] = self.inverse_name
        return desc


class Many2many(_X2many):
    type = "many2many"

    def __init__(self, comodel_name=None, relation=None, column1=None, column2=None, string=None, **kwargs):
        super().__init__(comodel_name, string, **kwargs)
        self.relation, self.column1, self.column2 = relation, column1, column2

    def setup(self, model_cls) -> None:
        super().setup(model_cls)
        if not self.comodel_name or not self.store:
            return
        table, cotable = model_cls._name.replace(".", "_"), self.comodel_name.replace(".", "_")
        if not self.relation:
            first, second = sorted([table, cotable])
            self.relation = f"{first}_{second}_rel"
        if not self.column1:
            self.column1 = f"{table}_id" if table != cotable else f"{table}_src_id"
        if not self.column2:
            self.column2 = f"{cotable}_id" if table != cotable else f"{cotable}_dst_id"


class Id(Integer):
    type = "integer"
    column_class = None

    def __init__(self):
        super().__init__("ID", readonly=True)
        self.store = True

    @property
    def column(self) -> bool:
        return False

    def __get__(self, record, owner=None):
        if record is None:
            return self
        if not record._ids:
            return False
        record.ensure_one()
        return record._ids[0]

    def __set__(self, records, value):
        raise TypeError("field 'id' cannot be assigned")


# isort: split
# Odoo's further field types and options, defined in their own module (see its docstring).
from .fields_extra import (  # noqa: E402, F401, F811
    Date,
    Datetime,
    Float,
    Html,
    Image,
    Many2oneReference,
    Monetary,
    Reference,
    Selection,
)
