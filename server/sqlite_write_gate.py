"""One write transaction at a time per SQLite database in this process, queued on a lock.

SQLite has a single write lock per database file.  A connection that finds it taken does not queue:
its busy handler sleeps and tries again, 1, 2, 5, 10, 15, 20, 25 ms and on (SQLite's own schedule), so
under contention the lock often sits free while every waiter sleeps, and a request waits for a
sleep it did not need.  The threads of one server process, which are nearly all of a database's
writers, take this lock before ``BEGIN IMMEDIATE`` instead: the next one in line starts the moment
the writer before it ends.  Other processes (a cron process, a CLI command) still meet at SQLite's
lock, as before.

The wait is bounded like SQLite's busy timeout, and ends the same way: ``database is locked``.
"""
from __future__ import annotations

import os
import threading

import peewee

BUSY_TIMEOUT = 30.0  # seconds; also the connections' busy_timeout (server.db.open_database)
_gates: dict[str, threading.Lock] = {}
_gates_lock = threading.Lock()


def _forget_gates() -> None:
    """A forked process (a ``--workers`` server's worker) starts with gates of its own: one its parent held
    at the fork would otherwise stay held in the child forever."""
    global _gates_lock
    _gates.clear()
    _gates_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_gates)


def enter(database) -> threading.Lock:
    """Wait for ``database``'s gate (its file's) and return it, held; release it when the transaction ends."""
    gate = _gates.get(database.database)
    if gate is None:
        with _gates_lock:
            gate = _gates.setdefault(database.database, threading.Lock())
    if not gate.acquire(timeout=BUSY_TIMEOUT):
        raise peewee.OperationalError("database is locked")
    return gate
