"""Outgoing calls to the IAP platform without blocking the database the platform may live in.

``iap_charge`` (Odoo's API) needs an environment while it talks to the platform: it reads the
``iap.endpoint`` parameter before each call and queues failed captures in the caller's database.  On
PostgreSQL that is harmless, because reading takes no lock.  On SQLite every transaction of the
framework begins IMMEDIATE and holds the database's only write lock until it ends, so when the
platform is served from this same database (the one-server demo) it could not record the hold we are
waiting for: both requests would wait for each other until the HTTP timeout.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def write_lock_released(cr) -> Iterator[None]:
    """Run the block in a transaction of its own that lets other connections write.

    What the transaction wrote so far is committed first, and whatever the block writes is committed
    when it ends, even on an exception (a capture queued for retry must not be lost with the request);
    the next transaction is an ordinary one.  On SQLite the block's transaction begins DEFERRED: reads
    work as usual (WAL gives it a snapshot) and take no lock, but a write may fail if another
    connection committed meanwhile, so the block should only read.
    """
    cr.commit()
    if cr.database.dialect == "sqlite":
        cr.execute("COMMIT")
        cr.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        cr.commit()
