"""A newcomer's first hour with the ISBN demo: any port works, and the README's OdooRPC snippet works every time.

The demo database sets no endpoint: the platform (``iap.endpoint``) and the provider (``iap_client.endpoint``)
are this server wherever it runs, and ``web.base.url`` (``http://localhost:8069`` from the install) does not
pin them to 8069.
"""
import uuid

import odoorpc
import pytest
import requests

from server.modules.registry import Registry
from server.orm.environment import SUPERUSER_ID, Environment

HYPHENATED = "978-0-439-02348-1"  # the README's demo book, known only by its ISBN


@pytest.fixture
def demo_server(db_backend, live_server_factory):
    live = live_server_factory.for_addons(db_backend, ("iap_isbn_demo", "web"), fresh=True)
    with Registry.open(live.config).cursor() as cr:
        params = Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"]
        assert not params.get_param("iap.endpoint") and not params.get_param("iap_client.endpoint")
        assert params.get_param("web.base.url") != live.url
    yield live
    live.stop()


def test_the_readme_curl_works_on_any_port(demo_server):
    body = {"jsonrpc": "2.0", "method": "call", "id": 1,
            "params": {"account_token": "demo-isbn-client-token", "isbn_number": "978-0-7432-7356-5",
                       "request_id": str(uuid.uuid4())}}
    answer = requests.post(demo_server.url + "/get_book_data", json=body, timeout=60).json()
    assert answer["result"]["status"] == "found" and answer["result"]["charged"] == 1.0


def test_the_readme_odoorpc_snippet_works_twice_on_any_port(demo_server):
    odoo = odoorpc.ODOO("127.0.0.1", port=int(demo_server.url.rsplit(":", 1)[1]))
    odoo.login(demo_server.db, "admin", "admin")
    books = odoo.env["library.book"]
    for _ in range(2):
        [book_id] = books.search([("isbn", "=", HYPHENATED)])
        assert books.browse(book_id).fetch_book_data() is True
    [book] = books.read([book_id], ["name", "isbn"])
    assert (book["name"], book["isbn"]) == ("The Hunger Games", HYPHENATED)  # kept as typed
