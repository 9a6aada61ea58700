"""Acceptance of credit quotas with real provider processes (``odoo-bin.py``) against a live platform.

* 200 paid lookups, 24 at a time, from a provider with 2 worker processes on an account of 100 credits
  (PostgreSQL): exactly 100 served and charged, the ledger balances, revenue 75 and commission 25.
* A provider killed (``kill -9``) with a quota half used: the used part is charged once, from the
  provider's store when it restarts in time, else from the last report when the quota expires; the
  rest goes back to the account either way.
"""
from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from server.modules.registry import Registry
from server.orm.environment import SUPERUSER_ID, Environment

from .common import PLATFORM_ADDONS, PROVIDER_ADDONS

UNITS = 10_000
# Concurrent clients sending the 200 calls: every one in flight holds a database connection in a worker,
# and the PostgreSQL server is shared (its max_connections is 100).
CLIENTS = 24
TERMS = {"iap.quota_credit": 20, "iap.quota_report_every": 4, "iap.quota_report_seconds": 600}


def params_of(config, values: dict) -> None:
    with Registry.open(config).cursor() as cr:
        params = Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"]
        for key, value in values.items():
            params.set_param(key, value)


def platform_figures(platform, token: str) -> dict:
    with platform.registry().cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        env["iap.platform.quota"].expire_overdue()  # what the platform's cron does every minute
        account = env["iap.platform.account"].search([("token", "=", token)])
        service = env.ref("iap_platform.service_book_isbn")
        ledger = env["iap.platform.ledger.entry"]._balances()
        quotas = env["iap.platform.quota"].search([("account_id", "=", account.id)], order="id")
        return {"available": account.available, "quota_held": account.quota_held,
                "revenue": ledger.get(f"service:{service.id}:revenue", 0),
                "commission": ledger.get("platform:commission", 0),
                "quotas": [(q.state, q.used, q.released) for q in quotas],
                "problems": env["iap.platform.ledger.entry"].check_invariants()}


def provider_quotas(config) -> list[tuple]:
    with Registry.open(config).cursor(readonly=True) as cr:
        quotas = Environment(cr, SUPERUSER_ID, {})["iap.quota"].search([], order="id")
        return [(q.state, q.used, q.reported, q.unbilled) for q in quotas]


def wait_for(condition, what: str, timeout: float = 120):
    """Poll ``condition()`` until it returns something true (a bounded wait, not a timed assertion)."""
    deadline, value = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"still waiting after {timeout} s for {what} (last seen: {value!r})")


def wait_until_equal(probe, expected, what: str, timeout: float = 120) -> None:
    deadline, value = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        value = probe()
        if value == expected:
            return
        time.sleep(0.2)
    raise AssertionError(f"still waiting after {timeout} s for {what}: {value!r}, not {expected!r}")


def lookup(url: str, token: str, isbn: str, session=None) -> dict:
    body = {"jsonrpc": "2.0", "method": "call", "id": 1,
            "params": {"account_token": token, "isbn_number": isbn, "request_id": uuid.uuid4().hex}}
    return (session or requests).post(url + "/get_book_data", json=body, timeout=300).json()


@pytest.fixture
def platform(db_backend, live_server_factory):
    live = live_server_factory.for_addons(db_backend, PLATFORM_ADDONS, fresh=True, threads=4)
    with live.registry().cursor() as cr:
        Environment(cr, SUPERUSER_ID, {}).ref("iap_platform.service_book_isbn").trial_credits = 0
    yield live
    live.stop()


@pytest.fixture
def provider_config(db_backend, database_factory, platform):
    config = database_factory.create(db_backend, PROVIDER_ADDONS)
    params_of(config, {"iap.endpoint": platform.url, "iap_isbn_service.charging": "quota", **TERMS})
    return config


def fund(platform, token: str, credits: float) -> None:
    with platform.registry().cursor() as cr:
        Environment(cr, SUPERUSER_ID, {})["iap.platform.account"].admin_topup("book_isbn", token, credits)


def catalogue(config) -> list[str]:
    with Registry.open(config).cursor(readonly=True) as cr:
        return Environment(cr, SUPERUSER_ID, {})["book.info"].search([]).mapped("isbn")


@pytest.mark.postgresql_only
def test_two_hundred_parallel_paid_calls_from_two_workers_on_a_hundred_credits(platform, provider_config,
                                                                              server_process):
    token = "race-" + uuid.uuid4().hex
    fund(platform, token, 100)
    isbns = catalogue(provider_config)
    provider = server_process(provider_config, workers=2, threads=4)
    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(lambda i: lookup(provider.url, token, isbns[i % len(isbns)]), range(200)))
    served = [a["result"] for a in answers if "result" in a]
    refused = [a["error"]["data"] for a in answers if "error" in a]
    assert len(served) == 100 and all(a["status"] == "found" and a["charged"] == 1.0 for a in served)
    assert len(refused) == 100 and all(r["name"].endswith("InsufficientCreditError") for r in refused), \
        [r["message"] for r in refused if not r["name"].endswith("InsufficientCreditError")]
    wait_for(lambda: all(state == "closed" for state, *_rest in provider_quotas(provider_config)),
             "the provider to release its used-up quotas")
    figures = platform_figures(platform, token)
    assert figures["problems"] == []
    assert (figures["available"], figures["quota_held"]) == (0, 0)
    assert (figures["revenue"], figures["commission"]) == (75 * UNITS, 25 * UNITS)
    assert sum(used for _state, used, _released in figures["quotas"]) == 100 * UNITS
    assert sum(used for _state, used, _reported, _unbilled in provider_quotas(provider_config)) == 100 * UNITS
    with Registry.open(provider_config).cursor(readonly=True) as cr:
        assert Environment(cr, SUPERUSER_ID, {})["book.data.request"].search_count([]) == 100


def half_use_a_quota_then_kill(platform, provider_config, server_process) -> str:
    """10 paid lookups on a quota of 20 reported every 4 calls: the platform knows of 8 when the provider dies."""
    token = "killed-" + uuid.uuid4().hex
    fund(platform, token, 100)
    params_of(provider_config, {"iap.quota_validity": 30})
    provider = server_process(provider_config)
    session = requests.Session()
    for number, isbn in enumerate(catalogue(provider_config)[:10], start=1):
        assert lookup(provider.url, token, isbn, session)["result"]["charged"] == 1.0
        if number % 4 == 0:  # the report this call triggers, before the next call (a report sends all used)
            wait_until_equal(lambda: provider_quotas(provider_config),
                             [("open", number * UNITS, number * UNITS, 0)], f"the report of call {number}")
    assert provider_quotas(provider_config) == [("open", 10 * UNITS, 8 * UNITS, 0)]
    provider.process.kill()  # kill -9: no goodbye, no last report
    provider.process.wait(30)
    assert platform_figures(platform, token)["quotas"] == [("open", 8 * UNITS, 0)]
    return token


def test_a_killed_provider_restarted_in_time_reports_the_use_from_its_store(platform, provider_config,
                                                                           server_process):
    token = half_use_a_quota_then_kill(platform, provider_config, server_process)
    server_process(provider_config)  # its sender starts with it and releases the quota before its end
    wait_for(lambda: platform_figures(platform, token)["quotas"][0][0] != "open", "the restarted provider's release")
    figures = platform_figures(platform, token)  # read again: each statement of a read sees its own snapshot
    assert figures["quotas"] == [("closed", 10 * UNITS, 10 * UNITS)]
    assert (figures["available"], figures["quota_held"], figures["problems"]) == (90 * UNITS, 0, [])
    assert (figures["revenue"], figures["commission"]) == (75_000, 25_000)
    assert provider_quotas(provider_config) == [("closed", 10 * UNITS, 10 * UNITS, 0)]


def test_a_killed_provider_is_charged_its_last_report_when_the_quota_expires(platform, provider_config,
                                                                            server_process):
    token = half_use_a_quota_then_kill(platform, provider_config, server_process)
    figures = wait_for(lambda: (f := platform_figures(platform, token))["quotas"][0][0] == "expired" and f,
                       "the quota's expiry", timeout=180)
    assert figures["quotas"] == [("expired", 8 * UNITS, 12 * UNITS)]
    assert (figures["available"], figures["quota_held"], figures["problems"]) == (92 * UNITS, 0, [])
    assert (figures["revenue"], figures["commission"]) == (60_000, 20_000)
    server_process(provider_config)  # too late: the platform answers with the figures it closed on
    wait_for(lambda: provider_quotas(provider_config)[0][0] == "expired", "the restarted provider's release")
    assert provider_quotas(provider_config) == [("expired", 10 * UNITS, 8 * UNITS, 2 * UNITS)]  # 2 unbilled
    assert platform_figures(platform, token) == figures  # nothing charged twice, nothing moved
