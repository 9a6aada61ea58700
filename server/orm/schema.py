"""Create and migrate tables so that they match the composed models.

Only additive changes happen automatically on install and upgrade: new
tables, new columns, new indexes and unique constraints, foreign keys.
Columns and tables are dropped only when the addon that declared them is
uninstalled (see ``server.modules.loading``).
"""
from __future__ import annotations

import logging

import peewee

from . import constraints

_logger = logging.getLogger(__name__)

ONDELETE_SQL = {"set null": "SET NULL", "cascade": "CASCADE", "restrict": "RESTRICT"}


# Column type per field type: (SQLite, PostgreSQL).
COLUMN_TYPES = {
    "char": ("VARCHAR", "VARCHAR"), "text": ("TEXT", "TEXT"), "html": ("TEXT", "TEXT"),
    "selection": ("VARCHAR", "VARCHAR"), "integer": ("INTEGER", "INTEGER"), "float": ("REAL", "DOUBLE PRECISION"),
    "boolean": ("BOOLEAN", "BOOLEAN"), "date": ("DATE", "DATE"), "datetime": ("TIMESTAMP", "TIMESTAMP"),
    "binary": ("BLOB", "BYTEA"), "json": ("TEXT", "JSONB"), "many2one": ("INTEGER", "INTEGER"),
    "reference": ("VARCHAR", "VARCHAR"), "many2one_reference": ("INTEGER", "INTEGER"),  # fields_extra.py
    "monetary": ("REAL", "DOUBLE PRECISION"),
}


def quote(database, name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def column_type(database, field) -> str:
    if field.type == "integer" and getattr(field, "big", False):
        return "BIGINT"
    sqlite_type, pg_type = COLUMN_TYPES[field.type]
    return sqlite_type if database.dialect == "sqlite" else pg_type


def column_sql(database, field) -> str:
    """DDL for one field's column; SQLite gets its foreign key inline, as it cannot add one later."""
    sql = f"{quote(database, field.name)} {column_type(database, field)}"
    if field.type == "many2one" and database.dialect == "sqlite":
        sql += _references(database, field)
    return sql


def _references(database, field) -> str:
    cotable = field.comodel_table
    return (f" REFERENCES {quote(database, cotable)} (id) ON DELETE {ONDELETE_SQL[field.ondelete]}"
            " DEFERRABLE INITIALLY IMMEDIATE")


def check_foreign_keys_now(database) -> None:
    """Check pending deferred foreign keys now (PostgreSQL refuses DDL on tables with pending checks)."""
    if database.dialect == "postgresql":
        database.execute_sql("SET CONSTRAINTS ALL IMMEDIATE")


def defer_foreign_keys(database) -> None:
    """Check foreign keys at commit for the rest of this transaction (data files refer in circles)."""
    if database.dialect == "sqlite":
        database.execute_sql("PRAGMA defer_foreign_keys = ON")
    else:
        database.execute_sql("SET CONSTRAINTS ALL DEFERRED")


def sync_model(database, model_cls) -> list[str]:
    """Create the model's table or add its missing columns; return the names of added columns."""
    table = model_cls._table
    column_fields = [f for f in model_cls._fields.values() if f.column]
    if not database.table_exists(table):
        pk = "id INTEGER PRIMARY KEY AUTOINCREMENT" if database.dialect == "sqlite" else "id SERIAL PRIMARY KEY"
        columns = [pk] + [column_sql(database, f) for f in column_fields]
        columns += constraints.table_constraints_sql(database, model_cls)
        database.execute_sql(f"CREATE TABLE {quote(database, table)} ({', '.join(columns)})")
        added = [f.name for f in column_fields]
    else:
        existing = {c.name for c in database.get_columns(table)}
        added = []
        for field in column_fields:
            if field.name not in existing:
                database.execute_sql(f"ALTER TABLE {quote(database, table)} ADD COLUMN {column_sql(database, field)}")
                added.append(field.name)
        constraints.sync_checks(database, model_cls)
    _sync_indexes(database, model_cls)
    return added


# Who created or last wrote a row is shown, rarely searched: as on Odoo, no index (each is work at every write).
UNINDEXED_MANY2ONES = frozenset({"create_uid", "write_uid"})


def _sync_indexes(database, model_cls) -> None:
    table = model_cls._table
    for field in model_cls._fields.values():
        if field.column and (field.index or (field.type == "many2one" and field.name not in UNINDEXED_MANY2ONES)):
            name = f"{table}__{field.name}_index"
            database.execute_sql(
                f"CREATE INDEX IF NOT EXISTS {quote(database, name)} ON {quote(database, table)} "
                f"({quote(database, field.name)})")
    for key, definition, _message in model_cls._sql_constraints:
        kind, columns = constraints.parse(model_cls, definition)
        if kind != "unique":
            continue
        name = f"{table}_{key}"
        cols = ", ".join(quote(database, c) for c in columns)
        database.execute_sql(
            f"CREATE UNIQUE INDEX IF NOT EXISTS {quote(database, name)} ON {quote(database, table)} ({cols})")


def sync_relation(database, field) -> None:
    """Create a many2many relation table with cascading foreign keys on both sides."""
    if database.table_exists(field.relation):
        return
    table = field.model_table
    cotable = field.comodel_table
    q = lambda name: quote(database, name)  # noqa: E731
    database.execute_sql(
        f"CREATE TABLE {q(field.relation)} ("
        f"{q(field.column1)} INTEGER NOT NULL REFERENCES {q(table)} (id) ON DELETE CASCADE, "
        f"{q(field.column2)} INTEGER NOT NULL REFERENCES {q(cotable)} (id) ON DELETE CASCADE, "
        f"PRIMARY KEY ({q(field.column1)}, {q(field.column2)}))")
    database.execute_sql(
        f"CREATE INDEX IF NOT EXISTS {q(field.relation + '_' + field.column2 + '_idx')} "
        f"ON {q(field.relation)} ({q(field.column2)})")


def sync_foreign_keys(database, model_cls) -> None:
    """On PostgreSQL, add the foreign keys of many2one columns (all tables exist by now)."""
    if database.dialect != "postgresql":
        return
    for field in model_cls._fields.values():
        if field.type != "many2one" or not field.column:
            continue
        name = f"{model_cls._table}_{field.name}_fkey"
        exists = database.execute_sql(
            "SELECT 1 FROM pg_constraint WHERE conname = %s", (name,)).fetchone()
        if exists:
            continue
        database.execute_sql(
            f"ALTER TABLE {quote(database, model_cls._table)} ADD CONSTRAINT {quote(database, name)} "
            f"FOREIGN KEY ({quote(database, field.name)}){_references(database, field)}")


def drop_column(database, table: str, column: str) -> None:
    if not database.table_exists(table):
        return
    if column not in {c.name for c in database.get_columns(table)}:
        return
    for index in database.get_indexes(table):
        if column in index.columns:
            database.execute_sql(f"DROP INDEX IF EXISTS {quote(database, index.name)}")
    if database.dialect == "postgresql":
        database.execute_sql(f"ALTER TABLE {quote(database, table)} DROP COLUMN {quote(database, column)} CASCADE")
        return
    _sqlite_drop_column(database, table, column)


def _sqlite_drop_column(database, table: str, column: str) -> None:
    """Drop a column with ``ALTER TABLE ... DROP COLUMN``, in the transaction under way.

    SQLite refuses that for a column with a foreign key, so the column's ``REFERENCES`` clause is first
    removed from the table's definition, in place (the stored rows do not change).  Copying the table and
    dropping the old one is no option: with foreign keys on, dropping it deletes its rows first, and that
    cascades into every table referring to it (a many2many's links, a one2many's lines).
    """
    if any(fk.column == column for fk in database.get_foreign_keys(table)):
        create_sql = database.execute_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()[0]
        constraints.rewrite_sqlite_definition(database, table, _without_foreign_key(create_sql, column))
    database.execute_sql(f"ALTER TABLE {quote(database, table)} DROP COLUMN {quote(database, column)}")


def _without_foreign_key(create_sql: str, column: str) -> str:
    """A CREATE TABLE statement without the foreign key of ``column`` (inline or a table constraint)."""
    head, body = create_sql[:create_sql.index("(") + 1], create_sql[create_sql.index("(") + 1: create_sql.rindex(")")]
    kept = []
    for part in _top_level_parts(body):
        words = part.replace("(", " ( ").split()
        name = words[0].strip('"') if words else ""
        if name == column:
            index = part.upper().find(" REFERENCES ")
            part = part[:index] if index >= 0 else part
        elif [w.upper() for w in words[:2]] == ["FOREIGN", "KEY"] and len(words) > 3 \
                and words[3].strip('"') == column:
            continue
        kept.append(part)
    return head + ", ".join(kept) + ")"


def _top_level_parts(body: str) -> list[str]:
    """The comma-separated definitions of a CREATE TABLE body (commas inside parentheses kept)."""
    parts, depth, current = [], 0, ""
    for char in body:
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        depth += char == "("
        depth -= char == ")"
        current += char
    parts.append(current.strip())
    return parts


def drop_table(database, table: str) -> None:
    cascade = " CASCADE" if database.dialect == "postgresql" else ""
    database.execute_sql(f"DROP TABLE IF EXISTS {quote(database, table)}{cascade}")


def table_exists(database, table: str) -> bool:
    try:
        return database.table_exists(table)
    except peewee.OperationalError:
        return False
