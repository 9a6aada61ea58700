"""A second transaction, committed on its own, while the caller's transaction stays open.

Why: ``iap.account.get()`` must create a client's account so that it survives the rollback the next
credit error causes (Odoo creates it "in a new cursor"), and a failed cancel must stay queued although
the request that raised rolls back.

How: a thread may hold only one open transaction per peewee database object, so the second
transaction runs on an independent peewee database (``server.db.open_database(uri)``, one per URI and
process, a connection per thread).  The ORM's table models are bound to the registry's database, so
work inside the second transaction is plain SQL through ``cr.execute``.

Only PostgreSQL can do this: SQLite transactions begin IMMEDIATE and hold the database's single write
lock until they end, so a second writer would wait for the caller forever.  ``own_transaction`` then
yields None and callers fall back to the caller's own transaction (see their docstrings).
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from odoo import db as db_module

_databases: dict[str, object] = {}
_lock = threading.Lock()
LOCK_TIMEOUT = "5s"


def independent_database(registry):
    """The process's second peewee database for ``registry``'s URI, or None where none can commit alone."""
    if registry.database.dialect != "postgresql":
        return None
    with _lock:
        database = _databases.get(registry.uri)
        if database is None:
            database = _databases[registry.uri] = db_module.open_database(registry.uri)
    return database


@contextlib.contextmanager
def own_transaction(env) -> Iterator[db_module.Cursor | None]:
    """Yield a cursor whose transaction commits at the end of the block (rolled back on error), or None.

    A lock timeout bounds the wait: the caller's open transaction may hold a lock the second one needs,
    and the database cannot see that deadlock between two connections of one thread.
    """
    database = independent_database(env.registry)
    if database is None:
        yield None
        return
    with db_module.Cursor(env.registry, database) as cr:
        cr.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        yield cr
