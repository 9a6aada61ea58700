"""The read path's one fast path: fetching rows by id with SQL texts built once and reused.

``SELECT id, <columns> FROM <table> WHERE id IN (...)`` is the query the ORM runs most (every
first access to a field of a batch of records).  Two costs dominate it, neither of them the
database's:

* building the SQL text through peewee costs more than an indexed fetch of a thousand rows, so
  the text is built once per (model, columns, size) and kept in ``registry.compiled_sql``;
* the number of ids changes the text (one placeholder each), so batches are *padded* to the next
  power of two by repeating the last id: a dozen texts serve every batch size up to ``FETCH_BATCH``,
  and the duplicate ids cost the database nothing.

Rows come back as the driver's tuples, not peewee model instances (whose construction costs more
than the fetch); ``column_converter`` gives, per column, the conversion peewee and the field would
apply, or None when the driver's value is already the cache value (text, numbers).
"""
from __future__ import annotations

import peewee

FETCH_BATCH = 1024
# Peewee columns whose values both drivers already return as Python wants them (no conversion needed).
NATIVE_COLUMNS = frozenset({peewee.CharField, peewee.TextField, peewee.IntegerField, peewee.BigIntegerField,
                            peewee.AutoField, peewee.FloatField, peewee.DoubleField})


def fetch_rows_by_id(model, column_fields: tuple, ids: list[int]):
    """Yield the rows ``(id, *columns)`` of ``ids`` (missing ids give no row), ``FETCH_BATCH`` at a time."""
    database = model.env.cr.database
    for start in range(0, len(ids), FETCH_BATCH):
        chunk = ids[start:start + FETCH_BATCH]
        size = padded_size(len(chunk))
        sql = fetch_sql(model, column_fields, size)
        yield database.execute_sql(sql, chunk + chunk[-1:] * (size - len(chunk))).fetchall()


def padded_size(count: int) -> int:
    """The power of two at least ``count``."""
    return 1 << max(count - 1, 0).bit_length()


def fetch_sql(model, column_fields: tuple, size: int) -> str:
    """``SELECT id, <columns> WHERE id IN (<size> placeholders)``, built by peewee once per shape."""
    key = ("fetch", model._name, column_fields, size)
    compiled = model.pool.compiled_sql
    sql = compiled.get(key)
    if sql is None:
        table = model._table_model
        columns = [getattr(table, f.name) for f in column_fields]
        query = table.select(table.id, *columns).where(table.id.in_(list(range(size))))
        sql = compiled[key] = query.sql()[0]
    return sql


def fetch_where_sql(model, column_fields: tuple, where: str, lock: bool) -> str:
    """``SELECT id, <columns> WHERE <where> [FOR UPDATE]``, built once per model, condition and lock."""
    dialect = model.env.cr.database.dialect
    key = ("fetch_where", model._name, column_fields, where, lock, dialect)
    compiled = model.pool.compiled_sql
    sql = compiled.get(key)
    if sql is None:
        table = model._table_model
        select = table.select(table.id, *[getattr(table, f.name) for f in column_fields]).sql()[0]
        # SQLite: a write transaction holds the whole database already (there is no FOR UPDATE)
        sql = compiled[key] = f"{select} WHERE {where}" + (" FOR UPDATE" if lock and dialect == "postgresql" else "")
    return sql


def column_converters(model, column_fields) -> tuple:
    """``column_converter`` of each of ``column_fields``, looked up once per model and list of fields: a
    read converts every row it caches (a saga's lock of its instance caches some 25 columns each time)."""
    fields = tuple(column_fields)
    key = ("converters", model._name, fields, model.env.cr.database.dialect)
    converters = model.pool.compiled_sql
    if key not in converters:
        converters[key] = tuple(column_converter(model, field) for field in fields)
    return converters[key]


def column_converter(model, field):
    """``value from the driver -> cache value`` for ``field`` (None when the driver's value is it)."""
    from .fields import Field

    key = ("converter", model._name, field.name, model.env.cr.database.dialect)
    converters = model.pool.compiled_sql
    if key not in converters:
        column = getattr(model._table_model, field.name)
        own = field.from_column if type(field).from_column is not Field.from_column else None
        steps = [step for step in (_peewee_conversion(column), own) if step is not None]
        converters[key] = None if not steps else steps[0] if len(steps) == 1 else \
            (lambda value, first=steps[0], second=steps[1]: second(first(value)))
    return converters[key]


def _peewee_conversion(column):
    """What peewee applies to ``column``'s values read from the driver, or None when it changes nothing."""
    return None if type(column) in NATIVE_COLUMNS else column.python_value
