"""``Cursor``: one database transaction (Odoo's ``env.cr``), on a database ``server.db`` opened.

Imported from ``server.db`` as before; it lives here because the connections and the transactions are
two concerns (and ``db.py`` had passed 500 lines).
"""
from __future__ import annotations

import logging
import re

import peewee

from . import piggyback, sqlite_write_gate

_logger = logging.getLogger("server.db")


class DatabaseError(Exception):
    """A database cannot be opened, created or dropped; the message says why."""


class ReadOnlyError(Exception):
    """A read-only transaction tried to write (whoever opened it should retry read-write)."""


# Their public home (``server.db``, ``odoo.db``): what error envelopes and logs name them by.
DatabaseError.__module__ = ReadOnlyError.__module__ = "server.db"


class Cursor:
    """One database transaction, Odoo's ``env.cr``.

    The transaction begins when the cursor is created and ends with
    ``close()`` (commit on a clean exit of a ``with`` block, rollback on an
    exception).  ``commit()`` and ``rollback()`` end the current transaction
    and begin the next one.  ``execute`` takes ``%s`` placeholders on every
    backend; values always travel as parameters.

    Callbacks: ``precommit`` run inside the transaction just before COMMIT,
    ``postcommit`` after it (between transactions), ``postrollback`` after a
    rollback (they must only touch memory, such as process caches);
    ``after_transaction`` after either.

    A cursor on a read-only database (``registry.cursor(readonly=True)``) opens
    no transaction at all: each statement runs on its own, on a connection the
    database server refuses to write with.  What reads only (the searches and
    reads of the external API, ``readonly`` routes) saves the BEGIN and COMMIT
    round trips, and on SQLite never waits for the write lock.  Any attempt to
    write raises ``ReadOnlyError``; the caller retries read-write.

    ``write_lock=False``: on SQLite the transaction reads without the write lock
    (DEFERRED) until ``take_write_lock()``, due before its first write (a write
    after reads may else fail with "database is locked").  Nothing on PostgreSQL.
    """

    def __init__(self, registry, database: peewee.Database, write_lock: bool = True):
        self.registry = registry
        self.database = database
        self.readonly = database.readonly
        self.dbname = registry.db_name
        self.cache: dict = {}
        self.precommit: list = []
        self.postcommit: list = []
        self.postrollback: list = []
        self._closed = False
        self._last_statement: tuple[str, tuple] | None = None
        self.write_locked = True  # whether the transaction holds SQLite's write lock (always, elsewhere)
        database.connect(reuse_if_open=True)
        if database.in_transaction():
            raise DatabaseError(f"a transaction is already open on database {self.dbname!r} in this thread")
        self._begin(write_lock)

    def _begin(self, write_lock: bool = True) -> None:
        marker = _Marker()
        if self.readonly:
            self.database._state.write_refused = False  # statements run one by one: nothing to begin
        elif self.database.dialect == "sqlite":
            # IMMEDIATE takes the write lock up front: two writers wait for each
            # other instead of one failing half-way with "database is locked".
            if write_lock:
                marker.gate = sqlite_write_gate.enter(self.database)
            try:
                self.database.execute_sql("BEGIN IMMEDIATE" if write_lock else "BEGIN DEFERRED")
            except BaseException:
                marker.release()
                raise
            self.write_locked = write_lock
        else:
            marker.pending.begin = True  # sent with the first statement (PostgresBackend.execute_sql)
        self.database.push_transaction(marker)

    def execute(self, sql: str, params=()):
        """Run ``sql`` with ``%s`` placeholders (or an ``odoo.tools.SQL``) and return the driver's cursor."""
        if not isinstance(sql, str) and hasattr(sql, "params"):
            sql, params = sql.code, sql.params
        if isinstance(params, dict):  # Odoo's named form: %(name)s
            names = re.findall(r"%\((\w+)\)s", sql)
            sql, params = re.sub(r"%\((\w+)\)s", "%s", sql), [params[name] for name in names]
        if self.database.param != "%s":
            sql = sql.replace("%s", self.database.param)
        self._last_cursor = self.database.execute_sql(sql, tuple(params or ()))
        return self._last_cursor

    # Odoo's cursor reads the rows of the last ``execute`` itself (``cr.execute(...); cr.fetchall()``).
    def fetchall(self) -> list:
        return self._last_cursor.fetchall()

    def fetchone(self):
        return self._last_cursor.fetchone()

    def fetchmany(self, size: int | None = None) -> list:
        return self._last_cursor.fetchmany(size) if size else self._last_cursor.fetchmany()

    def dictfetchall(self) -> list[dict]:
        names = [column[0] for column in self._last_cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in self._last_cursor.fetchall()]

    def dictfetchone(self) -> dict | None:
        names = [column[0] for column in self._last_cursor.description or ()]
        row = self._last_cursor.fetchone()
        return dict(zip(names, row, strict=True)) if row is not None else None

    @property
    def rowcount(self) -> int:
        return self._last_cursor.rowcount

    @property
    def description(self):
        return self._last_cursor.description

    def after_transaction(self, callback) -> None:
        """Run ``callback()`` once this transaction has ended, committed or rolled back.

        For what must be written whatever becomes of the transaction (a failed
        login's count, while the login's own transaction is rolled back): the
        callback runs between transactions, so it may open a cursor of its own.
        """
        self.postcommit.append(callback)
        self.postrollback.append(callback)

    def savepoint(self):
        """A context manager that rolls back only its own block on error."""
        if self.readonly:
            self.database._state.write_refused = True
            raise ReadOnlyError("a read-only transaction cannot write (every ORM write opens a savepoint)")
        return self.database.savepoint()

    def take_write_lock(self) -> None:
        """SQLite, without the write lock: commit what was read and begin a transaction holding it."""
        if not self.write_locked and not self.readonly:
            self.commit()

    def commit(self, write_lock: bool = True) -> None:
        """Commit the transaction, run post-commit callbacks, and begin a new one.

        ``write_lock=False``: the caller only reads from now on (say, before a
        slow outgoing call), so on SQLite the next transaction begins DEFERRED
        and holds no lock; a write in it may fail if another writer went first.
        """
        self._commit(begin_next=True, write_lock=write_lock)

    def _commit(self, begin_next: bool, write_lock: bool = True) -> None:
        for callback in self._drain(self.precommit):
            callback()
        if self.readonly and getattr(self.database._state, "write_refused", False):
            raise ReadOnlyError("a write was refused during this read-only transaction (and the error caught)")
        self._send_end("COMMIT")
        self.database.pop_transaction().release()
        self.cache.clear()
        self.postrollback.clear()
        callbacks = self._drain(self.postcommit)
        # Callbacks run between transactions: they may open cursors of their own
        # and make outgoing calls without this thread holding a transaction open.
        try:
            for callback in callbacks:
                try:
                    callback()
                except Exception:
                    _logger.exception("post-commit callback %r failed", callback)
        finally:
            if begin_next:
                self._begin(write_lock)

    def _commit_or_roll_back(self) -> None:
        """Commit for good; if COMMIT itself fails (a deferred check), roll back and re-raise."""
        try:
            self._commit(begin_next=False)
        except Exception:
            if self.database.in_transaction():
                self._end("ROLLBACK")
            raise

    def rollback(self) -> None:
        """Roll back the transaction, forget queued callbacks, and begin a new one."""
        self._end("ROLLBACK")
        self._begin()

    def _end(self, statement: str) -> None:
        """Roll back: drop the commit callbacks, run the rollback ones (they only touch memory)."""
        self.precommit.clear()
        self.postcommit.clear()
        self.cache.clear()
        try:
            self._send_end(statement)
        finally:
            self.database.pop_transaction().release()
            for callback in self._drain(self.postrollback):
                callback()

    def close_with(self, sql: str, params=()) -> None:
        """Commit for good with ``sql`` as the transaction's last statement, then release the connection.

        On PostgreSQL ``sql`` travels with the COMMIT: one round trip instead of two (a job worker's
        "done" mark).  Pre-commit callbacks run before it; if ``sql`` or the commit fails, the
        transaction is rolled back and the error raised.
        """
        self._last_statement = (sql, tuple(params))
        self.close(commit=True)

    def _send_end(self, statement: str) -> None:
        """COMMIT or ROLLBACK, unless the transaction never reached the server (nothing to end)."""
        last, self._last_statement = self._last_statement, None
        if last and statement == "COMMIT":
            if self.database.dialect == "postgresql":
                self.execute(last[0] + "; COMMIT", last[1])
                return
            self.execute(*last)
        marker = self.database.top_transaction()
        if isinstance(marker, _Marker):
            if statement == "COMMIT" and marker.pending.writes:
                self.database.execute_sql(statement)  # the deferred writes travel with it (piggyback)
                return
            never_sent = marker.pending.begin
            marker.pending.drop()
            if never_sent:
                return
        if not self.readonly:
            self.database.execute_sql(statement)

    @staticmethod
    def _drain(callbacks: list) -> list:
        drained = list(callbacks)
        callbacks.clear()
        return drained

    def close(self, commit: bool = False) -> None:
        """End the transaction (committing first if asked) and give the connection back to the pool."""
        if self._closed:
            return
        self._closed = True
        try:
            if commit:
                self._commit_or_roll_back()
            else:
                self._end("ROLLBACK")
        finally:
            if not self.database.in_transaction():
                self.database.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(commit=exc_type is None)


class _Marker:
    """Stands in peewee's transaction stack so ``in_transaction()`` reports ours.

    ``pending``: what the transaction has yet to send (``server.piggyback``): on PostgreSQL its BEGIN
    travels with the first statement, and a transaction that ran none costs no round trip at all.
    """

    def __init__(self):
        self.pending = piggyback.Pending()
        self.gate = None  # SQLite: this process's write gate, held until the transaction ends

    def release(self) -> None:
        gate, self.gate = self.gate, None
        if gate is not None:
            gate.release()


