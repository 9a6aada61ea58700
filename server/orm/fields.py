"""Field declarations: what a model's attributes are, how they are stored and shown.

A field converts values between four representations:

* *write* values, as given to ``create``/``write`` (ids, commands, strings);
* *cache* values, what a transaction keeps per record (ids, tuples, dates);
* *record* values, what attribute access returns (recordsets, ``False``);
* *read* values, what ``read()`` returns over the wire (``[id, name]``, ``False``).
"""
from __future__ import annotations

import datetime as dt
import inspect

import peewee

from ..exceptions import ValidationError
from . import protection
from .commands import Command  # noqa: F401  (odoo.fields.Command)

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class Field:
    """Base of every field; subclasses set ``type`` and the conversions."""

    type: str = ""
    column_class: type | None = None
    relational = False
    empty = False

    def __new__(cls, *args, **kwargs):
        field = super().__new__(cls)
        field._init_args = (args, dict(kwargs))  # what the definition gave: redefinitions extend it
        return field

    def given_attributes(self) -> dict:
        """The parameters this field's definition gave, by name (``Char('Name', size=3)``:
        ``{'string': 'Name', 'size': 3}``)."""
        args, kwargs = self._init_args
        signature = inspect.signature(type(self).__init__)
        given = dict(signature.bind_partial(self, *args, **kwargs).arguments)
        given.pop(next(iter(signature.parameters)))
        for name, parameter in signature.parameters.items():
            if parameter.kind is inspect.Parameter.VAR_KEYWORD:
                given.update(given.pop(name, {}))
        return given

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
        """Assign ``value``: in the cache alone on the records a compute method is computing this
        field for, by ``write`` (or on new records) everywhere else, as Odoo's ``Field.__set__``."""
        busy = protection.protected_ids(records.env, self)
        if busy:
            for record in records:
                if record._ids[0] in busy:
                    record._set_cache_value(self, self.convert_to_cache(value, record))
            records = records.browse(tuple(i for i in records._ids if i not in busy))
            if not records:
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
        value = self._as_number(value)
        if value is not None and self.digits:
            value = round(value, self.digits[1])
        return value

    def _as_number(self, value) -> float | None:
        """``value`` as a float (None for empty); a ValidationError naming the field when it is no number."""
        if value is None or value is False:
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValidationError(f"{self.model_name}.{self.name} expects a number, got {value!r}") from None

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
# The data and relational fields, and Odoo's further field types, each defined in a module of its own.
from .fields_binary import Binary, Json, _JsonColumn  # noqa: E402, F401
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
from .fields_relational import (  # noqa: E402, F401
    MAX_PREFETCH_MEMO,
    Many2many,
    Many2one,
    One2many,
    _Relational,
    _X2many,
    prefetch_targets,
)
