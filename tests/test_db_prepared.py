"""Statements prepared once per PostgreSQL connection (``server.prepared``): the same effect as the text.

On PostgreSQL ``statement`` hands back ``EXECUTE`` of a statement prepared on the cursor's connection;
on SQLite the statement itself.  These tests hold that either way the rows are the same, that what
PostgreSQL refuses to prepare is sent as text without harming the transaction, and that a prepared
statement outlives the transaction it was prepared in.
"""
import pytest

from server import prepared

pytestmark = pytest.mark.addons("test_library")

LOOKUP = "SELECT id, name FROM test_library_book WHERE pages > %s AND name LIKE %s ORDER BY id"


def run(env, sql: str, params=()) -> list:
    return env.cr.execute(*prepared.statement(env.cr, sql, params)).fetchall()


def names_prepared(env) -> list[str]:
    return [row[0] for row in env.cr.execute("SELECT statement FROM pg_prepared_statements").fetchall()]


def test_a_prepared_statement_returns_the_rows_of_its_text(env):
    for name, pages in (("Dune", 400), ("Emma", 300), ("Dora", 50)):
        env["test_library.book"].create({"name": name, "pages": pages})
    expected = env.cr.execute(LOOKUP, (100, "D%")).fetchall()
    assert [row[1] for row in expected] == ["Dune"]
    assert run(env, LOOKUP, (100, "D%")) == expected
    assert run(env, LOOKUP, (10, "D%")) == env.cr.execute(LOOKUP, (10, "D%")).fetchall()


def test_on_postgresql_it_is_prepared_once_and_sent_as_execute(env):
    if env.cr.database.dialect != "postgresql":
        assert prepared.statement(env.cr, LOOKUP, (1, "x")) == (LOOKUP, (1, "x"))
        return
    first = prepared.statement(env.cr, LOOKUP, (1, "x"))
    second = prepared.statement(env.cr, LOOKUP, (2, "y"))
    assert first[0] == second[0] and first[0].startswith("EXECUTE p_") and second[1] == (2, "y")
    assert sum("test_library_book WHERE pages > $1 AND name LIKE $2" in text for text in names_prepared(env)) == 1


def test_a_statement_postgresql_cannot_prepare_goes_as_text_and_the_transaction_goes_on(env):
    book = env["test_library.book"].create({"name": "Kept", "pages": 10})
    utility = "SET LOCAL statement_timeout = %s"  # PREPARE takes SELECT, INSERT, UPDATE, DELETE only
    assert prepared.statement(env.cr, utility, ("5s",)) == (utility, ("5s",))
    assert prepared.statement(env.cr, utility, ("6s",)) == (utility, ("6s",))  # not tried again
    if env.cr.database.dialect == "postgresql":
        env.cr.execute(utility, ("6s",))
    env.invalidate_all()
    assert book.name == "Kept"  # the refusal did not break the transaction


def test_several_statements_in_one_text_are_sent_as_text(env):
    """``PREPARE x AS a; b`` would prepare ``a`` and run ``b`` at once: such a text is never prepared."""
    book = env["test_library.book"].create({"name": "Once", "pages": 10})
    sql = "SELECT id FROM test_library_book WHERE id = %s; UPDATE test_library_book SET pages = pages + 1"
    assert prepared.statement(env.cr, sql, (book.id,)) == (sql, (book.id,))
    env.invalidate_all()
    assert book.pages == 10


def test_a_literal_percent_survives_preparation(registry):
    if registry.database.dialect != "postgresql":
        pytest.skip("psycopg2 reads %% as a literal percent; sqlite3 has no such escape")
    with registry.cursor() as cr:
        sql, params = prepared.statement(cr, "SELECT 'a%%b' || CAST(%s AS TEXT)", ("c",))
        assert cr.execute(sql, params).fetchall() == [("a%bc",)]


def test_a_statement_prepared_in_a_rolled_back_transaction_still_runs_after(registry):
    if registry.database.dialect != "postgresql":
        pytest.skip("PostgreSQL prepares statements; SQLite runs the text")
    with registry.cursor() as cr:
        sql, _params = prepared.statement(cr, "SELECT count(*) FROM res_users WHERE id > %s", (0,))
        assert sql.startswith("EXECUTE")
        cr.execute(sql, (0,))
        cr.rollback()
        sql, params = prepared.statement(cr, "SELECT count(*) FROM res_users WHERE id > %s", (0,))
        assert cr.execute(sql, params).fetchone()[0] > 0


def test_a_failed_transaction_gets_the_text_back_and_nothing_is_sent(registry):
    if registry.database.dialect != "postgresql":
        pytest.skip("only PostgreSQL keeps a failed transaction open")
    with registry.cursor() as cr:
        with pytest.raises(Exception, match="division by zero"):
            cr.execute("SELECT 1 / 0")
        sql = "SELECT login FROM res_users WHERE id = %s AND active = %s"
        assert prepared.statement(cr, sql, (1, True)) == (sql, (1, True))
        cr.rollback()
        assert prepared.statement(cr, sql, (1, True))[0].startswith("EXECUTE")
