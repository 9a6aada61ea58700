"""Read-only cursors: searches and reads of the external API and ``readonly`` routes run without a
transaction, on connections that cannot write; whatever writes anyway runs again read-write."""
import threading
import xmlrpc.client

import pytest

from server.db import ReadOnlyError
from server.orm.environment import SUPERUSER_ID, Environment

pytestmark = pytest.mark.addons("http_test")


def test_a_read_only_cursor_reads_and_refuses_every_write(registry):
    cr = registry.cursor(readonly=True)
    try:
        env = Environment(cr, SUPERUSER_ID, {})
        assert cr.readonly and env["res.partner"].search_count([]) > 0
        with pytest.raises(ReadOnlyError):
            env["res.partner"].create({"name": "Never"})
        with pytest.raises(ReadOnlyError):
            cr.execute("UPDATE res_partner SET name = 'Never' WHERE id = %s", (1,))
        with pytest.raises(ReadOnlyError):  # the refusals were caught above: committing is refused too
            cr.close(commit=True)
    finally:
        cr.close()
    with registry.cursor() as cr:
        assert cr.execute("SELECT count(*) FROM res_partner WHERE name = %s", ("Never",)).fetchone()[0] == 0


def test_readonly_methods_over_the_external_api_use_a_read_only_cursor(live_server):
    models = xmlrpc.client.ServerProxy(f"{live_server.url}/xmlrpc/2/object")
    db = live_server.db
    ids = models.execute_kw(db, 2, "admin", "res.partner", "search", [[]], {"limit": 2})
    assert len(models.execute_kw(db, 2, "admin", "res.partner", "read", [ids, ["name"]])) == 2
    new_id = models.execute_kw(db, 2, "admin", "res.partner", "create", [{"name": "Written"}])
    assert models.execute_kw(db, 2, "admin", "res.partner", "search_read", [[["id", "=", new_id]]],
                             {"fields": ["name"]}) == [{"id": new_id, "name": "Written"}]
    models.execute_kw(db, 2, "admin", "res.partner", "unlink", [[new_id]])


def test_a_readonly_route_runs_on_a_read_only_cursor(live_server):
    answer = live_server.client().result("/http_test/cursor_mode")
    assert answer["readonly"] is True and answer["partners"] > 0


@pytest.mark.parametrize("swallow", [False, True])
def test_a_readonly_route_that_writes_runs_again_read_write_and_writes_once(live_server, swallow):
    name = f"Retried {swallow}"
    answer = live_server.client().result("/http_test/readonly_writer", name=name, swallow=swallow)
    assert answer["readonly"] is False and answer["created"]
    with live_server.registry().cursor() as cr:
        assert cr.execute("SELECT count(*) FROM res_partner WHERE name = %s", (name,)).fetchone()[0] == 1


def test_call_kw_of_a_readonly_method_uses_a_read_only_cursor_and_writes_still_work(live_server):
    client = live_server.client()
    client.authenticate(live_server.db, "admin", "admin")
    rows = client.result("/web/dataset/call_kw/res.partner/search_read", model="res.partner",
                         method="search_read", args=[[]], kwargs={"fields": ["name"], "limit": 1})
    assert len(rows) == 1
    new_id = client.result("/web/dataset/call_kw", model="res.partner", method="create",
                           args=[{"name": "By call_kw"}], kwargs={})
    assert client.result("/web/dataset/call_kw", model="res.partner", method="read",
                         args=[[new_id], ["name"]], kwargs={}) == [{"id": new_id, "name": "By call_kw"}]


@pytest.mark.sqlite_only
def test_on_sqlite_readonly_requests_do_not_wait_for_a_writer(live_server):
    """A read-write request waits for SQLite's write lock; a read-only one reads the last commit at once."""
    registry = live_server.registry()
    writer = registry.cursor()  # holds the write lock (BEGIN IMMEDIATE) until closed
    try:
        answers = []
        reader = threading.Thread(target=lambda: answers.append(
            live_server.client().result("/http_test/partner_by_ref", ref="nobody")))
        reader.start()
        reader.join(10)
        assert answers == [False], "the read-only route waited for the writer"
    finally:
        writer.close()
