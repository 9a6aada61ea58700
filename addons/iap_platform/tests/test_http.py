"""Acceptance over real HTTP: the platform's ``/iap/1/*`` routes served by a live server on 127.0.0.1.

* the issue's race: 200 parallel authorize+capture requests on 100 credits (PostgreSQL, a server of its own);
* every JSON-RPC route once with Odoo's payloads and envelopes, and every reachable error classified by
  the copies of Odoo's client-side parsing in ``test_error_envelope`` (last segment of ``data.name``, HTTP 200);
* the buy-credits page ``/iap/1/credit`` (GET renders the form, a test-mode POST tops up, CSRF when logged in);
* ``iap``'s own client tools (``iap_jsonrpc``, ``iap_charge``) against the live platform.

Tests on the shared ``live_server`` isolate themselves with a service of their own (``new_service``).
"""
from __future__ import annotations

import contextlib
import html
import json
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import requests
from odoo.addons.iap.tools import iap_tools
from odoo.addons.iap_platform.tests.test_error_envelope import GENERIC, odoo_14, odoo_17, odoo_18

from server.orm.environment import SUPERUSER_ID, Environment
from server.testing_http import LiveServer

pytestmark = pytest.mark.addons("iap_platform")

UNITS = 10_000  # 1 credit
CREDIT_ERROR = "odoo.addons.iap.tools.iap_tools.InsufficientCreditError"


# -- helpers -----------------------------------------------------------------------------------------------
@contextlib.contextmanager
def platform_env(live: LiveServer):
    """A superuser environment on the live server's database, committed at the end of the block."""
    with live.registry().cursor() as cr:
        yield Environment(cr, SUPERUSER_ID, {})


def new_service(live: LiveServer, **options) -> SimpleNamespace:
    """A service of the test's own on the live platform: ``.id``, ``.name``, ``.key``."""
    with platform_env(live) as env:
        created = env["iap.platform.service"].create_service(f"http_{uuid.uuid4().hex[:10]}", **options)
    return SimpleNamespace(id=created["id"], name=created["technical_name"], key=created["key"])


def fund(live: LiveServer, service, token: str, credits: float) -> None:
    with platform_env(live) as env:
        env["iap.platform.account"].admin_topup(service.name, token, credits)


def account_figures(live: LiveServer, service, token: str) -> dict:
    """The account's buckets in units, and the ledger's sums for them."""
    with platform_env(live) as env:
        account = env["iap.platform.account"].search([("service_id", "=", service.id), ("token", "=", token)])
        ledger = dict(env.cr.execute("SELECT account_code, SUM(amount) FROM iap_platform_ledger_entry "
                                     "WHERE account_code IN (%s, %s) GROUP BY account_code",
                                     (account._code("available"), account._code("held"))).fetchall())
        return {"available": account.available, "held": account.held,
                "ledger_available": int(ledger.get(account._code("available"), 0)),
                "ledger_held": int(ledger.get(account._code("held"), 0))}


def assert_books_balance(live: LiveServer) -> None:
    """Every journal sums to zero; balances equal ledger sums; captured = provider share + commission."""
    with platform_env(live) as env:
        assert env["iap.platform.ledger.entry"].check_invariants() == []
        cr = env.cr
        assert cr.execute("SELECT journal FROM iap_platform_ledger_entry GROUP BY journal "
                          "HAVING SUM(amount) <> 0").fetchall() == []
        ledger = {code: int(total) for code, total in cr.execute(
            "SELECT account_code, SUM(amount) FROM iap_platform_ledger_entry GROUP BY account_code").fetchall()}
        for account in env["iap.platform.account"].search([]):
            assert account.available == ledger.get(account._code("available"), 0) >= 0
            assert account.held == ledger.get(account._code("held"), 0) >= 0
        assert cr.execute("SELECT token FROM iap_platform_transaction WHERE state = 'captured' "
                          "AND captured <> provider_share + commission").fetchall() == []
        share, commission = cr.execute("SELECT COALESCE(SUM(provider_share), 0), COALESCE(SUM(commission), 0) "
                                       "FROM (SELECT provider_share, commission FROM iap_platform_transaction "
                                       "WHERE state = 'captured' UNION ALL SELECT provider_share, commission "
                                       "FROM iap_platform_quota) AS charged").fetchone()
        revenue = sum(total for code, total in ledger.items() if code.startswith("service:") and
                      code.endswith(":revenue"))
        assert (revenue, ledger.get("platform:commission", 0)) == (int(share), int(commission))


def rpc(url: str, path: str, params: dict, session: requests.Session | None = None) -> dict:
    """One JSON-RPC 2.0 call as Odoo's ``iap_jsonrpc`` sends it; the whole envelope (HTTP 200 asserted)."""
    request_id = uuid.uuid4().hex
    payload = {"jsonrpc": "2.0", "method": "call", "params": params, "id": request_id}
    reply = (session or requests).post(url + path, json=payload, timeout=30)
    assert reply.status_code == 200, (reply.status_code, reply.text[:300])
    envelope = reply.json()
    assert envelope["jsonrpc"] == "2.0" and envelope["id"] == request_id
    assert ("result" in envelope) != ("error" in envelope)
    return envelope


def result(live: LiveServer, path: str, **params):
    envelope = rpc(live.url, path, params)
    assert "error" not in envelope, envelope["error"]
    return envelope["result"]


def error(live: LiveServer, path: str, **params) -> dict:
    """The ``error`` member of the envelope; its shape is Odoo's (code 200, data with name/message/...)."""
    envelope = rpc(live.url, path, params)
    assert "error" in envelope, envelope
    err = envelope["error"]
    assert err["code"] == 200
    assert set(err["data"]) >= {"name", "message", "arguments", "context", "debug"}
    return err


def code_of(err: dict) -> tuple[str, bool]:
    """``(code, retryable)`` of an error, read as our client reads it (``data``, else ``data.context``)."""
    parsed = iap_tools.error_from_response("http://platform", err)
    return parsed.code, parsed.retryable


def authorize_params(service, token: str, credit: float = 1, **extra) -> dict:
    """Odoo's authorize payload (``iap_authorize``)."""
    return {"account_token": token, "credit": credit, "key": service.key, "description": "HTTP test",
            "ttl": 4320, "dbuuid": "db-" + token, **extra}


# -- 1. the race ---------------------------------------------------------------------------------------
class BalanceWatcher(threading.Thread):
    """Reads the account's balance over and over while the race runs; remembers the lowest value seen."""

    def __init__(self, live: LiveServer, account_id: int):
        super().__init__(daemon=True)
        self.registry, self.account_id = live.registry(), account_id
        self.lowest, self.reads, self.done = None, 0, threading.Event()

    def run(self):
        while not self.done.is_set():
            with self.registry.cursor() as cr:
                (available,) = cr.execute("SELECT available FROM iap_platform_account WHERE id = %s",
                                          (self.account_id,)).fetchone()
            self.lowest = available if self.lowest is None else min(self.lowest, available)
            self.reads += 1
            time.sleep(0.005)


@pytest.mark.postgresql_only
def test_two_hundred_parallel_charges_over_http_on_a_hundred_credits(fresh_live_server):
    live = fresh_live_server
    service = new_service(live)
    token = "race-" + uuid.uuid4().hex
    fund(live, service, token, 100)
    with platform_env(live) as env:
        account_id = env["iap.platform.account"].search([("token", "=", token)]).id
    local = threading.local()

    def charge(i: int):
        """authorize 1 credit then capture it, over HTTP; the authorize error envelope when refused."""
        if not hasattr(local, "session"):
            local.session = requests.Session()
        params = {"account_token": token, "credit": 1, "key": service.key, "description": f"race {i}", "ttl": 1}
        envelope = rpc(live.url, "/iap/1/authorize", params, local.session)
        if "error" in envelope:
            return envelope["error"]
        captured = rpc(live.url, "/iap/1/capture", {"token": envelope["result"], "key": service.key,
                                                    "credit_to_capture": 1}, local.session)
        assert "error" not in captured, captured
        return captured["result"]

    watcher = BalanceWatcher(live, account_id)
    watcher.start()
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(16) as pool:
            outcomes = list(pool.map(charge, range(200)))
    finally:
        watcher.done.set()
        watcher.join(10)
    assert time.monotonic() - started < 40
    successes = [o for o in outcomes if "state" in o]
    refusals = [o for o in outcomes if "state" not in o]
    assert len(successes) == 100 and len(refusals) == 100
    assert len({o["token"] for o in successes}) == 100
    assert all(o["state"] == "captured" and o["captured"] == 1 and o["provider_share"] + o["commission"] == 1
               for o in successes)
    assert all(o["data"]["name"].endswith("InsufficientCreditError") and
               code_of(o) == ("insufficient_credit", False) for o in refusals)
    assert watcher.reads > 0 and watcher.lowest >= 0
    assert account_figures(live, service, token) == {"available": 0, "held": 0, "ledger_available": 0,
                                                     "ledger_held": 0}
    assert result(live, "/iap/1/balance", account_token=token, service_name=service.name) == 0
    with platform_env(live) as env:
        share, commission, captured = env.cr.execute(
            "SELECT SUM(provider_share), SUM(commission), SUM(captured) FROM iap_platform_transaction "
            "WHERE service_id = %s", (service.id,)).fetchone()
        revenue = env.cr.execute("SELECT SUM(amount) FROM iap_platform_ledger_entry WHERE account_code = %s",
                                 (f"service:{service.id}:revenue",)).fetchone()[0]
    assert (captured, share, commission, revenue) == (100 * UNITS, 75 * UNITS, 25 * UNITS, 75 * UNITS)
    assert_books_balance(live)


# -- 2. every route once, with Odoo's payloads ------------------------------------------------------------------
def test_authorize_then_capture(live_server):
    service = new_service(live_server)
    token = "cap-" + uuid.uuid4().hex
    fund(live_server, service, token, 10)
    tx = result(live_server, "/iap/1/authorize", **authorize_params(service, token, 3))
    assert re.fullmatch(r"iaptx_[0-9a-f]{32}", tx)
    assert result(live_server, "/iap/1/balance", account_token=token, service_name=service.name,
                  dbuuid="db-" + token) == 7  # holds count against the balance
    captured = result(live_server, "/iap/1/capture", token=tx, key=service.key, credit_to_capture=2)
    assert captured == {"token": tx, "state": "captured", "authorized": 3, "captured": 2, "released": 1,
                        "provider_share": 1.5, "commission": 0.5, "replayed": False, "mismatch": False}
    again = result(live_server, "/iap/1/capture", token=tx, key=service.key, credit_to_capture=2)
    assert again == {**captured, "replayed": True}
    assert account_figures(live_server, service, token) == {"available": 8 * UNITS, "held": 0,
                                                            "ledger_available": 8 * UNITS, "ledger_held": 0}
    assert_books_balance(live_server)


def test_capture_batch_answers_each_capture_over_json_rpc(live_server):
    """Ours: the captures of a provider's outbox in one request, each answered as alone."""
    service = new_service(live_server)
    token = "batch-" + uuid.uuid4().hex
    fund(live_server, service, token, 10)
    tx = result(live_server, "/iap/1/authorize", **authorize_params(service, token, 3))
    lines = result(live_server, "/iap/1/capture_batch", key=service.key, captures=[
        {"token": tx, "credit_to_capture": 2}, {"token": "iaptx_" + "0" * 32, "credit_to_capture": 1}])["results"]
    assert lines[0] == {"token": tx, "result": {"token": tx, "state": "captured", "authorized": 3, "captured": 2,
                                                "released": 1, "provider_share": 1.5, "commission": 0.5,
                                                "replayed": False, "mismatch": False}}
    assert lines[1]["error"]["code"] == "transaction_not_found" and lines[1]["error"]["name"].endswith("AccessError")
    assert account_figures(live_server, service, token)["available"] == 8 * UNITS
    assert_books_balance(live_server)


def test_authorize_then_cancel(live_server):
    service = new_service(live_server)
    token = "can-" + uuid.uuid4().hex
    fund(live_server, service, token, 5)
    tx = result(live_server, "/iap/1/authorize", **authorize_params(service, token, 5))
    assert account_figures(live_server, service, token)["held"] == 5 * UNITS
    assert result(live_server, "/iap/1/cancel", token=tx, key=service.key) == {
        "token": tx, "state": "cancelled", "released": 5, "replayed": False}
    assert result(live_server, "/iap/1/cancel", token=tx, key=service.key)["replayed"] is True
    assert result(live_server, "/iap/1/balance", account_token=token, service_name=service.name) == 5
    assert account_figures(live_server, service, token)["held"] == 0
    assert_books_balance(live_server)


def test_balance_of_known_and_unknown_accounts(live_server):
    service = new_service(live_server)
    token = "bal-" + uuid.uuid4().hex
    assert result(live_server, "/iap/1/balance", account_token=token, service_name=service.name,
                  dbuuid="db-x") == 0
    fund(live_server, service, token, 2.5)
    assert result(live_server, "/iap/1/balance", account_token=token, service_name=service.name,
                  dbuuid="db-x") == 2.5


def test_transaction_lookup_by_token_and_idempotency_key(live_server):
    service = new_service(live_server)
    token = "look-" + uuid.uuid4().hex
    fund(live_server, service, token, 4)
    params = authorize_params(service, token, 2, idempotency_key="order-1")
    tx = result(live_server, "/iap/1/authorize", **params)
    assert result(live_server, "/iap/1/authorize", **params) == tx  # same key, same request: same hold
    assert account_figures(live_server, service, token)["held"] == 2 * UNITS
    found = result(live_server, "/iap/1/transaction", key=service.key, token=tx)
    assert {k: found[k] for k in ("token", "state", "authorized", "captured", "description")} == {
        "token": tx, "state": "authorized", "authorized": 2, "captured": 0, "description": "HTTP test"}
    assert set(found) >= {"refunded", "created_at", "expires_at", "closed_at", "close_reason"}
    assert result(live_server, "/iap/1/transaction", key=service.key, idempotency_key="order-1")["token"] == tx
    result(live_server, "/iap/1/capture", token=tx, key=service.key, credit_to_capture=None)  # None: all
    assert result(live_server, "/iap/1/transaction", key=service.key, token=tx)["captured"] == 2
    assert_books_balance(live_server)


def test_a_bad_service_key_is_an_access_error(live_server):
    service = new_service(live_server)
    token = "key-" + uuid.uuid4().hex
    fund(live_server, service, token, 1)
    err = error(live_server, "/iap/1/authorize", **{**authorize_params(service, token), "key": "iapk_wrong"})
    assert (err["data"]["name"], code_of(err)) == ("odoo.exceptions.AccessError", ("invalid_service_key", False))
    assert "iapk_wrong" not in json.dumps(err)
    assert odoo_14({"error": err}) == ("AccessError", err["data"]["message"])
    assert account_figures(live_server, service, token)["available"] == UNITS


def test_odoo_client_parsing_classifies_every_error_sent_over_http(live_server):
    """Each error the routes send, parsed as Odoo 14-16, 17 and 18+ (and our client) parse it."""
    service, other = new_service(live_server), new_service(live_server)
    token, idem = "err-" + uuid.uuid4().hex, "idem-" + uuid.uuid4().hex
    fund(live_server, service, token, 3)
    fund(live_server, service, idem, 1)
    held = result(live_server, "/iap/1/authorize", **authorize_params(service, token, 1))
    cancelled = result(live_server, "/iap/1/authorize", **authorize_params(service, token, 1))
    result(live_server, "/iap/1/cancel", token=cancelled, key=service.key)
    captured = result(live_server, "/iap/1/authorize", **authorize_params(service, token, 1))
    result(live_server, "/iap/1/capture", token=captured, key=service.key, credit_to_capture=0.5)
    result(live_server, "/iap/1/authorize", **authorize_params(service, idem, 0.5, idempotency_key="same"))
    cases = {  # code: (route, params); 1.5 credits are available, 1 is held
        "insufficient_credit": ("authorize", authorize_params(service, token, 2)),
        "no_account": ("authorize", authorize_params(service, "nobody-" + uuid.uuid4().hex)),
        "account_disabled": ("authorize", authorize_params(service, token + "+disabled")),
        "invalid_service_key": ("capture", {"token": held, "key": "iapk_nope"}),
        "transaction_not_found": ("capture", {"token": held, "key": other.key}),
        "transaction_cancelled": ("capture", {"token": cancelled, "key": service.key}),
        "already_captured": ("cancel", {"token": captured, "key": service.key}),
        "capture_exceeds_authorization": ("capture", {"token": held, "key": service.key, "credit_to_capture": 2}),
        "invalid_params": ("authorize", authorize_params(service, token, "lots")),
        "idempotency_conflict": ("authorize", authorize_params(service, idem, 0.25, idempotency_key="same")),
    }
    for code, (route, params) in cases.items():
        err = error(live_server, f"/iap/1/{route}", **params)
        data = err["data"]
        assert code_of(err) == (code, False), (code, data)
        cls = data["name"].rpartition(".")[-1]
        expected = {"insufficient_credit": "InsufficientCreditError", "no_account": "InsufficientCreditError",
                    "account_disabled": "InsufficientCreditError", "invalid_service_key": "AccessError",
                    "transaction_not_found": "AccessError"}.get(code, "UserError")
        assert cls == expected, (code, data["name"])
        assert odoo_14({"error": err})[0] == odoo_17({"error": err})[0] == expected
        assert odoo_18({"error": err})[0] == (expected if expected == "InsufficientCreditError" else GENERIC)
        parsed = iap_tools.error_from_response(live_server.url, err)
        assert type(parsed).__name__ == expected and parsed.code == code
        if expected == "InsufficientCreditError":  # iap_authorize json.loads the message
            details = json.loads(odoo_14({"error": err})[1])
            assert {"title", "message", "base_url", "service_name", "credit", "trial"} <= set(details)
            assert details["service_name"] == service.name
    assert_books_balance(live_server)


def test_error_data_carries_code_and_retryable(live_server):
    service = new_service(live_server)
    err = error(live_server, "/iap/1/capture", token="iaptx_" + "0" * 32, key=service.key)
    assert (err["data"].get("code"), err["data"].get("retryable")) == ("transaction_not_found", False)


# -- 3. the buy-credits page ----------------------------------------------------------------------------------
def service_with_pack(live: LiveServer) -> tuple[SimpleNamespace, int]:
    service = new_service(live)
    with platform_env(live) as env:
        pack = env["iap.platform.pack"].create({"name": "Ten", "service_id": service.id, "credit": 10 * UNITS,
                                                "price_cents": 500})
    return service, pack.id


def test_credit_page_get_renders_the_packs_form(live_server):
    service, pack_id = service_with_pack(live_server)
    token = "page-" + uuid.uuid4().hex
    page = requests.get(live_server.url + "/iap/1/credit", params={
        "service_name": service.name, "account_token": token, "dbuuid": "db-1", "credit": "3", "trial": "0"},
        timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    text = page.text
    assert '<form class="pack enough" method="post" action="/iap/1/credit">' in text
    assert f'name="pack_id" value="{pack_id}"' in text and f'name="account_token" value="{token}"' in text
    assert "10 " in text and "5.00 EUR" in text and "needs 3" in text
    unknown = requests.get(live_server.url + "/iap/1/credit", params={"service_name": "no_such_service"}, timeout=30)
    assert unknown.status_code == 404


def test_credit_page_post_in_test_mode_tops_up(live_server):
    service, pack_id = service_with_pack(live_server)
    token = "buy-" + uuid.uuid4().hex
    form = {"pack_id": str(pack_id), "service_name": service.name, "account_token": token, "dbuuid": "db-1"}
    anonymous = requests.post(live_server.url + "/iap/1/credit", data=form, timeout=30)
    assert anonymous.status_code == 200 and "10 credits added: 10 available." in anonymous.text
    assert result(live_server, "/iap/1/balance", account_token=token, service_name=service.name) == 10

    admin = live_server.client()
    admin.authenticate(live_server.db, "admin", "admin")
    page = admin.http.get(live_server.url + "/iap/1/credit", params={"service_name": service.name,
                                                                     "account_token": token}, timeout=30)
    csrf = html.unescape(re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1))
    refused = admin.http.post(live_server.url + "/iap/1/credit", data=form, timeout=30)  # logged in, no token
    assert refused.status_code == 400
    bought = admin.http.post(live_server.url + "/iap/1/credit", data={**form, "csrf_token": csrf}, timeout=30)
    assert bought.status_code == 200 and "10 credits added: 20 available." in bought.text
    bad_pack = requests.post(live_server.url + "/iap/1/credit", data={**form, "pack_id": "999999"}, timeout=30)
    assert bad_pack.status_code == 200 and 'class="error"' in bad_pack.text and "No credit pack" in bad_pack.text
    assert account_figures(live_server, service, token) == {"available": 20 * UNITS, "held": 0,
                                                            "ledger_available": 20 * UNITS, "ledger_held": 0}
    assert_books_balance(live_server)


# -- 4. the iap client tools against the live platform --------------------------------------------------------
def test_iap_client_tools_and_the_live_platform_agree(env, live_server):
    """``env`` is another database (a provider's): its ``iap.endpoint`` names the live platform."""
    service = new_service(live_server)
    token = "tools-" + uuid.uuid4().hex
    fund(live_server, service, token, 3)
    env["ir.config_parameter"].set_param("iap.endpoint", live_server.url)
    assert iap_tools.iap_get_endpoint(env) == live_server.url
    assert iap_tools.iap_jsonrpc(live_server.url + "/iap/1/balance",
                                 params={"account_token": token, "service_name": service.name}) == 3

    with iap_tools.iap_charge(env, service.key, token, 2, description="tools") as transaction:
        assert account_figures(live_server, service, token)["held"] == 2 * UNITS  # the hold is placed
        transaction.credit = 1.5
    looked_up = result(live_server, "/iap/1/transaction", key=service.key, token=transaction.token)
    assert (looked_up["state"], looked_up["authorized"], looked_up["captured"]) == ("captured", 2, 1.5)

    with pytest.raises(ZeroDivisionError):  # the block fails: the hold is cancelled, the original error raised
        with iap_tools.iap_charge(env, service.key, token, 1) as failing:
            1 / 0  # noqa: B018
    assert result(live_server, "/iap/1/transaction", key=service.key, token=failing.token)["state"] == "cancelled"

    with pytest.raises(iap_tools.InsufficientCreditError) as caught:
        with iap_tools.iap_charge(env, service.key, token, 5):
            pytest.fail("the block must not run without the hold")
    details = json.loads(str(caught.value))
    assert (details["code"], details["service_name"], details["available"]) == (
        "insufficient_credit", service.name, 1.5)
    with pytest.raises(iap_tools.AccessError):
        with iap_tools.iap_charge(env, "iapk_wrong", token, 1):
            pytest.fail("the block must not run with a bad key")
    assert account_figures(live_server, service, token) == {"available": 15_000, "held": 0,
                                                            "ledger_available": 15_000, "ledger_held": 0}
    assert_books_balance(live_server)
