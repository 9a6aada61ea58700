"""A server calling itself never deadlocks: 20 parallel paid lookups on the one-server demo all get answered.

Each paid ``/get_book_data`` places its hold at ``/iap/1/authorize`` of the same server and database.  Over
HTTP that call needs a second worker (or thread) while the first waits for it, so as many parallel
lookups as workers left none for the holds.  The authorize is served in-process; every lookup is answered
and charged exactly once (the captures sent after the requests, by each worker's sender thread), on the
threaded server and under gunicorn with two workers of one thread each (the in-process path needs no
spare thread: it would hold with sync workers too).
"""
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from server.modules.registry import Registry
from server.orm.environment import SUPERUSER_ID, Environment

from .common import wait_until_settled

TOKEN = "demo-isbn-client-token"
LOOKUPS = 20
CLIENT_TIMEOUT = 300  # generous: the test asserts that every lookup is answered, not how fast


def prepare(config, endpoint: str) -> list[str]:
    """Point the demo at ``endpoint``, fund the account with exactly 100 credits; the catalogue's ISBNs."""
    registry = Registry.open(config)
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        env["ir.config_parameter"].set_param("iap.endpoint", endpoint)
        env["ir.config_parameter"].set_param("iap_client.endpoint", endpoint)
        account = env["iap.platform.account"].search([("token", "=", TOKEN)])
        env["iap.platform.account"].admin_topup("book_isbn", TOKEN, 100 - account.available / 10_000)
        return env["book.info"].search([], limit=LOOKUPS).mapped("isbn")


def figures(config) -> tuple[float, int]:
    with Registry.open(config).cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        account = env["iap.platform.account"].search([("token", "=", TOKEN)])
        sales = env["iap.platform.transaction"].search_count([("account_id", "=", account.id),
                                                              ("state", "=", "captured")])
        return account.available / 10_000, sales


def lookup(url: str, isbn: str) -> dict:
    body = {"jsonrpc": "2.0", "method": "call", "id": 1,
            "params": {"account_token": TOKEN, "isbn_number": isbn, "request_id": uuid.uuid4().hex}}
    return requests.post(url + "/get_book_data", json=body, timeout=CLIENT_TIMEOUT).json()


def parallel_lookups(url: str, isbns: list[str]) -> list[dict]:
    with ThreadPoolExecutor(LOOKUPS) as pool:
        return list(pool.map(lambda isbn: lookup(url, isbn), isbns))


def check_all_answered_and_charged_once(config, url: str, isbns: list[str]) -> None:
    available, sales = figures(config)
    answers = parallel_lookups(url, isbns)
    statuses = [(answer.get("result") or {}).get("status") or answer["error"]["data"]["message"] for answer in answers]
    assert statuses == ["found"] * LOOKUPS
    wait_until_settled(config)
    assert figures(config) == (available - LOOKUPS, sales + LOOKUPS)


@pytest.fixture
def demo_config(db_backend, database_factory):
    return database_factory.create(db_backend, ("iap_isbn_demo", "web"))


def test_parallel_lookups_on_the_threaded_server(demo_config, live_server_factory):
    live = live_server_factory.start(demo_config)
    try:
        isbns = prepare(demo_config, live.url.replace("127.0.0.1", "localhost"))  # loopback names are one
        assert len(isbns) == LOOKUPS
        check_all_answered_and_charged_once(demo_config, live.url, isbns)
    finally:
        live.stop()


def test_parallel_lookups_with_two_workers_of_one_thread(demo_config, server_process):
    server = server_process(demo_config, workers=2, threads=1)
    isbns = prepare(demo_config, server.url)
    try:
        check_all_answered_and_charged_once(demo_config, server.url, isbns)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- server log ---\n{server.log()[-6000:]}") from None
