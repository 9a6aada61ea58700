"""The SQL the generator cannot express through the ORM, with every backend difference in one table.

* ``insert_new_rows``: one INSERT per batch, rows sharing constant values,
  codes already present skipped by the unique index (``ON CONFLICT DO
  NOTHING``) and counted out; this is what makes uniqueness a database
  guarantee, also against another process inserting at the same time.
  A batch aborted by the database because of such a writer raises
  ``WriteConflict`` and leaves the transaction usable.
* ``count_matching``: how many stored values fit a code shape (GLOB on
  SQLite, a regular expression on PostgreSQL).
* ``lock_rows``: serialise work on a record (SQLite already holds the
  database's write lock for the whole transaction).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import peewee
from odoo.orm import schema


@dataclass(frozen=True)
class Dialect:
    rows_from_json: str  # a SELECT of ``value`` plus {constants}, one row per element of a JSON array
    match_operator: str
    typed_constants: bool  # PostgreSQL needs the SELECT's constants cast to the column types
    lock_suffix: str


DIALECTS = {
    "sqlite": Dialect("SELECT value{constants} FROM json_each(%s) WHERE true ORDER BY value", "GLOB", False, ""),
    "postgresql": Dialect("SELECT j.value{constants} FROM json_array_elements_text(CAST(%s AS json)) AS j(value) "
                          "ORDER BY 1", "~", True, " FOR UPDATE"),
}


def dialect_of(model) -> Dialect:
    return DIALECTS[model.env.cr.database.dialect]


def insert_new_rows(model, key_field: str, keys: list[str], constants: dict) -> int:
    """Insert a row of ``model`` per key (``constants`` in the other columns); return how many were new.

    Keys are inserted in sorted order, which keeps index pages hot and makes
    two writers on PostgreSQL wait for each other in one order (no deadlock).
    """
    if not keys:
        return 0
    database, dialect = model.env.cr.database, dialect_of(model)
    names = list(constants)
    columns = ", ".join(schema.quote(database, name) for name in [key_field, *names])
    selected = "".join(", " + _placeholder(model, name, dialect) for name in names)
    sql = (f"INSERT INTO {schema.quote(database, model._table)} ({columns}) "
           f"{dialect.rows_from_json.format(constants=selected)} "
           f"ON CONFLICT ({schema.quote(database, key_field)}) DO NOTHING")
    params = [_column_value(model, name, constants[name]) for name in names] + [json.dumps(keys)]
    try:
        with model.env.cr.savepoint():
            return model.env.cr.execute(sql, params).rowcount
    except peewee.OperationalError as exc:
        if _driver_code(exc) in LOCK_CONFLICT_CODES:
            raise WriteConflict(str(exc).splitlines()[0]) from exc
        raise


class WriteConflict(Exception):
    """Another transaction inserting the same keys made the database abort this batch (and only it).

    Two writers of overlapping keys can wait for each other across batches;
    PostgreSQL then aborts one batch.  The caller should end its transaction
    (committing earlier batches) so the other writer can go on, and carry on
    in a new one.
    """


LOCK_CONFLICT_CODES = ("40P01", "40001")  # deadlock detected, serialization failure


def _driver_code(exc: Exception) -> str | None:
    for cause in (getattr(exc, "orig", None), exc.__cause__, exc.__context__):
        code = getattr(cause, "pgcode", None)
        if code:
            return code
    return None


def _placeholder(model, name: str, dialect: Dialect) -> str:
    if not dialect.typed_constants:
        return "%s"
    return f"CAST(%s AS {schema.column_type(model.env.cr.database, model._fields[name])})"


def _column_value(model, name: str, value):
    value = model._fields[name].convert_to_column(value, model)
    if isinstance(value, dt.datetime) and model.env.cr.database.dialect == "sqlite":
        return value.strftime("%Y-%m-%d %H:%M:%S")  # the text peewee stores and reads back
    return value


def count_matching(model, field: str, slots: list[str]) -> int:
    """How many records have ``field`` of exactly the shape ``slots`` (allowed symbols per character)."""
    dialect = dialect_of(model)
    pattern = glob_pattern(slots) if dialect.match_operator == "GLOB" else postgres_regex(slots)
    database = model.env.cr.database
    sql = (f"SELECT count(*) FROM {schema.quote(database, model._table)} "
           f"WHERE {schema.quote(database, field)} {dialect.match_operator} %s")
    return model.env.cr.execute(sql, (pattern,)).fetchone()[0]


def lock_rows(records) -> None:
    """Lock ``records`` until the end of the transaction, so two workers never run the same step at once."""
    suffix = dialect_of(records).lock_suffix
    if suffix and records:
        table = schema.quote(records.env.cr.database, records._table)
        placeholders = ", ".join(["%s"] * len(records))
        records.env.cr.execute(f"SELECT id FROM {table} WHERE id IN ({placeholders}){suffix}", tuple(records.ids))
    records.invalidate_recordset()


# -- shapes as patterns ----------------------------------------------------------------------------------
def glob_pattern(slots: list[str]) -> str:
    """A SQLite GLOB matching exactly the strings whose i-th character is one of ``slots[i]``."""
    return "".join(_glob_literal(s) if len(s) == 1 else _glob_class(s) for s in slots)


def _glob_literal(char: str) -> str:
    return f"[{char}]" if char in "*?[" else char


def _glob_class(symbols: str) -> str:
    # ']' is literal first, '-' literal first or last, '^' negates only when first.
    plain = "".join(s for s in symbols if s not in "]-^")
    body = ("]" if "]" in symbols else "") + plain + ("^" if "^" in symbols else "")
    if "-" in symbols:
        body = "-" + body if body.startswith("^") else body + "-"
    return f"[{body}]"


def postgres_regex(slots: list[str]) -> str:
    """A PostgreSQL (ARE) regular expression for the same strings as ``glob_pattern``."""
    parts = [_are_escape(s) if len(s) == 1 else "[" + "".join(map(_are_escape, s)) + "]" for s in slots]
    return "^" + "".join(parts) + "$"


def _are_escape(char: str) -> str:
    # In AREs a backslash before a non-alphanumeric character means the character itself, inside [] too.
    return "\\" + char if char.isascii() and not char.isalnum() else char
