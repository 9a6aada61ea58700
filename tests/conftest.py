"""Fixtures shared by the framework's tests (the storage fixtures come from ``server.testing``)."""
import pytest


@pytest.fixture
def count_queries(env, monkeypatch):
    """``with count_queries() as queries:`` lists the statements sent to the database in the block
    (an ``executemany`` counts once: it is one call)."""
    import contextlib

    database = env.cr.database

    @contextlib.contextmanager
    def counting():
        queries: list[str] = []
        execute_sql, cursor = database.execute_sql, database.cursor

        def counted_execute(sql, params=None):
            queries.append(sql)
            return execute_sql(sql, params)

        class CountedCursor:
            def __init__(self, real):
                self.real = real

            def executemany(self, sql, rows):
                queries.append(sql)
                return self.real.executemany(sql, rows)

            def __getattr__(self, name):
                return getattr(self.real, name)

        monkeypatch.setattr(database, "execute_sql", counted_execute)
        monkeypatch.setattr(database, "cursor", lambda *a: CountedCursor(cursor(*a)))
        try:
            yield queries
        finally:
            monkeypatch.setattr(database, "execute_sql", execute_sql)
            monkeypatch.setattr(database, "cursor", cursor)
    return counting
