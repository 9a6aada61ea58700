"""``/iap/1/sale`` over real HTTP: the wire, a race of parallel sales, and ``iap_sell`` against the live platform.

Parallel sales of one account wait for each other (SQLite's single writer, PostgreSQL's row lock on the
account): exactly the credit there is gets sold, and the books balance.
"""
from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from odoo.addons.iap.tools import iap_tools
from odoo.addons.iap_platform.tests.test_error_envelope import odoo_14, odoo_18

from .test_http import UNITS, account_figures, assert_books_balance, code_of, error, fund, new_service, result, rpc

pytestmark = pytest.mark.addons("iap_platform")


def sale_params(service, token: str, credit: float = 1, **extra) -> dict:
    return {"account_token": token, "credit": credit, "key": service.key, "description": "HTTP sale", "ttl": 1,
            "idempotency_key": uuid.uuid4().hex, **extra}


def test_a_sale_over_json_rpc_and_its_replay(live_server):
    service = new_service(live_server)
    token = "sale-" + uuid.uuid4().hex
    fund(live_server, service, token, 5)
    params = sale_params(service, token, 3, credit_to_capture=2)
    sold = result(live_server, "/iap/1/sale", **params)
    assert {k: v for k, v in sold.items() if k != "token"} == {
        "state": "captured", "authorized": 3, "captured": 2, "released": 1, "provider_share": 1.5,
        "commission": 0.5, "replayed": False, "mismatch": False}
    assert result(live_server, "/iap/1/sale", **params) == {**sold, "replayed": True}
    looked_up = result(live_server, "/iap/1/transaction", key=service.key, idempotency_key=params["idempotency_key"])
    assert (looked_up["token"], looked_up["state"], looked_up["captured"]) == (sold["token"], "captured", 2)
    assert account_figures(live_server, service, token)["available"] == 3 * UNITS
    assert_books_balance(live_server)


def test_sale_refusals_travel_as_odoo_errors(live_server):
    service = new_service(live_server)
    token = "sale-err-" + uuid.uuid4().hex
    fund(live_server, service, token, 1)
    err = error(live_server, "/iap/1/sale", **sale_params(service, token, 2))
    assert code_of(err) == ("insufficient_credit", False)
    assert odoo_14({"error": err})[0] == odoo_18({"error": err})[0] == "InsufficientCreditError"
    assert json.loads(err["data"]["message"])["missing"] == 1
    err = error(live_server, "/iap/1/sale", **sale_params(service, token, idempotency_key=None))
    assert code_of(err) == ("invalid_params", False) and "idempotency_key is required" in err["data"]["message"]
    assert account_figures(live_server, service, token)["available"] == UNITS


def test_parallel_sales_on_limited_credit_sell_exactly_what_is_there(fresh_live_server):
    live = fresh_live_server
    service = new_service(live)
    token = "sale-race-" + uuid.uuid4().hex
    fund(live, service, token, 40)
    local = threading.local()

    def sell(i: int) -> dict:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        envelope = rpc(live.url, "/iap/1/sale", sale_params(service, token, description=f"race {i}"), local.session)
        return envelope.get("result") or envelope["error"]

    with ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(sell, range(80)))
    sold = [o for o in outcomes if "state" in o]
    refused = [o for o in outcomes if "state" not in o]
    assert len(sold) == 40 and len({o["token"] for o in sold}) == 40
    assert [code_of(o) for o in refused] == [("insufficient_credit", False)] * 40
    assert account_figures(live, service, token) == {"available": 0, "held": 0, "ledger_available": 0,
                                                     "ledger_held": 0}
    assert_books_balance(live)


def test_iap_sell_and_the_live_platform_agree(env, live_server):
    """``env`` is another database (a provider's): its ``iap.endpoint`` names the live platform."""
    service = new_service(live_server)
    token = "sell-" + uuid.uuid4().hex
    fund(live_server, service, token, 2)
    env["ir.config_parameter"].set_param("iap.endpoint", live_server.url)
    sold = iap_tools.iap_sell(env, service.key, token, 1, description="one book", ttl=1, idempotency_key="req-9")
    assert (sold["state"], sold["captured"], sold["replayed"]) == ("captured", 1, False)
    again = iap_tools.iap_sell(env, service.key, token, 1, description="one book", ttl=1, idempotency_key="req-9")
    assert again == {**sold, "replayed": True}
    with pytest.raises(iap_tools.InsufficientCreditError) as caught:
        iap_tools.iap_sell(env, service.key, token, 2, credit_template="iap.no_credit")
    details = json.loads(str(caught.value))
    assert details["code"] == "insufficient_credit" and "Not enough credits" in details["body"]
    with pytest.raises(iap_tools.AccessError):
        iap_tools.iap_sell(env, "iapk_wrong", token, 1)
    assert account_figures(live_server, service, token)["available"] == UNITS
    assert_books_balance(live_server)
