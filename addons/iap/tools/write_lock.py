"""Ending a request's write transaction before it calls the IAP platform, so that nobody waits for the call.

On SQLite every transaction of the framework begins IMMEDIATE and holds the database's only write lock
until it ends, which is when the request ends.  A provider selling at the platform (``iap_sell``) must
not hold it across the call: when the platform is served from the same database (the one-server demo)
it could not record the sale we are waiting for, both requests waiting for each other until the HTTP
timeout; and wherever the platform is, every other request of the provider would wait for its answer.
On PostgreSQL reading takes no lock; the commit alone keeps the transaction out of the outgoing call.
"""
from __future__ import annotations


def release_write_lock(cr) -> None:
    """Commit the request's transaction and go on in one that holds no lock: the request only reads from now on.

    On SQLite the next transaction begins DEFERRED (``cr.commit(write_lock=False)``): reads work as usual
    (WAL gives it a snapshot) and take no lock, and the request ends with a COMMIT that needs none.  A
    write after this call may fail if another connection committed meanwhile: write before.
    """
    cr.commit(write_lock=False)
