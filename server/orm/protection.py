"""Which fields are being computed on which records, as Odoo's ``env.protecting`` records it.

While a compute method runs, the fields it computes are *protected* on the records it was given:
assigning them there only fills the cache, invalidation keeps what the method has assigned so far,
a change does not mark them stale again, and reading one not assigned yet gives the empty value.
Assigning any other field (one another method computes) is an ordinary ``write``, as in Odoo.
"""
from __future__ import annotations

from contextlib import contextmanager

EMPTY: frozenset = frozenset()


def protected(env) -> dict:
    """``{field: frozenset of ids}`` of the computations running in this transaction."""
    return vars(env.cr).setdefault("_orm_protected", {})


def protected_ids(env, field) -> frozenset:
    return protected(env).get(field, EMPTY)


@contextmanager
def protecting(records, fields):
    """Protect ``fields`` on ``records`` for the block; nested blocks add to it and give back only
    what they added."""
    table = protected(records.env)
    saved = {field: table.get(field) for field in fields}
    for field in fields:
        table[field] = (saved[field] or EMPTY).union(records._ids)
    try:
        yield
    finally:
        for field, ids in saved.items():
            if ids is None:
                table.pop(field, None)
            else:
                table[field] = ids


def keep_protected(values: dict, field, ids: frozenset) -> None:
    """Forget, in place, the cached ``values`` of ``field`` except those of ``ids`` (a running
    computation holds that dict and fills it)."""
    per_context = values.values() if field.depends_context else (values,)
    for cache in per_context:
        for id_ in [i for i in cache if i not in ids]:
            del cache[id_]
