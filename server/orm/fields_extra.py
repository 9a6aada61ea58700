"""Field types and options beyond the core set of ``fields.py``, re-exported by it under Odoo's names.

* ``Image``: a Binary holding a raster image, shrunk (aspect kept) to
  ``max_width`` x ``max_height`` with Pillow when written larger; what is not an
  image, or is larger than 50 megapixels (``verify_resolution``), is refused.
* ``Reference``: ``'model,id'`` text naming a record of one of the models of its selection.
* ``Many2oneReference``: an id whose model is named by the field ``model_field``.
* ``Html``: text sanitized when written (``odoo.tools.mail.html_sanitize``; ``sanitize=False`` keeps it as is),
  read back as ``Markup``.
* ``Selection``: ``selection_add`` on ``_inherit`` extensions (merged in Odoo's order) with ``ondelete``
  policies applied to the records of removed values when the extending addon is uninstalled.
* ``Float(digits=(16, 2))`` or ``digits='Name'`` of a ``decimal.precision`` record: values rounded to it.
* ``Monetary(currency_field='currency_id')``: an amount rounded to its record's currency (``res.currency``).
* ``Date`` and ``Datetime`` helpers: ``today``, ``now``, ``context_today``, ``context_timestamp``,
  ``to_date``, ``to_datetime``, ``to_string``, ``add``, ``subtract``, ``start_of``, ``end_of``.
"""
from __future__ import annotations

import datetime as dt
import io

import peewee

from ..exceptions import ValidationError
from ..tools import date_utils
from ..tools.float_utils import float_round
from . import fields as core

IMAGE_MAX_RESOLUTION = 50e6
SELECTION_POLICIES = ("set null", "cascade", "set default")


# -- numbers ----------------------------------------------------------------------------------------------
class Float(core.Float):
    """A float rounded to ``digits``: ``(precision, scale)`` or the name of a ``decimal.precision`` record."""

    def get_digits(self, env) -> tuple[int, int] | None:
        if isinstance(self.digits, str):
            if env is None or "decimal.precision" not in env:
                return None
            return 16, env["decimal.precision"].precision_get(self.digits)
        return tuple(self.digits) if self.digits else None

    def convert_to_cache(self, value, record):
        value = self._as_number(value)
        if value is None:
            return None
        digits = self.get_digits(record.env if record is not None else None)
        return float_round(value, precision_digits=digits[1]) if digits else value

    def get_description(self, env) -> dict:
        desc = core.Field.get_description(self, env)
        digits = self.get_digits(env)
        if digits:
            desc["digits"] = list(digits)
        return desc


class Monetary(core.Float):
    """An amount in the currency that the record's ``currency_field`` (``currency_id`` by default) names,
    rounded to that currency's rounding when written or computed."""

    type = "monetary"

    def __init__(self, string=None, currency_field: str | None = None, **kwargs):
        super().__init__(string, **kwargs)
        self.currency_field = currency_field

    def setup(self, model_cls) -> None:
        super().setup(model_cls)
        self.currency_field = self.currency_field or "currency_id"
        if self.currency_field not in model_cls._fields and not (self.related or model_cls._inherits):
            raise TypeError(f"{self!r}: its currency field {self.currency_field!r} does not exist on "
                            f"{model_cls._name} (give currency_field=...)")

    def convert_to_cache(self, value, record):
        value = super().convert_to_cache(value, record)
        if value is not None and record is not None and len(record._ids) == 1:
            value = _rounded(self._currency(record, None), value)
        return value

    def convert_to_column(self, value, record, values=None):
        value = self.convert_to_cache(value, None)
        return None if value is None else _rounded(self._currency(record, values), value)

    def _currency(self, record, values):
        """The currency of ``record`` (its first one), or the one ``values`` give it."""
        field = record._fields.get(self.currency_field)
        if field is None:
            return None
        first = field.related.split(".")[0] if field.related else None
        if values and self.currency_field in values and field.type == "many2one" and not field.related:
            id_ = field.convert_to_cache(values[self.currency_field], record)
            currency = record.env[field.comodel_name].browse(id_ or ())
        elif values and self.currency_field in values:
            currency = record.new({self.currency_field: values[self.currency_field]})[self.currency_field]
        elif values and first in values:
            currency = record.new({first: values[first]})[self.currency_field]
        else:
            currency = record[:1][self.currency_field]
        return currency if len(currency) == 1 else None

    def get_description(self, env) -> dict:
        desc = super().get_description(env)
        desc["currency_field"] = self.currency_field
        return desc


def _rounded(currency, value: float) -> float:
    return currency.round(value) if currency is not None and hasattr(currency, "round") else value


# -- dates --------------------------------------------------------------------------------------------------
def _period_helpers(cls):
    cls.add = staticmethod(date_utils.add)
    cls.subtract = staticmethod(date_utils.subtract)
    cls.start_of = staticmethod(date_utils.start_of)
    cls.end_of = staticmethod(date_utils.end_of)
    return cls


def _user_zone(record):
    import pytz

    name = (record.env.context.get("tz") if record is not None else None) or "UTC"
    try:
        return pytz.timezone(name)
    except pytz.UnknownTimeZoneError:
        return pytz.utc


@_period_helpers
class Date(core.Date):
    @staticmethod
    def today(*args) -> dt.date:
        return dt.date.today()

    @staticmethod
    def context_today(record, timestamp: dt.datetime | None = None) -> dt.date:
        """Today (or ``timestamp``'s day) in the user's time zone (context ``tz``)."""
        import pytz

        moment = timestamp or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        return pytz.utc.localize(moment).astimezone(_user_zone(record)).date()

    @staticmethod
    def to_date(value) -> dt.date | None:
        """A date from a date, a datetime or 'YYYY-MM-DD' text (None for an empty value)."""
        if not value:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return dt.datetime.strptime(str(value)[:10], core.DATE_FORMAT).date()

    @staticmethod
    def to_string(value) -> str | bool:
        return value.strftime(core.DATE_FORMAT) if value else False


@_period_helpers
class Datetime(core.Datetime):
    @staticmethod
    def now(*args) -> dt.datetime:
        return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)

    @staticmethod
    def today(*args) -> dt.datetime:
        """Midnight today (UTC, naive), as Odoo's ``Datetime.today``."""
        return Datetime.now().replace(hour=0, minute=0, second=0)

    @staticmethod
    def context_timestamp(record, timestamp: dt.datetime) -> dt.datetime:
        """``timestamp`` (naive UTC) as an aware datetime in the user's time zone."""
        import pytz

        return pytz.utc.localize(timestamp.replace(tzinfo=None)).astimezone(_user_zone(record))

    @staticmethod
    def to_datetime(value) -> dt.datetime | None:
        """A naive datetime from a datetime, a date or 'YYYY-MM-DD[ HH:MM:SS]' text (None for an empty value)."""
        if not value:
            return None
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None) if value.tzinfo is None else \
                value.astimezone(dt.UTC).replace(tzinfo=None)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        return core.Datetime.convert_to_cache(Datetime(), value, None)

    @staticmethod
    def to_string(value) -> str | bool:
        return value.strftime(core.DATETIME_FORMAT) if value else False


# -- text ---------------------------------------------------------------------------------------------------
class Html(core.Html):
    """HTML text, sanitized on write unless ``sanitize=False``."""

    def __init__(self, string=None, **kwargs):
        options = {key: kwargs.pop(key) for key in list(kwargs) if key in (
            "sanitize", "sanitize_tags", "sanitize_attributes", "sanitize_style", "sanitize_form", "strip_style",
            "strip_classes", "sanitize_overridable")}
        super().__init__(string, **kwargs)
        self.sanitize = options.pop("sanitize", True)
        options.pop("sanitize_overridable", None)
        self.sanitize_options = options

    def convert_to_cache(self, value, record):
        value = super().convert_to_cache(value, record)
        if value and self.sanitize:
            from ..tools.mail import html_sanitize

            value = str(html_sanitize(value, **self.sanitize_options))
        return value

    def convert_to_record(self, value, record):
        from markupsafe import Markup

        return Markup(value) if value else False

    def get_description(self, env) -> dict:
        desc = super().get_description(env)
        desc["sanitize"] = bool(self.sanitize)
        return desc


# -- images -------------------------------------------------------------------------------------------------
class Image(core.Binary):
    """An image, shrunk on write to fit ``max_width`` x ``max_height`` (0: no limit)."""

    def __init__(self, string=None, max_width: int = 0, max_height: int = 0, verify_resolution: bool = True,
                 **kwargs):
        super().__init__(string, **kwargs)
        self.max_width, self.max_height, self.verify_resolution = max_width, max_height, verify_resolution

    def convert_to_cache(self, value, record):
        data = super().convert_to_cache(value, record)
        return self._processed(data) if data else data

    def _processed(self, data: bytes) -> bytes:
        if data.lstrip()[:5] in (b"<svg ", b"<?xml") or data.lstrip()[:4] == b"<svg":
            return data  # vector images are kept as they are
        from PIL import Image as PILImage

        try:
            image = PILImage.open(io.BytesIO(data))
            image.load()
        except (OSError, ValueError, PILImage.DecompressionBombError):
            raise ValidationError(f"{self.model_name}.{self.name}: this file could not be decoded as an image") \
                from None
        width, height = image.size
        if self.verify_resolution and width * height > IMAGE_MAX_RESOLUTION:
            raise ValidationError(f"{self.model_name}.{self.name}: image of {width}x{height} pixels is larger "
                                  f"than {IMAGE_MAX_RESOLUTION / 1e6:.0f} megapixels")
        limit = (self.max_width or width, self.max_height or height)
        if width <= limit[0] and height <= limit[1]:
            return data
        kind = image.format or "PNG"
        image.thumbnail(limit, PILImage.LANCZOS)
        out = io.BytesIO()
        image.save(out, format=kind)
        return out.getvalue()


# -- references ---------------------------------------------------------------------------------------------
class Reference(core.Selection):
    """``'model,id'``: a record of any model of the selection."""

    type = "reference"
    column_class = peewee.CharField

    def peewee_field(self) -> peewee.Field:
        return peewee.CharField(column_name=self.name, null=True, index=bool(self.index), max_length=128)

    def convert_to_cache(self, value, record):
        if value is None or value is False:
            return None
        if hasattr(value, "_ids"):
            if len(value._ids) != 1:
                raise ValidationError(f"{self.model_name}.{self.name} takes one record, got {value!r}")
            model, res_id = value._name, value._ids[0]
        else:
            model, _, res_id = str(value).partition(",")
            try:
                res_id = int(res_id)
            except ValueError:
                raise ValidationError(f"{self.model_name}.{self.name} expects 'model,id', got {value!r}") from None
        if record is not None and self.selection and model not in self.get_values(record.env):
            allowed = ", ".join(self.get_values(record.env))
            raise ValidationError(f"Wrong model for {self.model_name}.{self.name}: {model!r} (allowed: {allowed})")
        return f"{model},{res_id}"

    def convert_to_record(self, value, record):
        if not value:
            return False
        model, _, res_id = value.partition(",")
        if model not in record.env:
            return False
        return record.env[model].browse(int(res_id))

    def convert_to_read(self, value, record, load="_classic_read"):
        return value or False


class Many2oneReference(core.Integer):
    """The id of a record whose model is the value of the field named ``model_field``."""

    type = "many2one_reference"

    def __init__(self, string=None, model_field: str | None = None, **kwargs):
        super().__init__(string, **kwargs)
        self.model_field = model_field

    def setup(self, model_cls) -> None:
        super().setup(model_cls)
        if not self.model_field:
            raise TypeError(f"{self!r} needs model_field, the field holding the records' model name")

    def convert_to_record(self, value, record):
        return value or 0

    def get_description(self, env) -> dict:
        desc = super().get_description(env)
        desc["model_field"] = self.model_field
        return desc


# -- selections ---------------------------------------------------------------------------------------------
def merge_selection(base: list, additions: list) -> list:
    """``base`` extended with ``additions`` as Odoo orders them: new values go before the next value
    of ``additions`` that ``base`` already has (``(value,)`` marks one), else at the end."""
    result = [tuple(item) for item in base]
    pending = []
    for item in additions:
        keys = [key for key, _label in result]
        if item[0] in keys:
            position = keys.index(item[0])
            result[position:position] = pending
            pending = []
            if len(item) > 1:
                result[position + len(pending)] = tuple(item)
        else:
            if len(item) < 2:
                raise TypeError(f"selection_add: {item!r} marks a value the selection does not have")
            pending.append(tuple(item))
    return result + pending


class Selection(core.Selection):
    """``selection`` or, on an extension, ``selection_add`` with an ``ondelete`` policy per added value."""

    def __init__(self, selection=None, string=None, **kwargs):
        self.selection_add = kwargs.pop("selection_add", None)
        self.ondelete = kwargs.pop("ondelete", None)
        super().__init__(selection, string, **kwargs)

    def setup(self, model_cls) -> None:
        super().setup(model_cls)
        definitions = []
        for klass in reversed(model_cls.__mro__):
            field = vars(klass).get(self.name)
            if isinstance(field, Selection) and field not in definitions:
                definitions.append(field)
        if not any(d.selection_add for d in definitions):
            return
        self._inherit_attributes(definitions)
        merged, policies = [], {}
        for definition in definitions:
            if definition.selection_add:
                if callable(merged) or isinstance(merged, str):
                    raise TypeError(f"{self!r}: selection_add cannot extend a selection given by a method")
                added = [item[0] for item in definition.selection_add if len(item) > 1 and
                         item[0] not in [key for key, _label in merged]]
                merged = merge_selection(merged, definition.selection_add)
                policies.update(self._policies(definition, added))
            elif definition.selection:
                merged = definition.selection
        self.selection, self.ondelete = merged, policies

    def _inherit_attributes(self, definitions: list) -> None:
        """An extension giving only ``selection_add`` keeps the label, default... of the earlier definitions."""
        mine = getattr(definitions[-1], "_given", frozenset())
        for attr in ("string", "default", "required", "help", "readonly", "index", "copy", "groups"):
            if attr in mine:
                continue
            for definition in reversed(definitions[:-1]):
                if attr in getattr(definition, "_given", frozenset()):
                    setattr(self, attr, getattr(definition, attr))
                    break

    def _policies(self, definition, added: list) -> dict:
        given = definition.ondelete or {}
        if not isinstance(given, dict):
            raise TypeError(f"{self!r}: ondelete must be a dict {{value: policy}}, got {given!r}")
        policies = {}
        for value in added:
            policy = given.get(value)
            if policy is None and self.required and self.store:
                raise TypeError(f"{self!r} is required: selection_add value {value!r} needs an ondelete policy "
                                f"({', '.join(SELECTION_POLICIES)}, 'set VALUE' or a function of the records)")
            policy = policy or "set null"
            if not (callable(policy) or policy in SELECTION_POLICIES or str(policy).startswith("set ")):
                raise TypeError(f"{self!r}: unknown ondelete policy {policy!r} for value {value!r}")
            policies[value] = policy
        return policies


def apply_selection_ondelete(env, old_models: dict, new_models: dict) -> None:
    """Before an uninstall removes selection values: apply their ``ondelete`` policies to the records."""
    for name, old_cls in old_models.items():
        new_cls = new_models.get(name)
        if new_cls is None or not old_cls._auto or old_cls._abstract:
            continue
        for field in old_cls._fields.values():
            if not isinstance(field, Selection) or not field.ondelete or not field.store:
                continue
            kept = set(new_cls._fields[field.name].get_values(env)) if field.name in new_cls._fields else set()
            for value, policy in field.ondelete.items():
                if value not in kept:
                    _apply_policy(env[name].with_context(active_test=False), field, value, policy)


def _apply_policy(model, field, value, policy) -> None:
    records = model.search([(field.name, "=", value)])
    if not records:
        return
    if callable(policy):
        policy(records)
    elif policy == "cascade":
        records.unlink()
    elif policy == "set null":
        records.write({field.name: False})
    elif policy == "set default":
        records.write({field.name: field.default_value(model) or False})
    else:
        records.write({field.name: policy[len("set "):]})
