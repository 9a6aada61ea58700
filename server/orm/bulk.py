"""Writing many rows at once: multi-row INSERTs and UPDATEs by id, with SQL texts built once.

``create`` of a list and the recomputation of stored fields write thousands of rows in one call.
Building a multi-row statement through peewee costs more than the database spends running it
(peewee makes a node per value), so the texts are made here by hand, once per (table, columns,
number of rows) and kept in ``registry.compiled_sql``; the values go through each column's
``db_value`` (what peewee would have applied) and always travel as parameters.
"""
from __future__ import annotations

import peewee

from .schema import column_type, quote

INSERT_CHUNK = 500          # rows per INSERT (SQLite takes at most 32766 parameters per statement)
UPDATE_CHUNK = 500          # rows per UPDATE ... FROM (VALUES ...) on PostgreSQL


def insert_rows(model, names: list[str], rows: list[dict]) -> list[int]:
    """Insert ``rows`` (cache values of the columns ``names``); return the new ids, in order."""
    table = model._table_model
    converters = [getattr(table, name).db_value for name in names]
    size = max(1, min(INSERT_CHUNK, 30000 // max(len(names), 1)))
    database = model.env.cr.database
    ids: list[int] = []
    for start in range(0, len(rows), size):
        chunk = rows[start:start + size]
        params = [convert(row.get(name)) for row in chunk for name, convert in zip(names, converters, strict=True)]
        cursor = database.execute_sql(_insert_sql(model, tuple(names), len(chunk)), params)
        ids += sorted(row[0] for row in cursor.fetchall())  # RETURNING's order is not promised; ids grow
    return ids


def _insert_sql(model, names: tuple, count: int) -> str:
    key = ("insert", model._name, names, count)
    compiled = model.pool.compiled_sql
    sql = compiled.get(key)
    if sql is None:
        database = model.env.cr.database
        marks = "(" + ", ".join([database.param] * len(names)) + ")"
        sql = compiled[key] = (f"INSERT INTO {quote(database, model._table)} "
                               f"({', '.join(quote(database, n) for n in names)}) "
                               f"VALUES {', '.join([marks] * count)} RETURNING {quote(database, 'id')}")
    return sql


def update_rows(records, fields, rows: list[tuple]) -> None:
    """Write ``rows`` of ``(id, *values)`` (cache values of ``fields``) to the model's table, batched:
    one ``executemany`` on SQLite, one ``UPDATE ... FROM (VALUES ...)`` per 500 rows on PostgreSQL."""
    database = records.env.cr.database
    table = records._table_model
    converters = [getattr(table, f.name).db_value for f in fields]
    values = [(*(convert(v) for convert, v in zip(converters, row[1:], strict=True)), row[0]) for row in rows]
    names = [quote(database, f.name) for f in fields]
    if database.dialect == "sqlite":
        sql = f"UPDATE {quote(database, records._table)} SET " + ", ".join(f"{n} = ?" for n in names) + \
            " WHERE id = ?"
        with peewee.__exception_wrapper__:
            database.cursor().executemany(sql, values)
        return
    casts = ", ".join(f"%s::{column_type(database, f)}" for f in fields)
    assign = ", ".join(f"{n} = v.{n}" for n in names)
    for start in range(0, len(values), UPDATE_CHUNK):
        chunk = values[start:start + UPDATE_CHUNK]
        tuples = ", ".join(f"({casts}, %s::integer)" for _row in chunk)
        sql = (f"UPDATE {quote(database, records._table)} AS t SET {assign} FROM (VALUES {tuples}) "
               f"AS v({', '.join(names)}, id) WHERE t.id = v.id")
        database.execute_sql(sql, [v for row in chunk for v in row])
