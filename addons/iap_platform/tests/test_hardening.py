"""The review's credit findings, over real HTTP: trials are bounded, a refused late capture keeps its expiry,
and text the platform cannot store is a client error, not a failure to retry."""
from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
import requests
from odoo import fields
from odoo.addons.iap_platform.tests.test_http import (
    authorize_params,
    code_of,
    error,
    fund,
    new_service,
    platform_env,
    result,
)

pytestmark = pytest.mark.addons("iap_platform")


def set_params(live, **values) -> None:
    with platform_env(live) as env:
        for key, value in values.items():
            env["ir.config_parameter"].set_param(key, value)


def balances_of_fresh_databases(live, service, count: int) -> list[float]:
    """``/iap/1/balance`` for ``count`` new tokens, each from a never-seen database: what each was given."""
    return [result(live, "/iap/1/balance", account_token=uuid.uuid4().hex, service_name=service.name,
                   dbuuid=str(uuid.uuid4())) for _ in range(count)]


def test_fresh_dbuuids_from_one_address_get_a_bounded_number_of_trials(fresh_live_server):
    live = fresh_live_server
    service = new_service(live, trial_credits=10)
    set_params(live, **{"iap_platform.trial_daily_limit_per_address": 2})
    assert balances_of_fresh_databases(live, service, 5) == [10.0, 10.0, 0, 0, 0]
    err = error(live, "/iap/1/authorize", **authorize_params(service, uuid.uuid4().hex, dbuuid=str(uuid.uuid4())))
    assert json.loads(err["data"]["message"])["trial"] is False  # no trial offered: it would be refused


def test_the_platform_grants_a_bounded_number_of_trials_per_day(fresh_live_server):
    live = fresh_live_server
    service = new_service(live, trial_credits=10)
    set_params(live, **{"iap_platform.trial_daily_limit": 3, "iap_platform.trial_daily_limit_per_address": 100})
    assert balances_of_fresh_databases(live, service, 4) == [10.0, 10.0, 10.0, 0]
    with platform_env(live) as env:  # a day later, trials are offered again
        env.cr.execute("UPDATE iap_platform_trial_grant SET create_date = %s",
                       (fields.Datetime.to_string(fields.Datetime.now() - dt.timedelta(hours=25)),))
    assert balances_of_fresh_databases(live, service, 1) == [10.0]


def test_trials_per_address_are_counted_by_source_address(env):
    created = env["iap.platform.service"].create_service(f"svc_{uuid.uuid4().hex[:10]}", trial_credits=1)
    env["ir.config_parameter"].set_param("iap_platform.trial_daily_limit_per_address", 1)
    accounts = env["iap.platform.account"]

    def trial_for(address: str) -> float:
        return accounts.with_context(iap_remote_addr=address).balance(
            account_token=uuid.uuid4().hex, service_name=created["technical_name"], dbuuid=str(uuid.uuid4()))
    assert [trial_for("192.0.2.1"), trial_for("192.0.2.1"), trial_for("192.0.2.2")] == [1.0, 0, 1.0]


def test_a_capture_after_the_deadline_is_refused_and_the_expiry_is_kept(live_server):
    service = new_service(live_server)
    token = "late-" + uuid.uuid4().hex[:8]
    fund(live_server, service, token, 1)
    transaction = result(live_server, "/iap/1/authorize", **authorize_params(service, token))
    with platform_env(live_server) as env:
        env.cr.execute("UPDATE iap_platform_transaction SET expires_at = %s WHERE token = %s",
                       (fields.Datetime.to_string(fields.Datetime.now() - dt.timedelta(hours=1)), transaction))
    err = error(live_server, "/iap/1/capture", token=transaction, key=service.key)
    assert code_of(err) == ("transaction_expired", False)
    with platform_env(live_server) as env:
        record = env["iap.platform.transaction"].search([("token", "=", transaction)])
        assert (record.state, record.close_reason) == ("expired", "ttl")
        assert record.account_id.held == 0 and record.account_id.available == 10_000
        assert env["iap.platform.ledger.entry"].search_count([("transaction_id", "=", record.id),
                                                              ("kind", "=", "expire")]) > 0


@pytest.mark.parametrize("route, field", [("/iap/1/authorize", "account_token"), ("/iap/1/authorize", "key"),
                                          ("/iap/1/authorize", "description"), ("/iap/1/balance", "account_token"),
                                          ("/iap/1/capture", "token")])
def test_a_lone_surrogate_is_invalid_params_not_retryable(live_server, route, field):
    service = new_service(live_server)
    params = {**authorize_params(service, "tok"), "service_name": service.name, "token": "iaptx_x"}
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params})
    body = body.replace(json.dumps(params[field]), '"bad\\ud800text"', 1)
    reply = requests.post(live_server.url + route, data=body, headers={"Content-Type": "application/json"},
                          timeout=30)
    assert reply.status_code == 200
    assert code_of(reply.json()["error"]) == ("invalid_params", False)
