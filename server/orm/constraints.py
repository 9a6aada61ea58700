"""SQL constraints (``_sql_constraints``) in both databases, and the ``@api.ondelete`` checks.

``_sql_constraints = [(key, definition, message)]`` with ``UNIQUE (columns)`` becomes a unique index
``<table>_<key>``; ``CHECK (expression)`` a named table constraint ``<table>_<key>``.  Anything else is
refused when the addon installs (``parse``).  A violation reaches the caller as a ValidationError
carrying the constraint's message (``server.orm.integrity``).

PostgreSQL adds a CHECK to an existing table with ``ALTER TABLE``.  SQLite cannot: a table created
before the constraint was declared has its definition rewritten, in the same transaction, as SQLite's
documentation describes for changes that leave the stored rows as they are ("Making Other Kinds Of
Table Schema Changes": ``writable_schema``, then a new ``schema_version``).  Copying the rows to a new
table and dropping the old one, the usual rebuild, is not an option inside a transaction: with
foreign keys on, dropping the old table deletes its rows first and cascades into every table that
refers to it.  Rows that break the new constraint are refused before anything changes, naming the
constraint and how many rows break it.
"""
from __future__ import annotations

import re

from ..exceptions import ModuleError, UserError

UNIQUE_RE = re.compile(r"^\s*unique\s*\((?P<columns>[^()]*)\)\s*$", re.I)
CHECK_RE = re.compile(r"^\s*check\s*\((?P<expression>.*)\)\s*$", re.I | re.S)


def parse(model_cls, definition: str) -> tuple[str, object]:
    """``('unique', [columns])`` or ``('check', expression)``; any other definition is refused."""
    match = UNIQUE_RE.match(definition or "")
    if match:
        return "unique", [c.strip() for c in match.group("columns").split(",") if c.strip()]
    match = CHECK_RE.match(definition or "")
    if match:
        return "check", match.group("expression").strip()
    raise ModuleError(f"Model {model_cls._name}: SQL constraint {definition!r} is not supported (only "
                      "'unique(columns)' and 'check(expression)')", chain=(model_cls._module,))


def check_constraints(model_cls) -> list[tuple[str, str]]:
    """``[(constraint name, expression)]`` of the model's CHECK constraints."""
    found = []
    for key, definition, _message in model_cls._sql_constraints:
        kind, value = parse(model_cls, definition)
        if kind == "check":
            found.append((f"{model_cls._table}_{key}", value))
    return found


def table_constraints_sql(database, model_cls) -> list[str]:
    """The ``CONSTRAINT ... CHECK (...)`` clauses of a new table."""
    return [f'CONSTRAINT "{name}" CHECK ({expression})' for name, expression in check_constraints(model_cls)]


def sync_checks(database, model_cls) -> None:
    """Add the model's CHECK constraints that its existing table lacks."""
    table = model_cls._table
    for name, expression in check_constraints(model_cls):
        if database.dialect == "postgresql":
            if database.execute_sql("SELECT 1 FROM pg_constraint WHERE conname = %s", (name,)).fetchone():
                continue
            _refuse_violations(database, table, name, expression)
            database.execute_sql(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" CHECK ({expression})')
        else:
            _sqlite_add_check(database, table, name, expression)


def _refuse_violations(database, table: str, name: str, expression: str) -> None:
    count = database.execute_sql(f'SELECT COUNT(*) FROM "{table}" WHERE NOT ({expression})').fetchone()[0]
    if count:
        raise UserError(f"Cannot add the constraint {name} (CHECK ({expression})): {count} existing rows of "
                        f"{table} break it; correct them first")


def _sqlite_add_check(database, table: str, name: str, expression: str) -> None:
    row = database.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    create_sql = row[0]
    if f'CONSTRAINT "{name}"' in create_sql:
        return
    _refuse_violations(database, table, name, expression)
    new_sql = create_sql[:create_sql.rindex(")")] + f', CONSTRAINT "{name}" CHECK ({expression}))'
    rewrite_sqlite_definition(database, table, new_sql)


def rewrite_sqlite_definition(database, table: str, new_sql: str) -> None:
    """Replace ``table``'s CREATE TABLE text in place, for a change that leaves its stored rows as they are
    (a constraint added or removed), as SQLite's documentation describes: ``writable_schema``, then a new
    ``schema_version`` so that every connection reads the new definition."""
    version = database.execute_sql("PRAGMA schema_version").fetchone()[0]
    database.execute_sql("PRAGMA writable_schema = ON")
    try:
        database.execute_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (new_sql, table))
        database.execute_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        database.execute_sql("PRAGMA writable_schema = OFF")


# -- @api.ondelete ----------------------------------------------------------------------------------
def ondelete_methods(cls) -> tuple[tuple[str, bool], ...]:
    """``[(method name, at_uninstall)]`` of the model's ``@api.ondelete`` methods."""
    found = []
    for attr in dir(cls):
        if attr.startswith("__"):
            continue
        method = getattr(cls, attr, None)
        if callable(method) and hasattr(method, "_ondelete"):
            found.append((attr, bool(method._ondelete)))
    return tuple(found)


def run_ondelete(records) -> None:
    """Run the ``@api.ondelete`` checks before ``records`` are deleted (not those with
    ``at_uninstall=False`` while their addon is being uninstalled)."""
    uninstalling = bool(records.env.context.get("uninstall"))
    for method_name, at_uninstall in type(records)._ondelete_methods:
        if uninstalling and not at_uninstall:
            continue
        getattr(records, method_name)()


# -- many2one ondelete='cascade' ----------------------------------------------------------------------
def cascade_fields(registry, cls) -> tuple[tuple[str, str], ...]:
    """``[(model, many2one)]`` of the stored many2one fields to ``cls`` declared ``ondelete='cascade'``."""
    return tuple((other._name, field.name) for other in registry.models.values() if other._table_model is not None
                 for field in other._fields.values()
                 if field.type == "many2one" and field.column and field.comodel_name == cls._name
                 and field.ondelete == "cascade")


def unlink_cascading(records) -> None:
    """Delete, through the ORM, the records that ``ondelete='cascade'`` would make the database delete
    with ``records``: their own ``@api.ondelete`` checks run and what depends on them is recomputed."""
    for model_name, field_name in type(records)._cascade_fields:
        model = records.env[model_name].sudo().with_context(active_test=False)
        query = model._search_query([(field_name, "in", list(records._ids))], order=False)
        children = model.browse([row[0] for row in query.tuples()])
        if model_name == records._name:
            children -= records
        if children:
            children.unlink()
