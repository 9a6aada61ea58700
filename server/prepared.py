"""Statements of a hot path prepared once per PostgreSQL connection: ``PREPARE`` once, ``EXECUTE`` after.

PostgreSQL parses, analyses and plans every statement it is sent as text.  For the long statements a
hot path sends thousands of times with other values (a saga's lock of its instance, reading some 25
columns; a transition's CTE writing a dozen), that work costs more than running them.  A prepared
statement is parsed once per connection, and after five runs planned once too (PostgreSQL's plan
cache); what travels is ``EXECUTE name(values)``.

``statement(cr, sql, params)`` returns what to send instead of ``sql``: the caller runs it as it would
have run ``sql`` (``cr.execute``, or ``piggyback.defer_write``).  Elsewhere (SQLite, a read-only
cursor, a connection whose transaction failed) it returns ``sql`` itself; a statement PostgreSQL
refuses to prepare (not a SELECT, INSERT, UPDATE or DELETE) or a text of several statements is
remembered as such and sent as text from then on.

The caller may rely on ``sql`` running with the same effect either way.  ``sql`` must name its
columns (no ``SELECT *``): a prepared statement whose result columns changed type (a module update in
another process) is refused by PostgreSQL until the connection is replaced.
"""
from __future__ import annotations

import hashlib
import re
import threading
import weakref

#: Beyond this many statements on one connection, new ones are sent as text: a caller building a new
#: text per call (values in the SQL) must not grow the server's memory without end.
MAX_PER_CONNECTION = 256
_PLACEHOLDER = re.compile(r"%%|%s")
_known: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # connection -> {sql: name, or "" if refused}
_known_lock = threading.Lock()


def statement(cr, sql: str, params=()) -> tuple[str, tuple]:
    """``(sql, params)`` to run in place of ``sql``: ``EXECUTE`` of it, prepared on ``cr``'s connection."""
    params = tuple(params)
    if cr.database.dialect != "postgresql" or getattr(cr, "readonly", False):
        return sql, params
    name = _prepared_name(_connection(cr), sql, len(params))
    if not name:
        return sql, params
    return f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}", params


def _connection(cr):
    """The connection ``cr`` sends on: a cursor's (the thread's, from the pool), or an object's own ``conn``
    (a worker's autocommit connection for its claims)."""
    own = getattr(cr, "conn", None)
    return own if own is not None else cr.database.connection()


def _prepared_name(conn, sql: str, count: int) -> str:
    with _known_lock:
        known = _known.setdefault(conn, {})
    name = known.get(sql)
    if name is None and ";" in sql:  # ``PREPARE x AS a; b`` would run ``b`` at once
        name = known[sql] = ""
    if name is None and len(known) < MAX_PER_CONNECTION:
        name = _prepare(conn, sql, count)
        if name is not None:  # None: the transaction had failed, try at a later call
            known[sql] = name
    return name or ""


def _prepare(conn, sql: str, count: int) -> str | None:
    """Prepare ``sql`` on ``conn`` and return its name; "" if PostgreSQL refused it, None to try again later.

    ``PREPARE`` is not undone by a rollback, so it may run inside the caller's transaction; in a savepoint
    of its own there, so that a refusal leaves that transaction as it was.  It goes straight to the
    connection: the statements waiting to travel with the next one (``piggyback``) keep waiting.
    """
    import psycopg2
    import psycopg2.extensions as ext

    status = conn.get_transaction_status()
    if status not in (ext.TRANSACTION_STATUS_IDLE, ext.TRANSACTION_STATUS_INTRANS):
        return None  # a failed transaction runs nothing: prepare at a later call
    name = "p_" + hashlib.blake2b(sql.encode(), digest_size=10).hexdigest()
    numbers = iter(range(1, count + 1))
    text = _PLACEHOLDER.sub(lambda match: "%" if match.group() == "%%" else f"${next(numbers)}", sql)
    inside = status == ext.TRANSACTION_STATUS_INTRANS
    cursor = conn.cursor()
    if inside:  # on its own: a text PostgreSQL cannot parse runs none of its statements
        cursor.execute(f"SAVEPOINT {name}")
    try:
        cursor.execute(f"PREPARE {name} AS {text}")
    except psycopg2.errors.DuplicatePreparedStatement:
        prepared = name  # by an earlier call whose record was lost: the same text under the same name
    except psycopg2.Error:
        prepared = ""
    else:
        prepared = name
    if inside:
        cursor.execute(f"ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}" if _failed(conn)
                       else f"RELEASE SAVEPOINT {name}")
    return prepared


def _failed(conn) -> bool:
    import psycopg2.extensions as ext

    return conn.get_transaction_status() == ext.TRANSACTION_STATUS_INERROR
