"""Failed logins per source address, kept in the database (table ``res_users_login_failure``).

Odoo counts failures in each process's memory; here every worker and every
server on a database share one count, so a client cannot spread its guesses
over processes.  The table belongs to the authentication layer: created on
first use, not a model, invisible to RPC.  ``res.users._assert_can_auth``
(``base/models/res_users_login.py``) reads it and decides the cooldown.

A failure is counted in a transaction of its own once the caller's ends,
whatever becomes of it: the failed login raises AccessDenied and its own
transaction is rolled back (``Cursor.after_transaction``).
"""
from __future__ import annotations

import logging
import threading
import time
from weakref import WeakSet

from ..orm import schema

_logger = logging.getLogger(__name__)

TABLE = "res_users_login_failure"
_ready: WeakSet = WeakSet()  # registries whose database is known to have the table
_lock = threading.Lock()


def failures_of(cr, source: str) -> tuple[int, float] | None:
    """``(failures, time of the last one)`` recorded for ``source`` since its last success, or None."""
    if not _table_known(cr):
        return None
    row = cr.execute(f"SELECT failures, last_failure FROM {TABLE} WHERE source = %s", (source,)).fetchone()
    return (int(row[0]), float(row[1])) if row else None


def _table_known(cr) -> bool:
    if cr.registry in _ready:
        return True
    if schema.table_exists(cr.database, TABLE):
        _ready.add(cr.registry)
        return True
    return False


def record_failure_later(cr, source: str) -> None:
    """Count one failure for ``source`` once ``cr``'s transaction has ended (committed or not)."""
    registry = cr.registry
    cr.after_transaction(lambda: _safely(_record_failure, registry, source))


def forget_later(cr, source: str) -> None:
    """Clear ``source``'s failures once ``cr``'s transaction has ended (a successful login)."""
    registry = cr.registry
    cr.after_transaction(lambda: _safely(_forget, registry, source))


def _safely(write, registry, source: str) -> None:
    try:
        write(registry, source)
    except Exception:  # the login's own answer must not change because the count could not be written
        _logger.exception("login failures of %s could not be written", source)


def _record_failure(registry, source: str) -> None:
    ensure_table(registry)
    with registry.cursor() as cr:
        cr.execute(f"INSERT INTO {TABLE} (source, failures, last_failure) VALUES (%s, 1, %s) "
                   f"ON CONFLICT (source) DO UPDATE SET failures = {TABLE}.failures + 1, "
                   "last_failure = excluded.last_failure", (source, time.time()))


def _forget(registry, source: str) -> None:
    with registry.cursor() as cr:
        cr.execute(f"DELETE FROM {TABLE} WHERE source = %s", (source,))


def ensure_table(registry) -> None:
    """Create the table in ``registry``'s database once per process (own short transaction)."""
    if registry in _ready or registry.database.in_transaction():  # in a transaction: the next call creates it
        return
    with _lock:
        for attempt in (1, 2):
            try:
                with registry.cursor() as cr:
                    cr.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (source VARCHAR(64) PRIMARY KEY, "
                               "failures INTEGER NOT NULL, last_failure DOUBLE PRECISION NOT NULL)")
                break
            except Exception:  # another process created it between our check and our CREATE
                if attempt == 2:
                    raise
    _ready.add(registry)
