"""Database connections: open, create, list and drop databases, and transactions.

Backend differences are capability attributes on the peewee database classes
below (``dialect``, ``native_ilike``); everything else asks them instead of
testing the backend's type.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import peewee
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

from . import piggyback, sqlite_write_gate
from .db_text_guard import TextGuard, UnstorableText  # noqa: F401 (UnstorableText: imported from here)

_logger = logging.getLogger(__name__)
DB_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


# Pooled: a thread returns its connection when its transaction ends (Cursor.close), so a server
# that runs each request in a new thread reuses connections instead of leaking one per thread.
POOL = {"max_connections": 64, "stale_timeout": 600}


class SqliteBackend(TextGuard, PooledSqliteDatabase):
    dialect = "sqlite"
    native_ilike = False
    readonly = False


class PostgresBackend(TextGuard, PooledPostgresqlDatabase):
    dialect = "postgresql"
    native_ilike = True
    readonly = False

    def execute_sql(self, sql, params=None):
        """Send what the transaction has pending (``server.piggyback``) with ``sql``: one round trip."""
        pending = _pending_of(self)
        if not pending:
            return super().execute_sql(sql, params)
        prefix, undo = pending.take()
        try:
            return super().execute_sql(prefix + sql, params)
        except Exception as exc:
            if not piggyback.prefix_ran(self._state.conn, exc):
                pending.restore(undo)
            raise

    def savepoint(self):
        """A savepoint sent with the block's first statement (none if the block runs none)."""
        pending = _pending_of(self)
        return piggyback.LazySavepoint(self, pending) if pending is not None else super().savepoint()

    def _is_closed(self, conn) -> bool:
        """Judge a pooled connection by its local state: peewee's default pings the server on every checkout.

        A connection the server dropped meanwhile fails its first statement, and the request is rolled back.
        """
        import psycopg2.extensions as ext

        return bool(conn.closed) or conn.get_transaction_status() == ext.TRANSACTION_STATUS_UNKNOWN


class _ReadOnly:
    """Connections the database server itself refuses to write with; a refusal is a ``ReadOnlyError``."""

    readonly = True

    def execute_sql(self, sql, params=None):
        try:
            return super().execute_sql(sql, params)
        except peewee.DatabaseError as exc:
            if _is_write_refusal(exc):
                self._state.write_refused = True
                raise ReadOnlyError(f"a read-only transaction cannot run: {sql[:80]}") from exc
            raise


class ReadOnlySqliteBackend(_ReadOnly, SqliteBackend):
    pass


class ReadOnlyPostgresBackend(_ReadOnly, PostgresBackend):
    pass


def _is_write_refusal(exc: Exception) -> bool:
    """PostgreSQL's read_only_sql_transaction (25006), or SQLite's refusal under ``query_only``."""
    return getattr(getattr(exc, "orig", None), "pgcode", None) == "25006" or "readonly database" in str(exc)


def _pending_of(database) -> piggyback.Pending | None:
    """The open transaction's pending statements (None outside one of our cursors' transactions)."""
    transactions = database._state.transactions
    marker = transactions[0] if transactions else None
    return marker.pending if isinstance(marker, _Marker) else None


class DatabaseError(Exception):
    """A database cannot be opened, created or dropped; the message says why."""


class ReadOnlyError(Exception):
    """A read-only transaction tried to write (whoever opened it should retry read-write)."""


def check_db_name(name: str) -> str:
    """Refuse names that cannot be a file name and a PostgreSQL identifier at once."""
    if not name or not DB_NAME_RE.match(name):
        raise DatabaseError(
            f"invalid database name {name!r}: use letters, digits, '_', '-' or '.', starting with a letter or digit"
        )
    return name


def _sqlite_path(uri: str) -> Path:
    return Path(unquote(urlsplit(uri).path))


def _pg_params(uri: str, dbname: str | None = None) -> dict:
    parts = urlsplit(uri)
    return {
        "database": dbname or unquote(parts.path.lstrip("/")),
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or "") or None,
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
    }


def open_database(uri: str, readonly: bool = False) -> peewee.Database:
    """Return a peewee database for ``uri``; connections are opened per thread on use.

    ``readonly``: connections the database server refuses to write with (read-only cursors).
    """
    if uri.startswith("sqlite:"):
        path = _sqlite_path(uri)
        busy_ms = int(sqlite_write_gate.BUSY_TIMEOUT * 1000)  # the write gate waits as long as SQLite does
        pragmas = {"foreign_keys": 1, "journal_mode": "wal", "busy_timeout": busy_ms,
                   "case_sensitive_like": 1, "synchronous": "normal", **({"query_only": 1} if readonly else {})}
        # Pooled connections move between threads (one transaction at a time): allow it.
        backend = ReadOnlySqliteBackend if readonly else SqliteBackend
        return backend(str(path), pragmas=pragmas, timeout=sqlite_write_gate.BUSY_TIMEOUT, returning_clause=True,
                       check_same_thread=False, **POOL)
    if uri.startswith(("postgresql:", "postgres:")):
        params = {k: v for k, v in _pg_params(uri).items() if v is not None}
        if readonly:
            params["options"] = "-c default_transaction_read_only=on"
        backend = ReadOnlyPostgresBackend if readonly else PostgresBackend
        return backend(params.pop("database"), **POOL, **params)
    raise DatabaseError(f"unsupported database URI {uri!r}: use sqlite:///path or postgresql://...")


def dispose(database: peewee.Database) -> None:
    """Close every connection of ``database``, pooled or in use by this thread (SQLite then checkpoints)."""
    if not database.is_closed():
        database.close()
    close_all = getattr(database, "close_all", None)
    if close_all:
        close_all()


def database_exists(uri: str) -> bool:
    """Whether the database behind ``uri`` exists (not whether it is initialised)."""
    if uri.startswith("sqlite:"):
        return _sqlite_path(uri).exists()
    params = _pg_params(uri)
    with _maintenance(uri) as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (params["database"],))
        return cur.fetchone() is not None


def create_database(uri: str) -> None:
    """Create the empty database behind ``uri`` if it does not exist yet."""
    if uri.startswith("sqlite:"):
        _sqlite_path(uri).parent.mkdir(parents=True, exist_ok=True)
        return
    name = check_db_name(_pg_params(uri)["database"])
    if database_exists(uri):
        return
    with _maintenance(uri) as cur:
        cur.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')


def drop_database(uri: str) -> None:
    """Drop the database behind ``uri``; dropping a missing database is not an error."""
    if uri.startswith("sqlite:"):
        path = _sqlite_path(uri)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    name = check_db_name(_pg_params(uri)["database"])
    with _maintenance(uri) as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def list_postgres_databases(uri: str) -> list[str]:
    """Names of the PostgreSQL databases on the server of ``uri`` that hold our schema."""
    with _maintenance(uri) as cur:
        cur.execute("SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY datname")
        names = [row[0] for row in cur.fetchall()]
    found = []
    for name in names:
        if name == "postgres":
            continue
        db = open_database(_with_dbname(uri, name))
        try:
            if db.table_exists("ir_module_module"):
                found.append(name)
        except peewee.OperationalError:
            pass
        finally:
            dispose(db)
    return found


def _with_dbname(uri: str, name: str) -> str:
    parts = urlsplit(uri)
    return parts._replace(path="/" + name).geturl()


class _maintenance:
    """A short autocommit connection to the ``postgres`` database for CREATE/DROP DATABASE."""

    def __init__(self, uri: str):
        self.params = _pg_params(uri, dbname="postgres")

    def __enter__(self):
        import psycopg2

        try:
            self.conn = psycopg2.connect(**{k: v for k, v in self.params.items() if v is not None})
        except psycopg2.OperationalError as exc:
            raise DatabaseError(f"cannot reach PostgreSQL: {str(exc).strip()}") from None
        self.conn.autocommit = True
        return self.conn.cursor()

    def __exit__(self, *exc):
        self.conn.close()


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
    """

    def __init__(self, registry, database: peewee.Database):
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
        database.connect(reuse_if_open=True)
        if database.in_transaction():
            raise DatabaseError(f"a transaction is already open on database {self.dbname!r} in this thread")
        self._begin()

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


