"""``write_lock=False`` (ours): on SQLite a transaction, or a route's, that reads without the database's write
lock and takes it (``take_write_lock()``) before it writes; on PostgreSQL nothing changes."""
import threading

import pytest

pytestmark = pytest.mark.addons("http_test")


@pytest.mark.sqlite_only
def test_a_transaction_begun_without_the_lock_lets_a_writer_commit_then_takes_the_lock(registry):
    registry.cursor().close()  # a registry's first transaction runs the models' register hooks, with the lock
    reader = registry.cursor(write_lock=False)
    try:
        assert reader.write_locked is False
        before = reader.execute("SELECT count(*) FROM res_partner").fetchone()[0]
        written = []

        def write():
            with registry.cursor() as cr:  # takes the lock: it would wait for a reader holding it
                cr.execute("INSERT INTO res_partner (name, active) VALUES ('Unlocked', 1)")
            written.append(True)

        writer = threading.Thread(target=write)
        writer.start()
        writer.join(10)
        assert written == [True], "the writer waited for a transaction that only read"
        reader.take_write_lock()
        assert reader.write_locked is True
        assert reader.execute("SELECT count(*) FROM res_partner").fetchone()[0] == before + 1  # a new snapshot
        reader.execute("DELETE FROM res_partner WHERE name = 'Unlocked'")
    finally:
        reader.close(commit=True)


@pytest.mark.sqlite_only
def test_on_sqlite_a_write_lock_false_route_reads_while_a_writer_holds_the_lock(live_server):
    registry = live_server.registry()
    live_server.client().result("/http_test/unlocked_reader")  # the server's registry ran its first transaction
    writer = registry.cursor()  # holds the write lock (BEGIN IMMEDIATE) until closed
    try:
        answers = []
        reader = threading.Thread(target=lambda: answers.append(
            live_server.client().result("/http_test/unlocked_reader")))
        reader.start()
        reader.join(10)
        assert len(answers) == 1, "the route waited for the writer"
        assert answers[0]["write_locked"] is False and answers[0]["partners"] > 0
    finally:
        writer.close()


def test_a_write_lock_false_route_takes_the_lock_before_it_writes(live_server):
    answer = live_server.client().result("/http_test/unlocked_writer", name="Written unlocked")
    sqlite = live_server.registry().database.dialect == "sqlite"
    assert answer["before"] is (not sqlite) and answer["after"] is True
    with live_server.registry().cursor() as cr:
        assert cr.execute("SELECT count(*) FROM res_partner WHERE id = %s AND name = %s",
                          (answer["created"], "Written unlocked")).fetchone()[0] == 1


def test_take_write_lock_changes_nothing_in_a_transaction_that_holds_it(registry):
    with registry.cursor() as cr:
        cr.execute("SELECT 1")
        cr.take_write_lock()
        assert cr.write_locked is True
