"""Relational fields: ``Many2one``, ``One2many``, ``Many2many``, and the prefetching of their targets;
re-exported by ``fields.py``."""
from __future__ import annotations

import peewee

from ..exceptions import ValidationError
from .fields import Field
from .rules import readable_ids


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
