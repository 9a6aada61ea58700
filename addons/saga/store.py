"""What a transition writes, in as few statements as possible: the engine's hot path.

A step's job holds the row locks its action took (a ticket's stock...) until it commits, so every
statement between the action and the commit delays every other saga waiting for those rows.  A
transition writes the instance's new state and the execution rows (``saga.step``) of what just
ended: on PostgreSQL in one statement (a data-modifying CTE), on SQLite in two, where the ORM
sends one for the rows and one for the write (each in its savepoint, which travels with it).

Raw SQL on purpose, for the engine's own two models (on PostgreSQL prepared once per connection,
``odoo.prepared``: these statements are long and sent for every step): every value goes through its field's
conversion and its column's ``db_value`` (what the ORM writes), ``write_uid``/``write_date`` (and
the rows' ``create_*``) are set, and the instance's written fields are invalidated in its cache.
It is only taken while nothing observes these writes through the ORM (``direct_writes``): when an
addon overrides ``saga.instance.write`` or ``saga.step.create``, or a stored computed field depends
on a field of either, transitions go through the ORM instead.
"""
from __future__ import annotations

from odoo import fields, models
from odoo.exceptions import ValidationError
from odoo.piggyback import defer_write
from odoo.prepared import statement

INSTANCE, EXECUTION, MESSAGE = "saga.instance", "saga.step", "saga.message"


def write_transition(instance, values: dict, executions: list[dict] | tuple = ()) -> None:
    """Write ``values`` on ``instance`` and insert the ``executions`` rows, together."""
    env = instance.env
    if not direct_writes(env):
        if executions:
            env[EXECUTION].sudo().create(list(executions))
        instance.write(values)
        return
    now, uid = fields.Datetime.now(), env.uid
    columns = {**values, "write_uid": uid, "write_date": now}
    update_sql, update_params = _update(instance, columns)
    if executions:
        insert_sql, insert_params = _insert(env[EXECUTION], [
            {**row, "create_uid": uid, "create_date": now, "write_uid": uid, "write_date": now}
            for row in executions])
        if env.cr.database.dialect == "postgresql":
            defer_write(env.cr, *statement(env.cr, f"WITH executions AS ({insert_sql}) {update_sql}",
                                           [*insert_params, *update_params]))
        else:
            env.cr.execute(insert_sql, insert_params)
            env.cr.execute(update_sql, update_params)
    else:
        defer_write(env.cr, *statement(env.cr, update_sql, update_params))
    instance.invalidate_recordset([*columns, "step_ids"] if executions else list(columns))


def write_instance(instance, values: dict) -> None:
    """Write ``values`` on ``instance`` as a transition writes it (no new version: nothing moved on), with the
    transaction's next statement: the inbox's marks of replies kept early."""
    write_transition(instance, values)


def lock_and_read(instance, job_uuid: str | None = None):
    """Lock ``instance``'s row for this transaction and load its stored fields into the cache, in one
    statement; return how many times the job ``job_uuid`` was claimed (None without a job or a row).

    Every job of a saga, every reply and every relock after an outgoing call starts here: a lock and
    then the ORM's read of the row would be two round trips, the second one under the lock.

    Only the row itself may be read here, no other table: after waiting for the lock, PostgreSQL
    returns the row as the transaction that held it committed it, but a subquery still sees the data
    as it was when the statement began (a reply recorded meanwhile would be missed).  The job's retry
    count is safe: only this job's own claims change it.
    """
    sql = _locking_select(instance, "(SELECT retry FROM queue_job WHERE uuid = %s) AS claims", '"id" = %s')
    row = instance.env.cr.execute(*statement(instance.env.cr, sql, (job_uuid, instance.id))).fetchone()
    instance.invalidate_recordset()
    if row is None:
        return None
    _cache_row(instance, row[:-1])
    return row[-1]


def find_and_lock(env, saga_types: list[str], business_key: str, message_id: str | None = None) -> tuple:
    """The instance of one of ``saga_types`` for ``business_key``, locked and read (None if there is none),
    and the id of the message ``message_id`` if it was received already (a duplicate), in one statement.

    The duplicate check reads another table (see ``lock_and_read``): a second delivery waiting for the
    first one's lock does not see it here, and finds it when it records the message (``record_message``),
    before applying anything.
    """
    model = env[INSTANCE].sudo()
    marks = ", ".join(["%s"] * len(saga_types))
    sql = _locking_select(model, "(SELECT id FROM saga_message WHERE message_id = %s) AS duplicate_id",
                          f'"saga_type" IN ({marks}) AND "business_key" = %s ORDER BY saga_instance."id" LIMIT 1')
    row = env.cr.execute(*statement(env.cr, sql, (message_id, *saga_types, business_key))).fetchone()
    if row is None:
        return None, None
    instance = model.browse(row[0])
    instance.invalidate_recordset()
    _cache_row(instance, row[:-1])
    return instance, row[-1]


def _read_columns(model) -> tuple:
    key = ("saga.read_columns", model._name)
    compiled = model.pool.compiled_sql
    if key not in compiled:
        compiled[key] = tuple(field for field in model._column_fields() if field.type != "binary")
    return compiled[key]


def _locking_select(model, extra: str, where: str) -> str:
    """``SELECT id, <stored columns>, extra FROM saga_instance WHERE ... [FOR UPDATE]``, built once per shape.

    SQLite's write transactions hold the database's lock already: no ``FOR UPDATE`` there.
    """
    dialect = model.env.cr.database.dialect
    key = ("saga.lock", extra, where, dialect)
    compiled = model.pool.compiled_sql
    if key not in compiled:
        table = model._table_model
        columns = ", ".join(f'"{getattr(table, field.name).column_name}"' for field in _read_columns(model))
        lock = " FOR UPDATE" if dialect == "postgresql" else ""
        compiled[key] = f'SELECT "id", {columns}, {extra} FROM "{model._table}" WHERE {where}{lock}'
    return compiled[key]


def cache_values(instance, values: dict) -> None:
    """Put ``values`` in ``instance``'s cache as if they had been written (a transition will write them)."""
    for name, value in values.items():
        field = instance._fields[name]
        instance._set_cache_value(field, field.convert_to_cache(value, instance))


def _cache_row(instance, row: tuple) -> None:
    instance.sudo()._cache_rows(_read_columns(instance), [row])


def insert_executions(env, executions: list[dict]) -> None:
    """Insert execution rows on their own (tries found lost, before the try run now)."""
    env[EXECUTION].sudo().create(list(executions))


def record_message(env, values: dict) -> int | None:
    """Insert an inbox row; its id, or None if a delivery of the same ``message_id`` recorded it first.

    Inserted before the message is applied: a concurrent delivery of the same message waits here for the
    first one's transaction, and once that commits finds its row taken, before it has done anything.
    """
    model = env[MESSAGE].sudo()
    if not _message_writes_unobserved(env):
        try:
            with env.cr.savepoint():
                return model.create(values).id
        except ValidationError:
            return None
    now, uid = fields.Datetime.now(), env.uid
    sql, params = _insert(model, [{"received_at": now, **values, "create_uid": uid, "create_date": now,
                                   "write_uid": uid, "write_date": now}])
    row = env.cr.execute(*statement(env.cr, sql + ' ON CONFLICT ("message_id") DO NOTHING RETURNING "id"',
                                    params)).fetchone()
    return row[0] if row else None


def write_message(env, message_id: int, values: dict) -> None:
    """Write what became of an inbox row (its outcome), with the transaction's next statement or COMMIT."""
    message = env[MESSAGE].sudo().browse(message_id)
    if not _message_writes_unobserved(env):
        message.write(values)
        return
    sql, params = _update(message, {**values, "write_uid": env.uid, "write_date": fields.Datetime.now()})
    defer_write(env.cr, *statement(env.cr, sql, params))
    message.invalidate_recordset(list(values))


def direct_writes(env) -> bool:
    """Whether the engine may write its two models by SQL: nothing in this registry observes it (no addon
    overrides ``saga.instance.write`` or ``saga.step.create``, no stored computed field depends on either)."""
    return _unobserved(env, {INSTANCE: ("write",), EXECUTION: ("create",)})


def _message_writes_unobserved(env) -> bool:
    """The same for the inbox's rows: ``saga.message``'s create and write."""
    return _unobserved(env, {MESSAGE: ("create", "write")})


def _unobserved(env, methods: dict[str, tuple[str, ...]]) -> bool:
    """Whether no model of ``methods`` overrides the methods named and no stored computed field depends on
    one of their fields; decided once per registry."""
    registry = env.registry
    decided = registry.__dict__.setdefault("_saga_unobserved", {})
    key = tuple(sorted(methods.items()))
    if key not in decided:
        plain = all(getattr(type(env[model]), name) is getattr(models.BaseModel, name)
                    for model, names in methods.items() for name in names)
        triggered = any(model in methods for model, _name in registry.field_triggers)
        decided[key] = plain and not triggered
    return decided[key]


def _update(instance, columns: dict) -> tuple[str, list]:
    names = list(columns)
    sql = (f'UPDATE "{instance._table}" SET ' + ", ".join(f'"{name}" = %s' for name in names)
           + ' WHERE "id" = %s')
    return sql, [*_converted(instance, names, [columns]), instance.id]


def _insert(model, rows: list[dict]) -> tuple[str, list]:
    names = list(dict.fromkeys(name for row in rows for name in row))
    marks = "(" + ", ".join(["%s"] * len(names)) + ")"
    sql = (f'INSERT INTO "{model._table}" (' + ", ".join(f'"{name}"' for name in names)
           + ") VALUES " + ", ".join([marks] * len(rows)))
    return sql, _converted(model, names, rows)


def _converted(model, names: list[str], rows: list[dict]) -> list:
    """The parameters of ``rows``, as the ORM would write them (the field's conversion, then the column's)."""
    table = model._table_model
    converters = [(model._fields[name], getattr(table, name).db_value) for name in names]
    params = []
    for row in rows:
        for (field, db_value), name in zip(converters, names, strict=True):
            value = row.get(name)
            params.append(db_value(field.convert_to_column(value, model, row) if value is not None else None))
    return params
