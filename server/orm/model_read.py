"""Reading field values as plain data (``read``), describing fields (``fields_get``) and their defaults
(``default_get``)."""
from __future__ import annotations

from ..exceptions import ValidationError
from . import api
from .field_access import field_allowed
from .rules import check_fetch


class ModelRead:
    """The read methods every model has (a base of ``BaseModel``)."""

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
                from .models import BaseModel  # (models.py imports this module)

                if isinstance(value, BaseModel):
                    value = value.id if field.type == "many2one" else value.ids
                result[name] = value
        return result
