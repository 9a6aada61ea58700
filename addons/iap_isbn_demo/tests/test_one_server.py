"""The three roles on one server and one database, over real HTTP: the client calls the provider, which charges
at the platform, served by the same server.  On SQLite this works only because the provider commits and lets
go of the database's write lock before it calls the platform."""
import contextlib
import logging
import uuid

import pytest

from server.orm.environment import SUPERUSER_ID, Environment
from server.testing_http import JsonRpcClient, RpcError

from .common import wait_until_settled

TOKEN = "demo-isbn-client-token"


@contextlib.contextmanager
def server_env(live):
    with live.registry().cursor() as cr:
        yield Environment(cr, SUPERUSER_ID, {})


@pytest.fixture
def one_server(db_backend, live_server_factory):
    live = live_server_factory.for_addons(db_backend, ("iap_isbn_demo", "web"), fresh=True)
    with server_env(live) as env:
        for key in ("iap.endpoint", "iap_client.endpoint", "web.base.url"):
            env["ir.config_parameter"].set_param(key, live.url)
        env.ref("iap_platform.service_book_isbn").trial_credits = 0  # figures stay exact
    yield live
    live.stop()


def available(live, token: str = TOKEN) -> float:
    with server_env(live) as env:
        return env["iap.platform.account"].search([("token", "=", token)]).available / 10_000


def test_a_lookup_is_charged_by_the_platform_of_the_same_server(one_server):
    before = available(one_server)
    answer = one_server.client().result("/get_book_data", account_token=TOKEN, isbn_number="978-0-7432-7356-5",
                                        request_id=uuid.uuid4().hex)
    assert (answer["status"], answer["data"]["name"], answer["charged"]) == ("found", "The Great Gatsby", 1.0)
    free = one_server.client().result("/get_book_data", account_token=TOKEN, isbn_number="978-0-00-000000-2")
    assert free == {"status": "not found", "charged": 0.0}
    wait_until_settled(one_server.config)
    assert available(one_server) == before - 1


def test_fetch_book_data_on_the_demo_books(one_server):
    rpc = JsonRpcClient(one_server.url)
    uid = rpc.rpc("common", "login", one_server.db, "admin", "admin")
    with server_env(one_server) as env:
        found, unknown = env.ref("iap_client.library_book_demo_hunger_games").id, \
            env.ref("iap_client.library_book_demo_unknown").id
    before = available(one_server)
    assert rpc.execute_kw(one_server.db, uid, "admin", "library.book", "fetch_book_data", [found]) is True
    notice = rpc.execute_kw(one_server.db, uid, "admin", "library.book", "fetch_book_data", [unknown])
    assert notice["tag"] == "display_notification"
    with server_env(one_server) as env:
        assert env["library.book"].browse(found).name == "The Hunger Games"
    wait_until_settled(one_server.config)
    assert available(one_server) == before - 1


def test_the_authorize_is_served_in_process_and_a_refusal_reaches_the_client(one_server, caplog):
    """The hold is placed in-process (the request waits for it); its capture is sent after the request,
    by the sender thread, over HTTP."""
    token = "one-credit-" + uuid.uuid4().hex[:8]
    with server_env(one_server) as env:
        env["iap.platform.account"].admin_topup("book_isbn", token, 1)
    with caplog.at_level(logging.INFO, logger="server.http.access"):
        sold = one_server.client().result("/get_book_data", account_token=token, isbn_number="978-0-7432-7356-5",
                                          request_id=uuid.uuid4().hex)
    assert sold["charged"] == 1.0
    assert [r.getMessage().split()[2] for r in caplog.records if r.threadName.startswith("iap-self-call")] \
        == ["/iap/1/authorize"]
    with pytest.raises(RpcError) as refused:  # no credit left: the platform's refusal, as over HTTP
        one_server.client().result("/get_book_data", account_token=token, isbn_number="978-0-7432-7356-5",
                                   request_id=uuid.uuid4().hex)
    assert refused.value.name.endswith("InsufficientCreditError")
    assert available(one_server, token) == 0
