"""Fields holding data rather than values: ``Binary`` (bytes, shown base64-encoded, optionally kept in
``ir.attachment``) and ``Json``; re-exported by ``fields.py``."""
from __future__ import annotations

import base64
import json

import peewee

from ..exceptions import ValidationError
from .fields import Field


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
