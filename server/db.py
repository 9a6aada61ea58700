"""Database connections: open, create, list and drop databases (their transactions: ``db_cursor``).

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
from .db_cursor import Cursor, DatabaseError, ReadOnlyError, _Marker  # noqa: F401 (imported from here)
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
