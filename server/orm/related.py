"""Related fields: ``fields.Char(related='partner_id.country_id.code')`` shows a field of the record a
path of relational fields leads to (the first record, for an x2many step).

``setup_related`` resolves every related field once all models are composed: the target field's type
must match, and the attributes listed in ``RELATED_ATTRIBUTES`` that the related field does not set
itself are taken from the target (its label, help, selection, comodel, digits, size...).  A related
field then behaves as a computed one: its value is read through the path for a whole recordset at
once (``compute_related``, one query per step and batch, not per record); with ``readonly=False`` (and
always for ``_inherits`` fields) writing it writes the target (``inverse_related``); searching it
searches the path; sorting on it sorts on the target's column through a subquery.  A stored related
field is a stored computed field depending on the path (see ``server.orm.recompute``).
"""
from __future__ import annotations

import peewee

from ..exceptions import ModuleError

# Attributes a related field takes from its target unless it sets them itself.  Addons of the
# framework that add field attributes (``currency_field``, ``groups``...) append theirs here.
RELATED_ATTRIBUTES = ["string", "help", "selection", "comodel_name", "digits", "size", "translate", "trim",
                      "big", "domain", "context"]


def setup_related(registry) -> None:
    """Resolve the target of every related field of the registry's models."""
    resolving: set = set()
    for cls in registry.models.values():
        for field in cls._fields.values():
            if field.related:
                _resolve(registry, cls, field, resolving)


def _resolve(registry, cls, field, resolving: set) -> None:
    if field.related_field is not None:
        return
    if field in resolving:
        raise ModuleError(f"Related field {cls._name}.{field.name} refers to itself through {field.related!r}",
                          chain=(cls._module,))
    resolving.add(field)
    target = _target_field(registry, cls, field, resolving)
    if target.type != field.type:
        raise ModuleError(f"Related field {cls._name}.{field.name} is a {field.type} field but its target "
                          f"{target.model_name}.{target.name} is a {target.type} field", chain=(cls._module,))
    if field.store and target.type in ("one2many", "many2many"):
        raise ModuleError(f"Related field {cls._name}.{field.name}: stored related {target.type} fields are not "
                          "supported; use store=False", chain=(cls._module,))
    for attribute in RELATED_ATTRIBUTES:
        if attribute not in field._given and hasattr(target, attribute):
            setattr(field, attribute, getattr(target, attribute))
    field.related_field = target
    field.depends = (field.related,)
    field.compute = compute_related(field)
    if field.inherited or not field.readonly:
        field.inverse = inverse_related(field)
    resolving.discard(field)


def _target_field(registry, cls, field, resolving: set):
    model = cls
    names = field.related.split(".")
    for index, name in enumerate(names):
        step = model._fields.get(name)
        if step is None:
            raise ModuleError(f"Related field {cls._name}.{field.name}: {model._name} has no field {name!r} "
                              f"(in {field.related!r})", chain=(cls._module,))
        if step.related:
            _resolve(registry, model, step, resolving)
        if index == len(names) - 1:
            return step
        if not step.relational or step.comodel_name not in registry.models:
            raise ModuleError(f"Related field {cls._name}.{field.name}: {model._name}.{name} is not a relational "
                              f"field of an installed model (in {field.related!r})", chain=(cls._module,))
        model = registry.models[step.comodel_name]
    raise ModuleError(f"Related field {cls._name}.{field.name}: empty path", chain=(cls._module,))


def follow(records, names: list[str]) -> dict[int, object]:
    """``{record id: cache value of the last field}`` through the path ``names``, for all records at once."""
    mapping = {id_: id_ for id_ in records._ids}
    model = records
    for name in names:
        field = model._fields[name]
        targets = model.browse(tuple(dict.fromkeys(v for v in mapping.values() if v)))._existing()
        values = dict(zip(targets._ids, targets._column_values(field), strict=True))
        if name == names[-1]:
            return {key: values.get(value) if value else None for key, value in mapping.items()}
        mapping = {key: _first(values.get(value)) if value else None for key, value in mapping.items()}
        model = model.env[field.comodel_name]
    return mapping


def _first(value):
    if isinstance(value, tuple):
        return value[0] if value else None
    return value


def compute_related(field):
    """The compute function of a related field: read the path's last field for the whole recordset."""
    names = field.related.split(".")

    def compute(records) -> None:
        cache = records._cache_for(field)
        empty = field.convert_to_cache(False, records)
        for id_, value in follow(records, names).items():
            cache[id_] = empty if value is None else value
    return compute


def inverse_related(field):
    """The inverse of a related field: write the value on the record the path leads to."""
    names = field.related.split(".")

    def inverse(records) -> None:
        cache = records._cache_for(field)
        values = [(record, field.convert_to_record(cache.get(record.id), record)) for record in records]
        for record, value in values:  # writing invalidates the cache: the values were read first
            target = record
            for name in names[:-1]:
                target = target[name][:1]
            if target:
                target.write({names[-1]: _write_value(field, value)})
    return inverse


def _write_value(field, value):
    if field.type == "many2one":
        return value.id
    if field.type in ("one2many", "many2many"):
        return [(6, 0, value.ids)]
    if field.type == "binary":
        return value or False
    return value


def order_expression(model, field):
    """A SQL expression of the value of a non-stored related field whose path is many2one fields only:
    nested scalar subqueries, so that ``ORDER BY`` can use it."""
    names = field.related.split(".")
    table = model._table_model
    first = model._fields[names[0]]
    if len(names) == 1 or any(model._fields.get(n) is None for n in names[:1]) or first.type != "many2one":
        return None
    expression = getattr(table, names[0])
    current = model.env[first.comodel_name]
    for depth, name in enumerate(names[1:], start=1):
        step = current._fields[name]
        if not step.column and not step.related:
            return None
        alias = current._table_model.alias(f"rel_order_{depth}")
        if step.related and not step.store:
            return None
        column = peewee.Column(alias, current._table_model._meta.fields[name].column_name)
        expression = peewee.NodeList((alias.select(column).where(alias.id == expression),), parens=True)
        if name != names[-1]:
            if step.type != "many2one":
                return None
            current = model.env[step.comodel_name]
    return expression
