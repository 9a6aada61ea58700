"""Savepoints and BEGIN sent with the next statement (``server.piggyback``): same semantics, fewer round trips.

Every ORM write runs in a savepoint; on PostgreSQL the savepoint, and the release of the previous one,
travel with the write's own statement.  These tests hold the semantics on both backends (a refused write
leaves the transaction usable and earlier work intact) and the round trips on PostgreSQL.
"""
import pytest

from server.db import UnstorableText
from server.exceptions import MissingError, ValidationError

pytestmark = pytest.mark.addons("test_library")


def book(env, name: str, **vals):
    return env["test_library.book"].create({"name": name, "pages": 10, **vals})


def test_a_refused_write_leaves_the_transaction_usable_and_earlier_writes_kept(env):
    first = book(env, "First", isbn="111")
    second = book(env, "Second", isbn="222")
    first.pages = 11
    with pytest.raises(ValidationError, match="ISBN is already registered"):
        second.isbn = "111"
    second.pages = 12  # the transaction goes on
    env.invalidate_all()
    assert (first.pages, second.pages, second.isbn) == (11, 12, "222")


def test_nested_savepoints_roll_back_only_the_failed_block(env):
    kept = book(env, "Kept")
    with pytest.raises(RuntimeError), env.cr.savepoint():
        kept.pages = 20
        with env.cr.savepoint():
            kept.pages = 21
        raise RuntimeError("give the outer block up")
    with env.cr.savepoint():
        with pytest.raises(ValidationError), env.cr.savepoint():
            kept.pages = -1
        kept.pages = 30
    env.invalidate_all()
    assert kept.pages == 30


def test_a_value_the_driver_refuses_before_sending_leaves_the_savepoint_unsent(env):
    """A lone surrogate is refused by the driver before anything reaches the database: the pending
    savepoint must not be rolled back to (it was never sent), or the transaction would break."""
    record = book(env, "Clean")
    with pytest.raises(UnstorableText), env.cr.savepoint():
        env.cr.execute("UPDATE test_library_book SET name = %s WHERE id = %s", ("bad \ud800", record.id))
    record.pages = 40
    env.invalidate_all()
    assert (record.name, record.pages) == ("Clean", 40)


def test_a_write_on_a_deleted_record_names_it_and_changes_nothing(env):
    alive, gone = book(env, "Alive"), book(env, "Gone")
    env.cr.execute("DELETE FROM test_library_book WHERE id = %s", (gone.id,))
    with pytest.raises(MissingError, match=rf"test_library\.book\({gone.id},\)"):
        (alive | gone).write({"pages": 99})
    env.invalidate_all()
    assert alive.pages == 10


def test_committed_work_stays_and_rolled_back_work_goes(registry):
    with registry.cursor() as cr:
        cr.execute("SELECT COUNT(*) FROM test_library_book WHERE name LIKE %s", ("piggyback %",))
        before = cr.fetchone()[0]
    from server.orm.environment import Environment

    with registry.cursor() as cr:
        book(Environment(cr, 1, {}), "piggyback kept")
    cr = registry.cursor()
    book(Environment(cr, 1, {}), "piggyback dropped")
    cr.close(commit=False)
    with registry.cursor() as cr:
        cr.execute("SELECT name FROM test_library_book WHERE name LIKE %s", ("piggyback %",))
        names = [row[0] for row in cr.fetchall()]
        cr.execute("DELETE FROM test_library_book WHERE name LIKE %s", ("piggyback %",))
    assert len(names) == before + 1 and "piggyback kept" in names and "piggyback dropped" not in names


def test_one_round_trip_per_write_on_postgresql(env, db_backend, count_queries):
    if db_backend != "postgresql":
        pytest.skip("SQLite has no round trips: its savepoints are sent as they come")
    records = [book(env, f"Trip {n}") for n in range(3)]
    with count_queries() as queries:
        for record in records:
            record.write({"pages": 50})
        with env.cr.savepoint():
            pass  # a block that runs nothing sends nothing
    assert len(queries) == 3 and all(sql.startswith("UPDATE") for sql in queries)


# -- deferred writes (``piggyback.defer_write``): sent with the next statement or with COMMIT -------------------
def test_a_deferred_write_is_seen_by_the_next_statement_and_costs_no_round_trip(env, db_backend, count_queries):
    from server.piggyback import defer_write

    record = book(env, "Deferred")
    with count_queries() as queries:
        defer_write(env.cr, "UPDATE test_library_book SET name = %s WHERE id = %s", ("50% 'off' \\ %s", record.id))
        env.cr.execute("SELECT name FROM test_library_book WHERE id = %s", (record.id,))
        name = env.cr.fetchone()[0]
    assert name == "50% 'off' \\ %s"
    assert len(queries) == (1 if db_backend == "postgresql" else 2)


def test_a_deferred_write_left_last_commits_with_the_transaction(registry):
    from server.orm.environment import Environment
    from server.piggyback import defer_write

    with registry.cursor() as cr:
        record = book(Environment(cr, 1, {}), "piggyback deferred")
        defer_write(cr, "UPDATE test_library_book SET pages = %s WHERE id = %s", (77, record.id))
    with registry.cursor() as cr:
        cr.execute("SELECT pages FROM test_library_book WHERE id = %s", (record.id,))
        pages = cr.fetchone()[0]
        cr.execute("DELETE FROM test_library_book WHERE id = %s", (record.id,))
    assert pages == 77


def test_a_deferred_write_inside_a_rolled_back_savepoint_is_undone(env):
    from server.piggyback import defer_write

    record = book(env, "Undone")
    with pytest.raises(RuntimeError), env.cr.savepoint():
        env.cr.execute("SELECT 1")  # the savepoint is sent
        defer_write(env.cr, "UPDATE test_library_book SET pages = %s WHERE id = %s", (99, record.id))
        raise RuntimeError("undo the block")
    defer_write(env.cr, "UPDATE test_library_book SET name = %s WHERE id = %s", ("Kept", record.id))
    env.invalidate_all()
    assert (record.pages, record.name) == (10, "Kept")


def test_a_failing_deferred_write_fails_the_commit_and_nothing_is_kept(registry):
    from server.orm.environment import Environment
    from server.piggyback import defer_write

    with registry.cursor() as cr:
        first = book(Environment(cr, 1, {}), "piggyback unique one", isbn="piggy-1")
        second = book(Environment(cr, 1, {}), "piggyback unique two", isbn="piggy-2")
    cr = registry.cursor()
    try:
        with pytest.raises(Exception, match="(?i)unique|duplicate"):
            cr.execute("UPDATE test_library_book SET pages = 5 WHERE id = %s", (first.id,))
            defer_write(cr, "UPDATE test_library_book SET isbn = %s WHERE id = %s", ("piggy-1", second.id))
            cr.close(commit=True)  # PostgreSQL: the write fails with the COMMIT; SQLite: at once
    finally:
        cr.close()
    with registry.cursor() as cr:
        cr.execute("SELECT pages, isbn FROM test_library_book WHERE id IN (%s, %s) ORDER BY id", (first.id, second.id))
        rows = cr.fetchall()
        cr.execute("DELETE FROM test_library_book WHERE id IN (%s, %s)", (first.id, second.id))
    assert rows == [(10, "piggy-1"), (10, "piggy-2")]
