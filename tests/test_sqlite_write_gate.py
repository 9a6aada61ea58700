"""SQLite: the threads of one process queue for the write lock on a lock of their own (``server.sqlite_write_gate``).

What must hold: a second writer waits for the first and then sees its work; the gate is given back however
a transaction ends (commit, rollback, a COMMIT that fails); a wait is bounded and ends as SQLite's would.
"""
import threading

import peewee
import pytest

from server import sqlite_write_gate
from server.orm.environment import SUPERUSER_ID, Environment

pytestmark = [pytest.mark.addons("test_library"), pytest.mark.sqlite_only]


def titles(cr) -> set[str]:
    return {row[0] for row in cr.execute("SELECT name FROM test_library_book").fetchall()}


def add_book(cr, name: str) -> None:
    Environment(cr, SUPERUSER_ID, {})["test_library.book"].create({"name": name, "pages": 1})


def test_a_second_writer_waits_for_the_first_then_sees_its_work(fresh_registry):
    first = fresh_registry.cursor()
    add_book(first, "First")
    trying, began, seen = threading.Event(), threading.Event(), {}

    def second_writer():
        trying.set()
        with fresh_registry.cursor() as cr:
            began.set()
            seen["titles"] = titles(cr)
            add_book(cr, "Second")

    thread = threading.Thread(target=second_writer)
    thread.start()
    assert trying.wait(10)
    assert not began.wait(0.3)  # held back while the first writer's transaction is open
    first.close(commit=True)
    thread.join(10)
    assert seen["titles"] == {"First"}  # it began after the first committed
    with fresh_registry.cursor() as cr:
        assert titles(cr) == {"First", "Second"}


def test_the_gate_is_given_back_after_a_rollback_and_after_a_failed_commit(fresh_registry, monkeypatch):
    monkeypatch.setattr(sqlite_write_gate, "BUSY_TIMEOUT", 2.0)  # a gate kept by mistake fails fast
    with pytest.raises(RuntimeError), fresh_registry.cursor() as cr:
        add_book(cr, "Rolled back")
        raise RuntimeError("give up")
    cr = fresh_registry.cursor()
    cr.execute("PRAGMA defer_foreign_keys = ON")
    cr.execute("INSERT INTO test_library_book (name, pages, publisher_id) VALUES (%s, %s, %s)", ("Orphan", 1, 999_999))
    with pytest.raises(peewee.IntegrityError):
        cr.close(commit=True)  # the foreign key is checked at COMMIT, which fails and rolls back
    with fresh_registry.cursor() as cr:  # from another thread as well: nothing holds the gate
        add_book(cr, "After")
    done = []
    thread = threading.Thread(target=lambda: done.append(fresh_registry.cursor().close(commit=True)))
    thread.start()
    thread.join(10)
    assert done == [None]
    with fresh_registry.cursor() as cr:
        assert titles(cr) == {"After"}


def test_a_writer_waiting_longer_than_the_busy_timeout_gets_database_is_locked(fresh_registry, monkeypatch):
    monkeypatch.setattr(sqlite_write_gate, "BUSY_TIMEOUT", 0.2)
    holder = fresh_registry.cursor()
    add_book(holder, "Held")
    failures = []

    def late_writer():
        try:
            fresh_registry.cursor().close(commit=True)
        except peewee.OperationalError as exc:
            failures.append(str(exc))

    thread = threading.Thread(target=late_writer)
    thread.start()
    thread.join(10)
    assert failures == ["database is locked"]
    holder.close(commit=True)  # the holder is untouched by the refusal
    with fresh_registry.cursor() as cr:
        assert titles(cr) == {"Held"}


def test_a_forked_child_does_not_inherit_a_gate_held_at_the_fork(fresh_registry):
    import os

    holder = fresh_registry.cursor()
    add_book(holder, "Held by the parent")
    pid = os.fork()
    if pid == 0:  # the child (a --workers server's worker): the gate of this database is free in it
        sqlite_write_gate.BUSY_TIMEOUT = 1.0
        try:
            sqlite_write_gate.enter(holder.database).release()
            os._exit(0)
        except BaseException:
            os._exit(1)
    _pid, status = os.waitpid(pid, 0)
    holder.close(commit=True)
    assert os.waitstatus_to_exitcode(status) == 0
