"""``precompute=True``: stored computed values worked out before the INSERT, so that each new row is written once.

``create`` builds new records (``new()``) from the values given, all in one prefetch set so that a compute
method runs once for the whole batch, reads the precomputed fields there and adds them to the rows it
inserts.  Such a value is kept as it is, unless the same record gets x2many values or values written
through an ``inverse``: those are written after the INSERT and may change what the value depends on,
so it is computed again then (and written only if it changed).  Fields without a column (x2many) are
computed after the INSERT, as every other stored compute.
"""
from __future__ import annotations

from .onchange import NewId


def precomputed_fields(model) -> list:
    """The model's stored computed fields with a column that are computed before the INSERT."""
    return [f for f in model._fields.values() if f.precompute and f.compute and f.column]


def add_precomputed(model, vals_list: list[dict], prepared: list[tuple[dict, dict, dict]]) -> list[set[str]]:
    """Add the precomputed values missing from the column values of ``prepared`` (one row per ``vals_list``
    entry); return, per row, the names of those that must be computed again after the INSERT."""
    fields = precomputed_fields(model)
    again: list[set[str]] = [set() for _row in prepared]
    todo = [n for n, (columns, _x2many, _inverses) in enumerate(prepared)
            if any(f.name not in columns for f in fields)]
    if not todo:
        return again
    ids = tuple(model.new(vals_list[n])._ids[0] for n in todo)
    batch = model._browse(model.env, ids, ids)
    for field in fields:
        cache = batch._cache_for(field)
        for n, record in zip(todo, batch, strict=True):
            columns, x2many, inverses = prepared[n]
            if field.name in columns:
                continue
            record[field.name]  # noqa: B018  (computed for the whole batch on first access)
            value = cache.get(record._ids[0])
            columns[field.name] = None if isinstance(value, NewId) else value
            if x2many or inverses:
                again[n].add(field.name)
    return again
