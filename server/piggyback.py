"""Statements that travel with the next one, on PostgreSQL: one round trip instead of several.

Every ORM write runs in a savepoint so that a refused write leaves nothing half-written and the
transaction usable.  Sent eagerly, ``SAVEPOINT`` / ``UPDATE`` / ``RELEASE`` cost three round trips for
one statement of work.  Here a transaction's ``BEGIN``, a new savepoint and the release of a finished
one are kept pending and sent in front of the next statement (``BEGIN; SAVEPOINT "s1"; UPDATE ...``):
PostgreSQL runs the statements of one simple query in order inside the open transaction, so the
semantics are those of sending them one by one.  A savepoint whose block ran no statement costs
nothing at all.

When the combined statement fails, what ran is read off the connection: an error raised before
anything was sent (text the driver cannot encode) or a transaction that was already aborted leaves
the pending statements pending, so a savepoint is only ever rolled back to if it exists.
"""
from __future__ import annotations

import uuid


class Pending:
    """The statements a transaction has yet to send, kept on its marker (``server.db._Marker``)."""

    def __init__(self):
        self.begin = False
        self.statements: list[tuple[str, LazySavepoint | None]] = []
        self.writes = False  # a deferred write is pending: it must reach the server, at the latest with COMMIT

    def __bool__(self) -> bool:
        return self.begin or bool(self.statements)

    def take(self) -> tuple[str, list]:
        """The prefix to send now and what to restore if it turns out it did not run."""
        parts = (["BEGIN"] if self.begin else []) + [sql for sql, _sp in self.statements]
        undo = [self.begin, list(self.statements), self.writes]
        for _sql, savepoint in self.statements:
            if savepoint is not None:
                savepoint.emitted = True
        self.begin, self.statements, self.writes = False, [], False
        return "; ".join(parts) + "; ", undo

    def restore(self, undo: list) -> None:
        """The prefix of ``take`` never ran: keep it pending (ahead of anything added since)."""
        begin, statements, writes = undo
        for _sql, savepoint in statements:
            if savepoint is not None:
                savepoint.emitted = False
        self.begin = self.begin or begin
        self.statements[:0] = statements
        self.writes = self.writes or writes

    def drop(self) -> None:
        """The transaction ends: releases are implied by COMMIT, and nothing pending matters after ROLLBACK."""
        self.begin, self.statements, self.writes = False, [], False


class LazySavepoint:
    """peewee's savepoint contract (a context manager rolling back its block on error), sent lazily."""

    def __init__(self, database, pending: Pending):
        self.database = database
        self.pending = pending
        self.name = f'"s{uuid.uuid4().hex}"'
        self.emitted = False

    def __enter__(self) -> LazySavepoint:
        self.pending.statements.append((f"SAVEPOINT {self.name}", self))
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self.emitted:
            self._forget()
        elif exc_type is None:
            self.pending.statements.append((f"RELEASE SAVEPOINT {self.name}", None))
        else:
            # What nested blocks left pending (their releases) is undone by the rollback itself.
            self.pending.statements.clear()
            self.database.execute_sql(f"ROLLBACK TO SAVEPOINT {self.name}; RELEASE SAVEPOINT {self.name}")

    def _forget(self) -> None:
        """No statement ran in the block: the savepoint was never sent, so drop it (and nothing else)."""
        statements = self.pending.statements
        for index in range(len(statements) - 1, -1, -1):
            if statements[index][1] is self:
                del statements[index:]
                return


def defer_write(cr, sql: str, params=()) -> None:
    """Run the write ``sql`` with the transaction's next statement, or with its COMMIT: no round trip of its own.

    For a write whose outcome nobody reads (no rows returned, no row count), made just before the
    transaction goes on or ends: the statements of one simple query run in order, so whatever is
    sent next sees the write.  If it fails, the statement it travels with raises its error, and the
    transaction is rolled back as it would have been.  A savepoint rolled back undoes it with the
    rest of its block.  Elsewhere (SQLite, a read-only cursor, outside our transactions) it runs at once.
    """
    from . import db

    postgresql = cr.database.dialect == "postgresql" and not cr.readonly
    pending = db._pending_of(cr.database) if postgresql else None
    if pending is None:
        cr.execute(sql, params)
        return
    conn = cr.database.connection()
    text = conn.cursor().mogrify(sql, tuple(params)).decode("utf-8")
    pending.statements.append((text.replace("%", "%%"), None))  # the combined statement is interpolated
    pending.writes = True


def prefix_ran(conn, exc: Exception) -> bool:
    """Whether the server ran a failed combined statement's prefix: not if the driver refused before
    sending (the transaction is not in error), nor if the transaction was aborted already (25P02)."""
    import psycopg2.extensions as ext

    if conn is None or conn.get_transaction_status() != ext.TRANSACTION_STATUS_INERROR:
        return False
    return getattr(getattr(exc, "orig", exc), "pgcode", None) != "25P02"
