"""Keeping a request's transaction out of its calls to the IAP platform, so that nobody waits for them.

On SQLite every transaction of the framework begins IMMEDIATE and holds the database's only write lock
until it ends, which is when the request ends.  A provider charging at the platform must not hold it
across the call: when the platform is served from the same database (the one-server demo) it could not
record the charge we are waiting for, both requests waiting for each other until the HTTP timeout; and
wherever the platform is, every other request of the provider would wait for its answer.  On PostgreSQL
a transaction open across an outgoing call holds its row locks and a connection for as long.

A request opts in with ``release_write_lock(cr)``: it commits what it wrote so far and goes on without
the lock (or with ``release_at_calls(cr)``: the same, at its first outgoing call only).  From then on the
IAP helpers that call out (``iap_charge``) or write (the outbox, the quota store) keep it that way:
``unlock_for_call(cr)`` before each outgoing call commits what was written since, and ``lock_for_write(cr)``
before each write begins a transaction that may write (on SQLite, one holding the lock again).  A request
that did not opt in is left alone: its calls happen inside its transaction, as in Odoo.
"""
from __future__ import annotations

import weakref

# cursor -> whether its current transaction may write (holds SQLite's write lock): only opted-in cursors.
_writing: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def release_write_lock(cr) -> None:
    """Commit the request's transaction and go on in one that holds no lock until the next write.

    On SQLite the next transaction begins DEFERRED (``cr.commit(write_lock=False)``): reads work as usual
    (WAL gives it a snapshot) and take no lock.  Writes go through ``lock_for_write`` first (the IAP
    helpers do), which begins a transaction holding the lock: a write in a DEFERRED transaction that has
    read could fail if another connection committed meanwhile.
    """
    cr.commit(write_lock=False)
    _writing[cr] = False


def release_at_calls(cr) -> None:
    """Opt in without committing now: the transaction goes on, and the IAP helpers end it before their first
    outgoing call (and take the lock again before writing).  A request that writes nothing before charging
    keeps a single transaction when it makes no call at all (a charge against a quota)."""
    _writing.setdefault(cr, True)


def lock_for_write(cr) -> None:
    """Before writing in a request that released its lock: begin a transaction that may write (SQLite:
    commit the read-only one, begin one holding the lock).  Nothing to do in any other request."""
    if _writing.get(cr) is False:
        if cr.database.dialect == "sqlite":
            cr.commit()
        _writing[cr] = True


def unlock_for_call(cr) -> None:
    """Before an outgoing call in a request that released its lock: commit what was written since, so no
    transaction is open during the call.  Nothing to do in any other request."""
    if cr in _writing:
        cr.commit(write_lock=False)
        _writing[cr] = False


def is_writing(cr) -> bool:
    """Whether the request released its lock and has written since (its work is not committed yet)."""
    return _writing.get(cr) is True


def is_released(cr) -> bool:
    """Whether the request released its lock: what the IAP helpers write then commits at their calls."""
    return cr in _writing
