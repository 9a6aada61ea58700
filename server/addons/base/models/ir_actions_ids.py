"""Shared action ids: every action has a row in ``ir_actions`` under its own id.

Databases made before ``ir_actions`` existed numbered each action type on its own, so two actions
of different types may share an id.  ``give_legacy_actions_shared_ids`` (run by the base addon's
upgrade, through ``ir.actions.actions.init``) indexes them: windows keep their ids, an action whose
id is taken gets a new one, and everything that referred to it follows (many2one and many2many
columns, external ids, ``model,id`` references, attachments).
"""
from __future__ import annotations

import logging

from odoo.orm import schema

_logger = logging.getLogger(__name__)

ACTIONS = "ir.actions.actions"
# Windows first: they keep their ids (users' home actions and most references point at them).
TYPES = ("ir.actions.act_window", "ir.actions.act_url", "ir.actions.client", "ir.actions.report",
         "ir.actions.server")


def common_values(index, values: dict) -> dict:
    """The values among ``values`` that ``ir_actions`` stores too (its columns but the id)."""
    return {name: value for name, value in values.items()
            if name != "id" and name in index._fields and index._fields[name].column}


def give_legacy_actions_shared_ids(env) -> None:
    """Index the actions of a database made before ``ir_actions``; nothing to do on any other."""
    cr = env.cr
    if cr.execute("SELECT 1 FROM ir_actions LIMIT 1").fetchone():
        return
    index = env[ACTIONS].sudo()
    columns = [name for name in index._fields if index._fields[name].column and name != "id"]
    taken: set[int] = set()
    renumbered: list[tuple[str, int]] = []
    for model in (name for name in TYPES if name in env):
        table = env[model]._table
        rows = cr.execute(f'SELECT id, {", ".join(columns)} FROM "{table}" ORDER BY id').fetchall()
        for row in rows:
            if row[0] in taken:
                renumbered.append((model, row[0]))
                continue
            taken.add(row[0])
            _insert_index_row(cr, columns, row)
    if not taken:
        return
    _reset_id_sequence(cr)
    for model, old_id in renumbered:
        new_id = _renumber(env, model, old_id, columns)
        _logger.info("%s %s has the new id %s (ids are shared by every action type now)", model, old_id, new_id)
    _point_home_actions_at_ir_actions(env)


def _insert_index_row(cr, columns: list[str], row: tuple) -> None:
    names = ", ".join(["id", *columns])
    cr.execute(f"INSERT INTO ir_actions ({names}) VALUES ({', '.join(['%s'] * len(row))})", row)


def _reset_id_sequence(cr) -> None:
    """Rows inserted with their ids: the next id PostgreSQL gives must come after them."""
    if cr.database.dialect == "postgresql":
        cr.execute("SELECT setval(pg_get_serial_sequence('ir_actions', 'id'), (SELECT MAX(id) FROM ir_actions))")


def _renumber(env, model: str, old_id: int, columns: list[str]) -> int:
    """Give the action ``model,old_id`` a new shared id; move what refers to it along."""
    cr = env.cr
    table = env[model]._table
    row = cr.execute(f'SELECT {", ".join(columns)} FROM "{table}" WHERE id = %s', (old_id,)).fetchone()
    new_id = cr.execute(f"INSERT INTO ir_actions ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(row))}) "
                        "RETURNING id", row).fetchone()[0]
    cr.execute(f'UPDATE "{table}" SET id = %s WHERE id = %s', (new_id, old_id))
    for ref_table, column in _columns_referring_to(env, model):
        cr.execute(f'UPDATE "{ref_table}" SET "{column}" = %s WHERE "{column}" = %s', (new_id, old_id))
    cr.execute("UPDATE ir_model_data SET res_id = %s WHERE model = %s AND res_id = %s", (new_id, model, old_id))
    for ref_table, column in _reference_columns(env):
        cr.execute(f'UPDATE "{ref_table}" SET "{column}" = %s WHERE "{column}" = %s',
                   (f"{model},{new_id}", f"{model},{old_id}"))
    if "ir.attachment" in env:
        cr.execute("UPDATE ir_attachment SET res_id = %s WHERE res_model = %s AND res_id = %s",
                   (new_id, model, old_id))
    return new_id


def _columns_referring_to(env, model: str) -> list[tuple[str, str]]:
    """``(table, column)`` of every many2one column and many2many relation side holding ``model`` ids."""
    found = []
    for cls in env.registry.models.values():
        if cls._table_model is None:
            continue
        for field in cls._fields.values():
            if field.type == "many2one" and field.column and field.comodel_name == model:
                found.append((cls._table, field.name))
            elif field.type == "many2many" and field.store:
                if field.comodel_name == model:
                    found.append((field.relation, field.column2))
                if cls._name == model:
                    found.append((field.relation, field.column1))
    return list(dict.fromkeys(found))


def _reference_columns(env) -> list[tuple[str, str]]:
    """``(table, column)`` of every stored ``model,id`` reference field."""
    return [(cls._table, field.name) for cls in env.registry.models.values() if cls._table_model is not None
            for field in cls._fields.values()
            if field.column and field.get_description(env).get("type") == "reference"]


def _point_home_actions_at_ir_actions(env) -> None:
    """``res_users.action_id`` referred to windows only; now to any action (a new foreign key)."""
    database = env.cr.database
    users = env.registry.models["res.users"]
    if not _home_action_refers_to_windows(env.cr):
        return
    if database.dialect == "postgresql":
        schema.check_foreign_keys_now(database)
        env.cr.execute("ALTER TABLE res_users DROP CONSTRAINT IF EXISTS res_users_action_id_fkey")
        schema.sync_foreign_keys(database, users)
        schema.defer_foreign_keys(database)
        return
    # SQLite keeps a column's foreign key in the table's definition, and rebuilding a table that every
    # other table refers to breaks SQLite's count of deferred violations: the old column is set aside.
    env.cr.execute("ALTER TABLE res_users RENAME COLUMN action_id TO action_id_windows_only")
    schema.sync_model(database, users)
    env.cr.execute("UPDATE res_users SET action_id = action_id_windows_only, action_id_windows_only = NULL")

def _home_action_refers_to_windows(cr) -> bool:
    database = cr.database
    if database.dialect == "sqlite":
        return any(fk.column == "action_id" and fk.dest_table == "ir_act_window"
                   for fk in database.get_foreign_keys("res_users"))
    return bool(cr.execute("SELECT 1 FROM pg_constraint WHERE conname = 'res_users_action_id_fkey' "
                           "AND confrelid = 'ir_act_window'::regclass").fetchone())
